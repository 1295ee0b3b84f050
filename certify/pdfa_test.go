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
	if errs := preflightA1b(t, res.PDF); len(errs) > 0 {
		t.Fatalf("the PDF/A-1 rendition fails Preflight before signing: %q", errs)
	}
	_, lta := certifyLTAOf(t, p, pkiIdentity(t, p, ""), res.PDF)
	if errs := preflightA1b(t, lta); len(errs) > 0 {
		t.Errorf("Preflight finds the B-LTA file no longer PDF/A-1b: %q", errs)
	}
}

// preflightA1b runs Apache PDFBox's Preflight (PDF/A-1b) on pdf and
// returns its errors.
func preflightA1b(t *testing.T, pdf []byte) []string {
	t.Helper()
	var cp []string
	for _, j := range []string{"preflight.jar", "pdfbox2.jar", "xmpbox.jar", "fontbox2.jar", "commons-logging.jar", "javax.activation.jar", "jaxb-api.jar"} {
		path := filepath.Join("/usr/share/java", j)
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("Preflight is not installed (make test installs libpdfbox2-java): %v", err)
		}
		cp = append(cp, path)
	}
	file := writeTemp(t, "a1b.pdf", pdf)
	out, err := exec.Command("java", "-cp", strings.Join(cp, ":"), "org.apache.pdfbox.preflight.Validator_A1b", "xml", file).CombinedOutput()
	var report struct {
		Valid  string `xml:"isValid"`
		Errors []struct {
			Code    string `xml:"code"`
			Details string `xml:"details"`
		} `xml:"errors>error"`
	}
	if xerr := xml.Unmarshal(out[strings.Index(string(out), "<"):], &report); xerr != nil {
		t.Fatalf("Preflight: %v, %v\n%s", err, xerr, out)
	}
	var errs []string
	for _, e := range report.Errors {
		errs = append(errs, e.Code+" "+e.Details)
	}
	if report.Valid != "true" && len(errs) == 0 {
		errs = append(errs, "not valid")
	}
	return errs
}
