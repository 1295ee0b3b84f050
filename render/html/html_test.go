package html_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"utdrag/internal/exampletest"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/render/html"
	"utdrag/templates"
	"utdrag/typeset"
)

var examples = []string{"rs-157-2023.json", "run-59-2022.json"}

func load(t testing.TB, name string) *extract.Extract {
	t.Helper()
	return exampletest.Load(t, name)
}

func build(t testing.TB, x *extract.Extract, cert *compose.Certification) compose.Document {
	t.Helper()
	ts, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, ok := ts.Get(x.Template)
	if !ok {
		t.Fatalf("no template %q", x.Template)
	}
	return compose.Build(x, tmpl, cert)
}

func renderDoc(t testing.TB, doc compose.Document) (*xhtml.Node, []byte) {
	t.Helper()
	r, err := html.New()
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	root, err := xhtml.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return root, b
}

// withVote adds a roll-call vote to the first paragraph.
func withVote(x *extract.Extract) {
	p := &x.Paragraphs[0]
	p.Votes = append(p.Votes, extract.Vote{
		Proposition: "Ja för regiondirektörens förslag, nej för Björn Hammarbergs yrkande.",
		Ballots: []extract.Ballot{
			{Member: extract.Person{Name: "Susanne Hansson", Party: "C"}, Vote: extract.VoteYes},
			{Member: extract.Person{Name: "Björn Hammarberg", Party: "M"}, Vote: extract.VoteNo},
			{Member: extract.Person{Name: "Ronny Karlsson", Party: "SD"}, Vote: extract.VoteAbstain},
		},
		Outcome: "Med 1 ja-röst mot 1 nej-röst, 1 avstår, beslutar styrelsen enligt ordförandens utslagsröst.",
	})
}

func find(n *xhtml.Node, a atom.Atom) []*xhtml.Node {
	var out []*xhtml.Node
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode && n.DataAtom == a {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *xhtml.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// text is the text content of n, with a space for each line break and
// without the elements in skip.
func text(n *xhtml.Node, skip ...atom.Atom) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch n.Type {
		case xhtml.TextNode:
			b.WriteString(n.Data)
			return
		case xhtml.ElementNode:
			for _, a := range skip {
				if n.DataAtom == a {
					return
				}
			}
			if n.DataAtom == atom.Br {
				b.WriteString(" ")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == xhtml.ElementNode && n.DataAtom != atom.Span && n.DataAtom != atom.Del &&
			n.DataAtom != atom.Ins && n.DataAtom != atom.Strong && n.DataAtom != atom.Em {
			b.WriteString(" ") // block boundaries separate words
		}
	}
	walk(n)
	return b.String()
}

// words splits on every kind of white space, the no-break space included.
func words(s string) []string { return strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")) }

func spansText(ss []typeset.Span) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.Text)
	}
	return b.String()
}

// composeText is the text the PDF draws of the body, in reading order (list
// numbers and bullets aside, which HTML lists generate themselves).
func composeText(doc compose.Document) string {
	var parts []string
	for _, bl := range doc.Blocks {
		switch b := bl.(type) {
		case compose.Heading:
			parts = append(parts, spansText(b.Text))
		case compose.Paragraph:
			parts = append(parts, spansText(b.Text))
		case compose.Note:
			parts = append(parts, spansText(b.Text))
		case compose.List:
			for _, it := range b.Items {
				parts = append(parts, spansText(it))
			}
		case compose.Table:
			for _, c := range b.Columns {
				parts = append(parts, c.Label)
			}
			for _, r := range b.Rows {
				parts = append(parts, r...)
			}
		case compose.Signatures:
			for _, s := range b.Signers {
				parts = append(parts, s.Role)
				if s.Electronic {
					parts = append(parts, "Signerat elektroniskt")
				}
				parts = append(parts, s.Name, s.Title, s.Place, s.Date)
			}
		}
	}
	return strings.Join(parts, " ")
}

func only(t *testing.T, root *xhtml.Node, a atom.Atom) *xhtml.Node {
	t.Helper()
	ns := find(root, a)
	if len(ns) != 1 {
		t.Fatalf("%d <%s> elements, want 1", len(ns), a)
	}
	return ns[0]
}

func TestDocumentShape(t *testing.T) {
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			x := load(t, name)
			doc := build(t, x, nil)
			root, _ := renderDoc(t, doc)
			if lang, _ := attr(only(t, root, atom.Html), "lang"); lang != "sv" {
				t.Errorf("lang = %q, want sv", lang)
			}
			if got := text(only(t, root, atom.Title)); strings.TrimSpace(got) != doc.Meta.Title {
				t.Errorf("title = %q, want %q", got, doc.Meta.Title)
			}
			metas := map[string]string{}
			for _, m := range find(root, atom.Meta) {
				name, _ := attr(m, "name")
				metas[name], _ = attr(m, "content")
			}
			for name, want := range map[string]string{
				"description": doc.Meta.Subject, "author": doc.Meta.Author, "keywords": doc.Meta.Keywords,
			} {
				if metas[name] != want || want == "" {
					t.Errorf("meta %s = %q, want %q", name, metas[name], want)
				}
			}
			h1 := find(root, atom.H1)
			if len(h1) != len(x.Paragraphs) {
				t.Fatalf("%d h1, want one per § (%d)", len(h1), len(x.Paragraphs))
			}
			for i, h := range h1 {
				if want := "§\u00a0" + strconv.Itoa(x.Paragraphs[i].Number); !strings.HasPrefix(text(h), want) {
					t.Errorf("h1 %d = %q, want it to start with %q", i, text(h), want)
				}
			}
			if len(find(root, atom.H2)) == 0 {
				t.Error("no h2 section headings")
			}
			if len(find(root, atom.Script)) != 0 || len(find(root, atom.Link)) != 0 || len(find(root, atom.Img)) != 0 {
				t.Error("the page must not load anything")
			}
		})
	}
}

func TestEveryParagraphPresent(t *testing.T) {
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			doc := build(t, load(t, name), nil)
			root, _ := renderDoc(t, doc)
			have := map[string]bool{}
			for _, p := range find(root, atom.P) {
				have[strings.Join(words(text(p)), " ")] = true
			}
			n := 0
			for _, bl := range doc.Blocks {
				var want string
				switch b := bl.(type) {
				case compose.Paragraph:
					want = spansText(b.Text)
				case compose.Note:
					want = spansText(b.Text)
				default:
					continue
				}
				n++
				if w := strings.Join(words(want), " "); !have[w] {
					t.Errorf("no <p> reads %q", w)
				}
			}
			if n < 5 {
				t.Fatalf("only %d paragraphs in %s", n, name)
			}
		})
	}
}

// TestTextMatchesPDF: the body and the furniture say exactly what the
// document the PDF is drawn from says, word for word.
func TestTextMatchesPDF(t *testing.T) {
	cert := &compose.Certification{Name: "Lena Nordin", Title: "Nämndsekreterare", Place: "Östersund",
		Date: "2023-10-09", Initials: "LN"}
	for _, name := range examples {
		for _, c := range []*compose.Certification{nil, cert} {
			t.Run(name, func(t *testing.T) {
				x := load(t, name)
				withVote(x)
				doc := build(t, x, c)
				root, _ := renderDoc(t, doc)
				// A caption names the table for screen readers; the PDF has
				// the same words as the heading above the table.
				got := words(text(only(t, root, atom.Main), atom.Caption))
				want := words(composeText(doc))
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("body text differs at word %d:\n got %q\nwant %q", firstDiff(got, want),
						around(got, firstDiff(got, want)), around(want, firstDiff(got, want)))
				}
				h := doc.Header
				head := strings.Join(words(text(only(t, root, atom.Header))), " ")
				if want := strings.Join(words(strings.Join([]string{h.Organisation, h.Organ, h.Kind, h.DateLabel, h.Date}, " ")), " "); head != want {
					t.Errorf("header = %q, want %q", head, want)
				}
				foot := strings.Join(words(text(only(t, root, atom.Footer))), " ")
				var fw []string
				for _, b := range h.Boxes {
					fw = append(fw, b.Label, b.Content)
				}
				if want := strings.Join(words(strings.Join(fw, " ")), " "); foot != want {
					t.Errorf("footer = %q, want %q", foot, want)
				}
			})
		}
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(ws []string, i int) []string { return ws[max(i-3, 0):min(i+4, len(ws))] }

func TestVoteTable(t *testing.T) {
	x := load(t, "rs-157-2023.json")
	withVote(x)
	root, _ := renderDoc(t, build(t, x, nil))
	table := only(t, root, atom.Table)
	if c := strings.TrimSpace(text(only(t, table, atom.Caption))); c != "Votering" {
		t.Errorf("caption = %q", c)
	}
	head := find(only(t, table, atom.Thead), atom.Th)
	if len(head) != 4 {
		t.Fatalf("%d header cells, want 4", len(head))
	}
	for _, th := range head {
		if s, _ := attr(th, "scope"); s != "col" {
			t.Errorf("header cell %q has scope %q", text(th), s)
		}
	}
	rows := find(only(t, table, atom.Tbody), atom.Tr)
	if len(rows) != 4 { // three members and the sum
		t.Fatalf("%d rows, want 4", len(rows))
	}
	for _, tr := range rows {
		th := find(tr, atom.Th)
		if len(th) != 1 || len(find(tr, atom.Td)) != 3 {
			t.Fatalf("row %q: want one row header and three cells", text(tr))
		}
		if s, _ := attr(th[0], "scope"); s != "row" {
			t.Errorf("row header %q has scope %q", text(th[0]), s)
		}
	}
	if got := strings.TrimSpace(text(find(rows[1], atom.Th)[0])); got != "Björn Hammarberg\u00a0(M)" {
		t.Errorf("member = %q", got)
	}
}

func TestAmendmentMarks(t *testing.T) {
	root, _ := renderDoc(t, build(t, load(t, "rs-157-2023.json"), nil))
	del, ins := find(root, atom.Del), find(root, atom.Ins)
	if len(del) != 1 || len(ins) != 1 {
		t.Fatalf("%d <del>, %d <ins>, want one each", len(del), len(ins))
	}
	if got := text(del[0]); !strings.Contains(got, "GNS avvecklas") {
		t.Errorf("del = %q", got)
	}
	if got := text(ins[0]); !strings.HasPrefix(strings.TrimSpace(got), "föreslå en lösning") {
		t.Errorf("ins = %q", got)
	}
	// The marks sit inside the motion's wording, an ordered list item.
	if p := del[0].Parent; p == nil || p.DataAtom != atom.Li || p.Parent.DataAtom != atom.Ol {
		t.Errorf("del is not in a list item of the wording")
	}
	root2, _ := renderDoc(t, build(t, load(t, "run-59-2022.json"), nil))
	if len(find(root2, atom.Del)) != 0 {
		t.Error("del in an extract without amendments")
	}
}

func TestListsAndSignatures(t *testing.T) {
	root, _ := renderDoc(t, build(t, load(t, "rs-157-2023.json"), nil))
	ols := find(root, atom.Ol)
	if len(ols) == 0 {
		t.Fatal("no ordered list")
	}
	for _, ol := range ols {
		if s, ok := attr(ol, "start"); !ok || s != "1" {
			t.Errorf("ol start = %q", s)
		}
	}
	if len(find(root, atom.Ul)) == 0 {
		t.Error("no bulleted list")
	}
	dl := only(t, root, atom.Dl)
	var roles []string
	for _, dt := range find(dl, atom.Dt) {
		roles = append(roles, strings.TrimSpace(text(dt)))
	}
	if got := strings.Join(roles, "|"); got != "Sekreterare|Ordförande|Justerare|Justerare|Rätt utdraget intygar" {
		t.Errorf("signers = %q", got)
	}
}

func TestEscapesEverything(t *testing.T) {
	doc := build(t, load(t, "run-59-2022.json"), nil)
	evil := `</title><script>alert("x")</script> & "citat" <b>`
	doc.Meta.Title = evil
	doc.Header.Organisation = `"; } body { visibility: hidden } /*`
	doc.Blocks = append(doc.Blocks, compose.Paragraph{Text: []typeset.Span{{Text: evil}}})
	root, b := renderDoc(t, doc)
	if len(find(root, atom.Script)) != 0 || len(find(root, atom.B)) != 0 {
		t.Fatal("input became markup")
	}
	if got := text(only(t, root, atom.Title)); strings.TrimSpace(got) != evil {
		t.Errorf("title = %q", got)
	}
	ps := find(only(t, root, atom.Main), atom.P)
	if got := text(ps[len(ps)-1]); strings.TrimSpace(got) != evil {
		t.Errorf("last paragraph = %q", got)
	}
	style := text(only(t, root, atom.Style))
	if strings.Contains(style, "visibility: hidden") || !strings.Contains(style, `\000022\00003b \00007d body`) {
		t.Errorf("header text escaped its CSS string:\n%s", b)
	}
}

func TestDeterministic(t *testing.T) {
	doc := build(t, load(t, "rs-157-2023.json"), nil)
	_, a := renderDoc(t, doc)
	_, b := renderDoc(t, doc)
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of one document differ")
	}
}

func BenchmarkRender(b *testing.B) {
	r, err := html.New()
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range examples {
		doc := build(b, load(b, name), nil)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var n int
			for b.Loop() {
				out, err := r.Render(doc)
				if err != nil {
					b.Fatal(err)
				}
				n = len(out)
			}
			b.ReportMetric(float64(n), "html-bytes")
		})
	}
}

// Words the input marks as another language keep it in the HTML, as a
// span with its lang.
func TestSpanLanguageInHTML(t *testing.T) {
	r, err := html.New()
	if err != nil {
		t.Fatal(err)
	}
	doc := compose.Document{Meta: compose.Meta{Title: "T", Language: "sv-SE", Languages: []string{"se"}},
		Blocks: []compose.Block{compose.Paragraph{Text: []typeset.Span{
			{Text: "Ordföranden hälsar "}, {Text: "Buorre beaivi", Style: typeset.Style(0).WithLang(1)}, {Text: "."}}}}}
	out, err := r.Render(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `hälsar <span lang="se">Buorre beaivi</span>.`) {
		t.Errorf("no span with lang se:\n%s", out)
	}
}
