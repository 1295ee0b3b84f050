package compose_test

import (
	"strings"
	"testing"
	"utdrag/internal/exampletest"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/templates"
	"utdrag/typeset"
)

func load(t testing.TB, name string) *extract.Extract {
	t.Helper()
	return exampletest.Load(t, name)
}

func tmpl(t testing.TB) *templates.Template {
	t.Helper()
	return exampletest.Template(t)
}

func text(spans []typeset.Span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// outline lists the headings of a document in order.
func outline(doc compose.Document) []string {
	var out []string
	for _, b := range doc.Blocks {
		if h, ok := b.(compose.Heading); ok && h.Level == 2 {
			out = append(out, text(h.Text))
		}
	}
	return out
}

func TestProtocolOrder(t *testing.T) {
	doc := compose.Build(load(t, "rs-157-2023.json"), tmpl(t), nil)
	want := []string{"Sammanfattning", "Förslag till beslut", "Yrkanden", "Proposition", "Beslut",
		"Reservationer", "Expedieras till", "Beslutsunderlag"}
	if got := outline(doc); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sections\n got %q\nwant %q", got, want)
	}
	first := doc.Blocks[0].(compose.Heading)
	if got := text(first.Text); got != "§\u00a0157 Framtida uppdrag och syfte för Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner (GNS) (RS/412/2023)" {
		t.Errorf("paragraph heading %q", got)
	}
	var adjusted, signatures bool
	for _, b := range doc.Blocks {
		switch b := b.(type) {
		case compose.Note:
			adjusted = adjusted || text(b.Text) == "Paragrafen är justerad"
		case compose.Signatures:
			signatures = true
			if last := b.Signers[len(b.Signers)-1]; last.Role != "Rätt utdraget intygar" || last.Name != "" {
				t.Errorf("uncertified extract has certifier %+v", last)
			}
		}
	}
	if !adjusted || !signatures {
		t.Errorf("adjusted note %v, signatures %v", adjusted, signatures)
	}
	if doc.Header.Organ != "Regionstyrelsen" || doc.Header.Date != "2023-10-06" || doc.Meta.Keywords != "RS/412/2023" {
		t.Errorf("header %+v meta %+v", doc.Header, doc.Meta)
	}
}

func TestAmendmentMarks(t *testing.T) {
	doc := compose.Build(load(t, "rs-157-2023.json"), tmpl(t), nil)
	var struck, inserted string
	for _, b := range doc.Blocks {
		if l, ok := b.(compose.List); ok && l.Indent == 1 {
			for _, s := range l.Items[0] {
				if s.Style&typeset.Strike != 0 {
					struck += s.Text
				}
				if s.Style&typeset.Underline != 0 {
					inserted += s.Text
				}
			}
		}
	}
	if struck != "GNS avvecklas" || !strings.HasPrefix(inserted, "föreslå en lösning") {
		t.Errorf("struck %q inserted %q", struck, inserted)
	}
}

func TestVoteTableAndNames(t *testing.T) {
	x := load(t, "rs-157-2023.json")
	x.Paragraphs[0].Votes = []extract.Vote{{
		Proposition: "Ja för regiondirektörens förslag, nej för Björn Hammarbergs yrkande.",
		Ballots: []extract.Ballot{
			{Member: extract.Person{Name: "Áile Jávo", Party: "S"}, Vote: "ja"},
			{Member: extract.Person{Name: "Niillas Šaŋŋa", Party: "V"}, Vote: "nej"},
			{Member: extract.Person{Name: "Anna-Karin Öberg", Party: "-"}, Vote: "avstår"},
			{Member: extract.Person{Name: "Per Ödman", Party: "M"}, Vote: "ja"},
		},
		Outcome: "Styrelsen beslutar enligt regiondirektörens förslag.",
	}}
	doc := compose.Build(x, tmpl(t), nil)
	var table *compose.Table
	var result string
	for i, b := range doc.Blocks {
		if tb, ok := b.(compose.Table); ok {
			table = &tb
			result = text(doc.Blocks[i+1].(compose.Paragraph).Text)
		}
	}
	if table == nil {
		t.Fatal("no vote table")
	}
	if got := table.Rows[1]; got[0] != "Niillas Šaŋŋa\u00a0(V)" || got[2] != "X" {
		t.Errorf("row %q", got)
	}
	if got := table.Rows[len(table.Rows)-1]; strings.Join(got, ",") != "Summa,2,1,1" {
		t.Errorf("sum row %q", got)
	}
	if !strings.Contains(result, "2 ja-röster, 1 nej-röst och 1 avstår") {
		t.Errorf("result %q", result)
	}

	// Nobody abstained: the result does not count them.
	x.Paragraphs[0].Votes[0].Ballots[2].Vote = "nej"
	doc = compose.Build(x, tmpl(t), nil)
	for i, b := range doc.Blocks {
		if _, ok := b.(compose.Table); ok {
			result = text(doc.Blocks[i+1].(compose.Paragraph).Text)
		}
	}
	if result != "Omröstningsresultat: 2 ja-röster och 2 nej-röster" {
		t.Errorf("result without abstentions %q", result)
	}
}

func TestCertificationFillsBlockAndBox(t *testing.T) {
	cert := &compose.Certification{Name: "Lena Nordin", Title: "Nämndsekreterare", Place: "Östersund",
		Date: "2023-10-09", Initials: "LN", Summary: []string{"Signerad av Lena Nordin"}}
	doc := compose.Build(load(t, "rs-157-2023.json"), tmpl(t), cert)
	if doc.Header.Boxes[1].Content != "LN" || doc.Header.Boxes[1].Label != "Utdragsbestyrkande" {
		t.Errorf("boxes %+v", doc.Header.Boxes)
	}
	found := false
	for _, b := range doc.Blocks {
		if s, ok := b.(compose.Signatures); ok {
			last := s.Signers[len(s.Signers)-1]
			found = last.Name == "Lena Nordin" && last.Electronic && last.Date == "2023-10-09"
		}
	}
	if !found {
		t.Error("certification block not filled")
	}
}

func TestFilename(t *testing.T) {
	x := load(t, "rs-157-2023.json")
	if got := compose.Filename(x); got != "Protokollsutdrag Regionstyrelsen 2023-10-06 § 157.pdf" {
		t.Errorf("filename %q", got)
	}
	long := *x
	long.Organ = "Barn-/utbildningsnämnden: gemensamma nämnden för upphandlingssamordning, informationssäkerhetsarbete och dokumenthantering i Jokkmokk och Gällivare"
	long.Paragraphs = nil
	for _, n := range []int{3, 7, 9, 12, 15, 21, 40} {
		p := x.Paragraphs[0]
		p.Number = n
		long.Paragraphs = append(long.Paragraphs, p)
	}
	got := compose.Filename(&long)
	if len(got) > 200 || strings.ContainsAny(got, `/\:*?"<>|`) || !strings.HasPrefix(got, "Protokollsutdrag Barn--utbildningsnämnden gemensamma") ||
		!strings.HasSuffix(got, "… 2023-10-06 §§ 3, 7, 9, 12, 15 m.fl.pdf") {
		t.Errorf("long filename (%d bytes) %q", len(got), got)
	}
	if meta := compose.Build(&long, tmpl(t), nil).Meta; !strings.Contains(meta.Title, "Gällivare") || !strings.Contains(meta.Title, "40") {
		t.Errorf("the document title is cut with the filename: %q", meta.Title)
	}
	for nums, want := range map[string]string{"12,13,14": "§§ 12–14", "3,7": "§§ 3, 7", "5": "§ 5"} {
		var ns []int
		for _, s := range strings.Split(nums, ",") {
			var n int
			for _, c := range s {
				n = n*10 + int(c-'0')
			}
			ns = append(ns, n)
		}
		if got := compose.ParagraphLabel(ns); got != want {
			t.Errorf("ParagraphLabel(%v) = %q, want %q", ns, got, want)
		}
	}
}

// TestCaseNumberIsOneUnit: the heading never breaks inside a case number
// with a space ("KS 2024/112"), and the number reads as it came.
func TestCaseNumberIsOneUnit(t *testing.T) {
	x := load(t, "stress-compounds.json")
	doc := compose.Build(x, tmpl(t), nil)
	h, ok := doc.Blocks[0].(compose.Heading)
	if !ok {
		t.Fatalf("first block %T, want the paragraph's heading", doc.Blocks[0])
	}
	last := h.Text[len(h.Text)-1].Text
	if last != "(KS\u00a02024/112)" {
		t.Errorf("case number span %q", last)
	}
	if strings.ReplaceAll(last, "\u00a0", " ") != "("+x.Paragraphs[0].CaseNumber+")" {
		t.Errorf("case number changed: %q", last)
	}
}
