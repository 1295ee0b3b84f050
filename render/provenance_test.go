package render_test

import (
	"context"
	"strings"
	"testing"

	"utdrag/anslag"
	"utdrag/extract"
	"utdrag/internal/pdftest"
	"utdrag/render"
)

// TestExtractFromProtocolCarriesSource renders an extract taken from the
// protocol and reads, with poppler's pdfinfo, that its Keywords (document
// information) and its XMP metadata name the protocol and each
// paragraph's digest; an extract of the same paragraphs posted on its own
// names none.
func TestExtractFromProtocolCarriesSource(t *testing.T) {
	e := newEngine(t)
	p := loadProtocol(t, anslag.NewCalendar())
	tpl, err := e.Template(&p.Extract)
	if err != nil {
		t.Fatal(err)
	}
	id := p.ID(tpl.ID())
	nums := []int{p.Paragraphs[2].Number, p.Paragraphs[5].Number}
	x, err := extract.FromProtocol(p, id, nums)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.RenderWith(context.Background(), x, nil, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pdftest.QPDFCheck(t, res.PDF)
	kw := pdftest.Info(t, res.PDF)["Keywords"]
	meta := pdftest.Run(t, false, "pdfinfo", "-meta", pdftest.File(t, res.PDF))
	for _, want := range []string{"protokoll " + id, p.Paragraphs[2].CaseNumber} {
		if !strings.Contains(kw, want) {
			t.Errorf("Keywords %q lack %q", kw, want)
		}
	}
	for _, n := range nums {
		par, _ := p.Paragraph(n)
		for where, s := range map[string]string{"Keywords": kw, "XMP": meta} {
			if !strings.Contains(s, par.Digest()) {
				t.Errorf("%s lack the digest of § %d", where, n)
			}
		}
	}

	alone := *x
	alone.Source = nil
	res, err = e.RenderWith(context.Background(), &alone, nil, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if kw := pdftest.Info(t, res.PDF)["Keywords"]; strings.Contains(kw, "sha256:") || strings.Contains(kw, "protokoll") {
		t.Errorf("an extract posted on its own names a source: %q", kw)
	}
}
