package pdf

import (
	"bytes"
	"strconv"

	"utdrag/compose"
	"utdrag/layout"
	"utdrag/typeset"
)

// The structure tree (PDF/UA) follows the composed document, block by
// block, under one Document element: H1–H3 for headings; P for
// paragraphs and notes; L, LI, Lbl and LBody for lists; Table, THead,
// TBody, TR, TH (scope Column, and Row for a row's first cell, as the
// HTML rendition has it) and TD for tables; a Div of one P per signer for
// a signature block; a Span with its /Lang for words in another language; a Figure with alternative text for the verification
// QR code; a Form for the signature field of a file to be signed. Struck
// and inserted words are Del and Ins elements, role-mapped to Span, whose
// alternative text says "struken:" or "tillagd:" before the words, as a
// reader speaks them. Everything else on a page (running header, page
// label, footer boxes, the verification address, rules and fills, a table
// header repeated on a continued page) is an artifact.

// elem is one structure element. Its kids, in reading order, are a list
// through the tree's kid arena: first and last index it (-1: none).
type elem struct {
	typ         string
	parent      int32 // -1: the structure tree root
	page        int32 // page of the element's first content; -1 none
	first, last int32
	*more       // what few elements have; nil for most
}

// more is what only some elements have.
type more struct {
	alt   string
	lang  string
	attr  string // the attribute dictionary, written as /A
	title string
	words bytes.Buffer // an inline element's text, for its Alt
}

// extra returns e's more, making it.
func (e *elem) extra() *more {
	if e.more == nil {
		e.more = &more{}
	}
	return e.more
}

// kid is a child element, marked content on a page, or an annotation;
// next is the parent's next kid in the arena (-1: the last).
type kid struct {
	elem int32 // -1: marked content or annotation
	page int32
	mcid int32
	next int32
	obj  int // an annotation's object number (OBJR); 0 for content
}

// tree is the structure of one document.
type tree struct {
	elems []elem
	kids  []kid // every element's kids, linked by elem.first and kid.next
	// leaves[b] holds the elements a block's texts go into: the block's
	// own element; for a list, Lbl and LBody of each item; for a table,
	// the cells row by row (the header row first); for a signature block,
	// one P per signer.
	leaves [][]int32
	kinds  []byte // per block: how its texts find their leaf
	cols   []int  // per block: table columns
	// mcids[p] lists the element of each marked-content sequence of page
	// p, by MCID: the page's entry in the parent tree.
	mcids [][]int32
	// inline: the Del or Ins element the previous text went into, and
	// the leaf it is in.
	inline, inlineIn int32
	inlineMark       typeset.Style
	figure           int32    // the QR code's Figure; -1 none
	langs            []string // the document's other languages
	form             int32    // the signature field's Form; -1 none
	single           []int32  // the element of each one-element block
}

// clear empties t, so that it holds no text, keeping its arrays for the
// next document's tree (build).
func (t *tree) clear() {
	clear(t.elems)
	t.langs = nil
}

// resize returns s with length n, reusing its array when it is large
// enough: the elements are the array's, to be cleared by the caller.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// room returns s emptied with room for n elements.
func room[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
}

// Block kinds, for leaf.
const (
	kindOne byte = iota // one element holds all the block's text
	kindList
	kindTable
	kindSigners
)

func (t *tree) add(typ string, parent int32) int32 {
	t.elems = append(t.elems, elem{typ: typ, parent: parent, page: -1, first: -1, last: -1})
	n := int32(len(t.elems) - 1)
	if parent >= 0 {
		t.addKid(parent, kid{elem: n})
	}
	return n
}

// addKid appends k to e's kids.
func (t *tree) addKid(e int32, k kid) {
	k.next = -1
	t.kids = append(t.kids, k)
	i := int32(len(t.kids) - 1)
	el := &t.elems[e]
	if el.last >= 0 {
		t.kids[el.last].next = i
	} else {
		el.first = i
	}
	el.last = i
}

// newTree builds the elements of doc's blocks, before any content is
// written, so that empty table cells keep their place.
func newTree(doc *compose.Document, pages int) *tree {
	return new(tree).build(doc, pages)
}

// build is newTree in t's arrays, which a tree of the last document left
// (clear).
func (t *tree) build(doc *compose.Document, pages int) *tree {
	n := len(doc.Blocks)
	*t = tree{leaves: resize(t.leaves, n), cols: resize(t.cols, n), kinds: resize(t.kinds, n),
		mcids: resize(t.mcids, pages), inline: -1, figure: -1, form: -1,
		elems: room(t.elems, 4*n+8), kids: room(t.kids, 8*n+8), single: resize(t.single, n),
		langs: doc.Meta.Languages}
	clear(t.leaves) // a list's or a table's leaves are its own
	clear(t.cols)
	clear(t.kinds)
	for i := range t.mcids {
		t.mcids[i] = t.mcids[i][:0]
	}
	root := t.add("Document", -1)
	// The blocks of one element share one array.
	single := t.single
	for i, b := range doc.Blocks {
		switch b := b.(type) {
		case compose.Heading:
			single[i] = t.add("H"+strconv.Itoa(min(max(b.Level, 1), 3)), root)
			t.leaves[i] = single[i : i+1 : i+1]
		case compose.Paragraph, compose.Note:
			single[i] = t.add("P", root)
			t.leaves[i] = single[i : i+1 : i+1]
		case compose.List:
			t.kinds[i] = kindList
			l := t.add("L", root)
			t.elems[l].extra().attr = "<</O/List/ListNumbering/Disc>>"
			if b.Ordered {
				t.elems[l].attr = "<</O/List/ListNumbering/Decimal>>"
			}
			for range b.Items {
				li := t.add("LI", l)
				t.leaves[i] = append(t.leaves[i], t.add("Lbl", li), t.add("LBody", li))
			}
		case compose.Table:
			t.kinds[i] = kindTable
			t.table(i, root, b)
		case compose.Signatures:
			t.kinds[i] = kindSigners
			div := t.add("Div", root)
			for range b.Signers {
				t.leaves[i] = append(t.leaves[i], t.add("P", div))
			}
		}
	}
	return t
}

func (t *tree) table(i int, root int32, b compose.Table) {
	tb := t.add("Table", root)
	if b.Caption != "" {
		t.elems[tb].extra().title = b.Caption
	}
	t.cols[i] = len(b.Columns)
	tr := t.add("TR", t.add("THead", tb))
	for range b.Columns {
		th := t.add("TH", tr)
		t.elems[th].extra().attr = "<</O/Table/Scope/Column>>"
		t.leaves[i] = append(t.leaves[i], th)
	}
	body := t.add("TBody", tb)
	for range b.Rows {
		tr := t.add("TR", body)
		for c := range b.Columns {
			if c == 0 {
				th := t.add("TH", tr)
				t.elems[th].extra().attr = "<</O/Table/Scope/Row>>"
				t.leaves[i] = append(t.leaves[i], th)
				continue
			}
			t.leaves[i] = append(t.leaves[i], t.add("TD", tr))
		}
	}
}

// leaf is the element a body text goes into, -1 for an artifact.
func (t *tree) leaf(x *layout.Text) int32 {
	if x.Block < 0 || int(x.Block) >= len(t.leaves) {
		return -1
	}
	ls := t.leaves[x.Block]
	at := 0
	switch t.kinds[x.Block] {
	case kindTable: // the header row, then the rows
		at = int(x.Part+1)*t.cols[x.Block] + int(x.Col)
	case kindList:
		at = 2*int(x.Part) + 1
		if x.Label {
			at--
		}
	case kindSigners:
		at = int(x.Col)
	}
	if at < 0 || at >= len(ls) {
		return -1
	}
	base := ls[at]
	mark := x.Marks & (typeset.Strike | typeset.Underline | typeset.LangMask)
	if mark == 0 {
		t.inline = -1
		return base
	}
	if t.inline >= 0 && t.inlineIn == base && t.inlineMark == mark {
		return t.inline
	}
	typ := "Span"
	switch {
	case mark&typeset.Strike != 0:
		typ = "Del"
	case mark&typeset.Underline != 0:
		typ = "Ins"
	}
	t.inline, t.inlineIn, t.inlineMark = t.add(typ, base), base, mark
	if l := mark.Lang(); l > 0 && l <= len(t.langs) {
		t.elems[t.inline].extra().lang = t.langs[l-1]
	}
	return t.inline
}

// mark records that marked content mcid of page p belongs to e.
func (t *tree) mark(e int32, p int) int32 {
	id := int32(len(t.mcids[p]))
	t.mcids[p] = append(t.mcids[p], e)
	el := &t.elems[e]
	if el.page < 0 {
		el.page = int32(p)
	}
	t.addKid(e, kid{elem: -1, page: int32(p), mcid: id})
	return id
}

// altTexts gives Del and Ins elements their alternative text, from the
// words recorded while the content was written.
func (t *tree) altTexts() {
	for i := range t.elems {
		e := &t.elems[i]
		switch e.typ {
		case "Del":
			m := e.extra()
			m.alt = "struken: " + m.words.String()
		case "Ins":
			m := e.extra()
			m.alt = "tillagd: " + m.words.String()
		}
	}
}

// write writes the structure tree root (number root), the elements and
// the parent tree; pageNums are the pages' object numbers. extra maps the
// parent tree keys after the pages' (annotations) to elements.
func (t *tree) write(o *objects, root int, pageNums []int, extra []int32) {
	t.altTexts()
	nums := make([]int, len(t.elems))
	for i := range nums {
		nums[i] = o.alloc()
	}
	parentTree := o.alloc()
	var num [20]byte
	// ref writes a reference to object n.
	ref := func(b *bytes.Buffer, n int) {
		b.Write(strconv.AppendInt(num[:0], int64(n), 10))
		b.WriteString(" 0 R")
	}
	o.object(root, "<</Type/StructTreeRoot/K "+strconv.Itoa(nums[0])+" 0 R/ParentTree "+strconv.Itoa(parentTree)+
		" 0 R/ParentTreeNextKey "+strconv.Itoa(len(pageNums)+len(extra))+"/RoleMap<</Del/Span/Ins/Span>>>>")
	for i := range t.elems {
		e := &t.elems[i]
		b := o.begin(nums[i])
		b.WriteString("<</S/") // Type StructElem is optional
		b.WriteString(e.typ)
		b.WriteString("/P ")
		if e.parent < 0 {
			ref(b, root)
		} else {
			ref(b, nums[e.parent])
		}
		if e.page >= 0 {
			b.WriteString("/Pg ")
			ref(b, pageNums[e.page])
		}
		if e.more != nil {
			if e.alt != "" {
				b.WriteString("/Alt")
				writeText(b, e.alt)
			}
			if e.title != "" {
				b.WriteString("/T")
				writeText(b, e.title)
			}
			if e.lang != "" {
				b.WriteString("/Lang")
				writeText(b, e.lang)
			}
			if e.attr != "" {
				b.WriteString("/A")
				b.WriteString(e.attr)
			}
		}
		if e.first >= 0 {
			b.WriteString("/K[")
			for k := e.first; k >= 0; k = t.kids[k].next {
				c := t.kids[k]
				if k != e.first {
					b.WriteByte(' ')
				}
				switch {
				case c.elem >= 0:
					ref(b, nums[c.elem])
				case c.obj > 0:
					b.WriteString("<</Type/OBJR/Obj ")
					ref(b, c.obj)
					b.WriteString("/Pg ")
					ref(b, pageNums[c.page])
					b.WriteString(">>")
				case c.page == e.page:
					b.Write(strconv.AppendInt(num[:0], int64(c.mcid), 10))
				default:
					b.WriteString("<</Type/MCR/Pg ")
					ref(b, pageNums[c.page])
					b.WriteString("/MCID ")
					b.Write(strconv.AppendInt(num[:0], int64(c.mcid), 10))
					b.WriteString(">>")
				}
			}
			b.WriteByte(']')
		}
		b.WriteString(">>")
		o.end()
	}
	b := o.begin(parentTree)
	b.WriteString("<</Nums[")
	for p, ids := range t.mcids {
		b.Write(strconv.AppendInt(num[:0], int64(p), 10))
		b.WriteString("[")
		for k, e := range ids {
			if k > 0 {
				b.WriteByte(' ')
			}
			ref(b, nums[e])
		}
		b.WriteString("]")
	}
	for k, e := range extra {
		b.Write(strconv.AppendInt(num[:0], int64(len(t.mcids)+k), 10))
		b.WriteByte(' ')
		ref(b, nums[e])
	}
	b.WriteString("]>>")
	o.end()
}
