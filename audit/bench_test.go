package audit_test

import (
	"fmt"
	"testing"
	"time"

	"utdrag/audit"
	"utdrag/index/indextest"
	"utdrag/storage"
	"utdrag/storage/fs"
)

func fsStore(b *testing.B) storage.Store {
	s, err := fs.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkRecord is one event stored (and indexed in SQLite), on each
// store.
func BenchmarkRecord(b *testing.B) {
	for name, open := range map[string]func(testing.TB) audit.Indexer{
		"fs":    nil,
		"fs+ix": func(t testing.TB) audit.Indexer { return indextest.SQLite(t) },
	} {
		b.Run(name, func(b *testing.B) {
			l := audit.New(fsStore(b), audit.Options{})
			if open != nil {
				l.SetIndexer(open(b))
			}
			e := events()[2]
			b.ResetTimer()
			for b.Loop() {
				if _, err := l.Record(b.Context(), e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQueryExtract is the trail of one extract among 2 000 events of
// 200 extracts over ten days: from the index, and by reading the store.
func BenchmarkQueryExtract(b *testing.B) {
	c := &clock{t: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	store := fsStore(b)
	l := audit.New(store, audit.Options{Now: func() time.Time { c.t = c.t.Add(7 * time.Minute); return c.t }})
	ix := indextest.SQLite(b)
	l.SetIndexer(ix)
	e := events()[2]
	for i := range 2000 {
		e.Extract = fmt.Sprintf("ex%d", i%200)
		if _, err := l.Record(b.Context(), e); err != nil {
			b.Fatal(err)
		}
	}
	scan := audit.New(store, audit.Options{})
	for name, lg := range map[string]*audit.Log{"index": l, "scan": scan} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				evs, err := lg.Query(b.Context(), audit.Query{Extract: "ex7"})
				if err != nil || len(evs) != 10 {
					b.Fatalf("%d events, %v", len(evs), err)
				}
			}
		})
	}
}
