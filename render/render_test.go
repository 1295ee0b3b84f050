package render_test

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"utdrag/internal/exampletest"

	"utdrag/extract"
	"utdrag/internal/pdftest"
	"utdrag/render"
	"utdrag/templates"
	"utdrag/typeset"
)

var (
	engineOnce sync.Once
	engine     *render.Engine
	engineErr  error
)

func newEngine(t testing.TB) *render.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = render.New() })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

func load(t testing.TB, name string) *extract.Extract {
	t.Helper()
	return exampletest.Load(t, name)
}

var examples = []struct{ json, seed string }{
	{"rs-157-2023.json", "testdata/seed-rs-157-2023.txt"},
	{"run-59-2022.json", "testdata/seed-run-59-2022.txt"},
}

// furniture is the text of the seeds' own page furniture and list glyphs,
// which the dump mixes into the text.
var furniture = regexp.MustCompile(`(?m)^\s*(Page \d+ of \d+|PROTOKOLL|Mötesdatum|Regionstyrelsen 2023-10-06|Justerandes sign Utdragsbestyrkande|-------------)\s*$`)

// squash keeps only letters and digits: sentences are compared without
// whitespace, hyphens (line-end hyphenation), dashes, quotes or bullets.
func squash(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// reworded are the seeds' words the extract writes otherwise on purpose:
// the case number with its label, and the omedelbar justering in the
// decision as registrars write it.
var reworded = strings.NewReplacer(
	"(RS/412/2023)", "(Dnr RS/412/2023)",
	"(RUN/59/2022)", "(Dnr RUN/59/2022)",
	"Paragrafen är justerad", "Paragrafen förklaras omedelbart justerad")

// sentences splits the seed into sentences (and headings, list items).
func sentences(seed string) []string {
	seed = furniture.ReplaceAllString(seed, "")
	seed = strings.ReplaceAll(seed, "\uf0b7", "\n") // Symbol-font bullets of the dump
	var out []string
	for _, para := range regexp.MustCompile(`\n\s*\n|\n\s*-\s`).Split(seed, -1) {
		para = strings.Join(strings.Fields(para), " ")
		for _, s := range regexp.MustCompile(`[.:!?] `).Split(para, -1) {
			if len(squash(s)) >= 3 {
				out = append(out, s)
			}
		}
	}
	return out
}

func TestEverySeedSentenceIsInThePDF(t *testing.T) {
	e := newEngine(t)
	for _, ex := range examples {
		t.Run(ex.json, func(t *testing.T) {
			res, err := e.Render(load(t, ex.json), nil)
			if err != nil {
				t.Fatal(err)
			}
			text := squash(bodyText(t, res.PDF))
			seed, err := os.ReadFile(ex.seed)
			if err != nil {
				t.Fatal(err)
			}
			ss := sentences(string(seed))
			if len(ss) < 20 {
				t.Fatalf("only %d sentences found in the seed", len(ss))
			}
			for i, s := range ss {
				ss[i] = reworded.Replace(s)
			}
			for _, s := range ss {
				if !strings.Contains(text, squash(typeset.Normalize(s))) {
					t.Errorf("missing from the PDF: %q", s)
				}
			}
		})
	}
}

// bodyText is pdftotext's reading of the text area of every page: the
// running header and the footer boxes left out, so a sentence that runs on
// to the next page reads as one.
func bodyText(t *testing.T, pdf []byte) string {
	t.Helper()
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := set.Get("")
	const pt = 72 / 25.4
	g := tp.Page
	top := (g.MarginTop + g.HeaderHeight) * pt
	bottom := (g.Height - g.MarginBottom - g.FooterHeight) * pt
	return pdftest.Text(t, pdf, "-x", "0", "-y", strconv.Itoa(int(top)),
		"-W", strconv.Itoa(int(g.Width*pt)), "-H", strconv.Itoa(int(bottom-top)))
}

func TestPDFIsWellFormedAndSwedish(t *testing.T) {
	e := newEngine(t)
	x := load(t, "rs-157-2023.json")
	x.Paragraphs[0].Votes = []extract.Vote{{
		Proposition: "Ja för regiondirektörens förslag, nej för Björn Hammarbergs yrkande.",
		Ballots: []extract.Ballot{
			{Member: extract.Person{Name: "Áile Ŋuvttás", Party: "S"}, Vote: "ja"},
			{Member: extract.Person{Name: "Máhtte Čoarvi", Party: "V"}, Vote: "nej"},
			{Member: extract.Person{Name: "Đuvre Šaŧŧe-Žoaivi", Party: "-"}, Vote: "avstår"},
			{Member: extract.Person{Name: "Ïda Æsøy", Party: "M"}, Vote: "ja"},
		},
		Outcome: "Styrelsen beslutar enligt regiondirektörens förslag.",
	}}
	res, err := e.Render(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	pdftest.QPDFCheck(t, res.PDF)
	fonts := pdftest.Fonts(t, res.PDF)
	if len(fonts) < 2 {
		t.Fatalf("fonts %+v", fonts)
	}
	for _, f := range fonts {
		if !f.Embedded || !f.Subset {
			t.Errorf("font %s: embedded %v subset %v", f.Name, f.Embedded, f.Subset)
		}
	}
	text := pdftest.Text(t, res.PDF)
	for _, want := range []string{"PROTOKOLLSUTDRAG", "Regionstyrelsen", "2023-10-06", "Justerandes sign",
		"Utdragsbestyrkande", "Rätt utdraget intygar", "Paragrafen förklaras omedelbart justerad.", "(Dnr RS/412/2023)",
		"Plats och tid: Regionens hus, Östersund, 2023-10-06 kl. 08.30–16.00", "Sekreterare", "Lena Nordin", "Nämndsekreterare",
		"Ordförande", "Susanne Hansson (C)", "Omröstningsresultat: 2 ja-röster, 1 nej-röst och 1 avstår.",
		"Áile Ŋuvttás", "Máhtte Čoarvi", "Šaŧŧe-Žoaivi", "Ïda Æsøy", "Förslag till beslut", "Reservationer"} {
		if !strings.Contains(strings.ReplaceAll(text, "\u00a0", " "), want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	if !regexp.MustCompile(`§\s157`).MatchString(text) {
		t.Error("pdftotext lacks the § sign with its number")
	}
	pages := pdftest.Info(t, res.PDF)["Pages"]
	label := regexp.MustCompile(`(?m)^\s*1 \(` + pages + `\)\s*$`)
	if !label.MatchString(text) {
		t.Errorf("no page label 1 (%s) in\n%s", pages, text[:min(len(text), 400)])
	}
	info := pdftest.Info(t, res.PDF)
	if info["Author"] != "Region Jämtland Härjedalen" || !strings.Contains(info["Keywords"], "RS/412/2023") ||
		!strings.Contains(info["Title"], "Protokollsutdrag Regionstyrelsen 2023-10-06") || info["Page size"] == "" ||
		!strings.Contains(info["Page size"], "595") {
		t.Errorf("pdfinfo %v", info)
	}
}

func TestSameInputSameBytes(t *testing.T) {
	e := newEngine(t)
	a, err := e.Render(load(t, "rs-157-2023.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Render(load(t, "rs-157-2023.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.PDF, b.PDF) {
		t.Error("the same extract rendered twice gives different bytes")
	}
	x := load(t, "rs-157-2023.json")
	x.Paragraphs[0].Title += " (ändrad)"
	c, err := e.Render(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.PDF, c.PDF) {
		t.Error("a changed extract renders to the same bytes")
	}
}

// TestConcurrentRendersAgree: one Engine shared by goroutines (as the
// service shares it) gives each the same bytes as a render alone, with its
// pooled writers, page buffers and typesetter state; run with -race.
func TestConcurrentRendersAgree(t *testing.T) {
	e := newEngine(t)
	want := map[string][]byte{}
	for _, name := range []string{"rs-157-2023.json", "run-59-2022.json", "stress-compounds.json"} {
		res, err := e.Render(load(t, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		want[name] = res.PDF
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 10 {
				name := []string{"rs-157-2023.json", "run-59-2022.json", "stress-compounds.json"}[(g+i)%3]
				res, err := e.Render(load(t, name), nil)
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(res.PDF, want[name]) {
					t.Errorf("goroutine %d, render %d of %s: other bytes than alone", g, i, name)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkRender(b *testing.B) {
	e := newEngine(b)
	for _, ex := range examples {
		x := load(b, ex.json)
		b.Run(ex.json, func(b *testing.B) {
			b.ReportAllocs()
			var size int
			for b.Loop() {
				res, err := e.Render(x, nil)
				if err != nil {
					b.Fatal(err)
				}
				size = len(res.PDF)
			}
			b.ReportMetric(float64(size), "pdf-bytes")
		})
	}
}

// TestDraftIsMarkedOnEveryPage: an extract of a protocol not yet justerat
// (here a council's two paragraphs, one omedelbart justerad) says "Ej
// justerat" in the running header of every page and in its HTML
// rendition; once the protocol is justerat, nowhere.
func TestDraftIsMarkedOnEveryPage(t *testing.T) {
	e := newEngine(t)
	x := load(t, "storuman-kf-33-2026.json")
	x.Justering.State = extract.JusteringPending
	res, err := e.Render(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, res.PDF)
	if n := strings.Count(text, "Ej justerat"); n != res.Pages || res.Pages < 2 {
		t.Errorf("Ej justerat on %d of %d pages", n, res.Pages)
	}
	page, err := e.HTML(res.Document)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(page, []byte("Ej justerat")) {
		t.Error("the HTML rendition does not say it is a draft")
	}
	x.Justering.State = extract.JusteringAdjusted
	if res, err = e.Render(x, nil); err != nil || strings.Contains(pdftest.Text(t, res.PDF), "Ej justerat") {
		t.Errorf("justerat extract marked as a draft (%v)", err)
	}
}
