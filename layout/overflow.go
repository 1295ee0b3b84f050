package layout

// Overflow is a text of the page furniture that runs out of the box it
// is drawn in: the initials of a long name in the Utdragsbestyrkande box.
type Overflow struct {
	Page int    // 1-based
	Text string // the text that does not fit
	Box  string // the label of its box ("Utdragsbestyrkande")
}

// Overflows lists the footer boxes' texts that run past their box's left
// or right edge, once per text and box (the furniture repeats on every
// page; a box's content is the same on all of them). A laid-out document
// that has one draws text across a frame or into the next box, so what
// fills the boxes (a certification) must be refused, not drawn.
func (ps *Pages) Overflows() []Overflow {
	var out []Overflow
	seen := map[[2]string]bool{}
	for _, p := range ps.Pages {
		for _, r := range p.Rects {
			if r.Role != RoleFooter {
				continue
			}
			label := ""
			var inside []Text
			for _, t := range p.Texts {
				// A text belongs to the box its middle is in: the content
				// is centred, so one too wide starts left of its box.
				mid := t.X + t.Width/2
				if t.Role != RoleFooter || t.Y < r.Y || t.Y > r.Y+r.H || mid < r.X || mid >= r.X+r.W {
					continue
				}
				if label == "" {
					label = t.Text // the label is drawn first, at the top
					continue
				}
				inside = append(inside, t)
			}
			for _, t := range inside {
				const pad = 1.5 // points kept clear of the frame on either side
				if t.X >= r.X+pad && t.X+t.Width <= r.X+r.W-pad {
					continue
				}
				if k := [2]string{label, t.Text}; !seen[k] {
					seen[k] = true
					out = append(out, Overflow{Page: p.Number, Text: t.Text, Box: label})
				}
			}
		}
	}
	return out
}
