package render_test

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
)

// loadTestdata decodes and validates an extract of testdata/makeup.
func loadTestdata(t *testing.T, name string) *extract.Extract {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "makeup", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := extract.Decode(f, extract.Limits{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return x
}

// TestStruckAndInsertedApartInThePDF: an amendment sent as a struck run
// and an inserted run side by side reads "200 000 275 000" in the PDF's
// text layer, and on the page the two runs stand a word space apart.
func TestStruckAndInsertedApartInThePDF(t *testing.T) {
	res, err := newEngine(t).Render(loadTestdata(t, "amendment.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(strings.ReplaceAll(pdftest.Text(t, res.PDF), "\u00a0", " ")), " ")
	if !strings.Contains(text, "höjs till 200 000 275 000 kronor") {
		t.Errorf("pdftotext does not read the amendment apart:\n%s", text)
	}
	var doc bboxDoc
	if err := xml.Unmarshal([]byte(pdftest.Text(t, res.PDF, "-bbox-layout")), &doc); err != nil {
		t.Fatal(err)
	}
	normal := 0.25 * exampletest.Template(t).Fonts.BodySize
	found := false
	for _, p := range doc.Pages {
		for _, f := range p.Flows {
			for _, b := range f.Blocks {
				for _, l := range b.Lines {
					for i := 1; i < len(l.Words); i++ {
						if l.Words[i-1].Text != "000" || l.Words[i].Text != "275" {
							continue
						}
						found = true
						if gap := l.Words[i].XMin - l.Words[i-1].XMax; gap < 0.9*normal {
							t.Errorf("the struck and the inserted sum stand %.2f pt apart, a word space is %.2f pt", gap, normal)
						}
					}
				}
			}
		}
	}
	if !found {
		t.Error("no struck 000 followed by the inserted 275 on a line")
	}
}
