package pdf

import (
	"bytes"
	"math"
	"strconv"

	"utdrag/fonts"
	"utdrag/layout"
)

// pageMark is what fpdf's content stream of page N holds in the direct
// path: "%utdrag-page N", a PDF comment that finish replaces with the
// content writeContent wrote for the page. fpdf writes nothing else from
// the document into its page streams, so no text can imitate it.
const pageMark = "%utdrag-page "

// writeContent writes the content of one page, as drawPage would through
// fpdf, in one pass into b: fills and frames, then rules, then all text in
// one text object, with the simple fonts selected by their own resource
// names (simpleFont.res, added to the page resources by finish). h is the
// page height: layout measures y downwards, PDF upwards.
func writeContent(b *bytes.Buffer, p *layout.Page, embedded map[*fonts.Face]embedding, h float64) {
	g := graphics{fill: -1, stroke: -1, width: -1}
	for _, r := range p.Rects {
		g.rect(b, r, h)
	}
	for _, r := range p.Rules {
		g.setStroke(b, grayLevel(r.Gray))
		g.setWidth(b, hundredths(r.Width))
		buf := b.AvailableBuffer()
		buf = appendFixed(buf, hundredths(r.X1))
		buf = append(buf, ' ')
		buf = appendFixed(buf, hundredths(h-r.Y1))
		buf = append(buf, " m "...)
		buf = appendFixed(buf, hundredths(r.X2))
		buf = append(buf, ' ')
		buf = appendFixed(buf, hundredths(h-r.Y2))
		buf = append(buf, " l S\n"...)
		b.Write(buf)
	}
	if len(p.Texts) == 0 {
		return
	}
	g.setFill(b, 0) // text is black
	b.WriteString("BT")
	var face *fonts.Face
	size := -1.0
	var at position // of the previous run
	var tc int64    // letter spacing in force, ten-thousandths of a point
	for _, t := range p.Texts {
		if t.Face != face || t.Size != size {
			b.WriteString("\n/")
			b.WriteString(embedded[t.Face].sf.res)
			b.WriteByte(' ')
			b.Write(appendFixed(b.AvailableBuffer(), hundredths(t.Size)))
			b.WriteString(" Tf")
			face, size = t.Face, t.Size
		}
		if want := int64(math.Round(t.Tracking * 1e4)); want != tc {
			b.WriteByte('\n')
			b.Write(appendTracking(b.AvailableBuffer(), want))
			b.WriteString(" Tc")
			tc = want
		}
		pos := position{hundredths(t.X), hundredths(h - t.Y)}
		appendRun(b, pos.x-at.x, pos.y-at.y, t.Face, t.Text, t.Space)
		at = pos
	}
	b.WriteString("\nET\n")
}

// graphics is the graphics state a page's content has set: gray levels
// (0–255, -1 not yet set) and line width in hundredths of a point.
type graphics struct {
	fill, stroke int
	width        int64
}

func (g *graphics) setFill(b *bytes.Buffer, gray int) {
	if gray != g.fill {
		b.Write(appendGray(b.AvailableBuffer(), gray))
		b.WriteString(" g\n")
		g.fill = gray
	}
}

func (g *graphics) setStroke(b *bytes.Buffer, gray int) {
	if gray != g.stroke {
		b.Write(appendGray(b.AvailableBuffer(), gray))
		b.WriteString(" G\n")
		g.stroke = gray
	}
}

func (g *graphics) setWidth(b *bytes.Buffer, w int64) {
	if w != g.width {
		b.Write(appendFixed(b.AvailableBuffer(), w))
		b.WriteString(" w\n")
		g.width = w
	}
}

// rect fills and frames r as drawRect does.
func (g *graphics) rect(b *bytes.Buffer, r layout.Rect, h float64) {
	op := ""
	switch {
	case r.Filled && r.Line > 0:
		op = "B"
	case r.Filled:
		op = "f"
	case r.Line > 0:
		op = "S"
	default:
		return
	}
	if r.Filled {
		g.setFill(b, grayLevel(r.Fill))
	}
	if r.Line > 0 {
		g.setStroke(b, 0)
		g.setWidth(b, hundredths(r.Line))
	}
	buf := b.AvailableBuffer()
	buf = appendFixed(buf, hundredths(r.X))
	buf = append(buf, ' ')
	buf = appendFixed(buf, hundredths(h-r.Y))
	buf = append(buf, ' ')
	buf = appendFixed(buf, hundredths(r.W))
	buf = append(buf, ' ')
	buf = appendFixed(buf, -hundredths(r.H))
	buf = append(buf, " re "...)
	buf = append(buf, op...)
	buf = append(buf, '\n')
	b.Write(buf)
}

// appendGray appends a gray level 0–255 as fpdf does, 0 to 1 with three
// decimals: 235 as "0.922".
func appendGray(b []byte, gray int) []byte {
	v := int64(math.Round(float64(gray) / 255 * 1000))
	b = strconv.AppendInt(b, v/1000, 10)
	if f := v % 1000; f != 0 {
		b = append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
	}
	return b
}
