package fonts

import (
	"math"
	"testing"
)

func load(t testing.TB) *Set {
	t.Helper()
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Liberation is metric-compatible with Times and Helvetica, so Adobe's
// published AFM widths (per 1000 em) are an independent check of the
// reader: Times-Roman T=611 h=500 e=444 space=250; Times-Bold a=500 §=500;
// Helvetica a=556 W=944; Helvetica-Bold a=556 b=611.
func TestWidthsMatchStandardMetrics(t *testing.T) {
	s := load(t)
	cases := []struct {
		family string
		style  Style
		text   string
		want   float64 // thousandths of an em
	}{
		{Serif, Style{}, "The", 611 + 500 + 444},
		{Serif, Style{}, " ", 250},
		{Serif, Style{Bold: true}, "a§", 500 + 500},
		{Serif, Style{Italic: true}, "a", 500},
		{Sans, Style{}, "aW", 556 + 944},
		{Sans, Style{Bold: true}, "ab", 556 + 611},
	}
	for _, c := range cases {
		got := s.Face(c.family, c.style).Width(c.text) * 1000
		if math.Abs(got-c.want) > 1 {
			t.Errorf("%s %v %q: width %.1f, want %.0f", c.family, c.style, c.text, got, c.want)
		}
	}
}

func TestWidthIsAdditive(t *testing.T) {
	f := load(t).Face(Serif, Style{})
	a, b := "Sammanträdesdatum ", "§ 157 – ”Överenskommelse”…"
	if d := f.Width(a+b) - f.Width(a) - f.Width(b); math.Abs(d) > 1e-9 {
		t.Errorf("width not additive: %g", d)
	}
	if f.Width("") != 0 {
		t.Error("empty string has width")
	}
}

// The extracts carry Swedish, Sami and typographic punctuation: every face
// must have a glyph for each, or the PDF shows boxes.
func TestCoverage(t *testing.T) {
	const needed = "åäöÅÄÖéÉüáÁčČđĐŋŊšŠŧŦžŽïÏæÆøØ§–—”’…•\u00a0"
	for _, f := range load(t).Faces() {
		for _, r := range needed {
			if !f.Has(r) {
				t.Errorf("%s lacks %q (U+%04X)", f.Name(), r, r)
			}
		}
		if f.Has('\u4e2d') {
			t.Errorf("%s claims a CJK glyph: cmap misread", f.Name())
		}
	}
}

func TestMissingGlyphMeasuresAsNotdef(t *testing.T) {
	f := load(t).Face(Serif, Style{})
	if f.Width("\u4e2d") <= 0 || f.Width("\u4e2d") != f.Width("\u4e8c") {
		t.Errorf("missing glyphs should measure as the .notdef box")
	}
}

func TestVerticalMetrics(t *testing.T) {
	for _, f := range load(t).Faces() {
		if f.Ascender() < 0.8 || f.Ascender() > 1.0 || f.Descender() > -0.15 || f.Descender() < -0.3 {
			t.Errorf("%s: ascender %.3f descender %.3f out of range", f.Name(), f.Ascender(), f.Descender())
		}
		pos, thick := f.Underline()
		if pos >= 0 || thick <= 0 {
			t.Errorf("%s: underline %.3f %.3f", f.Name(), pos, thick)
		}
		if len(f.Bytes()) < 100000 {
			t.Errorf("%s: %d bytes", f.Name(), len(f.Bytes()))
		}
	}
}

func TestFaceLookup(t *testing.T) {
	s := load(t)
	if len(s.Faces()) != 6 {
		t.Fatalf("%d faces", len(s.Faces()))
	}
	for _, f := range s.Faces() {
		if got := s.Face(f.Family(), f.Style()); got != f {
			t.Errorf("Face(%s, %v) = %s", f.Family(), f.Style(), got.Name())
		}
	}
	if got := s.Face(Sans, Style{Bold: true, Italic: true}); got.Name() != "LiberationSans-Bold.ttf" {
		t.Errorf("sans bold italic falls back to %s", got.Name())
	}
	if s.Face("fraktur", Style{}) != nil {
		t.Error("unknown family gave a face")
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("%PDF-1.4 not a font"), make([]byte, 64)} {
		if _, err := parseTrueType(b); err == nil {
			t.Errorf("no error for %q", b)
		}
	}
}

func BenchmarkWidth(b *testing.B) {
	f := load(b).Face(Serif, Style{})
	b.ReportAllocs()
	for b.Loop() {
		f.Width("samverkansöverenskommelsen")
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
