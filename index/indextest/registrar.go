package indextest

import (
	"testing"

	"utdrag/index"
)

// registry is a municipality's archive as a registrar searches it: organs
// with long names, case numbers with a prefix, paragraphs in runs, drafts.
var registry = []Rec{
	{N: 301, Organisation: "kommun-k", Organ: "Barn- och utbildningsnämnden", Date: "2024-03-12", Paragraphs: []int{80},
		Cases: []string{"BUN 2024/0031"}, Titles: []string{"Skolskjuts läsåret 2024/2025"}},
	{N: 302, Organisation: "kommun-k", Organ: "Barn- och utbildningsnämnden", Date: "2024-03-12", Paragraphs: []int{81, 82},
		Cases: []string{"BUN 2024/0032", "BUN 2024/0040"}, Titles: []string{"Förskolans lokaler", "Delegationsbeslut"}, Certified: 1},
	{N: 303, Organisation: "kommun-k", Organ: "Kommunstyrelsen", Date: "2024-05-06", Paragraphs: []int{79},
		Cases: []string{"KS 2024/0112"}, Titles: []string{"Budget 2025 för barn och unga"}},
	{N: 304, Organisation: "kommun-k", Organ: "Kommunstyrelsen", Date: "2024-06-10", Paragraphs: []int{83},
		Cases: []string{"KS 2024/0150"}, Titles: []string{"Detaljplan för Norra hamnen"}, Draft: true},
	{N: 305, Organisation: "kommun-k", Organ: "Kommunstyrelsen", Date: "2023-02-01", Paragraphs: []int{12},
		Cases: []string{"KS 2023/0112"}, Titles: []string{"Årsredovisning 2022"}, Certified: 2},
	{N: 306, Organisation: "kommun-k", Organ: "Miljö- och byggnadsnämnden", Date: "2025-01-20", Paragraphs: []int{5},
		Cases: []string{"MBN 2024/0112"}, Titles: []string{"Bygglov för förskola"}, Draft: true},
	{N: 307, Organisation: "kommun-andra", Organ: "Barnnämnden", Date: "2024-03-12", Paragraphs: []int{80},
		Cases: []string{"KS 2024/0112"}, Titles: []string{"En annan kommuns skolskjuts"}},
}

// testRegistrar: the searches a registrar makes, as the clerk interface
// asks them of the index (organ and case number partial, within one
// organisation).
func testRegistrar(t *testing.T, ix *index.Index) {
	load(t, ix, registry)
	f := func(mod func(*index.Filter)) []int {
		x := index.Filter{Organisation: "kommun-k", OrganMatch: index.Partial, CaseMatch: index.Partial}
		mod(&x)
		return ids(t, ix, x)
	}
	want(t, `organ "Barn", start of a word, any case`, f(func(x *index.Filter) { x.Organ = "barn" }), 301, 302)
	want(t, `organ "UTBILDNING", inside a word`, f(func(x *index.Filter) { x.Organ = "UTBILDNING" }), 301, 302)
	want(t, `organ "Miljö- och bygg"`, f(func(x *index.Filter) { x.Organ = "Miljö- och bygg" }), 306)
	want(t, `organ "Miljö och byggnadsnämnden", without the hyphen`, f(func(x *index.Filter) { x.Organ = "Miljö och byggnadsnämnden" }), 306)
	want(t, `organ "barn-och", a hyphen for the space`, f(func(x *index.Filter) { x.Organ = "barn-och" }), 301, 302)
	want(t, `organ "- och", no word`, f(func(x *index.Filter) { x.Organ = "nämnden-x" }))
	want(t, `case "2024/0112" without its prefix`, f(func(x *index.Filter) { x.CaseNumber = "2024/0112" }), 306, 303)
	want(t, `case "KS 2024/0112" with its prefix`, f(func(x *index.Filter) { x.CaseNumber = "KS 2024/0112" }), 303)
	want(t, `case "KS 2024", every KS number of 2024`, f(func(x *index.Filter) { x.CaseNumber = "ks 2024" }), 304, 303)
	want(t, `case "ks  2024" with two spaces`, f(func(x *index.Filter) { x.CaseNumber = "ks  2024" }), 304, 303)
	want(t, `case "0112", the serial alone`, f(func(x *index.Filter) { x.CaseNumber = "0112" }), 306, 303, 305)
	want(t, "§ 80-82 finds each extract holding one of them", f(func(x *index.Filter) { x.Paragraph, x.ParagraphTo = 80, 82 }), 301, 302)
	want(t, "§ 82-83 finds an extract by its second §", f(func(x *index.Filter) { x.Paragraph, x.ParagraphTo = 82, 83 }), 304, 302)
	want(t, "§ 80-80 is § 80", f(func(x *index.Filter) { x.Paragraph, x.ParagraphTo = 80, 80 }), 301)
	want(t, "§ 82, the second of an extract", f(func(x *index.Filter) { x.Paragraph = 82 }), 302)
	want(t, "§ 84-90, none", f(func(x *index.Filter) { x.Paragraph, x.ParagraphTo = 84, 90 }))
	want(t, "title word", f(func(x *index.Filter) { x.Text = "skolskjuts" }), 301)
	want(t, "title word, inflected", f(func(x *index.Filter) { x.Text = "förskolor" }), 306)
	want(t, "ej bestyrkt", f(func(x *index.Filter) { x.Certified = no() }), 306, 304, 303, 301)
	want(t, "justerad", f(func(x *index.Filter) { x.Adjusted = yes() }), 303, 301, 302, 305)
	want(t, "ej justerad", f(func(x *index.Filter) { x.Adjusted = no() }), 306, 304)
	want(t, "ej justerad and ej bestyrkt in KS", f(func(x *index.Filter) {
		x.Organ, x.Adjusted, x.Certified = "kommunstyrelsen", no(), no()
	}), 304)
	want(t, "ej expedierat", f(func(x *index.Filter) { x.Distributed = no() }), 306, 304, 303, 301, 302, 305)
	want(t, "range, organ, case and status together", f(func(x *index.Filter) {
		x.Organ, x.CaseNumber, x.Paragraph, x.ParagraphTo, x.Certified = "barn", "bun 2024", 79, 85, yes()
	}), 302)
}

// testSorts: each sort and its reverse, with the order among equals that
// keeps pages from overlapping.
func testSorts(t *testing.T, ix *index.Index) {
	load(t, ix, registry)
	s := func(sort index.Sort) []int { return ids(t, ix, index.Filter{Organisation: "kommun-k", Sort: sort}) }
	want(t, "newest", s(index.Newest), 306, 304, 303, 301, 302, 305)
	want(t, "oldest", s(index.Oldest), 305, 301, 302, 303, 304, 306)
	want(t, "§ ascending", s(index.ParagraphAsc), 306, 305, 303, 301, 302, 304)
	want(t, "§ descending", s(index.ParagraphDesc), 304, 302, 301, 303, 305, 306)
	want(t, "organ A–Ö, newest first within", s(index.OrganAsc), 301, 302, 304, 303, 305, 306)
	want(t, "organ Ö–A, newest first within", s(index.OrganDesc), 306, 304, 303, 305, 301, 302)
	var paged []int
	for off := 0; off < 6; off += 2 {
		paged = append(paged, ids(t, ix, index.Filter{Organisation: "kommun-k", Sort: index.OrganDesc, Limit: 2, Offset: off})...)
	}
	want(t, "organ Ö–A in pages of two", paged, 306, 304, 303, 305, 301, 302)
	want(t, "an unknown sort is newest", s(index.Sort(99)), 306, 304, 303, 301, 302, 305)
}

// testOrgans: the organs offered to choose from, each once in its
// organisation, in the spelling of its newest extract.
func testOrgans(t *testing.T, ix *index.Index) {
	ctx := t.Context()
	if got, err := ix.Organs(ctx, "kommun-k"); err != nil || len(got) != 0 {
		t.Errorf("organs of an empty index: %q, %v", got, err)
	}
	load(t, ix, registry)
	load(t, ix, []Rec{{N: 308, Organisation: "kommun-k", Organ: "KOMMUNSTYRELSEN", Date: "2022-01-01", Paragraphs: []int{1}}})
	got, err := ix.Organs(ctx, "kommun-k")
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{"Barn- och utbildningsnämnden", "Kommunstyrelsen", "Miljö- och byggnadsnämnden"}; !equal(got, w) {
		t.Errorf("organs of kommun-k: %q, want %q", got, w)
	}
	all, err := ix.Organs(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if w := []string{"Barn- och utbildningsnämnden", "Barnnämnden", "Kommunstyrelsen", "Miljö- och byggnadsnämnden"}; !equal(all, w) {
		t.Errorf("organs of every organisation: %q, want %q", all, w)
	}
	if err := ix.Remove(ctx, ID(306)); err != nil {
		t.Fatal(err)
	}
	if got, _ := ix.Organs(ctx, "kommun-k"); len(got) != 2 {
		t.Errorf("organs after the only extract of one was removed: %q", got)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// neighbours are two organisations whose organs are named alike and
// whose paragraphs are numbered alike, at the same meeting.
var neighbours = []Rec{
	{N: 311, Organisation: "kommun-k", Organ: "Barn- och utbildningsnämnden", Date: "2024-03-12", Paragraphs: []int{80}},
	{N: 312, Organisation: "kommun-k", Organ: "Barn- och utbildningsnämnden", Date: "2024-03-12", Paragraphs: []int{81, 82}},
	{N: 313, Organisation: "kommun-andra", Organ: "Barn- och utbildningsnämnden", Date: "2024-03-12", Paragraphs: []int{80}},
	{N: 314, Organisation: "kommun-andra", Organ: "Barn- och utbildningsnämnden", Date: "2024-03-12", Paragraphs: []int{82, 83}},
}

// ParagraphScope: a search by § within an organisation finds every
// extract of its own holding those § and none of another organisation
// numbering its paragraphs alike; across organisations, all of them.
// Exported for the migration test, which runs it on rows written before
// paragraphs knew their organisation.
func ParagraphScope(t *testing.T, ix *index.Index) {
	t.Helper()
	for _, c := range []struct {
		what, org string
		from, to  int
		want      []int
	}{
		{"§ 80-82 of kommun-k", "kommun-k", 80, 82, []int{311, 312}},
		{"§ 80-82 of kommun-andra", "kommun-andra", 80, 82, []int{313, 314}},
		{"§ 80 of kommun-k", "kommun-k", 80, 0, []int{311}},
		{"§ 83 of kommun-k, only another's", "kommun-k", 83, 0, nil},
		{"§ 83-90 of kommun-k, only another's", "kommun-k", 83, 90, nil},
		{"§ 82-83 of kommun-andra", "kommun-andra", 82, 83, []int{314}},
		{"§ 80-82 of every organisation", "", 80, 82, []int{311, 313, 312, 314}},
		{"§ 82 of every organisation", "", 82, 0, []int{312, 314}},
	} {
		for _, organ := range []string{"", "barn"} {
			f := index.Filter{Organisation: c.org, Organ: organ, OrganMatch: index.Partial,
				Paragraph: c.from, ParagraphTo: c.to, Sort: index.ParagraphAsc}
			what := c.what
			if organ != "" {
				what += `, organ "barn"`
			}
			want(t, what, ids(t, ix, f), c.want...)
			f.Limit = 1
			if p, err := ix.List(t.Context(), f); err != nil || p.Total != len(c.want) {
				t.Errorf("%s: total %d (%v), want %d", what, p.Total, err, len(c.want))
			}
		}
	}
}

func testParagraphScope(t *testing.T, ix *index.Index) {
	load(t, ix, neighbours)
	ParagraphScope(t, ix)
}

// LoadNeighbours writes the records ParagraphScope searches.
func LoadNeighbours(t *testing.T, ix *index.Index) { load(t, ix, neighbours) }
