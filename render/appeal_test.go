package render_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"utdrag/anslag"
	"utdrag/extract"
	"utdrag/internal/pdftest"
	"utdrag/render"
	"utdrag/templates"
)

// appealExtract is § n of the example protocol as an extract, with the
// appeal a set.
func appealExtract(t *testing.T, cal *anslag.Calendar, n int, a *extract.Appeal) (*extract.Extract, *anslag.Notice) {
	t.Helper()
	p := loadProtocol(t, cal)
	x, err := extract.FromProtocol(p, "0123456789abcdef01234567", []int{n})
	if err != nil {
		t.Fatal(err)
	}
	x.Paragraphs[0].Appeal = a
	notice, ok, err := p.Notice(cal)
	if err != nil || !ok {
		t.Fatalf("the example's notice: %v %v", ok, err)
	}
	return x, &notice
}

func renderAppeal(t *testing.T, e *render.Engine, texts *templates.AppealTexts, x *extract.Extract, notice *anslag.Notice) (*render.Result, string) {
	t.Helper()
	res, err := e.RenderAppeal(context.Background(), x, texts, x.Numbers(), notice)
	if err != nil {
		t.Fatal(err)
	}
	pdftest.QPDFCheck(t, res.PDF)
	for _, f := range pdftest.Fonts(t, res.PDF) {
		if !f.Embedded || !f.Subset {
			t.Errorf("font %s not embedded as a subset", f.Name)
		}
	}
	info := pdftest.Info(t, res.PDF)
	if info["Tagged"] != "yes" || info["Metadata Stream"] != "yes" || !strings.HasPrefix(info["Title"], "Överklagandehänvisning") {
		t.Errorf("the appeal instruction: tagged %q, metadata %q, title %q", info["Tagged"], info["Metadata Stream"], info["Title"])
	}
	if meta := pdftest.Run(t, false, "pdfinfo", "-meta", pdftest.File(t, res.PDF)); !strings.Contains(meta, "pdfaid:part") {
		t.Error("the appeal instruction does not say it is PDF/A")
	}
	return res, strings.Join(strings.Fields(strings.ReplaceAll(pdftest.Text(t, res.PDF), "\u00a0", " ")), " ")
}

// TestAppealInstruction renders the appeal instruction for each route:
// laglighetsprövning with the last day computed from the anslag, or the
// rule while the protocol is not posted; förvaltningsbesvär naming the
// statute and where to send it; a decision that cannot be appealed. The
// same input gives the same bytes; an organisation's own texts replace
// the default's.
func TestAppealInstruction(t *testing.T) {
	e := newEngine(t)
	cal := anslag.NewCalendar()
	appeals, err := templates.LoadAppeals(nil)
	if err != nil {
		t.Fatal(err)
	}
	def := appeals.For("ragunda")

	x, notice := appealExtract(t, cal, 52, &extract.Appeal{Parties: []string{"Näsets Snickeri AB"}})
	res, text := renderAppeal(t, e, def, x, notice)
	// Posted 2025-05-30: three weeks end on midsummer eve, 2025-06-20, so
	// the last day is the Monday after.
	last := notice.LastAppealDay
	for _, want := range []string{"ÖVERKLAGANDEHÄNVISNING", "Hur man överklagar", "Laglighetsprövning", "§ 52", "Försäljning av fastigheten Stugun 4:27",
		"Varje medlem av Ragunda kommun", "13 kap. 5 § kommunallagen", "senast den 23 juni 2025", "30 maj 2025"} {
		if !strings.Contains(text, want) {
			t.Errorf("laglighetsprövning with the anslag lacks %q (last day %s):\n%s", want, last, text)
		}
	}
	if strings.Contains(text, "Förvaltningsbesvär") || strings.Contains(text, "inom tre veckor från den dag då det tillkännagavs") {
		t.Errorf("laglighetsprövning with a known anslag states another route or the rule:\n%s", text)
	}
	again, _ := renderAppeal(t, e, def, x, notice)
	if string(again.PDF) != string(res.PDF) {
		t.Error("the same appeal instruction gave other bytes")
	}

	_, text = renderAppeal(t, e, def, x, nil)
	if !strings.Contains(text, "inom tre veckor från den dag då det tillkännagavs på kommunens anslagstavla att protokollet justerats") ||
		strings.Contains(text, "senast den") {
		t.Errorf("laglighetsprövning before the anslag does not state the rule:\n%s", text)
	}

	x, notice = appealExtract(t, cal, 50, &extract.Appeal{Route: extract.AppealAdministrative,
		Statute: "6 kap. 1 § skollagen (2010:800)", Parties: []string{"Stugun Idrottsklubb"}})
	_, text = renderAppeal(t, e, def, x, notice)
	for _, want := range []string{"Förvaltningsbesvär", "6 kap. 1 § skollagen (2010:800)", "40–44 §§ förvaltningslagen (2017:900)",
		"till Kommunstyrelsen, Ragunda kommun", "inom tre veckor från den dag då ni fick del av beslutet"} {
		if !strings.Contains(text, want) {
			t.Errorf("förvaltningsbesvär lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Laglighetsprövning") || strings.Contains(text, "23 juni 2025") {
		t.Errorf("förvaltningsbesvär states laglighetsprövning's day:\n%s", text)
	}

	x, notice = appealExtract(t, cal, 56, &extract.Appeal{Route: extract.AppealNone})
	if _, text = renderAppeal(t, e, def, x, notice); !strings.Contains(text, "Beslutet kan inte överklagas") {
		t.Errorf("a decision that cannot be appealed:\n%s", text)
	}

	own, err := templates.LoadAppeals([]byte(`{"organisations":{"ragunda":{"version":"2025-1","court":"Förvaltningsrätten i Härnösand",
		"courtAddress":"Box 314, 871 27 Härnösand","address":"Box 150, 840 70 Hammarstrand"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if own.For("ragunda").Version != "2025-1" || own.For("ale").Version != def.Version {
		t.Errorf("versions: %s, %s", own.For("ragunda").Version, own.For("ale").Version)
	}
	x, notice = appealExtract(t, cal, 52, &extract.Appeal{Parties: []string{"Näsets Snickeri AB"}})
	if _, text = renderAppeal(t, e, own.For("ragunda"), x, notice); !strings.Contains(text, "Förvaltningsrätten i Härnösand, Box 314, 871 27 Härnösand") {
		t.Errorf("the organisation's court is not named:\n%s", text)
	}
}

// TestAppealTextsRefused: texts that do not parse, use a field that does
// not exist, name an unknown route or leave one out stop the start.
func TestAppealTextsRefused(t *testing.T) {
	for name, raw := range map[string]string{
		"syntax":        `{"organisations":{"x":{"routes":{"legality":{"heading":"H","paragraphs":["{{.Court"]}}}}}`,
		"unknown field": `{"organisations":{"x":{"routes":{"legality":{"heading":"H","paragraphs":["{{.Domstol}}"]}}}}}`,
		"unknown route": `{"organisations":{"x":{"routes":{"laglighet":{"heading":"H","paragraphs":["p"]}}}}}`,
		"empty route":   `{"organisations":{"x":{"routes":{"none":{"heading":"","paragraphs":[]}}}}}`,
		"unknown key":   `{"organisations":{"x":{"domstol":"Förvaltningsrätten i Luleå"}}}`,
	} {
		if _, err := templates.LoadAppeals([]byte(raw)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestAppealExamplesLoad: the example file of organisations' texts loads.
func TestAppealExamplesLoad(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "examples", "config", "appeals.json"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := templates.LoadAppeals(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.For("region-jh"); got.NoticeBoard != "regionens anslagstavla" || got.Court != "Förvaltningsrätten i Härnösand" {
		t.Errorf("region-jh: %+v", got)
	}
}
