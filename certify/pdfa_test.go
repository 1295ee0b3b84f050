package certify_test

import (
	"context"
	"testing"

	"utdrag/compose"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
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
	got := pdftest.Preflight(t, map[string][]byte{"rendered.pdf": res.PDF, "lta.pdf": lta})
	if errs, ok := got["rendered.pdf"]; !ok || len(errs) > 0 {
		t.Fatalf("the PDF/A-1 rendition fails Preflight before signing: %q (reported: %v)", errs, ok)
	}
	if errs, ok := got["lta.pdf"]; !ok || len(errs) > 0 {
		t.Errorf("Preflight finds the B-LTA file no longer PDF/A-1b: %q (reported: %v)", errs, ok)
	}
}
