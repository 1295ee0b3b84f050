package render_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
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

// signedExtract is a one-paragraph extract whose Ärendet has n sentences
// of running text before a six-line decision, signed by the chair, two
// justerare and the certifying clerk (three rows of signatures).
func signedExtract(t *testing.T, n int) *extract.Extract {
	t.Helper()
	sentences := []string{
		"Förvaltningen har berett ärendet i samråd med berörda verksamheter och de fackliga organisationerna.",
		"Kostnaderna ryms inom den ram som fullmäktige har fastställt för innevarande år.",
		"Nämnden har tidigare informerats om arbetet vid sammanträdet i september.",
	}
	var blocks []string
	for i := range n {
		blocks = append(blocks, strings.Repeat(sentences[i%3]+" ", 1+i%3))
	}
	body, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`{
  "organisation": {"id": "storsjo", "name": "Storsjö kommun"},
  "organ": "Socialnämnden",
  "meeting": {"date": "2024-05-14", "place": "Kommunhuset"},
  "chair": {"name": "Karin Lindqvist", "party": "S"},
  "paragraphs": [{
    "number": 44, "caseNumber": "SN 2024/87", "title": "Delegationsordning",
    "sections": [{"heading": "Ärendet", "blocks": %s}],
    "decision": ["Nämnden beslutar att godkänna förvaltningens förslag till reviderad delegationsordning och att den gäller från och med den 1 juli 2024. Förvaltningen får i uppdrag att redovisa tillämpningen vid nämndens sammanträde i december. Beslut som fattas med stöd av delegation anmäls till nämnden vid nästa sammanträde. Den tidigare delegationsordningen upphör att gälla när den nya träder i kraft, och ärenden som har påbörjats avgörs enligt den ordning som gällde när de inleddes."]
  }],
  "justering": {"date": "2024-05-16", "place": "Kommunhuset", "adjusters": [{"name": "Olof Brännström", "party": "M"}, {"name": "Sara Nilsson", "party": "V"}]}
}`, body)
	x, err := extract.Decode(strings.NewReader(src), extract.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestSignaturesShareTheirPageWithTheDecision: read with pdftotext, the
// page that carries the signatures also carries the end of the decision,
// wherever the decision ends; the running text before it grows sentence
// by sentence over more than a page, past the place where the signatures
// no longer fit under the decision.
func TestSignaturesShareTheirPageWithTheDecision(t *testing.T) {
	const end = "avgörs enligt den ordning som gällde när de inleddes."
	split := 0 // extracts whose decision starts on one page and ends on the next
	for n := 8; n <= 40; n++ {
		res, err := newEngine(t).Render(signedExtract(t, n), nil)
		if err != nil {
			t.Fatal(err)
		}
		pages := strings.Split(pdftest.Text(t, res.PDF), "\f")
		for i, p := range pages {
			p = strings.Join(strings.Fields(p), " ")
			if !strings.Contains(p, "Rätt utdraget intygar") {
				continue
			}
			if !strings.Contains(p, end) {
				t.Errorf("%d paragraphs of text: page %d has the signatures but not the end of the decision", n, i+1)
			}
			if !strings.Contains(p, "Nämnden beslutar att godkänna") {
				split++
			}
		}
	}
	if split == 0 {
		t.Error("the decision never ran over a page: the sweep proves nothing")
	}
}
