package render_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"utdrag/anslag"
	"utdrag/extract"
	"utdrag/internal/pdftest"
	"utdrag/render"
)

const protocolExample = "ragunda-ks-44-57-2025.json"

func loadProtocol(t testing.TB, cal *anslag.Calendar) *extract.Protocol {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "examples", "protocols", protocolExample))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := extract.DecodeProtocol(f, extract.Limits{}, cal)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func renderProtocol(t testing.TB, e *render.Engine, cal *anslag.Calendar, p *extract.Protocol) *render.Result {
	t.Helper()
	n, ok, err := p.Notice(cal)
	if err != nil {
		t.Fatal(err)
	}
	var notice *anslag.Notice
	if ok {
		notice = &n
	}
	res, err := e.RenderProtocol(context.Background(), p, notice, nil, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var (
	paragraphHeading = regexp.MustCompile(`§\s(\d+)\s[^§]{1,240}?\(Dnr`)
	listedParagraph  = regexp.MustCompile(`(?m)^\s*§\s(\d+)\s`)
)

func numbers(re *regexp.Regexp, s string) []int {
	var out []int
	for _, m := range re.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

// TestProtocolPages reads the whole protocol with pdftotext, page by page:
// every page has the running header "PROTOKOLL" (never the extract's) and
// the justerare's sign box, no page an Utdragsbestyrkande box; the front
// page is one page and names the attendance, the justering, the
// signatures with the paragraph range and the anslagsbevis with the dates
// a registrar writes; the list of paragraphs opens the next page and is
// exactly the paragraphs that follow it, in order.
func TestProtocolPages(t *testing.T) {
	e := newEngine(t)
	cal := anslag.NewCalendar()
	p := loadProtocol(t, cal)
	if len(p.Paragraphs) < 12 {
		t.Fatalf("the example has %d paragraphs, want at least 12", len(p.Paragraphs))
	}
	res := renderProtocol(t, e, cal, p)
	pdftest.QPDFCheck(t, res.PDF)
	pages := strings.Split(strings.TrimRight(pdftest.Text(t, res.PDF, "-layout"), "\f"), "\f")
	if len(pages) != res.Pages || len(pages) < 4 {
		t.Fatalf("pdftotext read %d pages, the renderer drew %d", len(pages), res.Pages)
	}
	for i, pg := range pages {
		if !regexp.MustCompile(`(?m)^\s*Ragunda kommun\s+PROTOKOLL\s`).MatchString(pg) {
			t.Errorf("page %d lacks the header PROTOKOLL:\n%s", i+1, pg)
		}
		if strings.Contains(pg, "PROTOKOLLSUTDRAG") || strings.Contains(pg, "Utdragsbestyrkande") {
			t.Errorf("page %d carries an extract's furniture", i+1)
		}
		if strings.Count(pg, "Justerandes sign") != 1 {
			t.Errorf("page %d: %d sign boxes", i+1, strings.Count(pg, "Justerandes sign"))
		}
		if !strings.Contains(pg, strconv.Itoa(i+1)+" ("+strconv.Itoa(len(pages))+")") {
			t.Errorf("page %d lacks its number", i+1)
		}
	}
	front := strings.Join(strings.Fields(pages[0]), " ")
	for _, want := range []string{
		"Plats och tid", "Kommunhuset, Hammarstrand, 2025-05-20 kl. 09.00–15.10",
		"Beslutande", "Anna-Karin Lövgren (C), ordförande",
		"Henrik Sjödin (S), ersättare för Birgitta Olsson (S)",
		"Övriga närvarande", "Johan Eriksson, Kommunchef",
		"Utses att justera", "Margareta Ek (M), Mikael Jonsson (V)",
		"Justeringens plats och tid", "Kommunhuset, Hammarstrand, 2025-05-28",
		"Underskrifter", "Paragrafer 44–57", "Sekreterare", "Ordförande", "Justerare",
		"ANSLAG/BEVIS", "Protokollet är justerat. Justeringen har tillkännagivits genom anslag.",
		"Datum då anslaget sätts upp: 2025-05-30",
		// Three weeks end on midsummer eve: the Monday after.
		"Sista dag för överklagande: 2025-06-23",
		"Datum då anslaget tas ned: 2025-06-24",
		"Förvaringsplats för protokollet: Kommunkansliet",
	} {
		if !strings.Contains(front, want) {
			t.Errorf("the front page (page 1) lacks %q", want)
		}
	}
	if paragraphHeading.MatchString(pages[0]) || strings.Contains(front, "Ärenden") {
		t.Error("the front page holds more than the front page")
	}
	rest := strings.Join(pages[1:], "\n")
	at := paragraphHeading.FindStringIndex(rest)
	open := strings.Index(pages[1], "Ärenden")
	if at == nil || open < 0 || open > at[0] {
		t.Fatalf("page 2 does not open with the list of paragraphs before the first paragraph")
	}
	list, body := rest[open:at[0]], rest[at[0]:]
	input := p.Numbers()
	if got := numbers(listedParagraph, list); !slices.Equal(got, input) {
		t.Errorf("the list names §§ %v, the input has %v", got, input)
	}
	if got := numbers(paragraphHeading, body); !slices.Equal(got, input) {
		t.Errorf("the paragraphs that follow are §§ %v, want %v", got, input)
	}
	for _, pp := range p.Paragraphs {
		if !strings.Contains(strings.Join(strings.Fields(list), " "), pp.CaseNumber) {
			t.Errorf("the list lacks the case number %s of § %d", pp.CaseNumber, pp.Number)
		}
	}
	for _, want := range []string{"Votering", "Jäv", "Reservationer", "Protokollsanteckning", "Paragrafen förklaras omedelbart justerad"} {
		if !strings.Contains(body, want) {
			t.Errorf("the paragraphs lack %q", want)
		}
	}
	if dir := os.Getenv("UTDRAG_PROTOCOL_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "protocol.pdf"), res.PDF, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestProtocolFrontPageWithALongList: a council's front page with
// twenty-five beslutande takes two pages at most, and the list of
// paragraphs still opens the page after it.
func TestProtocolFrontPageWithALongList(t *testing.T) {
	e := newEngine(t)
	cal := anslag.NewCalendar()
	p := loadProtocol(t, cal)
	for i := len(p.Members); i < 25; i++ {
		m := p.Members[i%len(p.Members)]
		m.Name = fmt.Sprintf("Ledamot%c Nummer%c", 'A'+rune(i), 'A'+rune(i))
		m.Title, m.Substitute, m.For = "", false, ""
		p.Members = append(p.Members, m)
	}
	res := renderProtocol(t, e, cal, p)
	pages := strings.Split(strings.TrimRight(pdftest.Text(t, res.PDF, "-layout"), "\f"), "\f")
	listAt := -1
	for i, pg := range pages {
		if strings.Contains(pg, "Ärenden") {
			listAt = i
			break
		}
	}
	if listAt < 1 || listAt > 2 || !strings.Contains(strings.Join(pages[:listAt], " "), "ANSLAG/BEVIS") {
		t.Errorf("with 25 beslutande the list of paragraphs opens page %d", listAt+1)
	}
}

// TestProtocolNotYetPosted: without an anslag the block says so and gives
// no dates.
func TestProtocolNotYetPosted(t *testing.T) {
	e := newEngine(t)
	cal := anslag.NewCalendar()
	p := loadProtocol(t, cal)
	p.Anslag = nil
	text := pdftest.Text(t, renderProtocol(t, e, cal, p).PDF)
	if !strings.Contains(text, "Anslaget är ännu inte uppsatt.") || strings.Contains(text, "Sista dag för överklagande") {
		t.Errorf("an unposted protocol's anslagsbevis reads:\n%s", text)
	}
}

// BenchmarkProtocol renders the whole protocol, and its paragraphs as
// one-paragraph extracts one by one: the two are compared in the same
// run (BENCHMARKS.md).
func BenchmarkProtocol(b *testing.B) {
	e := newEngine(b)
	cal := anslag.NewCalendar()
	p := loadProtocol(b, cal)
	n, _, err := p.Notice(cal)
	if err != nil {
		b.Fatal(err)
	}
	extracts := make([]*extract.Extract, len(p.Paragraphs))
	for i := range p.Paragraphs {
		x := p.Extract
		x.Paragraphs = p.Paragraphs[i : i+1]
		extracts[i] = &x
	}
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.RenderProtocol(context.Background(), p, &n, nil, render.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("extracts", func(b *testing.B) {
		for b.Loop() {
			for _, x := range extracts {
				if _, err := e.Render(x, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// TestProtocolSameBytes: the same protocol renders to the same bytes.
func TestProtocolSameBytes(t *testing.T) {
	e := newEngine(t)
	cal := anslag.NewCalendar()
	a := renderProtocol(t, e, cal, loadProtocol(t, cal)).PDF
	b := renderProtocol(t, e, cal, loadProtocol(t, cal)).PDF
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same protocol differ")
	}
}
