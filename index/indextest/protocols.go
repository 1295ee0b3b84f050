package indextest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// Proto describes a protocol record for the contract tests.
type Proto struct {
	N            int // makes the id
	Organisation string
	Name         string // the organisation's name
	Organ        string
	Date         string // the meeting's
	Posted       string // the anslag's day; empty: not posted
	Certified    int    // certifications
	Immediate    int    // a paragraph declared omedelbart justerad
	Pending      bool   // the protocol is not justerat yet
}

// ProtocolID is the protocol's id.
func ProtocolID(n int) string { return fmt.Sprintf("%024x", 0xc000+n) }

// Record builds a protocol record with its input: three paragraphs from
// § 10 with text, the justering a week after the meeting.
func (p Proto) Record() *archive.ProtocolRecord {
	org := p.Organisation
	if org == "" {
		org = "region-jh"
	}
	name := p.Name
	if name == "" {
		name = org
	}
	meeting, _ := time.Parse(time.DateOnly, p.Date)
	x := extract.Extract{Organisation: extract.Organisation{ID: org, Name: name}, Organ: p.Organ,
		Meeting: extract.Meeting{Date: p.Date}}
	if p.Pending {
		x.Justering = extract.Justering{State: extract.JusteringPending, Date: meeting.AddDate(0, 0, 7).Format(time.DateOnly)}
	} else {
		x.Justering = extract.Justering{State: extract.JusteringAdjusted, Date: meeting.AddDate(0, 0, 7).Format(time.DateOnly)}
	}
	for n := 10; n < 13; n++ {
		x.Paragraphs = append(x.Paragraphs, extract.Paragraph{Number: n, Title: fmt.Sprintf("Ärende %d", n),
			CaseNumber:          fmt.Sprintf("KS/%d/2025", n),
			Decision:            []extract.Block{{Type: extract.BlockParagraph, Text: extract.Text("Förslaget bifalls.")}},
			ImmediatelyAdjusted: n == p.Immediate})
	}
	prot := &extract.Protocol{Extract: x}
	if p.Posted != "" {
		prot.Anslag = &extract.Anslag{Posted: p.Posted, KeptAt: "Kommunkansliet"}
	}
	rec := &archive.ProtocolRecord{ID: ProtocolID(p.N), Organisation: x.Organisation, Organ: p.Organ, MeetingDate: p.Date,
		Paragraphs: prot.Numbers(), Digests: prot.Digests(), Template: "standard@1", Filename: fmt.Sprintf("Protokoll %d.pdf", p.N),
		Pages: 3, Bytes: 1000 + p.N, SHA256: fmt.Sprintf("%064x", 0xc000+p.N),
		Created: time.Date(2025, 1, 1, 0, 0, p.N, 0, time.UTC), Protocol: prot}
	for v := 1; v <= p.Certified; v++ {
		rec.Certifications = append(rec.Certifications, archive.Certification{Version: v, Name: "Lena Nordin", Title: "Nämndsekreterare"})
	}
	return rec
}

// protocols are the records the protocol tests list.
var protocols = []Proto{
	{N: 1, Organ: "Kommunstyrelsen", Date: "2025-03-11", Posted: "2025-03-20", Certified: 1, Immediate: 11},
	{N: 2, Organ: "Kommunstyrelsen", Date: "2025-04-08", Pending: true},
	{N: 3, Organ: "Kommunfullmäktige", Date: "2025-04-08", Posted: "2025-04-17"},
	{N: 4, Organ: "Kommunstyrelsen", Date: "2025-05-06", Posted: "2025-05-15"},
	{N: 5, Organisation: "kommun-x", Name: "Kommun X", Organ: "Kommunstyrelsen", Date: "2025-06-01", Posted: "2025-06-10"},
	{N: 6, Organ: "Kommunstyrelsen", Date: "2025-04-08", Posted: "2025-04-17"}, // same meeting as 2, made later
}

// runProtocols runs the protocol part of the contract.
func runProtocols(t *testing.T, newURL func(t testing.TB) string) {
	t.Run("Protocols", func(t *testing.T) { testProtocols(t, Open(t, newURL(t))) })
	t.Run("ProtocolReconcile", func(t *testing.T) { testProtocolReconcile(t, Open(t, newURL(t))) })
	t.Run("ProtocolRebuild", func(t *testing.T) { testProtocolRebuild(t, Open(t, newURL(t))) })
}

// protocolIDs lists the protocols f selects, in order, by number.
func protocolIDs(t *testing.T, ix *index.Index, f index.ProtocolFilter) []int {
	t.Helper()
	recs, err := ix.Protocols(t.Context(), f)
	if err != nil {
		t.Fatalf("Protocols(%+v): %v", f, err)
	}
	out := []int{}
	for _, r := range recs {
		n := -1
		for k := range 100 {
			if ProtocolID(k) == r.ID {
				n = k
			}
		}
		out = append(out, n)
	}
	return out
}

func wantProtocols(t *testing.T, what string, got []int, want ...int) {
	t.Helper()
	if want == nil {
		want = []int{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: protocols %v, want %v", what, got, want)
	}
}

// testProtocols: the listing by organisation, organ and anslag, in the
// archive's order; the listed record keeps what the listing and the
// notice board compute from; a record with fewer certifications never
// replaces one with more.
func testProtocols(t *testing.T, ix *index.Index) {
	ctx := t.Context()
	var recs []*archive.ProtocolRecord
	for _, p := range protocols {
		recs = append(recs, p.Record())
	}
	if err := ix.PutProtocols(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	wantProtocols(t, "all", protocolIDs(t, ix, index.ProtocolFilter{}), 5, 4, 6, 3, 2, 1)
	wantProtocols(t, "one organisation", protocolIDs(t, ix, index.ProtocolFilter{Organisation: "region-jh"}), 4, 6, 3, 2, 1)
	wantProtocols(t, "another", protocolIDs(t, ix, index.ProtocolFilter{Organisation: "kommun-x"}), 5)
	wantProtocols(t, "no such organisation", protocolIDs(t, ix, index.ProtocolFilter{Organisation: "region"}))
	wantProtocols(t, "organ, any case and spacing", protocolIDs(t, ix,
		index.ProtocolFilter{Organisation: "region-jh", Organ: "  KOMMUNSTYRELSEN "}), 4, 6, 2, 1)
	wantProtocols(t, "organ prefix is no match", protocolIDs(t, ix, index.ProtocolFilter{Organ: "Kommun"}))
	wantProtocols(t, "posted by the day of 3 and 6", protocolIDs(t, ix,
		index.ProtocolFilter{Organisation: "region-jh", PostedBy: "2025-04-17"}), 6, 3, 1)
	wantProtocols(t, "posted the day before", protocolIDs(t, ix,
		index.ProtocolFilter{Organisation: "region-jh", PostedBy: "2025-04-16"}), 1)
	wantProtocols(t, "posted, before any", protocolIDs(t, ix, index.ProtocolFilter{PostedBy: "2025-01-01"}))

	got, err := ix.Protocols(ctx, index.ProtocolFilter{Organisation: "region-jh", Organ: "kommunstyrelsen"})
	if err != nil || len(got) != 4 {
		t.Fatalf("listing: %d, %v", len(got), err)
	}
	first, pending := got[3], got[2] // protocols 1 and 2
	src := recs[0]
	if first.SHA256 != src.SHA256 || first.Filename != src.Filename || !first.Created.Equal(src.Created) ||
		!slices.Equal(first.Digests, src.Digests) || !slices.Equal(first.Paragraphs, src.Paragraphs) ||
		first.Certified() == nil || first.Certified().Name != "Lena Nordin" {
		t.Errorf("listed record differs from the stored one: %+v", first)
	}
	if first.Protocol == nil || first.Protocol.Anslag == nil || first.Protocol.Anslag.KeptAt != "Kommunkansliet" ||
		first.Protocol.Justering.Date != src.Protocol.Justering.Date {
		t.Fatalf("listed record lost the anslag or the justering: %+v", first.Protocol)
	}
	if !slices.Equal(first.Protocol.Justerings(), src.Protocol.Justerings()) ||
		!slices.Equal(pending.Protocol.Justerings(), recs[1].Protocol.Justerings()) {
		t.Errorf("justering per paragraph differs: listed %+v / %+v, stored %+v / %+v", first.Protocol.Justerings(),
			pending.Protocol.Justerings(), src.Protocol.Justerings(), recs[1].Protocol.Justerings())
	}
	if len(extract.Pending(pending.Protocol.Justerings())) != 3 || len(extract.Pending(first.Protocol.Justerings())) != 0 {
		t.Errorf("pending paragraphs: %v / %v", pending.Protocol.Justerings(), first.Protocol.Justerings())
	}
	if first.Protocol.Paragraphs[0].Title != "" || len(first.Protocol.Paragraphs[0].Decision) != 0 {
		t.Errorf("the listed record holds the paragraphs' text: %+v", first.Protocol.Paragraphs[0])
	}

	// A slow writer with the record before its certification.
	if err := ix.PutProtocols(ctx, Proto{N: 1, Organ: "Kommunstyrelsen", Date: "2025-03-11", Posted: "2025-03-20"}.Record()); err != nil {
		t.Fatal(err)
	}
	if got, _ := ix.Protocols(ctx, index.ProtocolFilter{Organisation: "region-jh", Organ: "kommunstyrelsen"}); len(got) != 4 || len(got[3].Certifications) != 1 {
		t.Errorf("an older record took a certification back")
	}
	two := protocols[0]
	two.Certified = 2
	if err := ix.PutProtocols(ctx, two.Record()); err != nil {
		t.Fatal(err)
	}
	if got, _ := ix.Protocols(ctx, index.ProtocolFilter{Organisation: "region-jh", Organ: "kommunstyrelsen"}); len(got) != 4 || len(got[3].Certifications) != 2 {
		t.Errorf("a newer certification was not taken")
	}

	if org, ok, err := ix.ProtocolOrganisation(ctx, "kommun-x"); err != nil || !ok || org.Name != "Kommun X" {
		t.Errorf("organisation of kommun-x: %+v %v %v", org, ok, err)
	}
	if _, ok, err := ix.ProtocolOrganisation(ctx, "okand"); err != nil || ok {
		t.Errorf("organisation without protocols: %v %v", ok, err)
	}
	if err := ix.RemoveProtocol(ctx, ProtocolID(5)); err != nil {
		t.Fatal(err)
	}
	wantProtocols(t, "after removing", protocolIDs(t, ix, index.ProtocolFilter{Organisation: "kommun-x"}))
}

// testProtocolReconcile: protocol writes whose index update never came —
// a create, a certification interrupted after its PDF, a protocol the
// index holds that storage never got — are repaired by one pass, beside
// an extract's, and a mark of a protocol is not an extract's.
func testProtocolReconcile(t *testing.T, ix *index.Index) {
	ctx := t.Context()
	store := storagetest.FS(t)
	plain := archive.New(store) // writes storage, tells no index: a crash before Done
	created := protocols[0]
	created.Certified = 0
	certified := protocols[3]
	gone := protocols[2]

	// Indexed as the service does it, then certified up to its PDF only.
	rc := certified.Record()
	tok, err := ix.BeginProtocol(ctx, rc.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, _, err := plain.CreateProtocol(ctx, rc, []byte("%PDF-c"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ix.ProtocolDone(ctx, rc.ID, tok, stored)
	if marks, _ := ix.Marks(ctx, 0, 10); len(marks) != 0 {
		t.Fatalf("marks left after ProtocolDone: %+v", marks)
	}
	wantProtocols(t, "created and indexed", protocolIDs(t, ix, index.ProtocolFilter{}), certified.N)
	if _, err := ix.BeginProtocol(ctx, rc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(ctx, archive.ProtocolCertifiedKey(rc.ID, 1), []byte("%PDF-signed"),
		storage.PutOptions{ContentType: "application/pdf", IfNoneMatch: true}); err != nil {
		t.Fatal(err)
	}

	rn := created.Record()
	if _, err := ix.BeginProtocol(ctx, rn.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := plain.CreateProtocol(ctx, rn, []byte("%PDF-n"), nil); err != nil {
		t.Fatal(err)
	}
	rg := gone.Record()
	if err := ix.PutProtocols(ctx, rg); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.BeginProtocol(ctx, rg.ID); err != nil {
		t.Fatal(err)
	}
	// An extract whose id is the protocol's: its mark is its own.
	x := Rec{N: 1, Organ: "Kommunstyrelsen", Date: "2025-03-11", Paragraphs: []int{10}}.Record()
	x.ID = rn.ID
	if _, err := ix.Begin(ctx, x.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := plain.Create(ctx, x, []byte("%PDF-x"), nil); err != nil {
		t.Fatal(err)
	}
	wantProtocols(t, "before the pass", protocolIDs(t, ix, index.ProtocolFilter{}), certified.N, gone.N)

	r := index.Reconciler{Index: ix, Source: index.Source{Archive: plain}, Grace: time.Nanosecond}
	time.Sleep(2 * time.Millisecond)
	n, err := r.Pass(ctx)
	if err != nil || n != 4 {
		t.Fatalf("pass repaired %d, %v; want 4", n, err)
	}
	wantProtocols(t, "after the pass", protocolIDs(t, ix, index.ProtocolFilter{}), certified.N, created.N)
	got, err := ix.Protocols(ctx, index.ProtocolFilter{Organ: certified.Organ})
	if err != nil || len(got) != 2 {
		t.Fatalf("listing: %d, %v", len(got), err)
	}
	if c := got[0].Certified(); c == nil || c.SHA256 != archive.Checksum([]byte("%PDF-signed")) {
		t.Errorf("the interrupted certification stored in full is not listed: %+v", got[0].Certifications)
	}
	if p, err := ix.List(ctx, index.Filter{}); err != nil || len(p.Items) != 1 || p.Items[0].Record.ID != x.ID {
		t.Errorf("the extract beside the protocols: %+v, %v", p, err)
	}
	if marks, _ := ix.Marks(ctx, 0, 10); len(marks) != 0 {
		t.Errorf("marks left after the pass: %+v", marks)
	}
}

// testProtocolRebuild: a rebuild from storage writes every recorded
// protocol, passes over a folder without a record and removes what
// storage does not hold; RebuildProtocols alone does the same.
func testProtocolRebuild(t *testing.T, ix *index.Index) {
	ctx := t.Context()
	store := storagetest.FS(t)
	a := archive.New(store)
	// Distinct meetings: the archive stamps its own creation times.
	for _, p := range []Proto{protocols[0], protocols[1], protocols[3], protocols[4]} {
		if _, _, err := a.CreateProtocol(ctx, p.Record(), []byte(fmt.Sprintf("%%PDF-%d", p.N)), nil); err != nil {
			t.Fatal(err)
		}
	}
	// An interrupted create: a PDF, no record.
	if _, err := store.Put(ctx, archive.ProtocolPDFKey(ProtocolID(9)), []byte("%PDF-9"), storage.PutOptions{IfNoneMatch: true}); err != nil {
		t.Fatal(err)
	}
	if ok, err := ix.ProtocolsRebuilt(ctx); err != nil || ok {
		t.Errorf("a new index reports its protocols rebuilt: %v %v", ok, err)
	}
	if err := ix.PutProtocols(ctx, protocols[5].Record()); err != nil { // indexed, never stored
		t.Fatal(err)
	}
	st, err := ix.Rebuild(ctx, index.Source{Archive: a}, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Protocols != 4 || st.Removed != 1 {
		t.Errorf("rebuild: %+v; want 4 protocols, 1 removed", st)
	}
	wantProtocols(t, "after rebuild", protocolIDs(t, ix, index.ProtocolFilter{}), 5, 4, 2, 1)
	if ok, err := ix.ProtocolsRebuilt(ctx); err != nil || !ok {
		t.Errorf("protocols rebuilt: %v %v", ok, err)
	}
	// Storage loses one (a bucket restored from an older copy).
	if err := store.Delete(context.WithoutCancel(ctx), archive.ProtocolMetaKey(ProtocolID(2))); err != nil {
		t.Fatal(err)
	}
	pst, err := ix.RebuildProtocols(ctx, index.Source{Archive: a}, 2)
	if err != nil || pst.Protocols != 3 || pst.Removed != 1 {
		t.Errorf("protocols rebuilt alone: %+v, %v; want 3, 1 removed", pst, err)
	}
	wantProtocols(t, "after the protocols' rebuild", protocolIDs(t, ix, index.ProtocolFilter{}), 5, 4, 1)
}
