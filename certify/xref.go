package certify

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// document is the cross-reference view of a PDF whose revisions all use
// classic cross-reference tables. Each indirect object is read at most
// once (objects caches it, or the error reading it), and all reading is
// charged to one budget, so the work a file can cause is proportional to
// its size however its objects refer to each other.
type document struct {
	src       []byte
	startxref int
	trailer   pdfDict     // the newest trailer
	offsets   map[int]int // object number → offset; -1 for a freed object
	objects   map[int]cached
	budget    budget
	streams   map[int][]byte // stream data read, by object number
	inflated  int            // bytes streams inflated to, all together
}

type cached struct {
	val any
	err error
}

// budget is the work reading one file may do: bytes the lexer moves over
// (each read charged once it ends) and values it builds (each allocates).
// Once spent, every further read fails with errBudget.
type budget struct {
	bytes, values int
	spent         bool
}

// scanFactor and maxValues bound a budget. With every object read once a
// well-formed file is scanned well under once; values bound the memory a
// file can make the parser allocate, whatever its size.
const (
	scanFactor = 4
	maxValues  = 1 << 20
)

var errBudget = errors.New("the PDF takes too much work to read: objects read again and again or too many of them")

func newBudget(size int) budget {
	return budget{bytes: scanFactor*size + 64<<10, values: maxValues}
}

// value charges one value; a nil budget is unlimited.
func (b *budget) value() error {
	if b == nil {
		return nil
	}
	if b.values--; b.values < 0 || b.spent {
		b.spent = true
		return errBudget
	}
	return nil
}

// scan charges n bytes read.
func (b *budget) scan(n int) error {
	if b.bytes -= n; b.bytes < 0 || b.spent {
		b.spent = true
		return errBudget
	}
	return nil
}

// err reports whether the budget ran out: a read that failed for that
// reason may have left out what a complete read would have found.
func (b *budget) err() error {
	if b.spent {
		return errBudget
	}
	return nil
}

// read runs f with a lexer at off and charges what it read.
func (d *document) read(off int, f func(*lexer) error) error {
	if err := d.budget.err(); err != nil {
		return err
	}
	l := &lexer{src: d.src, pos: off, budget: &d.budget}
	err := f(l)
	if berr := d.budget.scan(l.pos - off); berr != nil {
		return berr
	}
	return err
}

var errXrefStream = errors.New("the PDF uses cross-reference streams, which are not supported")

// readDocument reads the cross-reference tables from the newest revision
// back through /Prev.
func readDocument(src []byte) (*document, error) {
	start, err := findStartxref(src)
	if err != nil {
		return nil, err
	}
	d := &document{src: src, startxref: start, offsets: map[int]int{}, objects: map[int]cached{}, budget: newBudget(len(src))}
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
	var trailer pdfDict
	err := d.read(off, func(l *lexer) error {
		if !l.keyword("xref") {
			return errXrefStream
		}
		for {
			if l.keyword("trailer") {
				v, err := l.value()
				if err != nil {
					return err
				}
				t, ok := v.(pdfDict)
				if !ok {
					return errors.New("trailer is not a dictionary")
				}
				trailer = t
				return nil
			}
			if err := d.readSubsection(l); err != nil {
				return err
			}
		}
	})
	return trailer, err
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
		if err := d.budget.value(); err != nil {
			return err
		}
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

// object reads the indirect object ref points at, once: later calls get
// the same value (which callers must not modify) or error.
func (d *document) object(ref pdfRef) (any, error) {
	if c, ok := d.objects[ref.num]; ok {
		return c.val, c.err
	}
	v, err := d.readObject(ref)
	if errors.Is(err, errBudget) {
		return nil, err // not cached: the budget says why
	}
	d.objects[ref.num] = cached{v, err}
	return v, err
}

func (d *document) readObject(ref pdfRef) (any, error) {
	off, ok := d.offsets[ref.num]
	if !ok || off < 0 || off >= len(d.src) {
		return nil, fmt.Errorf("object %s not found", ref)
	}
	var v any
	err := d.read(off, func(l *lexer) error {
		l.skipSpace()
		num, err1 := strconv.Atoi(l.word())
		l.skipSpace()
		_, err2 := strconv.Atoi(l.word())
		if err1 != nil || err2 != nil || num != ref.num || !l.keyword("obj") {
			return fmt.Errorf("no object header at offset %d", off)
		}
		var err error
		v, err = l.value()
		return err
	})
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

// pageCount is the /Count of the page tree's root, 0 when it cannot be
// read.
func pageCount(d *document) int {
	root, err := d.rootRef()
	if err != nil {
		return 0
	}
	catalog, err := d.dict(root)
	if err != nil {
		return 0
	}
	pages, err := d.lookup(catalog, "Pages")
	if err != nil {
		return 0
	}
	tree, _ := pages.(pdfDict)
	n, _ := tree.get("Count")
	count, _ := n.(int64)
	if count < 0 || count > 1<<20 {
		return 0
	}
	return int(count)
}
