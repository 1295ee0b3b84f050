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
// to a row, each with the role, a line to sign on (or the note that the
// signer signed electronically), the name in clear, title, place and date.
func (s *style) signatures(src int, b compose.Signatures) item {
	w := (s.area.W - signGap) * sigCellWidth
	if w > 80*mm {
		w = 80 * mm
	}
	var it item
	rows := (len(b.Signers) + 1) / 2
	for i, sg := range b.Signers {
		x := float64(i%2) * (w + signGap)
		y := float64(i/2) * (sigCellH + sigRowGap)
		s.signer(&it.els, sg, x, y, w)
	}
	h := float64(rows)*sigCellH + float64(max(rows-1, 0))*sigRowGap
	it.tb = typeset.Block{Height: h}
	it.place = Placed{Kind: KindSignatures, Source: src, Lines: 1}
	return it
}

func (s *style) signer(els *elements, sg compose.Signer, x, y, w float64) {
	bold, regular, italic := s.heading[typeset.Bold], s.body[0], s.body[typeset.Italic]
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
	add(sigNameBase, sg.Name, regular, s.size)
	add(sigNameBase+sigStep, sg.Title, regular, s.small)
	add(sigNameBase+2*sigStep, strings.TrimSpace(sg.Place+" "+sg.Date), regular, s.small)
}
