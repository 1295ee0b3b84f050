package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// fpdf writes simple TrueType fonts without a ToUnicode map: readers then
// rely on the glyph names of the encoding. addToUnicode gives each of them
// one (the same stream for all: the encoding is shared), so text
// extraction and accessibility checks get an explicit map. It inserts the
// reference into each font dictionary, appends the stream as a new object
// and rewrites the cross-reference table with the shifted offsets.
func addToUnicode(pdf []byte, names []string, stream []byte) ([]byte, error) {
	if len(names) == 0 {
		return pdf, nil
	}
	x, err := readXref(pdf)
	if err != nil {
		return nil, err
	}
	ref := []byte(fmt.Sprintf("/ToUnicode %d 0 R\n", x.size))
	var at []int
	for _, name := range names {
		dict := []byte("<</Type /Font\n/BaseFont /" + name + "\n/Subtype /TrueType\n")
		i := bytes.Index(pdf[:x.start], dict)
		if i < 0 {
			return nil, fmt.Errorf("no font dictionary for %s", name)
		}
		at = append(at, i+len(dict))
	}
	slices.Sort(at)
	out := make([]byte, 0, len(pdf)+len(stream)+len(at)*len(ref)+256)
	prev := 0
	for _, i := range at {
		out = append(append(out, pdf[prev:i]...), ref...)
		prev = i
	}
	out = append(out, pdf[prev:x.start]...)
	obj := len(out)
	out = fmt.Appendf(out, "%d 0 obj\n<</Length %d /Filter /FlateDecode>>\nstream\n", x.size, len(stream))
	out = append(append(out, stream...), "\nendstream\nendobj\n"...)
	shift := func(off int) int {
		n, _ := slices.BinarySearch(at, off+1)
		return off + n*len(ref)
	}
	return x.write(out, append(x.offsets, obj), shift), nil
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
	head := len(fmt.Sprintf("xref\n0 %d\n", n))
	if len(body) < head+20*n {
		return nil, errors.New("cross-reference section truncated")
	}
	for i := 1; i < n; i++ {
		off, err := strconv.Atoi(string(body[head+20*i : head+20*i+10]))
		if err != nil {
			return nil, fmt.Errorf("cross-reference entry %d: %w", i, err)
		}
		x.offsets = append(x.offsets, off)
	}
	x.size, x.trailer = n, body[head+20*n:]
	if !bytes.HasPrefix(x.trailer, []byte("trailer\n")) || !bytes.Contains(x.trailer, []byte(fmt.Sprintf("/Size %d\n", n))) {
		return nil, errors.New("unexpected trailer")
	}
	return x, nil
}

// write appends the section for offsets (the last one new, not shifted)
// and the trailer with the new size.
func (x *xref) write(out []byte, offsets []int, shift func(int) int) []byte {
	start := len(out)
	n := len(offsets) + 1
	out = fmt.Appendf(out, "xref\n0 %d\n0000000000 65535 f \n", n)
	for i, off := range offsets {
		if i < len(offsets)-1 {
			off = shift(off)
		}
		out = fmt.Appendf(out, "%010d 00000 n \n", off)
	}
	trailer := bytes.Replace(x.trailer, []byte(fmt.Sprintf("/Size %d\n", x.size)), []byte(fmt.Sprintf("/Size %d\n", n)), 1)
	return fmt.Appendf(append(out, trailer...), "\nstartxref\n%d\n%%%%EOF\n", start)
}
