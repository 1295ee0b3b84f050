package indextest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/distribute"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// Rec describes a record for the contract tests.
type Rec struct {
	N            int // makes the id
	Organisation string
	Organ        string
	Date         string
	Paragraphs   []int
	Cases        []string
	Titles       []string
	Decision     string
	Certified    int  // certifications
	Draft        bool // the protocol is not justerat yet
}

// ID is the record's extract id.
func ID(n int) string { return fmt.Sprintf("%024x", 0xb000+n) }

// Record builds an archive record with its extract.
func (r Rec) Record() *archive.Record {
	org := r.Organisation
	if org == "" {
		org = "region-jh"
	}
	x := &extract.Extract{Organisation: extract.Organisation{ID: org, Name: org}, Organ: r.Organ,
		Meeting: extract.Meeting{Date: r.Date}}
	for i, n := range r.Paragraphs {
		p := extract.Paragraph{Number: n}
		if i < len(r.Titles) {
			p.Title = r.Titles[i]
		}
		if i < len(r.Cases) {
			p.CaseNumber = r.Cases[i]
		}
		if i == 0 && r.Decision != "" {
			p.Decision = []extract.Block{{Type: extract.BlockParagraph, Text: extract.Text(r.Decision)}}
		}
		x.Paragraphs = append(x.Paragraphs, p)
	}
	rec := &archive.Record{Extract: x, Summary: archive.Summary{
		ID: ID(r.N), Organisation: x.Organisation, Organ: r.Organ, MeetingDate: r.Date,
		Paragraphs: r.Paragraphs, CaseNumbers: r.Cases, Titles: r.Titles, Template: "standard@1",
		Filename: fmt.Sprintf("Utdrag %d.pdf", r.N), Pages: 1, Bytes: 100 + r.N, SHA256: fmt.Sprintf("%064x", r.N),
		Created: time.Date(2025, 1, 1, 0, 0, r.N, 0, time.UTC),
	}}
	if r.Draft {
		x.Justering = extract.Justering{State: extract.JusteringPending}
	} else {
		x.Justering = extract.Justering{State: extract.JusteringAdjusted, Date: r.Date}
	}
	rec.Justering = x.Justerings()
	for v := 1; v <= r.Certified; v++ {
		rec.Certifications = append(rec.Certifications, archive.Certification{Version: v, Name: "Lena Nordin", Title: "Nämndsekreterare"})
	}
	return rec
}

// corpus is the records most contract tests search.
var corpus = []Rec{
	{N: 1, Organ: "Regionstyrelsen", Date: "2023-10-06", Paragraphs: []int{157}, Cases: []string{"RS/412/2023"},
		Titles:   []string{"Framtida uppdrag för Gemensam nämnd för samverkan"},
		Decision: "Regionstyrelsen beslutar att avveckla nämnden och fastställa budgeten för 2024.", Certified: 1},
	{N: 2, Organ: "Regionstyrelsen", Date: "2023-10-06", Paragraphs: []int{158, 159}, Cases: []string{"RS/413/2023", "RS/9/2023"},
		Titles:   []string{"Detaljplaner för Östersunds sjukhus", "Revisionsberättelse"},
		Decision: "Detaljplanerna godkänns."},
	{N: 3, Organ: "Regionstyrelsens arbetsutskott", Date: "2023-11-20", Paragraphs: []int{12}, Cases: []string{"RS/500/2023"},
		Titles:   []string{"Hälso- och sjukvårdens budgetramar"},
		Decision: "Arbetsutskottet föreslår regionstyrelsen att besluta om budgetramar för sjukvården."},
	{N: 4, Organ: "Regionfullmäktige", Date: "2023-06-14", Paragraphs: []int{80}, Cases: []string{"KS 2023/00145"},
		Titles:   []string{"Årsredovisning 2022"},
		Decision: "Fullmäktige godkänner årsredovisningen.", Certified: 2},
	{N: 5, Organ: "Östra nämnden", Date: "2024-01-15", Paragraphs: []int{3}, Cases: []string{"ÖN-2024-0007"},
		Titles:   []string{"Skolskjuts för elever i Åre"},
		Decision: "Nämnden beslutar om skolskjutsar."},
	{N: 6, Organisation: "kommun-x", Organ: "Regionstyrelsen", Date: "2025-02-02", Paragraphs: []int{1}, Cases: []string{"RS/412/2023"},
		Titles: []string{"Budget för en annan organisation"}, Decision: "Budgeten fastställs."},
}

// Run runs the contract against the index database newURL makes.
func Run(t *testing.T, newURL func(t testing.TB) string) {
	t.Run("Migrations", func(t *testing.T) { testMigrations(t, newURL) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, Open(t, newURL(t))) })
	t.Run("Text", func(t *testing.T) { testText(t, Open(t, newURL(t))) })
	t.Run("Registrar", func(t *testing.T) { testRegistrar(t, Open(t, newURL(t))) })
	t.Run("ParagraphScope", func(t *testing.T) { testParagraphScope(t, Open(t, newURL(t))) })
	t.Run("Sorts", func(t *testing.T) { testSorts(t, Open(t, newURL(t))) })
	t.Run("Organs", func(t *testing.T) { testOrgans(t, Open(t, newURL(t))) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, Open(t, newURL(t))) })
	t.Run("NeverBackwards", func(t *testing.T) { testNeverBackwards(t, Open(t, newURL(t))) })
	t.Run("Marks", func(t *testing.T) { testMarks(t, Open(t, newURL(t))) })
	t.Run("Reconcile", func(t *testing.T) { testReconcile(t, Open(t, newURL(t))) })
	t.Run("Rebuild", func(t *testing.T) { testRebuild(t, Open(t, newURL(t))) })
	t.Run("Optimize", func(t *testing.T) { testOptimize(t, Open(t, newURL(t))) })
	runProtocols(t, newURL)
}

func load(t *testing.T, ix *index.Index, recs []Rec) {
	t.Helper()
	var rs []*archive.Record
	for _, r := range recs {
		rs = append(rs, r.Record())
	}
	if err := ix.Put(t.Context(), rs...); err != nil {
		t.Fatal(err)
	}
}

// ids lists the ids f selects, in order, by record number.
func ids(t *testing.T, ix *index.Index, f index.Filter) []int {
	t.Helper()
	p, err := ix.List(t.Context(), f)
	if err != nil {
		t.Fatalf("List(%+v): %v", f, err)
	}
	var out []int
	for _, it := range p.Items {
		for _, r := range corpusAndMore {
			if ID(r) == it.Record.ID {
				out = append(out, r)
			}
		}
		if it.Record.Extract != nil {
			t.Errorf("%s listed with its extract", it.Record.ID)
		}
	}
	return out
}

var corpusAndMore = func() []int {
	var out []int
	for i := range 400 {
		out = append(out, i)
	}
	return out
}()

func want(t *testing.T, what string, got []int, want ...int) {
	t.Helper()
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s: got records %v, want %v", what, got, want)
	}
}

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

// testMigrations: replicas opening one new database at once all succeed,
// and the schema is applied once; opening it again changes nothing.
func testMigrations(t *testing.T, newURL func(t testing.TB) string) {
	u := newURL(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			ix, err := index.Open(ctx, u, index.Options{})
			if err == nil {
				err = ix.Put(ctx, Rec{N: 100 + i, Organ: "Regionstyrelsen", Date: "2023-01-01", Paragraphs: []int{i + 1}}.Record())
				ix.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("opener %d: %v", i, err)
		}
	}
	ix := Open(t, u)
	want(t, "records of the four openers", ids(t, ix, index.Filter{Sort: index.Oldest}), 100, 101, 102, 103)
}

func testFilters(t *testing.T, ix *index.Index) {
	load(t, ix, corpus)
	const org = "region-jh"
	f := func(mod func(*index.Filter)) index.Filter {
		x := index.Filter{Organisation: org}
		mod(&x)
		return x
	}
	want(t, "organisation, newest first then §", ids(t, ix, f(func(*index.Filter) {})), 5, 3, 1, 2, 4)
	want(t, "every organisation", ids(t, ix, index.Filter{}), 6, 5, 3, 1, 2, 4)
	want(t, "oldest first", ids(t, ix, f(func(x *index.Filter) { x.Sort = index.Oldest })), 4, 1, 2, 3, 5)
	want(t, "organ exact, any case", ids(t, ix, f(func(x *index.Filter) { x.Organ = "REGIONSTYRELSEN" })), 1, 2)
	want(t, "organ prefix", ids(t, ix, f(func(x *index.Filter) { x.Organ, x.OrganMatch = "regionstyr", index.Prefix })), 3, 1, 2)
	want(t, "organ partial", ids(t, ix, f(func(x *index.Filter) { x.Organ, x.OrganMatch = "STYRELSE", index.Partial })), 3, 1, 2)
	want(t, "organ partial, Swedish letters", ids(t, ix, f(func(x *index.Filter) { x.Organ, x.OrganMatch = "östra", index.Partial })), 5)
	want(t, "organ partial, no match", ids(t, ix, f(func(x *index.Filter) { x.Organ, x.OrganMatch = "kommunstyrelsen", index.Partial })))
	want(t, "meeting date", ids(t, ix, f(func(x *index.Filter) { x.MeetingDate = "2023-10-06" })), 1, 2)
	want(t, "date range", ids(t, ix, f(func(x *index.Filter) { x.From, x.To = "2023-06-15", "2023-11-20" })), 3, 1, 2)
	want(t, "case exact, any case", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber = "rs/412/2023" })), 1)
	want(t, "case exact is not a prefix", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber = "RS/41" })))
	want(t, "case prefix", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber, x.CaseMatch = "RS/41", index.Prefix })), 1, 2)
	want(t, "case prefix, second number of an extract", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber, x.CaseMatch = "rs/9/", index.Prefix })), 2)
	want(t, "case partial, a part", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber, x.CaseMatch = "412", index.Partial })), 1)
	want(t, "case partial, without leading zeros", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber, x.CaseMatch = "145", index.Partial })), 4)
	want(t, "case partial, Swedish letters", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber, x.CaseMatch = "ön-2024", index.Partial })), 5)
	want(t, "case prefix of two numbers of one extract lists it once", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber, x.CaseMatch = "rs/", index.Prefix })), 3, 1, 2)
	if p, err := ix.List(t.Context(), f(func(x *index.Filter) { x.CaseNumber, x.CaseMatch, x.Limit = "rs/", index.Prefix, 2 })); err != nil || p.Total != 3 {
		t.Errorf("case prefix of two numbers of one extract: total %d (%v), want 3", p.Total, err)
	}
	want(t, "case prefix is not partial", ids(t, ix, f(func(x *index.Filter) { x.CaseNumber, x.CaseMatch = "412", index.Prefix })))
	want(t, "paragraph", ids(t, ix, f(func(x *index.Filter) { x.Paragraph = 159 })), 2)
	want(t, "certified", ids(t, ix, f(func(x *index.Filter) { x.Certified = yes() })), 1, 4)
	want(t, "not certified", ids(t, ix, f(func(x *index.Filter) { x.Certified = no() })), 5, 3, 2)
	want(t, "organ and case together", ids(t, ix, f(func(x *index.Filter) {
		x.Organ, x.OrganMatch, x.CaseNumber, x.CaseMatch = "regionstyrelsen", index.Exact, "RS/4", index.Prefix
	})), 1, 2)

	ctx := t.Context()
	if err := ix.SetDistribution(ctx, ID(1), &distribute.Record{Updated: time.Now(), Counts: distribute.Counts{Recipients: 2, Sent: 2}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.SetDistribution(ctx, ID(4), &distribute.Record{Updated: time.Now(), Counts: distribute.Counts{Recipients: 2, Sent: 1, Pending: 1}}); err != nil {
		t.Fatal(err)
	}
	want(t, "distributed", ids(t, ix, f(func(x *index.Filter) { x.Distributed = yes() })), 1)
	want(t, "not distributed (or not done)", ids(t, ix, f(func(x *index.Filter) { x.Distributed = no() })), 5, 3, 2, 4)
	it, err := ix.Get(ctx, ID(4))
	if err != nil || it.Distribution == nil || it.Distribution.Counts.Pending != 1 || it.Distribution.Done() {
		t.Errorf("distribution of 4: %+v, %v", it.Distribution, err)
	}
	if it.Record.Certified() == nil || it.Record.Certified().Version != 2 || it.Record.SHA256 != fmt.Sprintf("%064x", 4) {
		t.Errorf("record of 4 as indexed: %+v", it.Record)
	}
	if _, err := ix.Get(ctx, ID(99)); err != archive.ErrNotFound {
		t.Errorf("Get of an unknown id: %v, want archive.ErrNotFound", err)
	}
}

func testText(t *testing.T, ix *index.Index) {
	load(t, ix, corpus)
	text := func(q string) []int {
		return ids(t, ix, index.Filter{Organisation: "region-jh", Text: q})
	}
	want(t, "a word of a decision, inflected (budgeten)", text("budget"), 1)
	want(t, "a compound is its own word (budgetramar)", text("budgetramarna"), 3)
	want(t, "an inflected query (budgetar) finds the stem", text("budgetar"), 1)
	want(t, "plural definite in the text, singular asked", text("detaljplan"), 2)
	want(t, "two words, both needed", text("sjukvård budgetramar"), 3)
	want(t, "two words, one missing", text("budget skolskjuts"))
	want(t, "in a title, any case, Swedish letters", text("ÖSTERSUNDS"), 2)
	want(t, "an inflection of a word in a title", text("skolskjutsarna"), 5)
	want(t, "a part of a word is no word", text("skolskj"))
	want(t, "stop words left out", text("och för årsredovisning"), 4)
	want(t, "punctuation is no syntax", text(`"budget" -() : * &|!`), 1)
	want(t, "together with a filter", ids(t, ix, index.Filter{Organisation: "region-jh", Text: "budget", Certified: yes()}), 1)
	want(t, "every organisation's words, without an organisation", ids(t, ix, index.Filter{Text: "budgetar"}), 6, 1)
	want(t, "two words and a case number", ids(t, ix, index.Filter{Organisation: "region-jh", Text: "sjukvård budgetramar", CaseNumber: "rs/5", CaseMatch: index.Prefix}), 3)
	want(t, "two words and another case number", ids(t, ix, index.Filter{Organisation: "region-jh", Text: "sjukvård budgetramar", CaseNumber: "rs/4", CaseMatch: index.Prefix}))
	want(t, "another organisation's words are not found", ids(t, ix, index.Filter{Organisation: "kommun-x", Text: "årsredovisning"}))
}

func testPaging(t *testing.T, ix *index.Index) {
	var recs []Rec
	for i := range 120 {
		recs = append(recs, Rec{N: 200 + i, Organ: "Regionstyrelsen", Date: fmt.Sprintf("2024-%02d-%02d", 1+i%12, 1+i/12), Paragraphs: []int{i + 1}})
	}
	load(t, ix, recs)
	all := ids(t, ix, index.Filter{Limit: 500})
	if len(all) != 120 {
		t.Fatalf("%d records listed, want 120", len(all))
	}
	var paged []int
	for off := 0; off < 120; off += 50 {
		p, err := ix.List(t.Context(), index.Filter{Limit: 50, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 120 || p.TotalCapped {
			t.Errorf("page at %d: total %d (capped %v), want 120", off, p.Total, p.TotalCapped)
		}
		paged = append(paged, ids(t, ix, index.Filter{Limit: 50, Offset: off})...)
	}
	want(t, "pages put together", paged, all...)
	p, err := ix.List(t.Context(), index.Filter{Limit: 50, Offset: 500})
	if err != nil || len(p.Items) != 0 || p.Total != 120 {
		t.Errorf("past the end: %d items, total %d, %v", len(p.Items), p.Total, err)
	}
}

// testNeverBackwards: a slow writer's older state never replaces a newer
// one, for certifications and for distribution.
func testNeverBackwards(t *testing.T, ix *index.Index) {
	ctx := t.Context()
	load(t, ix, []Rec{{N: 1, Organ: "Regionstyrelsen", Date: "2023-10-06", Paragraphs: []int{1}, Certified: 2}})
	load(t, ix, []Rec{{N: 1, Organ: "Regionstyrelsen", Date: "2023-10-06", Paragraphs: []int{1}, Certified: 1}})
	load(t, ix, []Rec{{N: 1, Organ: "Regionstyrelsen", Date: "2023-10-06", Paragraphs: []int{1}}})
	it, err := ix.Get(ctx, ID(1))
	if err != nil || len(it.Record.Certifications) != 2 {
		t.Fatalf("after older writes: %d certifications, %v; want 2", len(it.Record.Certifications), err)
	}
	want(t, "paragraph indexed once", ids(t, ix, index.Filter{Paragraph: 1}), 1)
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	done := &distribute.Record{Updated: t0.Add(time.Second), Counts: distribute.Counts{Recipients: 1, Sent: 1}}
	older := &distribute.Record{Updated: t0, Counts: distribute.Counts{Recipients: 1, Pending: 1}}
	if err := ix.SetDistribution(ctx, ID(1), done); err != nil {
		t.Fatal(err)
	}
	if err := ix.SetDistribution(ctx, ID(1), older); err != nil {
		t.Fatal(err)
	}
	want(t, "distributed after an older state came late", ids(t, ix, index.Filter{Distributed: yes()}), 1)
}

func testMarks(t *testing.T, ix *index.Index) {
	ctx := t.Context()
	rec := Rec{N: 7, Organ: "Regionstyrelsen", Date: "2023-10-06", Paragraphs: []int{7}}.Record()
	a, err := ix.Begin(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ix.Begin(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	marks, err := ix.Marks(ctx, 0, 10)
	if err != nil || len(marks) != 1 || marks[0].ID != rec.ID {
		t.Fatalf("marks after two Begins: %+v, %v", marks, err)
	}
	ix.Done(ctx, rec.ID, a, rec)
	want(t, "written by Done", ids(t, ix, index.Filter{}), 7)
	if marks, _ := ix.Marks(ctx, 0, 10); len(marks) != 1 {
		t.Errorf("the first writer's Done removed the mark the second one holds: %+v", marks)
	}
	if oldest, err := ix.Oldest(ctx); err != nil || oldest.IsZero() || time.Since(oldest) > time.Minute {
		t.Errorf("oldest mark: %v, %v", oldest, err)
	}
	ix.Done(ctx, rec.ID, b, nil)
	if marks, _ := ix.Marks(ctx, 0, 10); len(marks) != 1 {
		t.Errorf("a Done without record (outcome unknown) removed the mark: %+v", marks)
	}
	ix.Done(ctx, rec.ID, b, rec)
	if marks, _ := ix.Marks(ctx, 0, 10); len(marks) != 0 {
		t.Errorf("marks left after the last Done: %+v", marks)
	}
	if oldest, err := ix.Oldest(ctx); err != nil || !oldest.IsZero() {
		t.Errorf("oldest mark with none: %v, %v", oldest, err)
	}
	if _, err := ix.Begin(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	if marks, _ := ix.Marks(ctx, time.Hour, 10); len(marks) != 0 {
		t.Errorf("a fresh mark is listed as older than an hour: %+v", marks)
	}
}

// testReconcile: writes whose index update never came — a record written
// to storage after Begin, then a crash; a certification the same way; a
// create that failed before its record — are repaired by one pass, and
// the pass reports the lag it found.
func testReconcile(t *testing.T, ix *index.Index) {
	ctx := t.Context()
	store := storagetest.FS(t)
	plain := archive.New(store) // writes storage, tells no index: a crash before Done
	r1 := Rec{N: 1, Organ: "Regionstyrelsen", Date: "2023-10-06", Paragraphs: []int{1}, Cases: []string{"RS/1/2023"}}.Record()
	r2 := Rec{N: 2, Organ: "Regionstyrelsen", Date: "2023-10-07", Paragraphs: []int{2}}.Record()
	gone := Rec{N: 3, Organ: "Regionstyrelsen", Date: "2023-10-08", Paragraphs: []int{3}}.Record()
	indexed := archive.New(store)
	indexed.SetIndexer(ix)
	if _, _, err := indexed.Create(ctx, r2, []byte("%PDF-2"), nil); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{r1.ID, r2.ID, gone.ID} {
		if _, err := ix.Begin(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := plain.Create(ctx, r1, []byte("%PDF-1"), nil); err != nil {
		t.Fatal(err)
	}
	got, etag, err := plain.Get(ctx, r2.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.Certifications = append(got.Certifications, archive.Certification{Version: 1, Name: "Lena Nordin"})
	if err := plain.Update(ctx, got, etag); err != nil {
		t.Fatal(err)
	}
	if err := ix.Put(ctx, gone); err != nil { // indexed, but storage never got it
		t.Fatal(err)
	}
	want(t, "before the pass", ids(t, ix, index.Filter{}), 3, 2)

	var lag time.Duration
	rc := index.Reconciler{Index: ix, Source: index.Source{Archive: plain}, Grace: time.Nanosecond,
		Observe: func(l time.Duration, _ int) { lag = l }}
	time.Sleep(2 * time.Millisecond)
	n, err := rc.Pass(ctx)
	if err != nil || n != 3 {
		t.Fatalf("pass repaired %d, %v; want 3", n, err)
	}
	want(t, "after the pass", ids(t, ix, index.Filter{}), 2, 1)
	want(t, "certified after the pass", ids(t, ix, index.Filter{Certified: yes()}), 2)
	want(t, "case number found after the pass", ids(t, ix, index.Filter{CaseNumber: "rs/1/2023"}), 1)
	if lag != 0 {
		t.Errorf("lag after a pass that repaired everything: %v", lag)
	}
	if _, err := ix.Begin(ctx, r1.ID); err != nil {
		t.Fatal(err)
	}
	rc.Grace = time.Hour
	if n, err := rc.Pass(ctx); err != nil || n != 0 || lag <= 0 || lag > time.Minute {
		t.Errorf("pass with a fresh mark in its grace: repaired %d, lag %v, %v; want 0 and a small lag", n, lag, err)
	}
}

// testRebuild: a rebuild from storage writes every record and
// distribution and removes what storage does not hold.
func testRebuild(t *testing.T, ix *index.Index) {
	ctx := t.Context()
	store := storagetest.FS(t)
	a := archive.New(store)
	for _, r := range corpus {
		if _, _, err := a.Create(ctx, r.Record(), []byte(fmt.Sprintf("%%PDF-%d", r.N)), nil); err != nil {
			t.Fatal(err)
		}
	}
	raw := []byte(`{"extractId":"` + ID(2) + `","updated":"2025-03-01T10:00:00Z","counts":{"recipients":1,"sent":1}}`)
	if _, err := store.Put(ctx, archive.DistributionKey(ID(2)), raw, storage.PutOptions{ContentType: "application/json"}); err != nil {
		t.Fatal(err)
	}
	stale := Rec{N: 42, Organ: "Regionstyrelsen", Date: "2030-01-01", Paragraphs: []int{1}}.Record()
	if err := ix.Put(ctx, stale); err != nil {
		t.Fatal(err)
	}
	st, err := ix.Rebuild(ctx, index.Source{Archive: a}, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != len(corpus) || st.Removed != 1 {
		t.Errorf("rebuild: %+v; want %d records, 1 removed", st, len(corpus))
	}
	want(t, "after rebuild", ids(t, ix, index.Filter{}), 6, 5, 3, 1, 2, 4)
	want(t, "distributed after rebuild", ids(t, ix, index.Filter{Distributed: yes()}), 2)
	want(t, "text after rebuild", ids(t, ix, index.Filter{Organisation: "region-jh", Text: "budget"}), 1)
	if when, err := ix.Rebuilt(ctx); err != nil || time.Since(when) > time.Minute {
		t.Errorf("rebuild time: %v, %v", when, err)
	}
}

// testOptimize: statistics are taken when the index has grown, and the
// listing answers the same afterwards.
func testOptimize(t *testing.T, ix *index.Index) {
	load(t, ix, corpus)
	before := ids(t, ix, index.Filter{Organisation: "region-jh", CaseNumber: "rs/4", CaseMatch: index.Prefix})
	for range 2 {
		if err := ix.Optimize(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	want(t, "after optimizing", ids(t, ix, index.Filter{Organisation: "region-jh", CaseNumber: "rs/4", CaseMatch: index.Prefix}), before...)
}
