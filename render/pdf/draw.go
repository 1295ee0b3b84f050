package pdf

import (
	"bytes"
	"math"
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
// as fpdf's Text would but without formatting each through fmt: all runs
// between two font changes in one text object, each placed relative to
// the one before. Runs of UTF-8 fonts go through Text, which records the
// characters to subset.
func drawTexts(doc *fpdf.Fpdf, texts []layout.Text, embedded map[*fonts.Face]embedding, text *bytes.Buffer) {
	_, h := doc.GetPageSize()
	k := doc.GetConversionRatio()
	text.Reset()
	var face *fonts.Face
	var e embedding
	size := -1.0
	var at position // of the previous run in the open text object
	var tc int64    // letter spacing in force, ten-thousandths of a point
	for _, t := range texts {
		if t.Face != face || t.Size != size {
			flush(doc, text)
			e = embedded[t.Face]
			doc.SetFont(e.family, e.style, t.Size)
			face, size = t.Face, t.Size
		}
		if want := int64(math.Round(t.Tracking * 1e4)); want != tc {
			// Text state lasts across text objects: set it where it changes.
			if text.Len() == 0 {
				text.WriteString("BT")
				at = position{}
			}
			text.WriteByte('\n')
			text.Write(appendTracking(text.AvailableBuffer(), want))
			text.WriteString(" Tc")
			tc = want
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
		if text.Len() == 0 {
			text.WriteString("BT")
			at = position{}
		}
		p := position{hundredths(t.X * k), hundredths((h - t.Y) * k)}
		// A real space after each word: text extraction then finds the
		// word boundaries of justified lines.
		appendRun(text, p.x-at.x, p.y-at.y, t.Face, t.Text, t.Space)
		at = p
	}
	flush(doc, text)
}

// appendTracking appends v ten-thousandths of a point as a decimal number:
// 1234 as "0.1234", 0 as "0".
func appendTracking(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/10000, 10)
	if f := v % 10000; f != 0 {
		b = append(b, '.')
		for d := int64(1000); d > 0 && f > 0; d /= 10 {
			b = append(b, byte('0'+f/d))
			f %= d
		}
	}
	return b
}

// position is a point in hundredths of a point: runs are placed relative
// to each other in whole hundredths, so no rounding error adds up.
type position struct{ x, y int64 }

func hundredths(v float64) int64 { return int64(math.Round(v * 100)) }

// appendRun writes "\ndx dy Td (s) Tj", moving by hundredths of a point.
func appendRun(b *bytes.Buffer, dx, dy int64, f *fonts.Face, s string, space bool) {
	if !plain(s) {
		s, _ = f.Encode(s) // addFonts checked every run
	}
	buf := b.AvailableBuffer()
	buf = append(buf, '\n')
	buf = appendFixed(buf, dx)
	buf = append(buf, ' ')
	buf = appendFixed(buf, dy)
	buf = append(buf, " Td ("...)
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\\' && s[i] != '(' && s[i] != ')' && s[i] != '\r' {
			i++
		}
		buf = append(buf, s[:i]...)
		if i == len(s) {
			break
		}
		if s[i] == '\r' {
			buf = append(buf, '\\', 'r')
		} else {
			buf = append(buf, '\\', s[i])
		}
		s = s[i+1:]
	}
	if space {
		buf = append(buf, ' ')
	}
	buf = append(buf, ") Tj"...)
	b.Write(buf)
}

// plain reports whether s is printable ASCII, which every simple font
// encodes as itself.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] >= 0x7F {
			return false
		}
	}
	return true
}

// appendFixed appends v hundredths as a decimal number without trailing
// zeros: 1250 as "12.5", -7 as "-0.07", 300 as "3".
func appendFixed(b []byte, v int64) []byte {
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	switch f := v % 100; {
	case f == 0:
	case f%10 == 0:
		b = append(b, '.', byte('0'+f/10))
	default:
		b = append(b, '.', byte('0'+f/10), byte('0'+f%10))
	}
	return b
}

// flush hands the pending runs to fpdf's page content.
func flush(doc *fpdf.Fpdf, text *bytes.Buffer) {
	if text.Len() == 0 {
		return
	}
	text.WriteString("\nET")
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
