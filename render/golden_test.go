package render_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
)

// TestGoldenPictures renders every page of both examples to PNG at 70 dpi
// (pdftoppm) and compares them with the pictures in testdata/golden, which
// were looked at before they were committed. UTDRAG_UPDATE_GOLDEN=1 writes
// new ones: look at them before committing.
func TestGoldenPictures(t *testing.T) {
	update := os.Getenv("UTDRAG_UPDATE_GOLDEN") != ""
	for _, name := range exampletest.Names {
		res, err := newEngine(t).Render(exampletest.Load(t, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		pdftest.Run(t, false, "pdftoppm", "-png", "-r", "70", pdftest.File(t, res.PDF), filepath.Join(dir, "page"))
		for n := 1; n <= res.Pages; n++ {
			got, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("page-%d.png", n)))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", fmt.Sprintf("%s-%d.png", name[:len(name)-len(".json")], n))
			if update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (UTDRAG_UPDATE_GOLDEN=1 writes it)", err)
			}
			if diff := pixelDiff(t, got, want); diff > 0 {
				t.Errorf("%s page %d: %d pixels differ from %s", name, n, diff, golden)
			}
		}
	}
}

// pixelDiff counts the pixels that differ between two PNGs of one size.
func pixelDiff(t *testing.T, a, b []byte) int {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		return ia.Bounds().Dx() * ia.Bounds().Dy()
	}
	diff := 0
	r := ia.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !sameColor(ia, ib, x, y) {
				diff++
			}
		}
	}
	return diff
}

func sameColor(a, b image.Image, x, y int) bool {
	r1, g1, b1, a1 := a.At(x, y).RGBA()
	r2, g2, b2, a2 := b.At(x, y).RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
