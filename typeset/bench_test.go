package typeset

import (
	"os"
	"strings"
	"testing"
)

// seedParagraphs reads the body paragraphs of a real extract.
func seedParagraphs(tb testing.TB) []string {
	tb.Helper()
	b, err := os.ReadFile("testdata/paragraphs.txt")
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && l[0] != '#' {
			out = append(out, l)
		}
	}
	return out
}

// bodyParams is body text: 150 mm measure, 11 pt.
func bodyParams() Params {
	return Params{Width: 150 / 25.4 * 72, Size: 11, Justify: true, Hyphenate: true}
}

func BenchmarkSet(b *testing.B) {
	// A seven-line paragraph at 150 mm, normalised as the layout gets it.
	benchmarkSet(b, seedParagraphs(b)[7], 7)
}

func BenchmarkSetLong(b *testing.B) {
	// Eleven lines, with hyphenation needed.
	benchmarkSet(b, seedParagraphs(b)[1], 11)
}

func benchmarkSet(b *testing.B, text string, lines int) {
	h, err := NewHyphenator()
	if err != nil {
		b.Fatal(err)
	}
	ts := New(h)
	spans := []Span{{Text: Normalize(text)}}
	if n := len(ts.Set(spans, testFaces{}, bodyParams())); n != lines {
		b.Fatalf("the paragraph has %d lines, want %d", n, lines)
	}
	b.ReportAllocs()
	for b.Loop() {
		ts.Set(spans, testFaces{}, bodyParams())
	}
}

func BenchmarkSetAll(b *testing.B) {
	h, err := NewHyphenator()
	if err != nil {
		b.Fatal(err)
	}
	ts := New(h)
	paras := seedParagraphs(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range paras {
			ts.Set([]Span{{Text: p}}, testFaces{}, bodyParams())
		}
	}
}

func BenchmarkGreedy(b *testing.B) {
	spans := []Span{{Text: seedParagraphs(b)[0]}}
	b.ReportAllocs()
	for b.Loop() {
		Greedy(spans, testFaces{}, bodyParams())
	}
}

func BenchmarkHyphenate(b *testing.B) {
	h, err := NewHyphenator()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.Hyphenate("samverkansöverenskommelsen")
	}
}

func BenchmarkNewHyphenator(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewHyphenator(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	text := seedParagraphs(b)[1]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Normalize(text)
	}
}
