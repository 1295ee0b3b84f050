package render_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
	"utdrag/internal/secrettest"
	"utdrag/render"
)

// markedExamples have parts marked confidential: a board's paragraph with
// a marked span, list item, block, ballot name and section, and a
// paragraph marked whole; and a social welfare board's decision about a
// child, its name and personnummer marked.
var markedExamples = []string{"storuman-ks-88-2024.json", "ostersund-sn-45-2024.json"}

func renderAs(t *testing.T, x *extract.Extract, r extract.Rendition, part int) *render.Result {
	t.Helper()
	res, err := newEngine(t).RenderWith(context.Background(), x, nil, render.Options{Rendition: r, PDFA: part})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestPublicRenditionHoldsNoSecret: in the public rendition no secret
// string, nor any of its words longer than three letters that the
// extract does not print in public anyway, is found by pdftotext, in
// qpdf's uncompressed rewrite (content, metadata, the PDF/A-3 source
// attachment), by pdfinfo and pdfinfo -meta, by strings, or in the HTML
// rendition; the internal rendition shows every one, and its attachment
// holds every secret string.
func TestPublicRenditionHoldsNoSecret(t *testing.T) {
	labels := exampletest.Template(t).Labels
	for _, name := range markedExamples {
		x := load(t, name)
		sec := secrettest.Of(x, labels)
		if len(sec.Strings) < 3 || len(sec.Words) < 10 {
			t.Fatalf("%s: only %d secret strings and %d words to look for", name, len(sec.Strings), len(sec.Words))
		}
		t.Logf("%s: %d secret strings, %d words, grounds %v", name, len(sec.Strings), len(sec.Words), sec.Grounds)
		for _, part := range []int{2, 3} {
			pub := renderAs(t, x, extract.Public, part)
			in := renderAs(t, x, extract.Internal, part)
			readings := pdftest.Readings(t, pub.PDF)
			page, err := newEngine(t).HTML(pub.Document)
			if err != nil {
				t.Fatal(err)
			}
			// The HTML page without its style sheet, which is the same for
			// every extract ("mark.secret" is a rule of it).
			readings["html"] = regexp.MustCompile(`(?s)<style>.*</style>`).ReplaceAllString(string(page), "")
			readings["filename"] = compose.Filename(pub.Extract)
			for tool, text := range readings {
				for _, s := range sec.Strings {
					if pdftest.Contains(text, s) {
						t.Errorf("%s PDF/A-%d public, %s: holds the secret %q", name, part, tool, s)
					}
				}
				for _, w := range sec.Words {
					if pdftest.HasWord(text, w) {
						t.Errorf("%s PDF/A-%d public, %s: holds the secret word %q", name, part, tool, w)
					}
				}
			}
			inText := pdftest.Text(t, in.PDF)
			for _, w := range sec.Printed {
				if !pdftest.HasWord(inText, w) {
					t.Errorf("%s PDF/A-%d internal: pdftotext misses %q", name, part, w)
				}
			}
			if part == 3 {
				raw := pdftest.Readings(t, in.PDF)["qpdf --qdf"]
				for _, s := range sec.Strings {
					if !pdftest.Contains(raw, s) {
						t.Errorf("%s internal PDF/A-3: the attached source misses %q", name, s)
					}
				}
			}
		}
	}
}

// TestRenditionsSayWhatTheyAre: the public rendition has a placeholder
// naming the ground for each part withheld and nothing of the internal
// one's marks; the internal rendition says on every page that it holds
// secret text and names each ground; an extract with nothing marked is
// one and the same PDF in both, and says nothing of secrecy.
func TestRenditionsSayWhatTheyAre(t *testing.T) {
	labels := exampletest.Template(t).Labels
	for _, name := range markedExamples {
		x := load(t, name)
		pub, in := renderAs(t, x, extract.Public, 0), renderAs(t, x, extract.Internal, 0)
		pubText, inText := pdftest.Fold(pdftest.Text(t, pub.PDF)), pdftest.Fold(pdftest.Text(t, in.PDF))
		for _, g := range secrettest.Of(x, labels).Grounds {
			placeholder := pdftest.Fold(fmt.Sprintf(labels.Withheld, g))
			if !strings.Contains(pubText, placeholder) {
				t.Errorf("%s public: no placeholder %q", name, placeholder)
			}
			if strings.Contains(inText, placeholder) {
				t.Errorf("%s internal: a placeholder %q", name, placeholder)
			}
			if !strings.Contains(inText, pdftest.Fold(g)) {
				t.Errorf("%s internal: the ground %q is not named", name, g)
			}
		}
		if note := pdftest.Fold(labels.WithheldNote); !strings.Contains(pubText, note) || strings.Contains(inText, note) {
			t.Errorf("%s: the note that parts are removed is in the public rendition %v, in the internal %v",
				name, strings.Contains(pubText, note), strings.Contains(inText, note))
		}
		header := pdftest.Fold(labels.ConfidentialHeader)
		if n := strings.Count(inText, header); n != in.Pages {
			t.Errorf("%s internal: %q on %d of %d pages", name, header, n, in.Pages)
		}
		if strings.Contains(pubText, header) || strings.Contains(pubText, "sekretess enligt") {
			t.Errorf("%s public: the internal rendition's marks", name)
		}
		if pub.Rendition != extract.Public || in.Rendition != extract.Internal || pub.Extract.Marked() || !pub.Extract.Withheld() {
			t.Errorf("%s: results say %s and %s", name, pub.Rendition, in.Rendition)
		}
		// Both are the same every time.
		if again := renderAs(t, x, extract.Public, 0); !bytes.Equal(again.PDF, pub.PDF) {
			t.Errorf("%s public: two renders differ", name)
		}
		if again := renderAs(t, x, extract.Internal, 0); !bytes.Equal(again.PDF, in.PDF) {
			t.Errorf("%s internal: two renders differ", name)
		}
		pdftest.QPDFCheck(t, pub.PDF)
		pdftest.QPDFCheck(t, in.PDF)
	}
	for _, name := range exampletest.Names {
		x := load(t, name)
		pub, in := renderAs(t, x, extract.Public, 0), renderAs(t, x, extract.Internal, 0)
		if !bytes.Equal(pub.PDF, in.PDF) {
			t.Errorf("%s has nothing marked but two renditions", name)
		}
		text := strings.ToLower(pdftest.Text(t, pub.PDF))
		for _, word := range []string{"sekretessbelagda", "sekretess enligt", "uppgift borttagen", "omfattas av sekretess"} {
			if strings.Contains(text, word) {
				t.Errorf("%s has nothing marked but says %q", name, word)
			}
		}
	}
}

// TestGoldenPicturesOfRenditions compares both renditions of the marked
// examples with pictures in testdata/golden that were looked at: the
// shading and grounds of the internal one, and the public one laid out
// again around its placeholders, with no gap where text was removed.
func TestGoldenPicturesOfRenditions(t *testing.T) {
	update := os.Getenv("UTDRAG_UPDATE_GOLDEN") != ""
	for _, name := range markedExamples {
		for _, r := range []extract.Rendition{extract.Internal, extract.Public} {
			res := renderAs(t, load(t, name), r, 0)
			dir := t.TempDir()
			pdftest.Run(t, false, "pdftoppm", "-png", "-r", "70", pdftest.File(t, res.PDF), filepath.Join(dir, "page"))
			for n := 1; n <= res.Pages; n++ {
				got, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("page-%d.png", n)))
				if err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "golden", fmt.Sprintf("%s-%s-%d.png", strings.TrimSuffix(name, ".json"), r, n))
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
					t.Errorf("%s %s page %d: %d pixels differ from %s", name, r, n, diff, golden)
				}
			}
		}
	}
}
