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
	h, err := NewHyphenator()
	if err != nil {
		b.Fatal(err)
	}
	ts := New(h)
	// An eight-line paragraph at 150 mm.
	spans := []Span{{Text: Normalize(seedParagraphs(b)[0])}}
	if n := len(ts.Set(spans, testFaces{}, bodyParams())); n != 8 {
		b.Fatalf("the benchmark paragraph has %d lines, want 8", n)
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
