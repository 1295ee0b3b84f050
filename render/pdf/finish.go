package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// fpdf is run without compression, and finish rewrites its output in one
// pass: every uncompressed stream (the page contents, the UTF-8 fonts'
// ToUnicode maps) is compressed with a pooled zlib writer instead of the
// fresh one fpdf would build per stream; the dictionary fpdf wrote for
// each simple font (registered as a core font) is replaced by the real
// one, whose widths, descriptor, font file, encoding and ToUnicode map
// (fpdf writes none, so readers would have to rely on glyph names) are
// appended as new objects, prepared once per Renderer; and the
// cross-reference table is written with the new offsets. In the direct
// path each of the pages' streams gets the content written for it
// (w.pages), and the page resources name the simple fonts as that content
// selects them.
func (w *writer) finish(pdf []byte, pages int, simple []*simpleFont, toUnicode []byte) ([]byte, error) {
	x, err := readXref(pdf)
	if err != nil {
		return nil, err
	}
	w.out.Reset()
	order := x.byOffset()
	if len(order) == 0 {
		return nil, errors.New("no objects")
	}
	w.out.Write(pdf[:x.offsets[order[0]]])
	a := w.appendix(x.size, simple)
	w.named = false
	w.placed = w.placed[:0]
	if w.direct {
		w.placed = slices.Grow(w.placed, pages)[:pages]
		clear(w.placed)
		w.findFonts(pdf, x, order, &a)
	}
	offsets := make([]int, len(x.offsets), len(x.offsets)+a.objects)
	for k, i := range order {
		end := x.start
		if k+1 < len(order) {
			end = x.offsets[order[k+1]]
		}
		offsets[i] = w.out.Len()
		if err := w.object(pdf[x.offsets[i]:end], &a); err != nil {
			return nil, fmt.Errorf("object %d: %w", i+1, err)
		}
	}
	if w.direct && !w.named {
		return nil, errors.New("no page resources to name the fonts in")
	}
	for i, ok := range w.placed {
		if !ok {
			return nil, fmt.Errorf("no content stream for page %d", i+1)
		}
	}
	if len(simple) > 0 {
		offsets = a.write(w, offsets, toUnicode)
	}
	x.write(&w.out, offsets)
	return bytes.Clone(w.out.Bytes()), nil
}

// appendix is what finish adds after fpdf's objects for the simple fonts,
// numbered from first: the ToUnicode map, each distinct encoding, then
// the widths, descriptor and font file of every font in turn.
type appendix struct {
	first, objects int
	fonts          []*simpleFont
	diffs          []string
	enc            []int // per font: its encoding's index in diffs, or -1
	ref            []byte
}

func (w *writer) appendix(first int, simple []*simpleFont) appendix {
	a := appendix{first: first, fonts: simple, enc: make([]int, len(simple))}
	if len(simple) == 0 {
		return a
	}
	for i, f := range simple {
		a.enc[i] = -1
		if f.diff == "" {
			continue
		}
		a.enc[i] = slices.Index(a.diffs, f.diff)
		if a.enc[i] < 0 {
			a.enc[i] = len(a.diffs)
			a.diffs = append(a.diffs, f.diff)
		}
	}
	a.objects = 1 + len(a.diffs) + 3*len(simple)
	return a
}

// dict writes the dictionary of simple font i, replacing fpdf's.
func (a *appendix) dict(out *bytes.Buffer, i int) {
	n := a.first + 1 + len(a.diffs) + 3*i
	var num [20]byte
	out.WriteString("<</Type /Font\n/BaseFont /")
	out.WriteString(a.fonts[i].name)
	out.WriteString("\n/Subtype /TrueType\n/FirstChar 32 /LastChar 255\n/Widths ")
	out.Write(strconv.AppendInt(num[:0], int64(n), 10))
	out.WriteString(" 0 R\n/FontDescriptor ")
	out.Write(strconv.AppendInt(num[:0], int64(n+1), 10))
	if e := a.enc[i]; e >= 0 {
		out.WriteString(" 0 R\n/Encoding ")
		out.Write(strconv.AppendInt(num[:0], int64(a.first+1+e), 10))
		out.WriteString(" 0 R\n")
	} else {
		out.WriteString(" 0 R\n/Encoding /WinAnsiEncoding\n")
	}
	out.WriteString("/ToUnicode ")
	out.Write(strconv.AppendInt(num[:0], int64(a.first), 10))
	out.WriteString(" 0 R\n>>\nendobj\n")
}

// write appends the objects and returns offsets with theirs added.
func (a *appendix) write(w *writer, offsets []int, toUnicode []byte) []int {
	var num [20]byte
	head := func(n int) {
		offsets = append(offsets, w.out.Len())
		w.out.Write(strconv.AppendInt(num[:0], int64(n), 10))
		w.out.WriteString(" 0 obj\n")
	}
	n := a.first
	head(n)
	w.out.WriteString("<</Length " + strconv.Itoa(len(toUnicode)) + " /Filter /FlateDecode>>\nstream\n")
	w.out.Write(toUnicode)
	w.out.WriteString("\nendstream\nendobj\n")
	for _, d := range a.diffs {
		n++
		head(n)
		w.out.WriteString("<</Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [")
		w.out.WriteString(d)
		w.out.WriteString("]>>\nendobj\n")
	}
	for _, f := range a.fonts {
		head(n + 1)
		w.out.Write(f.words)
		head(n + 2)
		w.out.Write(f.desc)
		w.out.Write(strconv.AppendInt(num[:0], int64(n+3), 10))
		w.out.WriteString(" 0 R>>\nendobj\n")
		head(n + 3)
		w.out.Write(f.file)
		n += 3
	}
	return offsets
}

// writer holds the buffers of one rendering: pending text runs (text),
// fpdf's output (in), the finished file (out) and one compressed stream
// (z). Pooled because a zlib writer carries hundreds of kilobytes of
// state, costly to allocate and clear, and the buffers keep their size.
type writer struct {
	text, in, out, z bytes.Buffer
	zw               *zlib.Writer
	// direct: the pages' content is in pages, not in fpdf's output
	// (writeContent); fpdf's page streams end with pageMark and the page
	// number.
	direct bool
	pages  []*bytes.Buffer
	// fontObjects are the object numbers of the simple fonts, in the order
	// of the appendix's fonts, for the page resources (direct only).
	fontObjects []int
	named       bool   // the page resources name them
	placed      []bool // page contents put in their streams
}

// page returns page i's content buffer, emptied.
func (w *writer) page(i int) *bytes.Buffer {
	for len(w.pages) <= i {
		w.pages = append(w.pages, new(bytes.Buffer))
	}
	w.pages[i].Reset()
	return w.pages[i]
}

// maxKeptPages bounds the page buffers a pooled writer keeps.
const maxKeptPages = 64

// release returns w to the pool, without the text of the document.
func (w *writer) release() {
	for _, b := range w.pages {
		b.Reset()
	}
	if len(w.pages) > maxKeptPages {
		w.pages = w.pages[:maxKeptPages]
	}
	w.direct = false
	writers.Put(w)
}

// level keeps the files about as small as fpdf's own compression made
// them. klauspost/compress's zlib at this level takes about a third of
// the time of the standard library's, for output within 2 % of its size.
const level = zlib.BestSpeed

var writers = sync.Pool{New: func() any {
	w := &writer{}
	w.zw, _ = zlib.NewWriterLevel(&w.z, level) // the level is valid
	return w
}}

// object copies one object "N 0 obj\n…endobj\n", compressing a plain
// stream and replacing the core font dictionary of a simple font.
func (w *writer) object(obj []byte, a *appendix) error {
	head := bytes.IndexByte(obj, '\n') + 1
	body := obj[head:]
	if data, rest, ok := plainStream(body); ok {
		w.out.Write(obj[:head])
		if w.direct {
			pre, page, ok, err := w.markedPage(data)
			if err != nil {
				return err
			}
			if ok {
				return w.compress(rest, pre, page)
			}
		}
		return w.compress(rest, data)
	}
	if w.direct && bytes.HasPrefix(body, []byte("<<\n/ProcSet ")) {
		return w.resources(obj, a)
	}
	if bytes.HasPrefix(body, []byte("<</Type /Font\n")) {
		for i, f := range a.fonts {
			if bytes.Equal(body, f.dict) {
				w.out.Write(obj[:head])
				a.dict(&w.out, i)
				return nil
			}
		}
	}
	w.out.Write(obj)
	return nil
}

// compress writes the parts, one after the other, as a FlateDecode stream
// followed by rest ("\nendstream\nendobj\n").
func (w *writer) compress(rest []byte, parts ...[]byte) error {
	w.z.Reset()
	w.zw.Reset(&w.z)
	for _, data := range parts {
		if _, err := w.zw.Write(data); err != nil {
			return fmt.Errorf("compressing: %w", err)
		}
	}
	if err := w.zw.Close(); err != nil {
		return fmt.Errorf("compressing: %w", err)
	}
	w.out.WriteString("<</Filter /FlateDecode /Length ")
	w.out.WriteString(strconv.Itoa(w.z.Len()))
	w.out.WriteString(">>\nstream\n")
	w.out.Write(w.z.Bytes())
	w.out.Write(rest)
	return nil
}

// markedPage splits a page stream of the direct path into what fpdf wrote
// before the mark and the content of the page the mark names; ok is false
// for a stream without a mark. A mark must end the stream and name a page
// not yet placed.
func (w *writer) markedPage(data []byte) (pre, page []byte, ok bool, err error) {
	k := bytes.LastIndex(data, []byte(pageMark))
	if k < 0 {
		return nil, nil, false, nil
	}
	n, err := strconv.Atoi(string(bytes.TrimSuffix(data[k+len(pageMark):], []byte("\n"))))
	if err != nil || n < 0 || n >= len(w.pages) || w.placed[n] {
		return nil, nil, false, fmt.Errorf("page content mark %q", data[k:])
	}
	w.placed[n] = true
	return data[:k], w.pages[n].Bytes(), true, nil
}

// findFonts finds the objects fpdf wrote for the simple fonts.
func (w *writer) findFonts(pdf []byte, x *xref, order []int, a *appendix) {
	w.fontObjects = slices.Grow(w.fontObjects[:0], len(a.fonts))[:len(a.fonts)]
	for k, i := range order {
		end := x.start
		if k+1 < len(order) {
			end = x.offsets[order[k+1]]
		}
		obj := pdf[x.offsets[i]:end]
		body := obj[bytes.IndexByte(obj, '\n')+1:]
		if !bytes.HasPrefix(body, []byte("<</Type /Font\n")) {
			continue
		}
		for j, f := range a.fonts {
			if bytes.Equal(body, f.dict) {
				w.fontObjects[j] = i + 1
			}
		}
	}
}

// resources copies the page resources, adding the simple fonts under the
// names the direct path's content selects them by.
func (w *writer) resources(obj []byte, a *appendix) error {
	const fontDict = "/Font <<\n"
	k := bytes.Index(obj, []byte(fontDict))
	if k < 0 {
		return fmt.Errorf("page resources without fonts")
	}
	k += len(fontDict)
	w.out.Write(obj[:k])
	var num [20]byte
	for j, f := range a.fonts {
		if w.fontObjects[j] == 0 {
			return fmt.Errorf("font %s not found", f.name)
		}
		w.out.WriteByte('/')
		w.out.WriteString(f.res)
		w.out.WriteByte(' ')
		w.out.Write(strconv.AppendInt(num[:0], int64(w.fontObjects[j]), 10))
		w.out.WriteString(" 0 R\n")
	}
	w.out.Write(obj[k:])
	w.named = true
	return nil
}

// plainStream recognises a stream dictionary holding nothing but its
// length, as fpdf writes uncompressed streams, and returns the data and
// what follows it. The data is never searched: a page may show any text.
func plainStream(body []byte) (data, rest []byte, ok bool) {
	const open, close = "<</Length ", ">>\nstream\n"
	if !bytes.HasPrefix(body, []byte(open)) {
		return nil, nil, false
	}
	body = body[len(open):]
	digits := 0
	for digits < len(body) && body[digits] >= '0' && body[digits] <= '9' {
		digits++
	}
	n, err := strconv.Atoi(string(body[:digits]))
	body = body[digits:]
	if err != nil || !bytes.HasPrefix(body, []byte(close)) {
		return nil, nil, false
	}
	body = body[len(close):]
	if n > len(body) || !bytes.HasPrefix(body[n:], []byte("\nendstream\n")) {
		return nil, nil, false
	}
	return body[:n], body[n:], true
}

// xref is fpdf's cross-reference section: one subsection from object 0,
// then the trailer.
type xref struct {
	start   int   // offset of "xref"
	size    int   // /Size: objects, with the free object 0
	offsets []int // of objects 1 … size-1
	trailer []byte
}

func readXref(pdf []byte) (*xref, error) {
	k := bytes.LastIndex(pdf, []byte("\nstartxref\n"))
	if k < 0 {
		return nil, errors.New("no startxref")
	}
	end := bytes.IndexByte(pdf[k+11:], '\n')
	start, err := strconv.Atoi(string(pdf[k+11 : k+11+max(end, 0)]))
	if err != nil || start <= 0 || start >= k {
		return nil, fmt.Errorf("bad startxref: %v", err)
	}
	x := &xref{start: start}
	body := pdf[start:k]
	var n int
	if _, err := fmt.Sscanf(string(body[:min(len(body), 32)]), "xref\n0 %d\n", &n); err != nil || n < 1 {
		return nil, fmt.Errorf("unexpected cross-reference section: %v", err)
	}
	head := len("xref\n0 \n") + len(strconv.Itoa(n))
	if len(body) < head+20*n {
		return nil, errors.New("cross-reference section truncated")
	}
	x.offsets = make([]int, 0, n-1)
	for i := 1; i < n; i++ {
		off, err := strconv.Atoi(string(body[head+20*i : head+20*i+10]))
		if err != nil || off <= 0 || off >= start {
			return nil, fmt.Errorf("cross-reference entry %d: bad offset %d: %v", i, off, err)
		}
		x.offsets = append(x.offsets, off)
	}
	x.size, x.trailer = n, body[head+20*n:]
	if !bytes.HasPrefix(x.trailer, []byte("trailer\n")) || !bytes.Contains(x.trailer, x.sizeEntry(n)) {
		return nil, errors.New("unexpected trailer")
	}
	return x, nil
}

func (x *xref) sizeEntry(n int) []byte { return []byte("/Size " + strconv.Itoa(n) + "\n") }

// byOffset lists the indices of x.offsets in the order the objects appear.
func (x *xref) byOffset() []int {
	order := make([]int, len(x.offsets))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return x.offsets[a] - x.offsets[b] })
	return order
}

// write appends the section for the objects at offsets (1 … len) and the
// trailer with the new size.
func (x *xref) write(out *bytes.Buffer, offsets []int) {
	start := out.Len()
	n := len(offsets) + 1
	out.WriteString("xref\n0 " + strconv.Itoa(n) + "\n0000000000 65535 f \n")
	var entry [20]byte
	for _, off := range offsets {
		b := strconv.AppendInt(entry[:0], int64(off), 10)
		pad := 10 - len(b)
		out.WriteString("0000000000"[:max(pad, 0)])
		out.Write(b)
		out.WriteString(" 00000 n \n")
	}
	out.Write(bytes.Replace(x.trailer, x.sizeEntry(x.size), x.sizeEntry(n), 1))
	out.WriteString("\nstartxref\n" + strconv.Itoa(start) + "\n%%EOF\n")
}
