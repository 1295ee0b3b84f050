package pdf

import (
	"codeberg.org/go-pdf/fpdf"

	"utdrag/fonts"
	"utdrag/layout"
)

// drawPage draws fills and frames first, then rules, then text, so text is
// never covered by a shaded table header.
func drawPage(doc *fpdf.Fpdf, p *layout.Page, embedded map[*fonts.Face]embedding) {
	doc.AddPage()
	for _, r := range p.Rects {
		drawRect(doc, r)
	}
	for _, r := range p.Rules {
		gray := grayLevel(r.Gray)
		doc.SetDrawColor(gray, gray, gray)
		doc.SetLineWidth(r.Width)
		doc.Line(r.X1, r.Y1, r.X2, r.Y2)
	}
	for _, t := range p.Texts {
		e := embedded[t.Face]
		doc.SetFont(e.family, e.style, t.Size)
		s := t.Text
		if e.simple {
			s, _ = t.Face.Encode(s) // addFonts checked every run
		}
		if t.Space {
			// A real space after each word: text extraction then finds
			// the word boundaries of justified lines.
			s += " "
		}
		doc.Text(t.X, t.Y, s)
	}
}

func drawRect(doc *fpdf.Fpdf, r layout.Rect) {
	style := ""
	if r.Filled {
		gray := grayLevel(r.Fill)
		doc.SetFillColor(gray, gray, gray)
		style += "F"
	}
	if r.Line > 0 {
		doc.SetDrawColor(0, 0, 0)
		doc.SetLineWidth(r.Line)
		style += "D"
	}
	if style != "" {
		doc.Rect(r.X, r.Y, r.W, r.H, style)
	}
}

func grayLevel(g float64) int { return int(g*255 + 0.5) }
