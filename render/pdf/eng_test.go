package pdf_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/internal/pdftest"
	"utdrag/layout"
	"utdrag/render/pdf"
)

// The glyph pictures are drawn at engSize points and rasterised at 72 dpi,
// so a pixel is a point: the capitals are about 130 pixels high.
const (
	engSize     = 200.0
	engBaseline = 260.0 // from the top of the page
	engN        = 60.0  // left end of N's baseline
	engEng      = 380.0 // left end of Ŋ's baseline
	engCell     = 320.0 // each letter owns engCell columns from x-engCell/8
)

// engPages puts N and Ŋ side by side on one page per face. With odd set,
// every face also draws ő, a letter of neither Swedish nor Sami.
func engPages(fs *fonts.Set, odd bool) *layout.Pages {
	p := &layout.Pages{Width: 700, Height: 360}
	for i, f := range fs.Faces() {
		text := func(x, y float64, s string, size float64) layout.Text {
			return layout.Text{X: x, Y: y, Text: s, Face: f, Size: size, Width: f.Width(s) * size}
		}
		pg := layout.Page{Number: i + 1, Label: f.Name(), Texts: []layout.Text{
			text(engN, engBaseline, "N", engSize),
			text(engEng, engBaseline, "Ŋ", engSize),
		}}
		if odd {
			pg.Texts = append(pg.Texts, text(10, 20, "ő", 10))
		}
		p.Pages = append(p.Pages, pg)
	}
	return p
}

// inkMask is the dark pixels of a grey picture.
type inkMask struct {
	w, h int
	ink  []bool
}

func (m inkMask) at(x, y int) bool {
	return x >= 0 && y >= 0 && x < m.w && y < m.h && m.ink[y*m.w+x]
}

func readInk(t *testing.T, path string) inkMask {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	r := img.Bounds()
	m := inkMask{w: r.Dx(), h: r.Dy(), ink: make([]bool, r.Dx()*r.Dy())}
	for y := range m.h {
		for x := range m.w {
			g, _, _, _ := img.At(r.Min.X+x, r.Min.Y+y).RGBA()
			m.ink[y*m.w+x] = g < 0x8000
		}
	}
	return m
}

// letterInk is one letter's ink: pixel positions relative to the letter's
// origin, x to the right and y upwards from the baseline (y < 0: below
// it). Antialiasing smears the baseline over a pixel or two, so the rows
// down to y = -2 count as on it.
type letterInk map[image.Point]bool

func measureLetter(m inkMask, x0 int) letterInk {
	l := letterInk{}
	for y := range m.h {
		for x := x0 - int(engCell)/8; x < x0+int(engCell)*7/8; x++ {
			if m.at(x, y) {
				l[image.Point{x - x0, int(engBaseline) - y}] = true
			}
		}
	}
	return l
}

// rows is the ink between heights lo and hi (inclusive) and its extent.
func (l letterInk) rows(lo, hi int) (ink letterInk, left, right int) {
	ink, left, right = letterInk{}, 1<<30, -1<<30
	for p := range l {
		if p.Y >= lo && p.Y <= hi {
			ink[p] = true
			left, right = min(left, p.X), max(right, p.X)
		}
	}
	return ink, left, right
}

// depth is how far the ink reaches below the baseline.
func (l letterInk) depth() int {
	d := 0
	for p := range l {
		if p.Y < -2 {
			d = max(d, -p.Y)
		}
	}
	return d
}

// overlap is the share of ink two letters have in common on and above the
// baseline: intersection over union of their ink pixels.
func overlap(a, b letterInk) float64 {
	a, _, _ = a.rows(-2, 1<<30)
	b, _, _ = b.rows(-2, 1<<30)
	inter, union := 0, len(a)
	for p := range b {
		if a[p] {
			inter++
		} else {
			union++
		}
	}
	return float64(inter) / float64(union)
}

// Sami orthography writes the capital eng as an N whose right stem
// descends below the baseline into a hook, not as a wide "large n". Drawn
// large and rasterised by pdftoppm, each face's Ŋ must therefore be N
// above the baseline (left stem, diagonal and right stem in N's place),
// as wide as N in the text's measure, and descend well below the
// baseline under its right stem, where N has no ink. It is checked in a
// document of Swedish and Sami letters and in one with other letters too.
func TestSamiCapitalEngIsAnNWithAHook(t *testing.T) {
	fix := setup(t)
	for _, odd := range []bool{false, true} {
		path := map[bool]string{false: "Swedish and Sami", true: "with other letters"}[odd]
		t.Run(path, func(t *testing.T) {
			doc := &compose.Document{Meta: compose.Meta{Date: "2023-10-09", Language: "sv-SE"}}
			out, err := fix.renderer.Render(engPages(fix.fonts, odd), doc, pdf.Options{})
			if err != nil {
				t.Fatal(err)
			}
			const wantType = "CID TrueType"
			for _, f := range pdftest.Fonts(t, out) {
				if !f.Embedded || !f.Subset || !strings.HasPrefix(f.Type, wantType) {
					t.Errorf("font %s: type %s, embedded %v, subset %v; want an embedded %s subset", f.Name, f.Type, f.Embedded, f.Subset, wantType)
				}
			}
			if got := strings.Count(pdftest.Text(t, out), "Ŋ"); got != len(fix.fonts.Faces()) {
				t.Errorf("pdftotext finds %d Ŋ (U+014A), want one a page", got)
			}
			dir := t.TempDir()
			pdftest.Run(t, false, "pdftoppm", "-png", "-gray", "-r", "72", pdftest.File(t, out), filepath.Join(dir, "page"))
			for i, face := range fix.fonts.Faces() {
				name := filepath.Join(dir, fmt.Sprintf("page-%d.png", i+1))
				m := readInk(t, name)
				n, eng := measureLetter(m, int(engN)), measureLetter(m, int(engEng))
				if above, _, _ := n.rows(-2, 1<<30); len(above) < 1000 || n.depth() != 0 {
					t.Fatalf("%s: N not drawn where expected (%d pixels on or above the baseline, %d pt below)", face.Name(), len(above), n.depth())
				}
				if ov := overlap(n, eng); ov < 0.85 {
					t.Errorf("%s: above the baseline Ŋ shares %.0f%% of its ink with N, want ≥ 85%% (an N-form)", face.Name(), 100*ov)
				}
				if d := eng.depth(); d < int(0.12*engSize) {
					t.Errorf("%s: Ŋ reaches %d pt below the baseline, want ≥ %.0f (a descending hook)", face.Name(), d, 0.12*engSize)
				}
				// The hook hangs from the right stem: where the descender
				// leaves the baseline, its ink lies right of the middle of
				// N's foot (slanted faces included).
				_, fl, fr := n.rows(0, int(0.05*engSize))
				top, tl, _ := eng.rows(-int(0.05*engSize), -3)
				switch {
				case len(top) == 0:
					t.Errorf("%s: no ink of Ŋ just below the baseline", face.Name())
				case tl <= (fl+fr)/2:
					t.Errorf("%s: Ŋ's descender starts at x ≥ %d, not right of the middle of N's foot (%d–%d)", face.Name(), tl, fl, fr)
				}
				if w, wn := face.Width("Ŋ"), face.Width("N"); w < 0.95*wn || w > 1.05*wn {
					t.Errorf("%s: Ŋ measures %.3f em, N %.3f em: an N-form is as wide as N", face.Name(), w, wn)
				}
			}
		})
	}
}
