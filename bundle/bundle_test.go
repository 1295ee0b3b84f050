package bundle_test

import (
	"archive/zip"
	"bytes"
	"testing"
	"time"

	"utdrag/bundle"
)

// TestZipIsTheFilesAsTheyAre zips two files with the same name twice: the
// bytes are the same both times, both files are there under names of
// their own, stored as they are with their times.
func TestZipIsTheFilesAsTheyAre(t *testing.T) {
	at := time.Date(2023, 10, 9, 12, 30, 0, 0, time.UTC)
	files := []bundle.File{{Name: "a.pdf", Modified: at, PDF: []byte("%PDF-1 first")}, {Name: "a.pdf", Modified: at, PDF: []byte("%PDF-1 second")}}
	one, err := bundle.Zip(files)
	if err != nil {
		t.Fatal(err)
	}
	two, _ := bundle.Zip(files)
	if !bytes.Equal(one, two) {
		t.Error("the same files make different zips")
	}
	zr, err := zip.NewReader(bytes.NewReader(one), int64(len(one)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 || zr.File[0].Name != "a.pdf" || zr.File[1].Name != "a (2).pdf" {
		t.Fatalf("names %v", zr.File)
	}
	for i, f := range zr.File {
		r, _ := f.Open()
		var b bytes.Buffer
		_, _ = b.ReadFrom(r)
		if !bytes.Equal(b.Bytes(), files[i].PDF) || f.Method != zip.Store || !f.Modified.Equal(at) {
			t.Errorf("file %d: %q, method %d, time %v", i, b.String(), f.Method, f.Modified)
		}
	}
	if _, err := bundle.PDF(nil); err == nil {
		t.Error("joining nothing is not refused")
	}
}
