package archive_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

const retain = time.Hour

var (
	pdf  = []byte("%PDF-1.7 the extract\n%%EOF\n")
	html = []byte("<!doctype html><title>Utdrag</title>")
)

// signedPDF stands for certified version n as one request signs it: every
// signing differs (its time is in it).
func signedPDF(n int, attempt string) []byte {
	return fmt.Appendf(nil, "%%PDF-1.7 certified version %d, signed by attempt %s\n%%%%EOF\n", n, attempt)
}

func certification(n int, name string) archive.Certification {
	return archive.Certification{Version: n, Name: name, Title: "Nämndsekreterare", Date: "2025-06-18",
		Time: time.Date(2025, 6, 18, 14, 5, 0, 0, time.UTC), Pages: 2}
}

// consistent checks what every reader sees of extract id: no record and no
// checksum of it found, or a record whose every object is stored with the
// checksum and size it holds, versions 1…n in order, each found by its
// checksum. It returns the record (nil when there is none).
func consistent(t *testing.T, store storage.Store, id string, sums ...string) *archive.Record {
	t.Helper()
	ctx := context.Background()
	a := archive.New(store)
	rec, _, err := a.Get(ctx, id)
	if errors.Is(err, archive.ErrNotFound) {
		for _, sum := range sums {
			if r, n, err := a.Find(ctx, sum); !errors.Is(err, archive.ErrNotFound) {
				t.Errorf("no record, yet checksum %s finds %v version %d, %v", sum[:8], r, n.Version, err)
			}
		}
		recs, err := a.List(ctx, archive.Filter{})
		if err != nil || len(recs) != 0 {
			t.Errorf("no record, yet the list has %d, %v", len(recs), err)
		}
		return nil
	}
	if err != nil {
		t.Fatalf("reading the record: %v", err)
	}
	same := func(key, sum string, size int) {
		b, _, err := store.Get(ctx, key)
		if err != nil || archive.Checksum(b) != sum || (size >= 0 && len(b) != size) {
			t.Errorf("the record points at %s with %s (%d bytes); stored: %d bytes with %s, %v",
				key, sum, size, len(b), archive.Checksum(b), err)
		}
	}
	same(archive.PDFKey(id), rec.SHA256, rec.Bytes)
	if r, e, err := a.Find(ctx, rec.SHA256); err != nil || e.Version != 0 || r.ID != id {
		t.Errorf("the extract's checksum finds %v version %d, %v", r, e.Version, err)
	}
	if rec.HTML {
		same(archive.HTMLKey(id), rec.HTMLSHA256, -1)
	}
	for i, c := range rec.Certifications {
		if c.Version != i+1 {
			t.Errorf("certification %d has version %d", i, c.Version)
		}
		same(archive.CertifiedKey(id, c.Version), c.SHA256, c.Bytes)
		if r, e, err := a.Find(ctx, c.SHA256); err != nil || e.Version != c.Version || r.ID != id {
			t.Errorf("version %d's checksum finds %v version %d, %v", c.Version, r, e.Version, err)
		}
	}
	return rec
}

// keys lists the keys under prefix.
func keys(t *testing.T, store storage.Store, prefix string) []string {
	t.Helper()
	objs, err := store.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

// steps counts the writes op makes on a fresh store prepared by setup.
func steps(t *testing.T, open func(*testing.T) storage.Store, setup func(storage.Store), op func(*archive.Archive) error) []string {
	t.Helper()
	store := open(t)
	setup(store)
	f := &storagetest.Faults{Store: store}
	if err := op(archive.New(f)); err != nil {
		t.Fatalf("without a fault: %v", err)
	}
	return f.Writes()
}

// TestCreateStoppedAtEveryStep stops a create at each of its writes, before
// the write and after it (the answer lost), as a killed process would: no
// reader sees anything of it, the next identical create succeeds and
// adopts what was written, and a janitor pass instead clears it all.
func TestCreateStoppedAtEveryStep(t *testing.T) {
	id := record(1).ID
	createStoppedAtEveryStep(t, createSubject{
		what: "a create", metaKey: archive.MetaKey(id), sum: archive.Checksum(pdf),
		create: func(ctx context.Context, a *archive.Archive) (string, bool, error) {
			rec, created, err := a.Create(ctx, record(1), pdf, html)
			if rec == nil {
				return "", created, err
			}
			return rec.SHA256, created, err
		},
		recorded: func(t *testing.T, store storage.Store) bool {
			return consistent(t, store, id, archive.Checksum(pdf)) != nil
		},
		folders: func(rep archive.JanitorReport) int { return rep.Folders },
	})
}

// createSubject is what is created in createStoppedAtEveryStep: an
// extract or a protocol, with the archive's calls for it.
type createSubject struct {
	what    string // for the log: "a create"
	metaKey string // where its record is kept
	sum     string // the checksum of its PDF
	// writes, when set, checks the writes of a create.
	writes func(t *testing.T, writes []string)
	create func(ctx context.Context, a *archive.Archive) (sum string, created bool, err error)
	// recorded checks what every reader sees of it and reports whether
	// it has a record.
	recorded func(t *testing.T, store storage.Store) bool
	folders  func(archive.JanitorReport) int // the janitor's count of its kind of folder
}

// createStoppedAtEveryStep stops a create of s at each of its writes,
// before the write and after it (the answer lost), as a killed process
// would: no reader sees anything of it, the next identical create
// succeeds and adopts what was written, and a janitor pass instead clears
// it all (and a create after it succeeds), or removes nothing of a
// recorded one.
func createStoppedAtEveryStep(t *testing.T, s createSubject) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			create := func(a *archive.Archive) error {
				_, _, err := s.create(ctx, a)
				return err
			}
			writes := steps(t, open, func(storage.Store) {}, create)
			t.Logf("%s writes %s", s.what, strings.Join(writes, ", "))
			if s.writes != nil {
				s.writes(t, writes)
			}
			for at := 1; at <= len(writes); at++ {
				for _, after := range []bool{false, true} {
					t.Run(fmt.Sprintf("%d-%s-after-%v", at, writes[at-1][strings.LastIndexByte(writes[at-1], '/')+1:], after), func(t *testing.T) {
						for _, next := range []string{"create", "janitor"} {
							store := open(t)
							f := &storagetest.Faults{Store: store, At: at, After: after}
							if err := create(archive.New(f)); !errors.Is(err, storage.ErrUnavailable) {
								t.Fatalf("stopped create: %v", err)
							}
							committed := s.recorded(t, store)
							if committed != (after && at == len(writes)) {
								t.Errorf("a record after stopping at write %d (after: %v): %v", at, after, committed)
							}
							a := archive.New(store)
							switch next {
							case "create":
								sum, created, err := s.create(ctx, a)
								if err != nil || created == committed || sum != s.sum {
									t.Fatalf("next create: created %v, %v", created, err)
								}
							case "janitor":
								rep, err := a.Janitor(ctx, archive.JanitorOptions{Grace: time.Nanosecond})
								if err != nil || len(rep.Errors) != 0 || len(rep.Kept) != 0 {
									t.Fatalf("janitor: %+v, %v", rep, err)
								}
								if !committed {
									if n := s.folders(rep); n > 1 {
										t.Errorf("the janitor looked at %d folders", n)
									}
									if left := keys(t, store, ""); len(left) > 1 || len(left) == 1 && left[0] != s.metaKey {
										t.Errorf("the janitor left %v", left)
									}
									if err := create(a); err != nil {
										t.Fatalf("create after the janitor: %v", err)
									}
								} else if len(rep.Removed) != 0 {
									t.Errorf("the janitor removed %v of a recorded one", rep.Removed)
								}
							}
							if !s.recorded(t, store) {
								t.Errorf("after the %s: no record", next)
							}
						}
					})
				}
			}
		})
	}
}

// TestCreateReplacesAnotherReleasesOrphan: bytes another release left
// without a record are replaced, not recorded under the new checksum.
func TestCreateReplacesAnotherReleasesOrphan(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			rec := record(2)
			old := []byte("%PDF-1.7 rendered by an earlier release\n%%EOF\n")
			if _, err := store.Put(ctx, archive.PDFKey(rec.ID), old, storage.PutOptions{IfNoneMatch: true}); err != nil {
				t.Fatal(err)
			}
			got, created, err := archive.New(store).Create(ctx, rec, pdf, nil)
			if err != nil || !created || got.SHA256 != archive.Checksum(pdf) {
				t.Fatalf("create over an orphan of another release: %v %v", created, err)
			}
			consistent(t, store, rec.ID)
		})
	}
}

// TestCertifyStoppedAtEveryStep stops a certification at each of its
// writes, as TestCreateStoppedAtEveryStep does: the record never lies, a
// version whose PDF was stored is recorded by the next certification (which
// then takes the next number), by a verification of its checksum, or by the
// janitor; one whose PDF was not stored leaves nothing but what the janitor
// removes. Certified PDFs are never removed.
func TestCertifyStoppedAtEveryStep(t *testing.T) {
	id := record(3).ID
	certifyStoppedAtEveryStep(t, certSubject{
		what: "a certification", folder: "extracts/", index: "sha256/",
		setup: func(ctx context.Context, store storage.Store) error {
			_, _, err := archive.New(store).Create(ctx, record(3), pdf, nil)
			return err
		},
		certify: func(ctx context.Context, a *archive.Archive, c archive.Certification, signed []byte) ([]archive.Certification, error) {
			rec, err := a.Certify(ctx, id, c, signed, retain)
			return certsOf(rec, err)
		},
		complete: func(ctx context.Context, a *archive.Archive) ([]archive.Certification, error) {
			rec, _, err := a.Complete(ctx, id)
			return certsOf(rec, err)
		},
		find: func(ctx context.Context, a *archive.Archive, sum string) ([]archive.Certification, archive.IndexEntry, error) {
			rec, e, err := a.Find(ctx, sum)
			certs, _ := certsOf(rec, nil)
			return certs, e, err
		},
		consistent: func(t *testing.T, store storage.Store, cut string) []archive.Certification {
			return consistent(t, store, id, archive.Checksum(pdf), cut).Certifications
		},
		certifiedKey: func(n int) string { return archive.CertifiedKey(id, n) },
	})
}

func certsOf(rec *archive.Record, err error) ([]archive.Certification, error) {
	if rec == nil {
		return nil, err
	}
	return rec.Certifications, err
}

// certSubject is what is certified in certifyStoppedAtEveryStep: an
// extract or a protocol, with the archive's calls for it.
type certSubject struct {
	what          string // for the log: "a certification"
	folder, index string // prefixes of its folders and of its checksum index
	setup         func(ctx context.Context, store storage.Store) error
	certify       func(ctx context.Context, a *archive.Archive, c archive.Certification, signed []byte) ([]archive.Certification, error)
	complete      func(ctx context.Context, a *archive.Archive) ([]archive.Certification, error)
	find          func(ctx context.Context, a *archive.Archive, sum string) ([]archive.Certification, archive.IndexEntry, error)
	// consistent checks the subject's objects against its record (cut:
	// the checksum of the cut version, which may be indexed) and returns
	// the record's certifications.
	consistent   func(t *testing.T, store storage.Store, cut string) []archive.Certification
	certifiedKey func(n int) string
}

// certifyStoppedAtEveryStep stops a certification of s at each of its
// writes: the record never lies, a version whose PDF was stored is
// recorded by the next certification (which then takes the next number),
// by a verification of its checksum, or by the janitor; one whose PDF was
// not stored leaves nothing but what the janitor removes. Certified PDFs
// are never removed.
func certifyStoppedAtEveryStep(t *testing.T, s certSubject) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			setup := func(store storage.Store) {
				if err := s.setup(ctx, store); err != nil {
					t.Fatal(err)
				}
			}
			certify := func(a *archive.Archive, attempt string) error {
				_, err := s.certify(ctx, a, certification(1, attempt), signedPDF(1, attempt))
				return err
			}
			cut := archive.Checksum(signedPDF(1, "cut"))
			writes := steps(t, open, setup, func(a *archive.Archive) error { return certify(a, "count") })
			t.Logf("%s writes %s", s.what, strings.Join(writes, ", "))
			for at := 1; at <= len(writes); at++ {
				for _, after := range []bool{false, true} {
					key := writes[at-1][strings.LastIndexByte(writes[at-1], '/')+1:]
					t.Run(fmt.Sprintf("%d-%.14s-after-%v", at, key, after), func(t *testing.T) {
						for _, next := range []string{"certify", "find", "janitor"} {
							store := open(t)
							setup(store)
							f := &storagetest.Faults{Store: store, At: at, After: after}
							// The last write removes the description, once the
							// record holds it: a failure there is no failure.
							err := certify(archive.New(f), "cut")
							if at < len(writes) && !errors.Is(err, storage.ErrUnavailable) || at == len(writes) && err != nil {
								t.Fatalf("stopped certification: %v", err)
							}
							if certs := s.consistent(t, store, cut); len(certs) > 1 {
								t.Fatalf("%d certifications after one", len(certs))
							}
							_, stat := store.Stat(ctx, s.certifiedKey(1))
							stored := stat == nil // the version exists: it must end up recorded
							a := archive.New(store)
							switch next {
							case "certify":
								done, err := s.complete(ctx, a)
								if err != nil {
									t.Fatal(err)
								}
								n := len(done) + 1
								if stored != (n == 2) {
									t.Errorf("stored %v, yet the completed record has %d versions", stored, n-1)
								}
								got, err := s.certify(ctx, a, certification(n, "next"), signedPDF(n, "next"))
								if err != nil || len(got) != n || got[n-1].Name != "next" {
									t.Fatalf("next certification as version %d: %v", n, err)
								}
							case "find":
								// Whenever the PDF was stored, verifying it adopts it.
								certs, e, err := s.find(ctx, a, cut)
								if stored && (err != nil || e.Version != 1 || certs[0].Name != "cut") {
									t.Errorf("verifying the stored version: %v, version %d, %v", certs, e.Version, err)
								}
								if !stored && !errors.Is(err, archive.ErrNotFound) {
									t.Errorf("verifying a version never stored: %v", err)
								}
							case "janitor":
								rep, err := a.Janitor(ctx, archive.JanitorOptions{Grace: time.Nanosecond})
								if err != nil || len(rep.Errors) != 0 {
									t.Fatalf("janitor: %+v, %v", rep, err)
								}
								for _, k := range keys(t, store, s.folder) {
									if strings.HasSuffix(k, ".json") && strings.Contains(k, "/certified-") {
										t.Errorf("the janitor left %s", k)
									}
								}
								if _, err := store.Stat(ctx, s.index+cut); (err == nil) != stored {
									t.Errorf("stored %v, yet the index entry: %v", stored, err)
								}
							}
							certs := s.consistent(t, store, cut)
							if stored && (len(certs) == 0 || certs[0].SHA256 != cut || certs[0].Name != "cut") {
								t.Errorf("after the %s: the stored version 1 is not recorded as written: %+v", next, certs)
							}
							if _, err := store.Stat(ctx, s.certifiedKey(1)); stored && err != nil {
								t.Errorf("the certified PDF is gone after the %s: %v", next, err)
							}
						}
					})
				}
			}
		})
	}
}

// TestCertifyConcurrently: two certifications of the same version, one
// wins; the other is told ErrConflict and the record holds the winner.
func TestCertifyConcurrently(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			id := record(4).ID
			if _, _, err := archive.New(store).Create(ctx, record(4), pdf, nil); err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 2)
			for _, who := range []string{"a", "b"} {
				go func() {
					_, err := archive.New(store).Certify(ctx, id, certification(1, who), signedPDF(1, who), retain)
					errs <- err
				}()
			}
			var ok, conflict int
			for range 2 {
				switch err := <-errs; {
				case err == nil:
					ok++
				case errors.Is(err, archive.ErrConflict):
					conflict++
				default:
					t.Errorf("certify: %v", err)
				}
			}
			rec := consistent(t, store, id)
			if ok != 1 || conflict != 1 || len(rec.Certifications) != 1 {
				t.Errorf("%d won, %d conflicts, %d versions recorded", ok, conflict, len(rec.Certifications))
			}
			// A PUT retried by the client that finds its own first attempt
			// stored is no conflict.
			mine := signedPDF(2, "retried")
			if got, err := archive.New(retriedPut{store}).Certify(ctx, id, certification(2, "retried"), mine, retain); err != nil || got.Certifications[1].Name != "retried" || got.Certifications[1].Recovered {
				t.Errorf("certifying over the first attempt of the same PUT: %v", err)
			}
			if _, err := archive.New(store).Certify(ctx, id, certification(4, "gap"), signedPDF(4, "gap"), retain); !errors.Is(err, archive.ErrConflict) {
				t.Errorf("certifying version 4 after 2: %v", err)
			}
			if _, err := store.Stat(ctx, archive.CertifiedKey(id, 4)); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("a refused version was stored: %v", err)
			}
		})
	}
}

// TestAdoptCertifiedWithoutDescription: a certified PDF stored beyond the
// record by a release that wrote no description (the state an interrupted
// certification left before) is adopted, described by its signature, and
// marked as recovered.
func TestAdoptCertifiedWithoutDescription(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			id := record(5).ID
			a := archive.New(store)
			if _, _, err := a.Create(ctx, record(5), pdf, nil); err != nil {
				t.Fatal(err)
			}
			signed := signedPDF(1, "old release")
			if _, err := store.Put(ctx, archive.CertifiedKey(id, 1), signed, storage.PutOptions{Retain: retain}); err != nil {
				t.Fatal(err)
			}
			a.SetDescriber(func(b []byte) (archive.Certification, error) {
				if !bytes.Equal(b, signed) {
					t.Errorf("described %q", b)
				}
				return archive.Certification{Name: "Lena Nordin", Place: "Östersund", Time: time.Date(2025, 6, 18, 12, 5, 0, 0, time.UTC)}, nil
			})
			rec, _, err := a.Complete(ctx, id)
			if err != nil || len(rec.Certifications) != 1 {
				t.Fatalf("complete: %v, %+v", err, rec)
			}
			c := rec.Certifications[0]
			if !c.Recovered || c.Name != "Lena Nordin" || c.Date != "2025-06-18" || c.SHA256 != archive.Checksum(signed) || c.Bytes != len(signed) {
				t.Errorf("adopted %+v", c)
			}
			consistent(t, store, id)
			// Not indexed before: the checksum finds it now.
			if _, e, err := a.Find(ctx, archive.Checksum(signed)); err != nil || e.Version != 1 {
				t.Errorf("find the adopted version: %d, %v", e.Version, err)
			}
		})
	}
}

// TestJanitorLeavesYoungAndCertified: a fresh orphan (a write that may
// still be running) is left alone; an old folder without a record keeps its
// certified PDF.
func TestJanitorLeavesYoungAndCertified(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			young, orphan := record(6).ID, record(7).ID
			for _, id := range []string{young, orphan} {
				if _, err := store.Put(ctx, archive.PDFKey(id), pdf, storage.PutOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			certified := archive.CertifiedKey(orphan, 1)
			if _, err := store.Put(ctx, certified, signedPDF(1, "x"), storage.PutOptions{Retain: retain}); err != nil {
				t.Fatal(err)
			}
			time.Sleep(2200 * time.Millisecond) // S3 keeps times to the second
			if _, err := store.Put(ctx, archive.HTMLKey(young), html, storage.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			rep, err := archive.New(store).Janitor(ctx, archive.JanitorOptions{Grace: 1500 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			left := strings.Join(keys(t, store, ""), " ")
			for _, k := range []string{archive.PDFKey(young), archive.HTMLKey(young), certified} {
				if !strings.Contains(left, k) {
					t.Errorf("the janitor removed %s (report %+v)", k, rep)
				}
			}
			if strings.Contains(left, archive.PDFKey(orphan)) || len(rep.Kept) != 1 || rep.Kept[0] != certified || rep.Young != 1 {
				t.Errorf("left %s; report %+v", left, rep)
			}
		})
	}
}

// TestJanitorAgainAfterItsClaim: a folder the janitor cleared keeps its
// released claim in meta.json; an orphan left there later by another
// interrupted create is cleared by the next pass too, and a create then
// takes the folder over. A listing tells the claim from a record by size.
func TestJanitorAgainAfterItsClaim(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			id := record(8).ID
			a := archive.New(store)
			for pass := range 2 {
				if _, err := store.Put(ctx, archive.PDFKey(id), pdf, storage.PutOptions{}); err != nil {
					t.Fatal(err)
				}
				rep, err := a.Janitor(ctx, archive.JanitorOptions{Grace: time.Nanosecond})
				if err != nil || len(rep.Removed) != 1 {
					t.Fatalf("pass %d: %+v %v", pass, rep, err)
				}
				claim, err := store.Stat(ctx, archive.MetaKey(id))
				if err != nil || claim.Size >= 256 {
					t.Fatalf("pass %d: the claim is %d bytes, %v", pass, claim.Size, err)
				}
			}
			if _, _, err := a.Get(ctx, id); !errors.Is(err, archive.ErrNotFound) {
				t.Errorf("a claim reads as %v", err)
			}
			if _, created, err := a.Create(ctx, record(8), pdf, nil); err != nil || !created {
				t.Fatalf("create over the released claim: %v %v", created, err)
			}
			rec, err := store.Stat(ctx, archive.MetaKey(id))
			if err != nil || rec.Size < 256 {
				t.Errorf("a record of %d bytes would pass for a claim, %v", rec.Size, err)
			}
			consistent(t, store, id)
		})
	}
}

// retriedPut stores a certified PDF and answers as a PUT retried after a
// lost answer does: the object exists.
type retriedPut struct{ storage.Store }

func (r retriedPut) Put(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	obj, err := r.Store.Put(ctx, key, data, opts)
	if err == nil && strings.HasSuffix(key, ".pdf") && strings.Contains(key, "/certified-") {
		return storage.Object{}, fmt.Errorf("a retried PUT: %w", storage.ErrPrecondition)
	}
	return obj, err
}
