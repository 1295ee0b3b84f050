package archive_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/extract"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

var (
	internalPDF  = []byte("%PDF-1.7 the internal rendition\n%%EOF\n")
	internalHTML = []byte("<!doctype html><title>Utdrag, intern</title>")
	source       = []byte(`{"secret":"Kim Svensson"}` + "\n")
)

// marked is record i with an internal rendition.
func marked(i int) *archive.Record {
	r := record(i)
	r.AddInternal(internalPDF, internalHTML, source, 3)
	return r
}

// TestCreateWithInternalStoppedAtEveryStep stops a create of an extract
// with an internal rendition at each of its writes, before and after:
// no reader finds the extract, nor the internal rendition by its
// checksum; the next identical create adopts what was written, and a
// janitor pass instead removes all of it, the input kept for the internal
// rendition included.
func TestCreateWithInternalStoppedAtEveryStep(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			id := marked(20).ID
			create := func(a *archive.Archive) error {
				_, _, err := a.Create(ctx, marked(20), pdf, html)
				return err
			}
			writes := steps(t, open, func(storage.Store) {}, create)
			for _, want := range []string{archive.SourceKey(id), archive.InternalPDFKey(id), archive.InternalHTMLKey(id)} {
				if !strings.Contains(strings.Join(writes, " "), want) {
					t.Fatalf("a create writes %v, not %s", writes, want)
				}
			}
			for at := 1; at <= len(writes); at++ {
				for _, next := range []string{"create", "janitor"} {
					t.Run(fmt.Sprintf("%d-%s", at, next), func(t *testing.T) {
						store := open(t)
						f := &storagetest.Faults{Store: store, At: at}
						if err := create(archive.New(f)); !errors.Is(err, storage.ErrUnavailable) {
							t.Fatalf("stopped create: %v", err)
						}
						a := archive.New(store)
						if _, _, err := a.Find(ctx, archive.Checksum(internalPDF)); !errors.Is(err, archive.ErrNotFound) {
							t.Errorf("the internal rendition is found without a record: %v", err)
						}
						switch next {
						case "create":
							if _, created, err := a.Create(ctx, marked(20), pdf, html); err != nil || !created {
								t.Fatalf("next create: %v %v", created, err)
							}
							rec := consistent(t, store, id)
							if b, err := a.InternalPDF(ctx, rec); err != nil || string(b) != string(internalPDF) {
								t.Errorf("internal PDF %q, %v", b, err)
							}
							if x, err := a.Source(ctx, rec); err != nil || x == nil {
								t.Errorf("source: %v", err)
							}
							if _, e, err := a.Find(ctx, archive.Checksum(internalPDF)); err != nil || e.Rendition != extract.Internal {
								t.Errorf("the internal rendition by its checksum: %+v, %v", e, err)
							}
						case "janitor":
							rep, err := a.Janitor(ctx, archive.JanitorOptions{Grace: time.Nanosecond})
							if err != nil || len(rep.Errors) != 0 || len(rep.Kept) != 0 {
								t.Fatalf("janitor: %+v, %v", rep, err)
							}
							if left := keys(t, store, ""); len(left) > 1 || len(left) == 1 && left[0] != archive.MetaKey(id) {
								t.Errorf("the janitor left %v", left)
							}
						}
					})
				}
			}
		})
	}
}

// TestRenditionObjects: the objects of each rendition as the record names
// them, the record itself with the public one.
func TestRenditionObjects(t *testing.T) {
	r := marked(21)
	r.HTML = true
	r.Certifications = []archive.Certification{{Version: 1, Rendition: extract.Internal}, {Version: 2}}
	pub := strings.Join(r.Objects(extract.Public), " ")
	in := strings.Join(r.Objects(extract.Internal), " ")
	for _, k := range []string{archive.MetaKey(r.ID), archive.PDFKey(r.ID), archive.HTMLKey(r.ID), archive.CertifiedKey(r.ID, 2)} {
		if !strings.Contains(pub, k) || strings.Contains(in, k) {
			t.Errorf("%s: public %v, internal %v", k, strings.Contains(pub, k), strings.Contains(in, k))
		}
	}
	for _, k := range []string{archive.InternalPDFKey(r.ID), archive.SourceKey(r.ID), archive.CertifiedKey(r.ID, 1)} {
		if strings.Contains(pub, k) || !strings.Contains(in, k) {
			t.Errorf("%s: public %v, internal %v", k, strings.Contains(pub, k), strings.Contains(in, k))
		}
	}
	if r.CertifiedAs(extract.Internal).Version != 1 || r.CertifiedAs(extract.Public).Version != 2 || !r.Has(extract.Internal) {
		t.Error("certifications by rendition")
	}
}
