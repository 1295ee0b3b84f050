package pdf

import (
	"bytes"
	"strconv"

	"codeberg.org/go-pdf/fpdf"

	"utdrag/fonts"
	"utdrag/layout"
)

// drawPage draws fills and frames first, then rules, then text, so text is
// never covered by a shaded table header. text is a scratch buffer.
func drawPage(doc *fpdf.Fpdf, p *layout.Page, embedded map[*fonts.Face]embedding, text *bytes.Buffer) {
	doc.AddPage()
	fill := -1 // gray level last set: the QR code's modules share one
	for _, r := range p.Rects {
		drawRect(doc, r, &fill)
	}
	if fill > 0 {
		// Back to the text colour, so fpdf needs no q … Q around each run.
		doc.SetFillColor(0, 0, 0)
	}
	for _, r := range p.Rules {
		gray := grayLevel(r.Gray)
		doc.SetDrawColor(gray, gray, gray)
		doc.SetLineWidth(r.Width)
		doc.Line(r.X1, r.Y1, r.X2, r.Y2)
	}
	drawTexts(doc, p.Texts, embedded, text)
}

// drawTexts selects a font only when face or size change (the selection
// lasts across text objects) and writes the runs of simple fonts itself,
// as fpdf's Text would but without formatting each through fmt. Runs of
// UTF-8 fonts go through Text, which records the characters to subset.
func drawTexts(doc *fpdf.Fpdf, texts []layout.Text, embedded map[*fonts.Face]embedding, text *bytes.Buffer) {
	_, h := doc.GetPageSize()
	k := doc.GetConversionRatio()
	text.Reset()
	var face *fonts.Face
	size := -1.0
	for _, t := range texts {
		e := embedded[t.Face]
		if t.Face != face || t.Size != size {
			flush(doc, text)
			doc.SetFont(e.family, e.style, t.Size)
			face, size = t.Face, t.Size
		}
		if !e.simple {
			flush(doc, text)
			s := t.Text
			if t.Space {
				s += " "
			}
			doc.Text(t.X, t.Y, s)
			continue
		}
		s, _ := t.Face.Encode(t.Text) // addFonts checked every run
		if text.Len() > 0 {
			text.WriteByte('\n')
		}
		// A real space after each word: text extraction then finds the
		// word boundaries of justified lines.
		appendRun(text, t.X*k, (h-t.Y)*k, s, t.Space)
	}
	flush(doc, text)
}

// appendRun writes "BT x y Td (s) Tj ET", numbers with two decimals.
func appendRun(b *bytes.Buffer, x, y float64, s string, space bool) {
	var num [32]byte
	b.WriteString("BT ")
	b.Write(strconv.AppendFloat(num[:0], x, 'f', 2, 64))
	b.WriteByte(' ')
	b.Write(strconv.AppendFloat(num[:0], y, 'f', 2, 64))
	b.WriteString(" Td (")
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '(', ')':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	if space {
		b.WriteByte(' ')
	}
	b.WriteString(") Tj ET")
}

// flush hands the pending runs to fpdf's page content.
func flush(doc *fpdf.Fpdf, text *bytes.Buffer) {
	if text.Len() == 0 {
		return
	}
	doc.RawWriteBuf(bytes.NewReader(text.Bytes()))
	text.Reset()
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
