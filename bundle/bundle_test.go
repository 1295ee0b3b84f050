package bundle_test

import (
	"archive/zip"
	"bytes"
	"testing"
	"time"

	"utdrag/bundle"
	"utdrag/compose"
	"utdrag/internal/exampletest"
	"utdrag/render"
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

// meetingFiles renders the example extract as four §§, as a meeting's
// files to join (unsigned: the signatures are taken out when joining).
func meetingFiles(b *testing.B) []bundle.File {
	b.Helper()
	eng, err := render.New()
	if err != nil {
		b.Fatal(err)
	}
	var files []bundle.File
	for n := 157; n < 161; n++ {
		x := exampletest.Load(b, "rs-157-2023.json")
		x.Paragraphs[0].Number = n
		res, err := eng.Render(x, &compose.Certification{Name: "Lena Nordin", Title: "Nämndsekreterare", Date: "2023-10-09", Initials: "LN",
			VerifyURL: "https://utdrag.example.se/v/0123456789abcdef01234567/1"})
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, bundle.File{Name: "x.pdf", PDF: res.PDF})
	}
	return files
}

// BenchmarkMeeting joins a meeting of four 4-page extracts into one PDF,
// against zipping the same files (the baseline: no parsing at all).
func BenchmarkMeeting(b *testing.B) {
	files := meetingFiles(b)
	b.Run("zip", func(b *testing.B) {
		for b.Loop() {
			if _, err := bundle.Zip(files); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pdf", func(b *testing.B) {
		for b.Loop() {
			if _, err := bundle.PDF(files); err != nil {
				b.Fatal(err)
			}
		}
	})
}
