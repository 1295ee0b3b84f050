package index_test

import (
	"testing"

	"utdrag/index"
	"utdrag/index/indextest"
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
