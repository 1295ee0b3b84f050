package archive_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"utdrag/archive"
	"utdrag/extract"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// counting passes every call to a real store and counts the reads of
// records (meta.json).
type counting struct {
	storage.Store
	reads atomic.Int64
}

func (c *counting) Get(ctx context.Context, key string) ([]byte, storage.Object, error) {
	if strings.HasSuffix(key, "/meta.json") {
		c.reads.Add(1)
	}
	return c.Store.Get(ctx, key)
}

var stores = storagetest.Backends()

func record(i int) *archive.Record {
	id := fmt.Sprintf("%024x", 0xa00+i)
	return &archive.Record{
		Summary: archive.Summary{ID: id, Organisation: extract.Organisation{ID: "region-jh", Name: "Region Jämtland Härjedalen"},
			Organ: "Regionstyrelsen", MeetingDate: fmt.Sprintf("2025-%02d-10", 1+i%12), Paragraphs: []int{100 + i},
			CaseNumbers: []string{fmt.Sprintf("RS/%d/2025", i)}, Titles: []string{fmt.Sprintf("Ärende %d", i)}},
		Extract: &extract.Extract{Organ: "Regionstyrelsen"},
	}
}

// TestListReadsOnlyWhatChanged: a listing reads each record once; the next
// reads none, then only the one that was updated, and forgets a deleted
// one. The records listed carry no extract, and match the store.
func TestListReadsOnlyWhatChanged(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := &counting{Store: open(t)}
			a := archive.New(store)
			const n = 30
			for i := range n {
				if _, _, err := a.Create(ctx, record(i), []byte(fmt.Sprintf("%%PDF-1.7 %d", i)), nil); err != nil {
					t.Fatal(err)
				}
			}
			list := func() []*archive.Record {
				t.Helper()
				recs, err := a.List(ctx, archive.Filter{Organisation: "region-jh"})
				if err != nil {
					t.Fatal(err)
				}
				return recs
			}
			store.reads.Store(0)
			recs := list()
			if len(recs) != n || store.reads.Load() != n {
				t.Fatalf("first listing: %d records, %d reads; want %d and %d", len(recs), store.reads.Load(), n, n)
			}
			for i := 1; i < len(recs); i++ {
				if recs[i-1].MeetingDate < recs[i].MeetingDate {
					t.Fatalf("not newest first: %s before %s", recs[i-1].MeetingDate, recs[i].MeetingDate)
				}
			}
			for _, r := range recs {
				if r.Extract != nil {
					t.Fatalf("%s listed with its extract", r.ID)
				}
			}

			store.reads.Store(0)
			if recs := list(); len(recs) != n || store.reads.Load() != 0 {
				t.Fatalf("second listing: %d records, %d reads; want %d and 0", len(recs), store.reads.Load(), n)
			}

			rec, etag, err := a.Get(ctx, record(7).ID)
			if err != nil {
				t.Fatal(err)
			}
			rec.Certifications = append(rec.Certifications, archive.Certification{Version: 1, Name: "Lena Nordin"})
			if err := a.Update(ctx, rec, etag); err != nil {
				t.Fatal(err)
			}
			if err := store.Delete(ctx, archive.MetaKey(record(3).ID)); err != nil {
				t.Fatal(err)
			}
			store.reads.Store(0)
			recs = list()
			if len(recs) != n-1 || store.reads.Load() != 1 {
				t.Fatalf("after one update and one delete: %d records, %d reads; want %d and 1", len(recs), store.reads.Load(), n-1)
			}
			for _, r := range recs {
				switch r.ID {
				case record(3).ID:
					t.Error("the deleted record is still listed")
				case record(7).ID:
					if r.Certified() == nil || r.Certified().Name != "Lena Nordin" {
						t.Errorf("the updated record is listed as it was: %+v", r.Certifications)
					}
				}
			}
			other, err := a.List(ctx, archive.Filter{Organisation: "region-jh", CaseNumber: "RS/12/2025"})
			if err != nil || len(other) != 1 || other[0].ID != record(12).ID {
				t.Errorf("filtered listing: %v, %v", other, err)
			}
		})
	}
}
