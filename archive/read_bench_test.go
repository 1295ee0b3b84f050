package archive_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"utdrag/archive"
	"utdrag/storage"
	"utdrag/storage/fs"
	"utdrag/storage/storagetest"
)

// BenchmarkReadPDF measures what serving only what was recorded costs: a
// PDF read as the archive reads it (by the pinned version, bounded by the
// recorded size, checked against the recorded SHA-256) against the bare
// store read of the same object, on the file store and on MinIO, for a
// typical extract (60 KB) and a long one (2 MB).
//
//	scripts/with-minio.sh go test -run '^$' -bench ReadPDF -count 6 -cpu 1 ./archive/
func BenchmarkReadPDF(b *testing.B) {
	backends := map[string]func(b *testing.B) storage.Store{
		"fs": func(b *testing.B) storage.Store {
			s, err := fs.New(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
		"s3": func(b *testing.B) storage.Store { return storagetest.S3(b) },
	}
	for _, name := range []string{"fs", "s3"} {
		for _, size := range []int{60 << 10, 2 << 20} {
			b.Run(fmt.Sprintf("%s/%dKB", name, size>>10), func(b *testing.B) {
				store := backends[name](b)
				a := archive.New(store)
				pdf := make([]byte, size)
				rng := rand.NewChaCha8([32]byte{7})
				_, _ = rng.Read(pdf)
				rec, _, err := a.Create(b.Context(), record(1), pdf, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.Run("store", func(b *testing.B) {
					b.SetBytes(int64(size))
					for b.Loop() {
						if _, _, err := store.Get(b.Context(), archive.PDFKey(rec.ID)); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("recorded", func(b *testing.B) {
					b.SetBytes(int64(size))
					for b.Loop() {
						if _, err := a.PDF(b.Context(), rec); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}
