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

// firstHeading is the first heading of doc.
func firstHeading(t *testing.T, doc compose.Document) compose.Heading {
	t.Helper()
	for _, b := range doc.Blocks {
		if h, ok := b.(compose.Heading); ok {
			return h
		}
	}
	t.Fatal("no heading")
	return compose.Heading{}
}

func TestProtocolOrder(t *testing.T) {
	doc := compose.Build(load(t, "rs-157-2023.json"), tmpl(t), nil)
	want := []string{"Sammanfattning", "Förslag till beslut", "Yrkanden", "Proposition", "Beslut",
		"Reservationer", "Expedieras till", "Beslutsunderlag"}
	if got := outline(doc); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("sections\n got %q\nwant %q", got, want)
	}
	if got := text(firstHeading(t, doc).Text); got != "§\u00a0157 Framtida uppdrag och syfte för Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner (GNS) (Dnr\u00a0RS/412/2023)" {
		t.Errorf("paragraph heading %q", got)
	}
	var signatures bool
	for _, b := range doc.Blocks {
		switch b := b.(type) {
		case compose.Note:
			if strings.Contains(text(b.Text), "justerad") {
				t.Errorf("omedelbar justering as a note after the paragraph: %q", text(b.Text))
			}
		case compose.Signatures:
			signatures = true
			if last := b.Signers[len(b.Signers)-1]; last.Role != "Rätt utdraget intygar" || last.Name != "" {
				t.Errorf("uncertified extract has certifier %+v", last)
			}
		}
	}
	if !signatures {
		t.Error("no signatures")
	}
	if doc.Header.Organ != "Regionstyrelsen" || doc.Header.Date != "2023-10-06" || doc.Meta.Keywords != "RS/412/2023" || doc.Header.Draft != "" {
		t.Errorf("header %+v meta %+v", doc.Header, doc.Meta)
	}
}

// TestImmediateJusteringIsPartOfTheDecision: "Paragrafen förklaras
// omedelbart justerad." follows the decision's last block, before the
// reservations, in the body text's own style.
func TestImmediateJusteringIsPartOfTheDecision(t *testing.T) {
	x := load(t, "rs-157-2023.json")
	doc := compose.Build(x, tmpl(t), nil)
	decision, reservations := -1, -1
	for i, b := range doc.Blocks {
		if h, ok := b.(compose.Heading); ok && text(h.Text) == "Beslut" {
			decision = i
		}
		if h, ok := b.(compose.Heading); ok && text(h.Text) == "Reservationer" {
			reservations = i
		}
	}
	if decision < 0 || reservations < decision+3 {
		t.Fatalf("Beslut at %d, Reservationer at %d", decision, reservations)
	}
	p, ok := doc.Blocks[reservations-1].(compose.Paragraph)
	if !ok || text(p.Text) != "Paragrafen förklaras omedelbart justerad." || p.Plain {
		t.Errorf("block before Reservationer: %#v", doc.Blocks[reservations-1])
	}
	if _, ok := doc.Blocks[reservations-2].(compose.List); !ok {
		t.Errorf("the decision's list does not come right before it: %T", doc.Blocks[reservations-2])
	}
	x.Paragraphs[0].ImmediatelyAdjusted = false
	for _, b := range compose.Build(x, tmpl(t), nil).Blocks {
		if p, ok := b.(compose.Paragraph); ok && strings.Contains(text(p.Text), "omedelbart justerad") {
			t.Error("a paragraph not declared omedelbart justerad says it is")
		}
	}
}

// TestMeetingAndSignatories: place and time open the extract; the
// secretary, the chair and the justerare sign in the order protocols
// sign, with a title only where it says more than the role.
func TestMeetingAndSignatories(t *testing.T) {
	doc := compose.Build(load(t, "rs-157-2023.json"), tmpl(t), nil)
	p, ok := doc.Blocks[0].(compose.Paragraph)
	if !ok || text(p.Text) != "Plats och tid: Regionens hus, Östersund, 2023-10-06 kl.\u00a008.30–16.00" {
		t.Errorf("first block %#v", doc.Blocks[0])
	}
	var got []string
	for _, b := range doc.Blocks {
		if s, ok := b.(compose.Signatures); ok {
			for _, sg := range s.Signers {
				got = append(got, sg.Role+": "+sg.Name+" / "+sg.Title)
			}
		}
	}
	want := []string{"Sekreterare: Lena Nordin / Nämndsekreterare", "Ordförande: Susanne Hansson\u00a0(C) / ",
		"Justerare: Lars-Erik Olofsson\u00a0(KD) / ", "Justerare: Cristine Persson\u00a0(C) / ", "Rätt utdraget intygar:  / "}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("signers\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Without place and time, no line; with the time alone, the date and time.
	x := load(t, "rs-157-2023.json")
	x.Meeting.Place, x.Meeting.Time = "", ""
	if _, ok := compose.Build(x, tmpl(t), nil).Blocks[0].(compose.Heading); !ok {
		t.Error("a Plats och tid line without place or time")
	}
	x.Meeting.Time = "kl. 13.00"
	if p, ok := compose.Build(x, tmpl(t), nil).Blocks[0].(compose.Paragraph); !ok || !strings.HasSuffix(text(p.Text), ": 2023-10-06 kl.\u00a013.00") {
		t.Errorf("time alone: %#v", p)
	}
}

// TestLabelsFollowTheNumber: Reservation for one member reserving,
// Reservationer for several (each member reserves for themselves);
// Protokollsanteckning for one note, -ar for several.
func TestLabelsFollowTheNumber(t *testing.T) {
	x := load(t, "run-59-2022.json")
	one := []extract.Person{{Name: "Björn Hammarberg", Party: "M"}}
	two := []extract.Person{{Name: "Björn Hammarberg", Party: "M"}, {Name: "Joel Nordqvist", Party: "M"}}
	cases := []struct {
		reservations []extract.Reservation
		notes        []extract.Note
		want         []string
	}{
		{[]extract.Reservation{{By: one, Text: extract.Text("reserverar sig.")}}, []extract.Note{{By: one, Text: extract.Text("antecknar.")}},
			[]string{"Reservation", "Protokollsanteckning"}},
		{[]extract.Reservation{{By: two, Text: extract.Text("reserverar sig.")}}, []extract.Note{{By: two, Text: extract.Text("antecknar.")}},
			[]string{"Reservationer", "Protokollsanteckning"}},
		{[]extract.Reservation{{By: one, Text: extract.Text("reserverar sig.")}, {By: one[:1], Text: extract.Text("också.")}},
			[]extract.Note{{By: one, Text: extract.Text("antecknar.")}, {By: two, Text: extract.Text("antecknar också.")}},
			[]string{"Reservationer", "Protokollsanteckningar"}},
	}
	for _, c := range cases {
		x.Paragraphs[0].Reservations, x.Paragraphs[0].Notes = c.reservations, c.notes
		var got []string
		for _, h := range outline(compose.Build(x, tmpl(t), nil)) {
			if strings.HasPrefix(h, "Reservation") || strings.HasPrefix(h, "Protokollsanteckning") {
				got = append(got, h)
			}
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("labels %q, want %q", got, c.want)
		}
	}
}

// TestDraftIsMarked: an extract with a paragraph not yet justerad says
// so in its running header; one whose paragraphs are all justerade (or
// omedelbart justerade) does not.
func TestDraftIsMarked(t *testing.T) {
	x := load(t, "run-59-2022.json")
	if d := compose.Build(x, tmpl(t), nil).Header.Draft; d != "" {
		t.Errorf("justerat extract marked %q", d)
	}
	x.Justering.State = extract.JusteringPending
	if d := compose.Build(x, tmpl(t), nil).Header.Draft; d != "" {
		t.Errorf("omedelbart justerad paragraph marked %q", d)
	}
	x.Paragraphs[0].ImmediatelyAdjusted = false
	if d := compose.Build(x, tmpl(t), nil).Header.Draft; d != "Ej justerat" {
		t.Errorf("draft marked %q", d)
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

// voteBlocks is the table of the first vote and the paragraphs after it.
func voteBlocks(t *testing.T, doc compose.Document) (compose.Table, []string) {
	t.Helper()
	for i, b := range doc.Blocks {
		if tb, ok := b.(compose.Table); ok {
			var after []string
			for _, b := range doc.Blocks[i+1:] {
				p, ok := b.(compose.Paragraph)
				if !ok {
					break
				}
				after = append(after, text(p.Text))
			}
			return tb, after
		}
	}
	t.Fatal("no vote table")
	return compose.Table{}, nil
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
	table, after := voteBlocks(t, compose.Build(x, tmpl(t), nil))
	if got := table.Rows[1]; got[0] != "Niillas Šaŋŋa\u00a0(V)" || got[2] != "X" || len(got) != 4 {
		t.Errorf("row %q", got)
	}
	if got := table.Rows[len(table.Rows)-1]; strings.Join(got, ",") != "Summa,2,1,1" {
		t.Errorf("sum row %q", got)
	}
	if strings.Join(after, "|") != "Omröstningsresultat: 2 ja-röster, 1 nej-röst och 1 avstår.|Styrelsen beslutar enligt regiondirektörens förslag." {
		t.Errorf("after the table %q", after)
	}

	// Nobody abstained: the result does not count them.
	x.Paragraphs[0].Votes[0].Ballots[2].Vote = "nej"
	if _, after = voteBlocks(t, compose.Build(x, tmpl(t), nil)); after[0] != "Omröstningsresultat: 2 ja-röster och 2 nej-röster." {
		t.Errorf("result without abstentions %q", after[0])
	}

	// An outcome that states the counts says the result: no line repeats it.
	x.Paragraphs[0].Votes[0].Outcome = "Med 2 ja-röster mot 2 nej-röster och ordförandens utslagsröst beslutar styrelsen enligt förslaget."
	if _, after = voteBlocks(t, compose.Build(x, tmpl(t), nil)); len(after) != 1 || !strings.HasPrefix(after[0], "Med 2 ja-röster") {
		t.Errorf("after the table %q", after)
	}
}

// TestRollCallWithJavAndAbsence: every member called is listed, the one
// with jäv and the absent one with the reason, outside the counts.
func TestRollCallWithJavAndAbsence(t *testing.T) {
	x := load(t, "run-59-2022.json")
	p := &x.Paragraphs[0]
	p.Disqualifications = []extract.Disqualification{{Member: extract.Person{Name: "Per Ödman", Party: "M"}}}
	p.Votes = []extract.Vote{{
		Proposition: "Ja för förslaget, nej för avslag.",
		Ballots: []extract.Ballot{
			{Member: extract.Person{Name: "Áile Jávo", Party: "S"}, Vote: "ja"},
			{Member: extract.Person{Name: "Per Ödman", Party: "M"}, Vote: "jäv"},
			{Member: extract.Person{Name: "Niillas Šaŋŋa", Party: "V"}, Vote: "nej"},
			{Member: extract.Person{Name: "Anna-Karin Öberg", Party: "-"}, Vote: "frånvarande"},
			{Member: extract.Person{Name: "Ida Ek", Party: "C"}, Vote: "ja"},
		},
		Outcome: "Nämnden beslutar enligt förslaget.",
	}}
	if err := x.Validate(extract.Limits{}); err != nil {
		t.Fatal(err)
	}
	table, after := voteBlocks(t, compose.Build(x, tmpl(t), nil))
	var rows []string
	for _, r := range table.Rows {
		rows = append(rows, strings.Join(r, ","))
	}
	want := []string{"Áile Jávo\u00a0(S),X,,,", "Per Ödman\u00a0(M),,,,jäv, deltar inte", "Niillas Šaŋŋa\u00a0(V),,X,,",
		"Anna-Karin Öberg\u00a0(-),,,,frånvarande", "Ida Ek\u00a0(C),X,,,", "Summa,2,1,0,"}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") || table.Columns[4].Label != "Anmärkning" {
		t.Errorf("roll call\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	if after[0] != "Omröstningsresultat: 2 ja-röster och 1 nej-röst." {
		t.Errorf("result %q", after[0])
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
// with a space ("KS 2024/112") or between it and its label (Dnr), and the
// number reads as it came.
func TestCaseNumberIsOneUnit(t *testing.T) {
	x := load(t, "stress-compounds.json")
	doc := compose.Build(x, tmpl(t), nil)
	h := firstHeading(t, doc)
	last := h.Text[len(h.Text)-1].Text
	if last != "(Dnr\u00a0KS\u00a02024/112)" {
		t.Errorf("case number span %q", last)
	}
	if strings.ReplaceAll(last, "\u00a0", " ") != "(Dnr "+x.Paragraphs[0].CaseNumber+")" {
		t.Errorf("case number changed: %q", last)
	}
}
