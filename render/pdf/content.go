package pdf

import (
	"bytes"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"utdrag/layout"
)

// page writes the content of one page: fills and frames, then rules, then
// all text in one text object, each run placed relative to the one before
// in whole hundredths of a point, with a real space after each word so
// extracted text has its word boundaries. Every piece is marked: body
// text as marked content of its structure element (MCID), the rest as
// artifacts. A word broken across lines carries the whole word as
// ActualText on its first piece and an empty one on the others, so text
// extraction and screen readers get the word once and whole.
type page struct {
	b     *bytes.Buffer
	n     int // page index
	h     float64
	fonts *fontSet
	tree  *tree
	g     graphics
	ts    textState
	// open is the marked content open: an element, an artifact kind
	// (openHeader …), or openNone.
	open int32
	// cont: the next text goes on with a broken word already spoken.
	cont    *bool
	figure  bool // this page's QR code is the tagged Figure
	figureX [4]float64
}

// Marked content that is not an element's.
const (
	openNone       int32 = -1
	openHeader     int32 = -2 // the running header: a pagination artifact
	openFooter     int32 = -3 // footer boxes, verification address
	openPagination int32 = -4 // a repeated table header
	openLayout     int32 = -5 // rules and fills
	openSpoken     int32 = -6 // a piece of a broken word (markSpoken)
)

func (w *page) mark(m int32) {
	if m == w.open {
		return
	}
	w.endArray()
	if w.open != openNone {
		w.b.WriteString("EMC\n")
	}
	w.open = m
	switch m {
	case openNone:
	case openHeader:
		w.b.WriteString("/Artifact<</Type/Pagination/Subtype/Header>>BDC\n")
	case openFooter:
		w.b.WriteString("/Artifact<</Type/Pagination/Subtype/Footer>>BDC\n")
	case openPagination:
		w.b.WriteString("/Artifact<</Type/Pagination>>BDC\n")
	case openLayout:
		w.b.WriteString("/Artifact BMC\n")
	default:
		typ := w.tree.elems[m].typ
		if typ == "Del" || typ == "Ins" {
			typ = "Span"
		}
		w.b.WriteByte('/')
		w.b.WriteString(typ)
		w.b.WriteString("<</MCID ")
		w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(w.tree.mark(m, w.n)), 10))
		w.b.WriteString(">>BDC\n")
	}
}

// markSpoken opens marked content of element m that a reader takes as
// the text spoken instead of what it shows.
func (w *page) markSpoken(m int32, spoken string) {
	w.mark(openNone)
	w.endArray()
	// Span: readers (poppler) take ActualText only from a Span.
	w.b.WriteString("/Span<</MCID ")
	w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(w.tree.mark(m, w.n)), 10))
	w.b.WriteString("/ActualText")
	writeText(w.b, spoken)
	w.b.WriteString(">>BDC\n")
	w.open = openSpoken
}

// lineEnd reports whether texts[i] ends its line: the next text is not
// on the same line of the same block, part and column.
func lineEnd(texts []layout.Text, i int) bool {
	if i+1 >= len(texts) {
		return true
	}
	t, n := &texts[i], &texts[i+1]
	return n.Block != t.Block || n.Part != t.Part || n.Col != t.Col || n.Y != t.Y
}

// artifact is the marked content of a graphic or furniture text of role r.
func artifact(r layout.Role) int32 {
	switch r {
	case layout.RoleHeader:
		return openHeader
	case layout.RoleFooter, layout.RoleQR:
		return openFooter
	}
	return openLayout
}

func (w *page) write(pages *layout.Pages) {
	p := &pages.Pages[w.n]
	w.g = graphics{fill: -1, stroke: -1, width: -1}
	w.open = openNone
	for _, r := range p.Rects {
		m := artifact(r.Role)
		if r.Role == layout.RoleQR && w.figure {
			m = w.tree.figure
			w.figureBox(r)
		}
		w.mark(m)
		w.g.rect(w.b, r, w.h)
	}
	for _, r := range p.Rules {
		w.mark(artifact(r.Role))
		w.g.setStroke(w.b, grayLevel(r.Gray))
		w.g.setWidth(w.b, hundredths(r.Width))
		buf := w.b.AvailableBuffer()
		buf = appendFixed(buf, hundredths(r.X1))
		buf = append(buf, ' ')
		buf = appendFixed(buf, hundredths(w.h-r.Y1))
		buf = append(buf, " m "...)
		buf = appendFixed(buf, hundredths(r.X2))
		buf = append(buf, ' ')
		buf = appendFixed(buf, hundredths(w.h-r.Y2))
		buf = append(buf, " l S\n"...)
		w.b.Write(buf)
	}
	w.mark(openNone)
	if len(p.Texts) == 0 {
		return
	}
	w.g.setFill(w.b, 0) // text is black
	w.b.WriteString("BT")
	w.ts = textState{size: -1}
	for i := range p.Texts {
		t := &p.Texts[i]
		m := w.tree.leaf(t)
		switch {
		case m >= 0:
		case t.Block < 0 && t.Part < 0:
			m = openPagination // a repeated table header
		default:
			m = artifact(t.Role)
		}
		// A word's pieces: the first speaks for the whole word, the others
		// for nothing, each as marked content of its own.
		spoken, speaks := "", false
		switch {
		case *w.cont && m >= 0:
			speaks = true
		case t.Joined && m >= 0:
			spoken, speaks = wholeWord(pages, w.n, i), true
		}
		*w.cont = t.Joined && m >= 0
		if speaks {
			w.markSpoken(m, spoken)
		} else if m != w.open {
			w.mark(m)
		}
		w.setFont(w.fonts.of(t.Face), t.Size, int64(math.Round(t.Tracking*1e4)))
		if m >= 0 {
			w.words(m, t)
		}
		// The last word of a line ends with a space too, unless the next
		// line goes on with it: extracted text and the structure tree then
		// have every word boundary.
		space := t.Space || (m >= 0 && !t.Joined && lineEnd(p.Texts, i))
		shown, added := t.Text, ""
		if speaks && t.Added > 0 {
			shown, added = t.Text[:len(t.Text)-int(t.Added)], t.Text[len(t.Text)-int(t.Added):]
		}
		w.moveTo(t.X, hundredths(w.h-t.Y))
		w.show(shown, space && !speaks)
		if added != "" {
			// The inserted hyphen is not the word's: an artifact that
			// says nothing.
			w.endArray()
			w.b.WriteString("EMC\n/Artifact BMC /Span<</ActualText()>>BDC\n")
			w.show(added, false)
			w.endArray()
			w.b.WriteString("EMC\n")
			w.open = openLayout
		}
		if speaks && space {
			w.mark(m)
			w.show("", true)
		}
	}
	w.mark(openNone)
	w.b.WriteString("ET\n")
}

// textState is where the text written so far has left the reader: the
// font, size and letter spacing in force, the start of the current line
// (set by Td, in hundredths of a point) and the current point's x, as a
// reader computes it from the font's widths; and whether a TJ array is
// open. Runs on one line are written into one TJ array, each placed by
// the adjustment that moves the current point to it: the reader's own
// arithmetic, so no rounding adds up along a line.
type textState struct {
	font   *docFont
	size   float64
	tc     int64 // letter spacing, ten-thousandths of a point
	line   position
	x      float64 // the current point, points
	inLine bool    // line and x hold
	array  bool
	// str: the array's last element is a string, which the next run
	// goes on when no adjustment parts them.
	str bool
}

// setFont selects f at size with letter spacing tc, where they change.
func (w *page) setFont(f *docFont, size float64, tc int64) {
	ts := &w.ts
	if f != ts.font || size != ts.size {
		w.endArray()
		w.b.WriteByte('/')
		w.b.WriteString(f.res)
		w.b.WriteByte(' ')
		w.b.Write(appendFixed(w.b.AvailableBuffer(), hundredths(size)))
		w.b.WriteString(" Tf\n")
		ts.font, ts.size = f, size
	}
	if tc != ts.tc {
		w.endArray()
		w.b.Write(appendTracking(w.b.AvailableBuffer(), tc))
		w.b.WriteString(" Tc\n")
		ts.tc = tc
	}
}

// moveTo moves the current point to (x, y): along the line by an
// adjustment in the TJ array, else to a new line with Td.
func (w *page) moveTo(x float64, y int64) {
	ts := &w.ts
	if ts.inLine && y == ts.line.y {
		adj := math.Round((ts.x - x) * 1000 / ts.size)
		if adj == 0 {
			return
		}
		// A number needs no separator: it follows "[" or a string's ")".
		w.openArray()
		w.b.Write(strconv.AppendInt(w.b.AvailableBuffer(), int64(adj), 10))
		ts.x -= adj * ts.size / 1000
		ts.str = false
		return
	}
	w.endArray()
	to := position{hundredths(x), y}
	buf := w.b.AvailableBuffer()
	buf = appendFixed(buf, to.x-ts.line.x)
	buf = append(buf, ' ')
	buf = appendFixed(buf, to.y-ts.line.y)
	buf = append(buf, " Td\n"...)
	w.b.Write(buf)
	ts.line, ts.x, ts.inLine = to, float64(to.x)/100, true
}

func (w *page) openArray() {
	if !w.ts.array {
		w.b.WriteByte('[')
		w.ts.array, w.ts.str = true, false
	}
}

func (w *page) endArray() {
	if w.ts.array {
		w.b.WriteString("]TJ\n")
		w.ts.array = false
	}
}

// show shows s, and a space after it, at the current point, and moves the
// point past them as the reader will.
func (w *page) show(s string, space bool) {
	ts := &w.ts
	f := ts.font
	w.openArray()
	if ts.str {
		w.b.Truncate(w.b.Len() - 1) // the string's ")": this run goes on in it
	} else {
		w.b.WriteByte('(')
	}
	buf := w.b.AvailableBuffer()
	units, n := 0, 0
	if !f.wide {
		// One-byte codes, the usual case: no second byte to write.
		for i := 0; i < len(s); {
			var c uint16
			if s[i] < utf8.RuneSelf {
				c = f.latin[s[i]]
				i++
			} else {
				r, k := utf8.DecodeRuneInString(s[i:])
				c = f.code(r)
				i += k
			}
			buf = appendByte(buf, byte(c))
			units += int(f.widths[c])
			n++
		}
		s = ""
	}
	for i := 0; i < len(s); {
		r, k := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, k = utf8.DecodeRuneInString(s[i:])
		}
		i += k
		c := f.code(r)
		buf = f.appendCode(buf, c)
		units += int(f.widths[c])
		n++
	}
	if space {
		c := f.code(' ')
		buf = f.appendCode(buf, c)
		units += int(f.widths[c])
		n++
	}
	buf = append(buf, ')')
	w.b.Write(buf)
	ts.str = true
	ts.x += float64(units)*ts.size/1000 + float64(n)*float64(ts.tc)/1e4
}

// words records an inline element's text, for its alternative text.
func (w *page) words(m int32, t *layout.Text) {
	e := &w.tree.elems[m]
	if e.typ != "Del" && e.typ != "Ins" {
		return
	}
	words := &e.extra().words
	words.WriteString(t.Text[:len(t.Text)-int(t.Added)])
	if t.Space {
		words.WriteByte(' ')
	}
}

// figureBox widens the Figure's bounding box by r.
func (w *page) figureBox(r layout.Rect) {
	x1, y1, x2, y2 := r.X, w.h-r.Y-r.H, r.X+r.W, w.h-r.Y
	b := &w.figureX
	if b[2] == 0 {
		*b = [4]float64{x1, y1, x2, y2}
		return
	}
	b[0], b[1], b[2], b[3] = min(b[0], x1), min(b[1], y1), max(b[2], x2), max(b[3], y2)
}

// wholeWord is the word whose first piece is text i of page n: the piece
// without its inserted hyphen, then each following piece of the same
// block (on the next page when the break falls at its foot).
func wholeWord(pages *layout.Pages, n, i int) string {
	p := &pages.Pages[n]
	t := &p.Texts[i]
	word := t.Text[:len(t.Text)-int(t.Added)]
	for t.Joined {
		next := (*layout.Text)(nil)
		if i+1 < len(p.Texts) {
			next = &p.Texts[i+1]
			i++
		} else if n+1 < len(pages.Pages) {
			n++
			p = &pages.Pages[n]
			for k := range p.Texts {
				if x := &p.Texts[k]; x.Block == t.Block && x.Part == t.Part && x.Col == t.Col {
					next, i = x, k
					break
				}
			}
		}
		if next == nil || next.Block != t.Block {
			break
		}
		t = next
		word += t.Text[:len(t.Text)-int(t.Added)]
	}
	return word
}

// writeText writes s as a PDF text string: PDFDocEncoding's ASCII part as
// it is, anything else as UTF-16BE with a byte order mark.
func writeText(b *bytes.Buffer, s string) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7F {
			ascii = false
			break
		}
	}
	b.WriteByte('(')
	if ascii {
		writeEscaped(b, s)
	} else {
		var units [128]uint16
		u16 := units[:0]
		for _, r := range s {
			u16 = utf16.AppendRune(u16, r)
		}
		b.WriteString("\xFE\xFF")
		for _, u := range u16 {
			writeEscapedByte(b, byte(u>>8))
			writeEscapedByte(b, byte(u))
		}
	}
	b.WriteByte(')')
}

// writeEscapedByte writes one byte of a literal string, escaped as
// writeEscaped would.
func writeEscapedByte(b *bytes.Buffer, c byte) {
	switch c {
	case '\r':
		b.WriteString(`\r`)
	case '\\', '(', ')':
		b.WriteByte('\\')
		b.WriteByte(c)
	default:
		b.WriteByte(c)
	}
}

// writeEscaped writes the bytes of a literal string, escaping those the
// syntax needs escaped: parentheses, backslash and carriage return.
func writeEscaped(b *bytes.Buffer, s string) {
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\\' && s[i] != '(' && s[i] != ')' && s[i] != '\r' {
			i++
		}
		b.WriteString(s[:i])
		if i == len(s) {
			return
		}
		if s[i] == '\r' {
			b.WriteString(`\r`)
		} else {
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
		s = s[i+1:]
	}
}

// appendCode appends c to a literal string: one byte in a font of at
// most 255 characters, else two.
func (f *docFont) appendCode(buf []byte, c uint16) []byte {
	if f.wide {
		buf = appendByte(buf, byte(c>>8))
	}
	return appendByte(buf, byte(c))
}

func appendByte(buf []byte, x byte) []byte {
	switch x {
	case '\\', '(', ')':
		return append(buf, '\\', x)
	case '\r':
		return append(buf, '\\', 'r')
	}
	return append(buf, x)
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

// rect fills and frames r.
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

// appendGray appends a gray level 0–255 as 0 to 1 with three decimals:
// 235 as "0.922".
func appendGray(b []byte, gray int) []byte {
	v := int64(math.Round(float64(gray) / 255 * 1000))
	b = strconv.AppendInt(b, v/1000, 10)
	if f := v % 1000; f != 0 {
		b = append(b, '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
	}
	return b
}

func grayLevel(g float64) int { return int(g*255 + 0.5) }

// position is a point in hundredths of a point: runs are placed relative
// to each other in whole hundredths, so no rounding error adds up.
type position struct{ x, y int64 }

func hundredths(v float64) int64 { return int64(math.Round(v * 100)) }

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
