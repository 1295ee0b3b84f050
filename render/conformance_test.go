package render_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"utdrag/certify"
	"utdrag/compose"
	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
	"utdrag/layout"
	"utdrag/render"
	"utdrag/templates"
	"utdrag/typeset"
)

// conformanceExamples are the examples every rendition is checked on.
var conformanceExamples = []string{"rs-157-2023.json", "run-59-2022.json", "stress-compounds.json"}

// certification is the clerk's certification of the certified renditions.
var certification = &compose.Certification{Name: "Lena Nordin", Title: "Nämndsekreterare", Place: "Östersund",
	Date: "2023-10-12", VerifyURL: "https://utdrag.example.se/v/7K3M9Q2X/1"}

// signed renders x certified in PDF/A part and signs it with a development
// certificate, as the service does; it returns the signed file and the
// certificate that pdfsig must trust.
func signed(t *testing.T, e *render.Engine, name string, part int) (pdf, caPEM []byte) {
	t.Helper()
	res, err := e.RenderWith(context.Background(), exampletest.Load(t, name), certification, render.Options{PDFA: part})
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := certify.NewDevelopment("Region Exempel", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	id, err := certify.LoadPEM(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	out, err := certify.Sign(context.Background(), res.PDF, id, certify.Options{Reason: "Rätt utdraget intygas", Location: "Östersund"})
	if err != nil {
		t.Fatal(err)
	}
	return out, certPEM
}

// The PDF/A-1 rendition of every example, plain and certified, is valid
// PDF/A-1b for Apache PDFBox's Preflight, with no error at all.
func TestPreflightFindsNoErrorInPDFA1(t *testing.T) {
	e := newEngine(t)
	files := map[string][]byte{}
	for _, name := range conformanceExamples {
		res, err := e.RenderWith(context.Background(), exampletest.Load(t, name), nil, render.Options{PDFA: 1})
		if err != nil {
			t.Fatal(err)
		}
		base := strings.TrimSuffix(name, ".json")
		files[base+".pdf"] = res.PDF
		files[base+"-certified.pdf"], _ = signed(t, e, name, 1)
	}
	got := pdftest.Preflight(t, files)
	for name := range files {
		errs, ok := got[name]
		switch {
		case !ok:
			t.Errorf("%s: not in Preflight's report", name)
		case len(errs) > 0:
			t.Errorf("%s: %d errors:\n%s", name, len(errs), strings.Join(errs, "\n"))
		}
	}
}

// Every rendition, plain and certified, is clean for qpdf, has every font
// embedded as a subset with a Unicode map, and a certified one keeps a
// valid signature over the whole file.
func TestEveryRenditionIsCleanAndSigned(t *testing.T) {
	e := newEngine(t)
	for _, name := range conformanceExamples {
		for _, part := range []int{1, 2, 3} {
			res, err := e.RenderWith(context.Background(), exampletest.Load(t, name), nil, render.Options{PDFA: part})
			if err != nil {
				t.Fatal(err)
			}
			cert, ca := signed(t, e, name, part)
			for kind, pdf := range map[string][]byte{"plain": res.PDF, "certified": cert} {
				what := name + " PDF/A-" + strconv.Itoa(part) + " " + kind
				pdftest.QPDFCheck(t, pdf)
				for _, f := range pdftest.Fonts(t, pdf) {
					if !f.Embedded || !f.Subset {
						t.Errorf("%s: font %s not embedded as a subset", what, f.Name)
					}
				}
				info := pdftest.Info(t, pdf)
				if info["Tagged"] != "yes" || info["Metadata Stream"] != "yes" {
					t.Errorf("%s: tagged %q, metadata %q", what, info["Tagged"], info["Metadata Stream"])
				}
				if kind == "certified" {
					out := pdftest.Sig(t, pdf, pdftest.NSSDB(t, ca))
					if !strings.Contains(out, "Signature is Valid") || !strings.Contains(out, "Total document signed") {
						t.Errorf("%s: pdfsig:\n%s", what, out)
					}
				}
			}
		}
	}
}

// The PDF/A-3 rendition carries the extract's canonical JSON as its
// source: pdfdetach lists it and saves it byte for byte.
func TestSourceAttachedToPDFA3(t *testing.T) {
	e := newEngine(t)
	x := exampletest.Load(t, "rs-157-2023.json")
	res, err := e.RenderWith(context.Background(), x, nil, render.Options{PDFA: 3})
	if err != nil {
		t.Fatal(err)
	}
	path := pdftest.File(t, res.PDF)
	list := pdftest.Run(t, false, "pdfdetach", "-list", path)
	if !strings.Contains(list, "1 embedded files") || !strings.Contains(list, "1: utdrag.json") {
		t.Fatalf("pdfdetach -list:\n%s", list)
	}
	saved := filepath.Join(t.TempDir(), "source.json")
	pdftest.Run(t, false, "pdfdetach", "-save", "1", "-o", saved, path)
	got, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, x.Canonical()) {
		t.Errorf("the attached source (%d bytes) is not the canonical JSON (%d bytes)", len(got), len(x.Canonical()))
	}
	for _, part := range []int{1, 2} {
		res, err := e.RenderWith(context.Background(), x, nil, render.Options{PDFA: part})
		if err != nil {
			t.Fatal(err)
		}
		if list := pdftest.Run(t, false, "pdfdetach", "-list", pdftest.File(t, res.PDF)); !strings.Contains(list, "0 embedded files") {
			t.Errorf("PDF/A-%d has attachments:\n%s", part, list)
		}
	}
}

// A word broken across lines comes out of pdftotext whole: a hyphenated
// word without its inserted hyphen, a compound broken after its own hyphen
// with it. Which words are broken is read from the layout; that each comes
// out whole is pdftotext's reading of the PDF.
func TestBrokenWordsExtractWhole(t *testing.T) {
	e := newEngine(t)
	checked, own := 0, 0
	for _, name := range conformanceExamples {
		x := exampletest.Load(t, name)
		res, err := e.Render(x, nil)
		if err != nil {
			t.Fatal(err)
		}
		text := pdftest.Text(t, res.PDF)
		for _, w := range brokenWords(t, x) {
			checked++
			if strings.Contains(w, "-") {
				own++
			}
			if !regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(w) + `($|[\s.,:;)”’])`).MatchString(text) {
				t.Errorf("%s: pdftotext lacks %q whole", name, w)
			}
		}
	}
	t.Logf("%d broken words, %d with a hyphen of their own", checked, own)
	if checked < 20 || own < 1 {
		t.Errorf("%d broken words checked (%d with their own hyphen), want at least 20 and 1", checked, own)
	}
}

// brokenWords lays x out and lists the words broken across lines, whole,
// without the punctuation around them.
func brokenWords(t *testing.T, x *extract.Extract) []string {
	t.Helper()
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	tp, ok := set.Get(x.Template)
	if !ok {
		t.Fatalf("template %q", x.Template)
	}
	engine := layout.New(exampletest.Fonts(t), typeset.New(exampletest.Hyphenator(t)))
	pages, err := engine.Layout(compose.Build(x, tp, nil), tp)
	if err != nil {
		t.Fatal(err)
	}
	var texts []layout.Text
	for _, p := range pages.Pages {
		for _, tx := range p.Texts {
			if tx.Block >= 0 {
				texts = append(texts, tx)
			}
		}
	}
	var out []string
	for i := 0; i < len(texts); i++ {
		if !texts[i].Joined {
			continue
		}
		w := ""
		for ; i < len(texts); i++ {
			tx := texts[i]
			w += tx.Text[:len(tx.Text)-int(tx.Added)]
			if !tx.Joined {
				break
			}
		}
		out = append(out, strings.Trim(w, ".,:;()”’"))
	}
	return out
}
