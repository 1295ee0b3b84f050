package typeset

import "math"

// Typesetter breaks paragraphs into lines. It is safe for concurrent use;
// build one at start-up and share it.
type Typesetter struct {
	hyph *Hyphenator
}

// New returns a Typesetter that hyphenates with h (nil: no hyphenation).
func New(h *Hyphenator) *Typesetter { return &Typesetter{hyph: h} }

// Set breaks a paragraph into lines with the Knuth–Plass algorithm, in up to
// four passes: as TeX, without hyphenation within pretolerance, then with
// hyphenation within tolerance; then with no limit but the real badness of
// each line, so that the loosest line decides and a hyphen beats a gap;
// then with emergency stretch, accepting any line rather than none. "\n" in
// a span forces a line break; the lines before it and the last line are
// set ragged.
func (t *Typesetter) Set(spans []Span, faces Faces, p Params) []Line {
	words := splitWords(spans)
	if len(words) == 0 {
		return []Line{{Width: p.Width, Last: true}}
	}
	hyph := t.hyph
	if !p.Hyphenate {
		hyph = nil
	}
	var extra float64
	if !p.Justify {
		extra = raggedStretch * p.Size
	}
	b := &builder{faces: faces, p: p, words: words}
	nodes := b.build()
	ps := &pass{width: p.Width, first: p.Width - p.FirstIndent, justify: p.Justify}
	bps := ps.run(nodes, mode{tolerance: pretolerance, extra: extra})
	if bps == nil {
		if hyph != nil {
			// The list with discretionaries replaces the plain one.
			b.hyph = hyph
			nodes = b.build()
		}
		bps = ps.run(nodes, mode{tolerance: tolerance, extra: extra})
	}
	if bps == nil {
		// Capped at infBad, every line too loose would cost the same.
		lone := glueStretch(spaceWidth(faces, 0, p.Size), true)
		bps = ps.run(nodes, mode{tolerance: math.Inf(1), extra: extra, lone: lone, uncapped: true, maxRun: maxHyphenRun + 1})
	}
	if bps == nil {
		bps = ps.run(nodes, mode{tolerance: infBad, extra: extra + emergencyStretch*p.Size, maxRun: math.MaxInt, final: true})
	}
	return assemble(nodes, bps, words, faces, p)
}
