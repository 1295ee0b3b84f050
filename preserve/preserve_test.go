package preserve_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/certify"
	"utdrag/compose"
	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/internal/pkitest"
	"utdrag/preserve"
	"utdrag/render"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

var seed struct {
	once sync.Once
	pdf  []byte
	err  error
}

// seedPDF is the seed extract § 157 rendered for certification.
func seedPDF(t *testing.T) []byte {
	t.Helper()
	x := exampletest.Load(t, "rs-157-2023.json")
	seed.once.Do(func() {
		eng, err := render.New()
		if err != nil {
			seed.err = err
			return
		}
		res, err := eng.Render(x, &compose.Certification{Name: "Lena Nordin", Title: "Nämndsekreterare", Date: "2023-10-09", Initials: "LN"})
		if err != nil {
			seed.err = err
			return
		}
		seed.pdf = res.PDF
	})
	if seed.err != nil {
		t.Fatal(seed.err)
	}
	return seed.pdf
}

func record(i int) *archive.Record {
	return &archive.Record{
		Summary: archive.Summary{ID: fmt.Sprintf("%024x", 0xb00+i), Organisation: extract.Organisation{ID: "region-jh", Name: "Region Jämtland Härjedalen"},
			Organ: "Regionstyrelsen", MeetingDate: "2023-10-06", Paragraphs: []int{157}, Titles: []string{fmt.Sprintf("Ärende %d", i)}},
		Extract: &extract.Extract{Organ: "Regionstyrelsen"},
	}
}

// certifyAll stores n extracts, each certified with a timestamp (B-T, as
// when the responders did not answer at certification), and returns
// their ids.
func certifyAll(t *testing.T, a *archive.Archive, p *pkitest.PKI, n int) []string {
	t.Helper()
	chain, key := p.Signer(t)
	id, err := certify.LoadPEM(chain, key)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var ids []string
	for i := range n {
		rec := record(i)
		if _, _, err := a.Create(ctx, rec, []byte(fmt.Sprintf("%%PDF-1.7 utdrag %d", i)), nil); err != nil {
			t.Fatal(err)
		}
		signed, err := certify.Sign(ctx, seedPDF(t), id, certify.Options{TSAURL: p.TSAURL, Reason: "Rätt utdraget intygar"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Certify(ctx, rec.ID, archive.Certification{
			Version: 1, Name: "Lena Nordin", Title: "Nämndsekreterare", Date: "2023-10-09", Time: time.Now().UTC(),
			Pages: 1, Seal: archive.Seal{Level: "B-T"},
		}, signed, time.Hour); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	return ids
}

func job(a *archive.Archive, p *pkitest.PKI, holder string, renewBefore time.Duration) *preserve.Job {
	return &preserve.Job{
		Archive: a, TSAURL: p.TSAURL, RenewBefore: renewBefore, Retention: time.Hour, Holder: holder,
		Fetcher: certify.NewFetcher(certify.FetchOptions{Timeout: 3 * time.Second}),
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// files reads the newest revision of every extract, checked against the
// checksum its record names.
func files(t *testing.T, a *archive.Archive, ids []string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, id := range ids {
		rec, _, err := a.Get(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		c := &rec.Certifications[0]
		b, err := a.CurrentCertified(t.Context(), rec, 1)
		if err != nil {
			t.Fatal(err)
		}
		if archive.Checksum(b) != c.CurrentSHA256() {
			t.Fatalf("%s: the newest revision's checksum is not the record's", id)
		}
		out[id] = b
	}
	return out
}

// TestArchiveTimestampTwiceOnMinIO: the job run twice over 50 certified
// extracts on MinIO adds exactly one document timestamp to each per run,
// appending only; the second time two replicas run it at once and only
// one does the work; a run with the default margin finds nothing due.
func TestArchiveTimestampTwiceOnMinIO(t *testing.T) {
	p := pkitest.Shared(t)
	store := storagetest.S3(t)
	a := archive.New(store)
	const n = 50
	ids := certifyAll(t, a, p, n)
	before := files(t, a, ids)
	always := 100 * 365 * 24 * time.Hour // every version is due

	start := time.Now()
	rep, err := job(a, p, "replica-a", always).Run(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first run: %+v in %v", rep, time.Since(start))
	if rep.Busy || rep.Examined != n || rep.Stamped != n || rep.Failed != 0 {
		t.Fatalf("first run = %+v, want all %d stamped", rep, n)
	}
	first := files(t, a, ids)
	checkRun(t, p, before, first, 1)

	// Two replicas at once, held at a gate so that both try together.
	var wg sync.WaitGroup
	reps := make([]preserve.Report, 2)
	errs := make([]error, 2)
	gate := make(chan struct{})
	for i := range 2 {
		j := job(archive.New(store), p, fmt.Sprintf("replica-%c", 'a'+i), always)
		wg.Go(func() {
			<-gate
			reps[i], errs[i] = j.Run(context.WithoutCancel(t.Context()))
		})
	}
	close(gate)
	wg.Wait()
	t.Logf("second run: %+v, %+v", reps[0], reps[1])
	if errs[0] != nil || errs[1] != nil {
		t.Fatal(errs)
	}
	if total := reps[0].Stamped + reps[1].Stamped + reps[0].Adopted + reps[1].Adopted; total != n {
		t.Errorf("two replicas stamped %d versions together, want %d", total, n)
	}
	if !reps[0].Busy && !reps[1].Busy {
		t.Errorf("neither replica found the other holding the lease: %+v", reps)
	}
	second := files(t, a, ids)
	checkRun(t, p, first, second, 2)

	rep, err = job(a, p, "replica-c", preserve.DefaultRenewBefore).Run(t.Context())
	if err != nil || rep.Examined != n || rep.Due != 0 || rep.Stamped != 0 {
		t.Errorf("a run with the default margin = %+v, %v; want nothing due", rep, err)
	}

	// The revisions are immutable.
	_, err = store.Put(t.Context(), archive.CertifiedRevisionKey(ids[0], 1, 1), []byte("%PDF-1.7"), storage.PutOptions{})
	if err == nil {
		t.Error("a revision could be overwritten")
	}
}

// checkRun compares each file after a run with before: the same bytes
// with one more document timestamp appended, at B-LTA.
func checkRun(t *testing.T, p *pkitest.PKI, before, after map[string][]byte, stamps int) {
	t.Helper()
	roots := p.Roots(t)
	for id, old := range before {
		cur := after[id]
		if !bytes.HasPrefix(cur, old) || len(cur) == len(old) {
			t.Errorf("%s: run %d did not append to the file (%d → %d bytes, prefix kept %v)",
				id, stamps, len(old), len(cur), bytes.HasPrefix(cur, old))
			continue
		}
		res, err := certify.Verify(cur, roots)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.DocumentTimestamps) != stamps || res.Level != certify.LevelBLTA || !res.ValidAtSigningTime {
			t.Errorf("%s after run %d: %d document timestamps, level %s, valid at signing %v; problems %q",
				id, stamps, len(res.DocumentTimestamps), res.Level, res.ValidAtSigningTime, res.Problems)
		}
	}
}

// TestJobAdoptsARevisionItDidNotRecord: a run that stored a revision and
// stopped before the record linked it leaves the object; the next run
// links that object rather than failing on the create-once write.
func TestJobAdoptsARevisionItDidNotRecord(t *testing.T) {
	p := pkitest.Shared(t)
	a := archive.New(storagetest.FS(t))
	ids := certifyAll(t, a, p, 1)
	ctx := t.Context()
	rec, _, err := a.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	cur, err := a.CurrentCertified(ctx, rec, 1)
	if err != nil {
		t.Fatal(err)
	}
	ext, err := certify.Extend(ctx, cur, certify.ExtendOptions{TSAURL: p.TSAURL, Fetcher: certify.NewFetcher(certify.FetchOptions{})})
	if err != nil || !ext.Timestamp {
		t.Fatal(err, ext.TimestampErr)
	}
	if err := a.PutCertifiedRevision(ctx, rec, 1, 1, ext.PDF, time.Hour); err != nil {
		t.Fatal(err)
	}
	rep, err := job(a, p, "replica-a", 100*365*24*time.Hour).Run(ctx)
	if err != nil || rep.Adopted != 1 || rep.Failed != 0 {
		t.Fatalf("run = %+v, %v; want the stored revision adopted", rep, err)
	}
	rec, _, _ = a.Get(ctx, ids[0])
	if r := rec.Certifications[0].Current(); r == nil || r.SHA256 != archive.Checksum(ext.PDF) || r.Level != "B-LTA" {
		t.Errorf("record after adoption: %+v", rec.Certifications[0].Revisions)
	}
}
