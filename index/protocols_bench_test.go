package index_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/index"
	"utdrag/index/indextest"
	"utdrag/storage"
	"utdrag/storage/fs"
	"utdrag/storage/storagetest"
)

// BenchmarkProtocolBoard: what the notice board reads of one
// organisation, its posted protocols, from the index (SQLite) against
// how it was read before, by listing the organisation's markers in
// storage and reading each record, at n protocols, on the file store and
// on MinIO (skipped without the test MinIO):
//
//	scripts/with-minio.sh taskset -c 0 go test -run '^$' -bench ProtocolBoard -cpu 1 -count 3 ./index/
func BenchmarkProtocolBoard(b *testing.B) {
	for _, c := range []struct {
		store string
		n     int
	}{{"fs", 100}, {"fs", 1000}, {"s3", 100}} {
		ctx := context.Background()
		var store storage.Store
		if c.store == "s3" {
			if os.Getenv(storagetest.EnvEndpoint) == "" {
				continue
			}
			store = storagetest.S3(b)
		} else {
			var err error
			if store, err = fs.New(b.TempDir()); err != nil {
				b.Fatal(err)
			}
		}
		n := c.n
		a := archive.New(store)
		ix := indextest.SQLite(b)
		day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range n {
			meeting := day.AddDate(0, 0, 2*i)
			p := indextest.Proto{N: i, Organ: "Kommunstyrelsen", Date: meeting.Format(time.DateOnly),
				Posted: meeting.AddDate(0, 0, 9).Format(time.DateOnly)}
			rec, _, err := a.CreateProtocol(ctx, p.Record(), []byte(fmt.Sprintf("%%PDF-%d", i)), nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := ix.PutProtocols(ctx, rec); err != nil {
				b.Fatal(err)
			}
		}
		today := time.Now().Format(time.DateOnly)
		b.Run(fmt.Sprintf("%s/n=%d/index", c.store, n), func(b *testing.B) {
			for b.Loop() {
				got, err := ix.Protocols(ctx, index.ProtocolFilter{Organisation: "region-jh", PostedBy: today})
				if err != nil || len(got) != n {
					b.Fatalf("%d protocols, %v", len(got), err)
				}
			}
		})
		b.Run(fmt.Sprintf("%s/n=%d/storage", c.store, n), func(b *testing.B) {
			for b.Loop() {
				got, err := a.ListProtocols(ctx, "region-jh")
				if err != nil || len(got) != n {
					b.Fatalf("%d protocols, %v", len(got), err)
				}
			}
		})
	}
}
