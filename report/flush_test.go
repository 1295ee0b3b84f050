package report_test

import (
	"fmt"
	"math"
	"testing"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/internal/exampletest"
	"utdrag/typeset"
)

// TestFlushLeftOnlyWhenNoBreakingFits holds the typesetter to the limit on
// justified spaces, typeset.MaxSpace, on paragraphs that test it (list
// items with a sum that cannot be parted from its unit near their start,
// reservations whose names cannot be hyphenated, the long compounds of
// the narrow template) at the measures layout uses and others: no
// justified line's spaces pass the limit, with letter spacing as layout
// sets it; and a line is set flush left instead exactly when the
// exhaustive search finds no breaking of the paragraph within the limit.
func TestFlushLeftOnlyWhenNoBreakingFits(t *testing.T) {
	fs, hy, tp := exampletest.Fonts(t), exampletest.Hyphenator(t), exampletest.Template(t)
	faces := &family{}
	for bits := range faces {
		st := typeset.Style(bits)
		faces[bits] = fs.Face(tp.Fonts.Body, fonts.Style{Bold: st&typeset.Bold != 0, Italic: st&typeset.Italic != 0})
	}
	plain := func(s string) []typeset.Span { return []typeset.Span{{Text: typeset.Normalize(s)}} }
	names := func(ns, text string) []typeset.Span {
		return []typeset.Span{{Text: typeset.Normalize(ns), Style: typeset.NoHyphen}, {Text: " " + typeset.Normalize(text)}}
	}
	paragraphs := [][]typeset.Span{
		plain("Genom överenskommelsen samfinansierar kommunerna Hembygdsarkivet Storsjöbygden med 1 456 000 kronor årligen, vilket motsvarar ungefär en tredjedel av arkivets kostnader för personal och lokaler."),
		plain("Förslaget innebär att bidragen till studieförbunden och hembygdsföreningarna räknas upp med 2,5 procent."),
		names("Carl-Johan Wennerström-Lagerqvist\u00a0(M), Eva-Lena Strömqvist-Sandberg\u00a0(MP) och Anna-Karin Sjöström\u00a0(KD)",
			"reserverar sig mot beslutet till förmån för eget yrkande."),
		names("Ulla-Britt Hägglund-Strömberg\u00a0(V)", "lämnar en protokollsanteckning om att frågan bör beredas tillsammans med regionen."),
	}
	x := exampletest.Load(t, "stress-compounds.json")
	for _, b := range compose.Build(x, tp, nil).Blocks {
		if p, ok := b.(compose.Paragraph); ok && !p.Plain {
			paragraphs = append(paragraphs, p.Text)
		}
	}
	const mm = 72 / 25.4
	widths := []float64{163 * mm, 163*mm - 7*mm, 90 * mm, 90*mm - 7*mm, 120 * mm, 140 * mm}
	ts := typeset.New(hy)
	within, beyond := 0, 0
	for pi, spans := range paragraphs {
		for _, w := range widths {
			p := typeset.Params{Width: w, Size: tp.Fonts.BodySize, Justify: true, Hyphenate: true, Tracking: 0.01}
			lines := ts.Set(spans, faces, p)
			s := typeset.Measure(lines, faces, p.Size)
			best, _ := minimaxBreaking(spans, faces, hy, p, maxHyphenRunAllowed)
			where := fmt.Sprintf("paragraph %d at %.1f pt (best possible %.3f×)", pi, w, best)
			if s.MaxSpace > typeset.MaxSpace {
				t.Errorf("%s: a justified line at %.3f×\n%s", where, s.MaxSpace, setLines(lines))
			}
			switch {
			case math.Abs(best-typeset.MaxSpace) < 0.002:
				// Too close to call between two measurements of widths.
			case best < typeset.MaxSpace:
				within++
				if s.Flush > 0 {
					t.Errorf("%s: %d lines set flush left though a breaking within %.2f× exists\n%s", where, s.Flush, typeset.MaxSpace, setLines(lines))
				}
			default:
				beyond++
				if s.Flush == 0 {
					t.Errorf("%s: no line set flush left, yet no breaking is within %.2f×\n%s", where, typeset.MaxSpace, setLines(lines))
				}
			}
		}
	}
	t.Logf("%d settings with a breaking within %.2f×, %d without", within, typeset.MaxSpace, beyond)
	if within == 0 || beyond == 0 {
		t.Error("the paragraphs do not test both sides of the limit")
	}
}
