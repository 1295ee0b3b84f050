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
	fill := -1 // gray level last set: the QR code's modules share one
	for _, r := range p.Rects {
		drawRect(doc, r, &fill)
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

// drawRect fills and frames r as a vector path; fill is the gray level
// already set on the page (-1: none).
func drawRect(doc *fpdf.Fpdf, r layout.Rect, fill *int) {
	style := ""
	if r.Filled {
		if gray := grayLevel(r.Fill); gray != *fill {
			doc.SetFillColor(gray, gray, gray)
			*fill = gray
		}
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
