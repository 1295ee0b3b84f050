package typeset

// Typesetter breaks paragraphs into lines. It is safe for concurrent use;
// build one at start-up and share it.
type Typesetter struct {
	hyph *Hyphenator
}

// New returns a Typesetter that hyphenates with h (nil: no hyphenation).
func New(h *Hyphenator) *Typesetter { return &Typesetter{hyph: h} }

// Set breaks a paragraph into lines.
func (t *Typesetter) Set(spans []Span, faces Faces, p Params) []Line {
	return Greedy(spans, faces, p)
}
