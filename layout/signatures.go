package layout

import (
	"strings"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/typeset"
)

// Signature block geometry, in points, from the top of a signer's cell.
const (
	sigRoleBase = 9                       // baseline of the role label
	sigLineY    = sigRoleBase + signSpace // the line to sign on
	sigNameBase = sigLineY + 13
	sigStep     = 11 // between the lines below the name
	sigCellH    = sigNameBase + 2*sigStep + 4
)

// signatures draws the whole block as one unbreakable item: signers two
// to a row (or b.PerRow), each with the role, a line to sign on (or the note that the
// signer signed electronically), the name in clear, title, place and date.
// Names and titles too long for the signer's column wrap within it, and
// the row grows to the taller of its two signers.
func (s *style) signatures(src int, b compose.Signatures) item {
	per := 2
	if b.PerRow > 2 {
		per = b.PerRow
	}
	w := (s.area.W - signGap) * sigCellWidth
	if per > 2 {
		w = (s.area.W - float64(per-1)*signGap) / float64(per)
	}
	if w > 80*mm {
		w = 80 * mm
	}
	var it item
	y := 0.0
	for row := 0; per*row < len(b.Signers); row++ {
		if row > 0 {
			y += sigRowGap
		}
		h := 0.0
		for col := 0; col < per && per*row+col < len(b.Signers); col++ {
			x := float64(col) * (w + signGap)
			first := len(it.els.texts)
			h = max(h, s.signer(&it.els, b.Signers[per*row+col], x, y, w))
			for i := first; i < len(it.els.texts); i++ {
				it.els.texts[i].Col = int16(per*row + col)
			}
		}
		y += h
	}
	it.tb = typeset.Block{Height: y}
	it.place = Placed{Kind: KindSignatures, Source: src, Lines: 1}
	return it
}

// signer draws one signer's cell at (x, y), w wide, and returns its height:
// sigCellH unless a name, title or place runs over more than one line.
func (s *style) signer(els *elements, sg compose.Signer, x, y, w float64) float64 {
	bold, italic := s.heading[typeset.Bold], s.body[typeset.Italic]
	add := func(yy float64, str string, face *fonts.Face, size float64) {
		if str != "" {
			els.texts = append(els.texts, s.text(x, y+yy, str, face, size, RoleSignature))
		}
	}
	add(sigRoleBase, sg.Role, bold, s.small)
	if sg.Electronic {
		add(sigLineY-3, sg.SignedLabel, italic, s.size)
	} else {
		els.rules = append(els.rules, Rule{X1: x, Y1: y + sigLineY, X2: x + w, Y2: y + sigLineY, Width: 0.5, Role: RoleSignature})
	}
	base := s.wrapped(els, sg.Name, x, y+sigNameBase, w, s.size, s.lead)
	base = s.wrapped(els, sg.Title, x, base+sigStep, w, s.small, sigStep)
	base = s.wrapped(els, strings.TrimSpace(sg.Place+" "+sg.Date), x, base+sigStep, w, s.small, sigStep)
	return base + sigCellH - (sigNameBase + 2*sigStep) - y
}

// wrapped sets str ragged right in lines of at most w, the first on the
// baseline base and the others step below each other, never hyphenated
// (a word wider than w still breaks rather than leave the column), and
// returns the baseline of the last line.
func (s *style) wrapped(els *elements, str string, x, base, w, size, step float64) float64 {
	if str == "" {
		return base
	}
	lines := s.set([]typeset.Span{{Text: str, Style: typeset.NoHyphen}}, s.body, typeset.Params{Width: w, Size: size})
	for i, l := range lines {
		for _, li := range l.Items {
			els.texts = append(els.texts, Text{X: x + li.X, Y: base + float64(i)*step, Text: li.Text,
				Face: s.body[li.Style.Face()], Size: size, Width: li.W, Space: li.SpaceAfter > 0, Role: RoleSignature})
		}
	}
	return base + float64(len(lines)-1)*step
}
