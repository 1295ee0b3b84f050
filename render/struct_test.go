package render_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
	"utdrag/typeset"
)

// node is one element of the structure tree as pdfinfo -struct-text
// prints it, or a piece of its content (typ "").
type node struct {
	typ  string
	text string // content
	kids []*node
}

// all is the text of the node and its descendants, in order, an element
// apart from the next as a reader keeps blocks apart.
func (n *node) all() string {
	if n.typ == "" {
		return n.text
	}
	var b strings.Builder
	for _, k := range n.kids {
		b.WriteString(k.all())
		if k.typ != "" && k.typ != "Del" && k.typ != "Ins" && k.typ != "Span" {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// find lists the nodes of type typ, in order.
func (n *node) find(typ string) []*node {
	var out []*node
	if n.typ == typ {
		out = append(out, n)
	}
	for _, k := range n.kids {
		out = append(out, k.find(typ)...)
	}
	return out
}

// structTree reads pdfinfo -struct-text: an element per line ("H1
// (block)"), its attributes below it ("/Scope /Column"), its content as
// quoted text, each indented two more than its parent.
func structTree(t *testing.T, pdf []byte) *node {
	t.Helper()
	out := pdftest.Run(t, false, "pdfinfo", "-struct-text", pdftest.File(t, pdf))
	root := &node{typ: "root"}
	type open struct {
		indent int
		n      *node
	}
	stack := []open{{-2, root}}
	for _, line := range strings.Split(out, "\n") {
		body := strings.TrimLeft(line, " ")
		if body == "" {
			continue
		}
		indent := len(line) - len(body)
		for len(stack) > 1 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		top := stack[len(stack)-1].n
		switch {
		case strings.HasPrefix(body, `"`):
			top.kids = append(top.kids, &node{text: strings.TrimSuffix(strings.TrimPrefix(body, `"`), `"`)})
		case strings.HasPrefix(body, "/"):
			// an attribute of the element above
		default:
			n := &node{typ: strings.TrimSuffix(strings.Fields(body)[0], ":")}
			top.kids = append(top.kids, n)
			stack = append(stack, open{indent, n})
		}
	}
	return root
}

func spansText(spans []typeset.Span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// bodyOf is the composed document's text in reading order: what a reader
// of the extract's body gets, with list markers and table cells.
func bodyOf(doc compose.Document) string {
	var b strings.Builder
	for _, bl := range doc.Blocks {
		switch bl := bl.(type) {
		case compose.Heading:
			b.WriteString(spansText(bl.Text) + " ")
		case compose.Paragraph:
			b.WriteString(spansText(bl.Text) + " ")
		case compose.Note:
			b.WriteString(spansText(bl.Text) + " ")
		case compose.List:
			for i, it := range bl.Items {
				b.WriteString(listMarker(bl, i) + " " + spansText(it) + " ")
			}
		case compose.Table:
			for _, c := range bl.Columns {
				b.WriteString(c.Label + " ")
			}
			for _, r := range bl.Rows {
				b.WriteString(strings.Join(r, " ") + " ")
			}
		case compose.Signatures:
			for _, s := range bl.Signers {
				label := ""
				if s.Electronic {
					label = s.SignedLabel
				}
				b.WriteString(strings.Join([]string{s.Role, label, s.Name, s.Title, s.Place, s.Date}, " ") + " ")
			}
		}
	}
	return b.String()
}

func listMarker(l compose.List, i int) string {
	if !l.Ordered {
		return "•"
	}
	return strconv.Itoa(max(l.Start, 1)+i) + "."
}

// squashSpace joins every run of white space (no-break spaces too) into
// one space.
func squashSpace(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// The structure tree of the PDF/A-2a rendition follows the composed
// document: its text, read in order, is the whole body and nothing of the
// running header or the footer; headings have their levels, list items
// their markers and texts, the vote table its header and data cells.
func TestStructureTreeFollowsTheDocument(t *testing.T) {
	e := newEngine(t)
	for _, name := range conformanceExamples {
		t.Run(name, func(t *testing.T) {
			res, err := e.Render(exampletest.Load(t, name), certification)
			if err != nil {
				t.Fatal(err)
			}
			doc := res.Document
			tree := structTree(t, res.PDF)
			if len(tree.kids) != 1 || tree.kids[0].typ != "Document" {
				t.Fatalf("the tree's root is not one Document: %d elements", len(tree.kids))
			}
			if got, want := squashSpace(tree.all()), squashSpace(bodyOf(doc)); got != want {
				t.Errorf("the tree's text is not the body's:\n got %q\nwant %q", clip(got, want), clip(want, got))
			}
			for _, furniture := range []string{doc.Header.Kind, doc.Header.DateLabel, "1 (", doc.Header.VerifyURL} {
				if furniture != "" && strings.Contains(tree.all(), furniture) {
					t.Errorf("the tree holds page furniture %q", furniture)
				}
			}
			var levels, want []string
			for _, k := range tree.kids[0].kids {
				if strings.HasPrefix(k.typ, "H") && len(k.typ) == 2 {
					levels = append(levels, k.typ+" "+squashSpace(k.all()))
				}
			}
			var lists, items []string
			var cells []string
			for _, bl := range doc.Blocks {
				switch bl := bl.(type) {
				case compose.Heading:
					want = append(want, "H"+strconv.Itoa(bl.Level)+" "+squashSpace(spansText(bl.Text)))
				case compose.List:
					for i, it := range bl.Items {
						lists = append(lists, listMarker(bl, i))
						items = append(items, squashSpace(spansText(it)))
					}
				case compose.Table:
					for _, c := range bl.Columns {
						cells = append(cells, "TH "+c.Label)
					}
					for _, r := range bl.Rows {
						for i, c := range r {
							typ := "TD "
							if i == 0 {
								typ = "TH "
							}
							cells = append(cells, typ+c)
						}
					}
				}
			}
			if !slices.Equal(levels, want) {
				t.Errorf("headings:\n got %q\nwant %q", levels, want)
			}
			var gotLbl, gotBody []string
			for _, li := range tree.find("LI") {
				if len(li.kids) != 2 || li.kids[0].typ != "Lbl" || li.kids[1].typ != "LBody" {
					t.Errorf("list item without Lbl and LBody: %d children", len(li.kids))
					continue
				}
				gotLbl = append(gotLbl, squashSpace(li.kids[0].all()))
				gotBody = append(gotBody, squashSpace(li.kids[1].all()))
			}
			if !slices.Equal(gotLbl, lists) || !slices.Equal(gotBody, items) {
				t.Errorf("list items:\n got %q %q\nwant %q %q", gotLbl, gotBody, lists, items)
			}
			var gotCells []string
			for _, tb := range tree.find("Table") {
				for _, tr := range tb.find("TR") {
					for _, c := range tr.kids {
						if c.typ == "" {
							continue
						}
						gotCells = append(gotCells, strings.TrimSpace(c.typ+" "+squashSpace(c.all())))
					}
				}
			}
			if !slices.Equal(gotCells, cells) {
				t.Errorf("table cells:\n got %q\nwant %q", gotCells, cells)
			}
			if len(tree.find("Figure")) != 1 {
				t.Errorf("%d figures, want the QR code", len(tree.find("Figure")))
			}
		})
	}
}

// clip shows where a and b part, with some context.
func clip(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(i-60, 0)
	return "…" + a[from:min(len(a), i+60)] + "…"
}
