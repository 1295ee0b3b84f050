package pdf_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/internal/exampletest"
	"utdrag/layout"
	"utdrag/layout/layouttest"
	"utdrag/render/pdf"
	"utdrag/templates"
	"utdrag/typeset"
)

type fixture struct {
	fonts    *fonts.Set
	engine   *layout.Engine
	renderer *pdf.Renderer
	tmpl     *templates.Template
}

func setup(t testing.TB) fixture {
	t.Helper()
	fs := exampletest.Fonts(t)
	return fixture{fs, layout.New(fs, typeset.New(exampletest.Hyphenator(t))), pdf.New(fs), exampletest.Template(t)}
}

func (f fixture) render(t testing.TB, doc compose.Document) []byte {
	t.Helper()
	pages, err := f.engine.Layout(doc, f.tmpl)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.renderer.Render(pages, &doc, pdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// samplePDF renders the sample extract into a temporary file.
func samplePDF(t *testing.T) (string, []byte) {
	t.Helper()
	out := setup(t).render(t, layouttest.Document())
	path := filepath.Join(t.TempDir(), "utdrag.pdf")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, out
}

func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed", name)
	}
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestQpdfCheckIsClean(t *testing.T) {
	path, _ := samplePDF(t)
	out := tool(t, "qpdf", "--check", path)
	if !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
}

func TestPageCountAndMetadata(t *testing.T) {
	path, raw := samplePDF(t)
	info := tool(t, "pdfinfo", path)
	want := []string{
		"Title:           Protokollsutdrag Regionstyrelsen 2023-10-06 § 157",
		"Subject:         Framtida uppdrag och syfte för GNS",
		"Author:          Region Jämtland Härjedalen",
		"Keywords:        RS/412/2023",
		"Creator:         Utdrag",
		"CreationDate:    Mon Oct  9 00:00:00 2023",
		"ModDate:         Mon Oct  9 00:00:00 2023",
		"Page size:       595.28 x 841.89 pts (A4)",
	}
	f := setup(t)
	pages, _ := f.engine.Layout(layouttest.Document(), f.tmpl)
	want = append(want, fmt.Sprintf("Pages:           %d", len(pages.Pages)))
	for _, w := range want {
		if !strings.Contains(info, w) {
			t.Errorf("pdfinfo lacks %q:\n%s", w, info)
		}
	}
	_ = raw
	plain := filepath.Join(t.TempDir(), "plain.pdf")
	tool(t, "qpdf", "--qdf", "--object-streams=disable", path, plain)
	qdf, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"/Lang (sv-SE)", "/Marked true", "/DisplayDocTitle true", "/StructTreeRoot"} {
		if !bytes.Contains(qdf, []byte(w)) {
			t.Errorf("catalog lacks %s", w)
		}
	}
}

// Every font is embedded as a subset with a Unicode map.
func TestFontsEmbeddedAsSubsets(t *testing.T) {
	path, _ := samplePDF(t)
	lines := strings.Split(strings.TrimSpace(tool(t, "pdffonts", path)), "\n")[2:]
	if len(lines) < 4 {
		t.Fatalf("%d fonts", len(lines))
	}
	for _, l := range lines {
		f := strings.Fields(l)
		name, flags := f[0], f[len(f)-5:len(f)-2]
		if !regexp.MustCompile(`^[A-Z]{6}\+Liberation(Serif|Sans)-`).MatchString(name) ||
			strings.Join(flags, " ") != "yes yes yes" {
			t.Errorf("font not embedded as a tagged subset: %s", l)
		}
	}
}

func extractText(t *testing.T, args ...string) string {
	path, _ := samplePDF(t)
	return strings.ReplaceAll(tool(t, "pdftotext", append(args, path, "-")...), "\u00a0", " ")
}

func TestTextExtractsWithSwedishAndSamiLetters(t *testing.T) {
	text := extractText(t)
	for _, w := range []string{
		"Region Jämtland Härjedalen", "PROTOKOLLSUTDRAG", "Sammanträdesdatum", "1 (4)", "4 (4)",
		"§ 157 Framtida uppdrag", "(RS/412/2023)", "Åre kommun", "Ärendet", "Östersunds kommuner", "den idé som",
		"Under mandatperioden 2019–2022 var GNS till viss del vilande",
		"”Áltá, Čohkkiras, Đuolbajávri, Ŋuorra, Šuoššjávri, Ŧuolbbá, Žiila, Ïedtje, Læstadius, Øvre”",
		"’apostrof’ …", "9 kap. 37 § kommunallagen", "6 746 750 kronor",
		"verksamhet. " + layouttest.Struck + " " + layouttest.Inserted[:20],
		"Áile Ŋuorra Đuolbba (-)", "Marit Gaup Šimić (SD)",
		"Paragrafen är justerad", "Rätt utdraget intygar", "Signerat elektroniskt", "Anna-Karin Sjöström",
		"Justerandes sign", "Utdragsbestyrkande", "LEO CP", "Expedieras till", "Beslutsunderlag",
	} {
		if !strings.Contains(strings.Join(strings.Fields(text), " "), w) {
			t.Errorf("pdftotext output lacks %q", w)
		}
	}
	if strings.Contains(text, "  ") {
		t.Error("double spaces in extracted text")
	}
	table := extractText(t, "-layout")
	for _, re := range []string{`Ledamot +Ja +Nej +Avstår`, `Robert Uitto \(S\) +X\n`, `Björn Hammarberg \(M\) +X\n`, `Summa +8 +5 +2\n`} {
		if !regexp.MustCompile(re).MatchString(table) {
			t.Errorf("table row %s not found in pdftotext -layout", re)
		}
	}
}

// pdftotext -bbox finds each word where layout put it: justification is
// drawn exactly and words are separated by real spaces.
func TestWordBoxesMatchLayout(t *testing.T) {
	f := setup(t)
	pages, err := f.engine.Layout(layouttest.Document(), f.tmpl)
	if err != nil {
		t.Fatal(err)
	}
	html := extractText(t, "-bbox", "-f", "1", "-l", "1")
	word := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>`)
	type box struct{ x1, x2 float64 }
	boxes := map[string][]box{}
	for _, m := range word.FindAllStringSubmatch(html, -1) {
		x1, _ := strconv.ParseFloat(m[1], 64)
		x2, _ := strconv.ParseFloat(m[2], 64)
		boxes[m[3]] = append(boxes[m[3]], box{x1, x2})
	}
	checked, missed := 0, 0
	for i, tx := range pages.Pages[0].Texts {
		// The second piece of a broken word speaks as part of the first.
		if tx.Role != layout.RoleBody || !tx.Space || strings.ContainsAny(tx.Text, "\u00a0&<>\"") ||
			i > 0 && pages.Pages[0].Texts[i-1].Joined {
			continue
		}
		checked++
		found := false
		for _, b := range boxes[tx.Text] {
			if math.Abs(b.x1-tx.X) < 0.05 && math.Abs(b.x2-(tx.X+tx.Width)) < 0.05 {
				found = true
			}
		}
		if !found {
			missed++
			t.Errorf("word %q at x %.2f–%.2f not found by pdftotext (%v)", tx.Text, tx.X, tx.X+tx.Width, boxes[tx.Text])
		}
	}
	if checked < 200 || missed > 0 {
		t.Errorf("checked %d words, %d missed", checked, missed)
	}
}

func TestSameInputSameBytes(t *testing.T) {
	f := setup(t)
	doc := layouttest.Document()
	a, b := f.render(t, doc), f.render(t, doc)
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings differ")
	}
	doc.Meta.Date = "2023-10-10"
	if bytes.Equal(a, f.render(t, doc)) {
		t.Error("the document date does not reach the PDF")
	}
}

func TestRenderNeedsADocumentDate(t *testing.T) {
	f := setup(t)
	doc := layouttest.Document()
	pages, _ := f.engine.Layout(doc, f.tmpl)
	for _, d := range []string{"", "9 oktober 2023"} {
		doc.Meta.Date = d
		if _, err := f.renderer.Render(pages, &doc, pdf.Options{}); err == nil {
			t.Errorf("date %q accepted", d)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	f := setup(b)
	doc := layouttest.Document()
	pages, err := f.engine.Layout(doc, f.tmpl)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		out, err := f.renderer.Render(pages, &doc, pdf.Options{})
		if err != nil {
			b.Fatal(err)
		}
		n = len(out)
	}
	b.ReportMetric(float64(n), "pdf-bytes")
}

// fontTypes maps each font's name in pdffonts to its type.
func fontTypes(t *testing.T, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(tool(t, "pdffonts", path)), "\n")[2:] {
		f := strings.Fields(l)
		out[f[0]] = f[1]
		if flags := strings.Join(f[len(f)-5:len(f)-2], " "); flags != "yes yes yes" {
			t.Errorf("font not embedded as a subset with a Unicode map: %s", l)
		}
	}
	return out
}

// Every face is a Type 0 font with Identity-H encoding over a subset of
// the document's own characters: one encoding for every character, which
// PDF/A accepts. A paragraph of letters from outside Swedish and Sami still
// extracts whole.
func TestEveryFaceIsACIDFontOfTheDocumentsCharacters(t *testing.T) {
	f := setup(t)
	doc := layouttest.Document()
	const odd = "Gábor Székely-Kőváry och Łukasz Wałęsa citerar ”Ωμέγα” (π ≈ 3,14)."
	doc.Blocks = append([]compose.Block{compose.Paragraph{Text: []typeset.Span{{Text: odd}}}}, doc.Blocks...)
	a, b := f.render(t, doc), f.render(t, doc)
	if !bytes.Equal(a, b) {
		t.Error("two renderings differ")
	}
	path := filepath.Join(t.TempDir(), "mixed.pdf")
	if err := os.WriteFile(path, a, 0o644); err != nil {
		t.Fatal(err)
	}
	types := fontTypes(t, path)
	if len(types) < 3 {
		t.Errorf("fonts %v", types)
	}
	for name, typ := range types {
		if typ != "CID" { // pdffonts: "CID TrueType"
			t.Errorf("%s is %s", name, typ)
		}
	}
	if out := tool(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	text := strings.Join(strings.Fields(tool(t, "pdftotext", path, "-")), " ")
	for _, w := range []string{odd, "Áltá, Čohkkiras, Đuolbajávri, Ŋuorra", "Region Jämtland Härjedalen", "Marit Gaup Šimić (SD)"} {
		if !strings.Contains(text, w) {
			t.Errorf("pdftotext lacks %q", w)
		}
	}
	// A subset holds the glyphs the document draws, not the face's
	// repertoire: the Greek letters are only in the body face.
	plain := f.render(t, layouttest.Document())
	if len(a)-len(plain) > 3000 {
		t.Errorf("a paragraph of odd letters adds %d bytes", len(a)-len(plain))
	}
}

// A character no face has is an error, not an empty box or a crash
// (nor a character beyond U+FFFF without a glyph): validation keeps
// such text out, and the renderer does not trust it to.
func TestCharacterNoFaceHasIsAnError(t *testing.T) {
	f := setup(t)
	for odd, want := range map[string]string{"Beslut 😀": "U+1F600", "Beslut ✓": "U+2713", "漢字": "U+6F22"} {
		doc := layouttest.Document()
		doc.Blocks = append([]compose.Block{compose.Paragraph{Text: []typeset.Span{{Text: odd}}}}, doc.Blocks...)
		pages, err := f.engine.Layout(doc, f.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.renderer.Render(pages, &doc, pdf.Options{})
		if err == nil || out != nil {
			t.Errorf("%q: %d bytes, error %v", odd, len(out), err)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error does not name the character: %v", odd, err)
		}
	}
}

// A certified extract shows its verification address in the footer of
// every page, beside the QR code drawn as filled vector rectangles.
func TestVerificationAddressAndQRCode(t *testing.T) {
	f := setup(t)
	doc := layouttest.Document()
	const url = "https://utdrag.example.se/v/7K3M9Q2X/1"
	doc.Header.VerifyURL = url
	out := f.render(t, doc)
	path := filepath.Join(t.TempDir(), "certified.pdf")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	pages, _ := strconv.Atoi(regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(tool(t, "pdfinfo", path))[1])
	for p := 1; p <= pages; p++ {
		n := strconv.Itoa(p)
		text := strings.Join(strings.Fields(tool(t, "pdftotext", "-f", n, "-l", n, path, "-")), "")
		if !strings.Contains(text, url) {
			t.Errorf("page %d lacks the address", p)
		}
	}
	if out := tool(t, "qpdf", "--check", path); !strings.Contains(out, "No syntax or stream encoding errors") {
		t.Errorf("qpdf --check:\n%s", out)
	}
	plain := f.render(t, layouttest.Document())
	if len(out)-len(plain) > 8000*pages {
		t.Errorf("the QR codes add %d bytes", len(out)-len(plain))
	}
}

// Every stream of a kilobyte or more is compressed: page contents and the
// object stream. Left plain are small ones (ToUnicode ranges, the
// cross-reference stream), the XMP metadata, readable as PDF/A wants, and
// the font programs, whose unhinted outlines compression shrinks by a
// fifth at a third of the render's time. qpdf lists the streams,
// independently of how the file was written.
func TestEveryStreamIsCompressed(t *testing.T) {
	f := setup(t)
	mixed := layouttest.Document()
	mixed.Blocks = append([]compose.Block{compose.Paragraph{Text: []typeset.Span{{Text: "Łukasz Ωμέγα ≈"}}}}, mixed.Blocks...)
	certified := layouttest.Document()
	certified.Header.VerifyURL = "https://utdrag.example.se/v/7K3M9Q2X/1"
	for name, doc := range map[string]compose.Document{"sample": layouttest.Document(), "odd letters": mixed, "certified": certified} {
		path := filepath.Join(t.TempDir(), name+".pdf")
		if err := os.WriteFile(path, f.render(t, doc), 0o644); err != nil {
			t.Fatal(err)
		}
		var dump struct{ Qpdf []json.RawMessage }
		if err := json.Unmarshal([]byte(tool(t, "qpdf", "--json=2", "--json-key=qpdf", path)), &dump); err != nil || len(dump.Qpdf) < 2 {
			t.Fatalf("%s: unexpected qpdf JSON: %v", name, err)
		}
		var objects map[string]struct {
			Stream *struct{ Dict map[string]any }
		}
		if err := json.Unmarshal(dump.Qpdf[1], &objects); err != nil {
			t.Fatal(err)
		}
		streams := 0
		for id, obj := range objects {
			if obj.Stream == nil {
				continue
			}
			streams++
			if obj.Stream.Dict["/Type"] == "/Metadata" {
				continue
			}
			length, _ := obj.Stream.Dict["/Length"].(float64)
			_, program := obj.Stream.Dict["/Length1"]
			if obj.Stream.Dict["/Filter"] != "/FlateDecode" && length >= 1024 && !program {
				t.Errorf("%s: %s is not compressed: %v", name, id, obj.Stream.Dict)
			}
		}
		if streams < 8 {
			t.Errorf("%s: only %d streams found", name, streams)
		}
	}
}

// Words the input marks as another language are a Span with that /Lang in
// the structure tree, inside their paragraph; the document keeps sv-SE.
func TestWordsInAnotherLanguageCarryTheirLang(t *testing.T) {
	f := setup(t)
	doc := layouttest.Document()
	doc.Meta.Languages = []string{"se", "en"}
	doc.Blocks = append([]compose.Block{compose.Paragraph{Text: []typeset.Span{
		{Text: "Ordföranden hälsar "},
		{Text: "Buorre beaivi", Style: typeset.Style(0).WithLang(1)},
		{Text: " och projektet "},
		{Text: "Green Corridor", Style: typeset.Italic.WithLang(2)},
		{Text: " välkommet."},
	}}}, doc.Blocks...)
	path := filepath.Join(t.TempDir(), "lang.pdf")
	if err := os.WriteFile(path, f.render(t, doc), 0o644); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "plain.pdf")
	tool(t, "qpdf", "--qdf", "--object-streams=disable", path, plain)
	qdf, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"se", "en"} {
		if !regexp.MustCompile(`/Lang \(` + lang + `\)\s*/P \d+ 0 R\s*/Pg \d+ 0 R\s*/S /Span`).Match(qdf) {
			t.Errorf("no Span with /Lang (%s) in the structure tree", lang)
		}
	}
	if !bytes.Contains(qdf, []byte("/Lang (sv-SE)")) {
		t.Error("the document lost its own language")
	}
	text := strings.Join(strings.Fields(tool(t, "pdftotext", path, "-")), " ")
	if !strings.Contains(text, "Ordföranden hälsar Buorre beaivi och projektet Green Corridor välkommet.") {
		t.Error("the paragraph does not extract whole")
	}
}
