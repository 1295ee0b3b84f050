package certify_test

import (
	"context"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/internal/exampletest"
	"utdrag/internal/pkitest"
	"utdrag/render"
)

// TestLTAKeepsPDFA1: the PDF/A-1 rendition of the seed extract, signed
// and extended to B-LTA (a DSS and a document timestamp appended), is
// still valid PDF/A-1b for Apache PDFBox's Preflight, with no error.
func TestLTAKeepsPDFA1(t *testing.T) {
	p := pkitest.Shared(t)
	eng, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.RenderWith(context.Background(), exampletest.Load(t, "rs-157-2023.json"),
		&compose.Certification{Name: "Lena Nordin", Title: "Nämndsekreterare", Date: "2023-10-09", Initials: "LN"},
		render.Options{PDFA: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, lta := certifyLTAOf(t, p, pkiIdentity(t, p, ""), res.PDF)
	got := preflightA1b(t, map[string][]byte{"rendered.pdf": res.PDF, "lta.pdf": lta})
	if errs, ok := got["rendered.pdf"]; !ok || len(errs) > 0 {
		t.Fatalf("the PDF/A-1 rendition fails Preflight before signing: %q (reported: %v)", errs, ok)
	}
	if errs, ok := got["lta.pdf"]; !ok || len(errs) > 0 {
		t.Errorf("Preflight finds the B-LTA file no longer PDF/A-1b: %q (reported: %v)", errs, ok)
	}
}

// preflightA1b runs Apache PDFBox's Preflight (PDF/A-1b) on the files, in
// one Java run, and returns each one's errors by name.
func preflightA1b(t *testing.T, files map[string][]byte) map[string][]string {
	t.Helper()
	var cp []string
	for _, j := range []string{"preflight.jar", "pdfbox2.jar", "xmpbox.jar", "fontbox2.jar", "commons-logging.jar", "javax.activation.jar", "jaxb-api.jar"} {
		path := filepath.Join("/usr/share/java", j)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("Preflight is not installed (make test installs libpdfbox2-java): %v", err)
		}
		cp = append(cp, path)
	}
	dir := t.TempDir()
	var list strings.Builder
	for name, pdf := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		list.WriteString(path + "\n")
	}
	listFile := filepath.Join(dir, "files.txt")
	if err := os.WriteFile(listFile, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("java", "-cp", strings.Join(cp, ":"), "org.apache.pdfbox.preflight.Validator_A1b",
		"xml", "group", listFile).CombinedOutput(); err != nil {
		t.Fatalf("Preflight: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(listFile + ".preflight.xml")
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Files []struct {
			Name   string `xml:"name,attr"`
			Valid  string `xml:"isValid"`
			Errors []struct {
				Code    string `xml:"code"`
				Details string `xml:"details"`
			} `xml:"errors>error"`
		} `xml:"preflight"`
	}
	if err := xml.Unmarshal(raw, &report); err != nil {
		t.Fatalf("Preflight's report: %v", err)
	}
	out := map[string][]string{}
	for _, f := range report.Files {
		errs := []string{}
		for _, e := range f.Errors {
			errs = append(errs, e.Code+" "+e.Details)
		}
		if f.Valid != "true" && len(errs) == 0 {
			errs = append(errs, "not valid")
		}
		out[filepath.Base(f.Name)] = errs
	}
	return out
}
