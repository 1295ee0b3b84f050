package certify

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// document is the cross-reference view of a PDF whose revisions all use
// classic cross-reference tables.
type document struct {
	src       []byte
	startxref int
	trailer   pdfDict     // the newest trailer
	offsets   map[int]int // object number → offset; -1 for a freed object
}

var errXrefStream = errors.New("the PDF uses cross-reference streams, which are not supported")

// readDocument reads the cross-reference tables from the newest revision
// back through /Prev.
func readDocument(src []byte) (*document, error) {
	start, err := findStartxref(src)
	if err != nil {
		return nil, err
	}
	d := &document{src: src, startxref: start, offsets: map[int]int{}}
	seen := map[int]bool{}
	for off := start; ; {
		if seen[off] {
			return nil, errors.New("cross-reference tables form a loop")
		}
		seen[off] = true
		trailer, err := d.readSection(off)
		if err != nil {
			return nil, fmt.Errorf("cross-reference table at offset %d: %w", off, err)
		}
		if d.trailer == nil {
			d.trailer = trailer
		}
		prev, ok := trailer.get("Prev")
		if !ok {
			return d, nil
		}
		p, ok := prev.(int64)
		if !ok || p < 0 || int(p) >= len(src) {
			return nil, errors.New("invalid /Prev in trailer")
		}
		off = int(p)
	}
}

// findStartxref returns the offset after the last startxref keyword.
func findStartxref(src []byte) (int, error) {
	i := bytes.LastIndex(src, []byte("startxref"))
	if i < 0 {
		return 0, errors.New("no startxref: not a PDF file")
	}
	l := &lexer{src: src, pos: i + len("startxref")}
	l.skipSpace()
	n, err := strconv.Atoi(l.word())
	if err != nil || n < 0 || n >= len(src) {
		return 0, errors.New("invalid startxref offset")
	}
	return n, nil
}

// readSection reads one cross-reference table and returns its trailer.
// Entries already known from a newer revision are kept.
func (d *document) readSection(off int) (pdfDict, error) {
	l := &lexer{src: d.src, pos: off}
	if !l.keyword("xref") {
		return nil, errXrefStream
	}
	for {
		if l.keyword("trailer") {
			v, err := l.value()
			if err != nil {
				return nil, err
			}
			t, ok := v.(pdfDict)
			if !ok {
				return nil, errors.New("trailer is not a dictionary")
			}
			return t, nil
		}
		if err := d.readSubsection(l); err != nil {
			return nil, err
		}
	}
}

func (d *document) readSubsection(l *lexer) error {
	l.skipSpace()
	first, err1 := strconv.Atoi(l.word())
	l.skipSpace()
	count, err2 := strconv.Atoi(l.word())
	if err1 != nil || err2 != nil || first < 0 || count < 0 {
		return fmt.Errorf("%w: cross-reference subsection header", errSyntax)
	}
	for i := range count {
		l.skipSpace()
		offset, err := strconv.Atoi(l.word())
		l.skipSpace()
		l.word() // generation
		l.skipSpace()
		kind := l.word()
		if err != nil || (kind != "n" && kind != "f") {
			return fmt.Errorf("%w: cross-reference entry %d", errSyntax, first+i)
		}
		if _, known := d.offsets[first+i]; known {
			continue
		}
		if kind == "f" {
			offset = -1
		}
		d.offsets[first+i] = offset
	}
	return nil
}

// size is the trailer's /Size: one more than the highest object number.
func (d *document) size() (int, error) {
	v, _ := d.trailer.get("Size")
	n, ok := v.(int64)
	if !ok || n <= 0 {
		return 0, errors.New("trailer has no valid /Size")
	}
	return int(n), nil
}

// object reads the indirect object ref points at.
func (d *document) object(ref pdfRef) (any, error) {
	off, ok := d.offsets[ref.num]
	if !ok || off < 0 || off >= len(d.src) {
		return nil, fmt.Errorf("object %s not found", ref)
	}
	l := &lexer{src: d.src, pos: off}
	l.skipSpace()
	num, err1 := strconv.Atoi(l.word())
	l.skipSpace()
	_, err2 := strconv.Atoi(l.word())
	if err1 != nil || err2 != nil || num != ref.num || !l.keyword("obj") {
		return nil, fmt.Errorf("object %s: no object header at offset %d", ref, off)
	}
	v, err := l.value()
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", ref, err)
	}
	return v, nil
}

// resolve follows indirect references.
func (d *document) resolve(v any) (any, error) {
	for range 32 {
		ref, ok := v.(pdfRef)
		if !ok {
			return v, nil
		}
		var err error
		if v, err = d.object(ref); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("too many nested references")
}

// dict resolves v and requires a dictionary.
func (d *document) dict(v any) (pdfDict, error) {
	v, err := d.resolve(v)
	if err != nil {
		return nil, err
	}
	dict, ok := v.(pdfDict)
	if !ok {
		return nil, fmt.Errorf("expected a dictionary, found %T", v)
	}
	return dict, nil
}

// lookup resolves key in dict and follows it.
func (d *document) lookup(dict pdfDict, key string) (any, error) {
	v, ok := dict.get(key)
	if !ok {
		return nil, fmt.Errorf("no /%s", key)
	}
	return d.resolve(v)
}

// rootRef is the trailer's /Root reference.
func (d *document) rootRef() (pdfRef, error) {
	v, _ := d.trailer.get("Root")
	ref, ok := v.(pdfRef)
	if !ok {
		return pdfRef{}, errors.New("trailer has no /Root reference")
	}
	return ref, nil
}

// firstPage finds the first page object by descending /Pages /Kids.
func (d *document) firstPage(catalog pdfDict) (pdfRef, error) {
	node, _ := catalog.get("Pages")
	for range 64 {
		ref, ok := node.(pdfRef)
		if !ok {
			return pdfRef{}, errors.New("page tree node is not a reference")
		}
		dict, err := d.dict(ref)
		if err != nil {
			return pdfRef{}, err
		}
		if t, _ := dict.get("Type"); t == pdfName("Page") {
			return ref, nil
		}
		kids, err := d.lookup(dict, "Kids")
		if err != nil {
			return pdfRef{}, err
		}
		arr, ok := kids.(pdfArray)
		if !ok || len(arr) == 0 {
			return pdfRef{}, errors.New("page tree has no kids")
		}
		node = arr[0]
	}
	return pdfRef{}, errors.New("page tree too deep")
}
