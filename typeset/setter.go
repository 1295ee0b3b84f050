package typeset

// Typesetter breaks paragraphs into lines. It is safe for concurrent use;
// build one at start-up and share it.
type Typesetter struct {
	hyph *Hyphenator
}

// New returns a Typesetter that hyphenates with h (nil: no hyphenation).
func New(h *Hyphenator) *Typesetter { return &Typesetter{hyph: h} }

// Set breaks a paragraph into lines with the Knuth–Plass algorithm, in up to
// three passes as TeX: without hyphenation within pretolerance; with
// hyphenation within tolerance; then with emergency stretch, accepting any
// line rather than none. "\n" in a span forces a line break; the lines
// before it and the last line are set ragged.
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
	plain := (&builder{faces: faces, p: p, words: words}).build()
	ps := pass{nodes: plain, extra: extra, tolerance: pretolerance, justify: p.Justify}
	ps.width, ps.first = p.Width, p.Width-p.FirstIndent
	bps := ps.run()
	nodes := plain
	if bps == nil {
		if hyph != nil {
			b := &builder{faces: faces, p: p, hyph: hyph, words: words}
			if nodes = b.build(); !b.anyBreaks {
				nodes = plain
			}
		}
		ps = pass{nodes: nodes, width: ps.width, first: ps.first, extra: extra, tolerance: tolerance, justify: p.Justify}
		bps = ps.run()
	}
	if bps == nil {
		ps = pass{nodes: nodes, width: ps.width, first: ps.first, tolerance: infBad, final: true,
			extra: extra + emergencyStretch*p.Size, justify: p.Justify}
		bps = ps.run()
	}
	return assemble(nodes, bps, words, faces, p)
}
