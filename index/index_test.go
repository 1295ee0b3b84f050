package index_test

import (
	"context"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/index"
	"utdrag/index/indextest"
	"utdrag/storage/storagetest"
)

// TestContract runs the index contract on SQLite and on PostgreSQL.
func TestContract(t *testing.T) {
	for name, newURL := range indextest.Backends() {
		t.Run(name, func(t *testing.T) { indextest.Run(t, newURL) })
	}
}

// TestMigrationAdjusted: the rows written before the justering was
// indexed are told apart by their records, drafts from justerade.
func TestMigrationAdjusted(t *testing.T) {
	for name, newURL := range indextest.Backends() {
		t.Run(name, func(t *testing.T) {
			ix := indextest.Open(t, newURL(t))
			recs := []indextest.Rec{
				{N: 1, Organ: "Kommunstyrelsen", Date: "2024-01-01", Paragraphs: []int{1}},
				{N: 2, Organ: "Kommunstyrelsen", Date: "2024-01-02", Paragraphs: []int{2}, Draft: true},
			}
			for _, r := range recs {
				if err := ix.Put(t.Context(), r.Record()); err != nil {
					t.Fatal(err)
				}
			}
			if err := ix.RedoAdjusted(t.Context()); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				adjusted bool
				want     string
			}{{true, indextest.ID(1)}, {false, indextest.ID(2)}} {
				p, err := ix.List(t.Context(), index.Filter{Adjusted: &c.adjusted})
				if err != nil || len(p.Items) != 1 || p.Items[0].Record.ID != c.want {
					t.Errorf("adjusted %v after the migration: %d items, %v; want %s", c.adjusted, len(p.Items), err, c.want)
				}
			}
		})
	}
}

// TestMigrationParagraphOrganisations: the paragraph rows written before
// they named their organisation are given it from their extracts, and a
// search by § within an organisation then finds its own extracts alone.
func TestMigrationParagraphOrganisations(t *testing.T) {
	for name, newURL := range indextest.Backends() {
		t.Run(name, func(t *testing.T) {
			ix := indextest.Open(t, newURL(t))
			indextest.LoadNeighbours(t, ix)
			if err := ix.RedoParagraphOrganisations(t.Context()); err != nil {
				t.Fatal(err)
			}
			indextest.ParagraphScope(t, ix)
		})
	}
}

// TestProtocolsIndexedOnUpgrade: an index built whole before protocols
// were indexed gets its protocols from storage when the reconciler
// starts, without rebuilding the extracts.
func TestProtocolsIndexedOnUpgrade(t *testing.T) {
	for name, newURL := range indextest.Backends() {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			u := newURL(t)
			old, err := index.OpenAt(ctx, u, 8)
			if err != nil {
				t.Fatal(err)
			}
			built := "2025-01-01T00:00:00.000000000Z"
			err = old.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('rebuilt', '`+built+`')`)
			old.Close()
			if err != nil {
				t.Fatal(err)
			}
			a := archive.New(storagetest.FS(t))
			p := indextest.Proto{N: 1, Organ: "Kommunstyrelsen", Date: "2025-03-11", Posted: "2025-03-20"}
			if _, _, err := a.CreateProtocol(ctx, p.Record(), []byte("%PDF-1"), nil); err != nil {
				t.Fatal(err)
			}
			ix := indextest.Open(t, u)
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				(&index.Reconciler{Index: ix, Source: index.Source{Archive: a}, Every: 50 * time.Millisecond}).Run(runCtx)
			}()
			deadline := time.Now().Add(10 * time.Second)
			var got []*archive.ProtocolRecord
			for time.Now().Before(deadline) {
				if got, err = ix.Protocols(ctx, index.ProtocolFilter{}); err != nil || len(got) > 0 {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			stop()
			<-done
			if err != nil || len(got) != 1 || got[0].ID != indextest.ProtocolID(1) {
				t.Fatalf("protocols after the reconciler started: %d, %v", len(got), err)
			}
			if when, err := ix.Rebuilt(ctx); err != nil || when.Format("2006-01-02") != "2025-01-01" {
				t.Errorf("the extracts were rebuilt too: %v, %v", when, err)
			}
		})
	}
}
