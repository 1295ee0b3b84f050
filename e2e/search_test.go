package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// resultRows reads the result table: one line per row, cells joined by |.
func (b *browser) resultRows() []string {
	b.t.Helper()
	return run(b, "reading the results", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("table.results tbody tr")).map(
		tr => Array.from(tr.cells).map(td => td.innerText.trim()).join("|"))`))
}

// search fills the search form from the keyboard and sends it.
func (b *browser) search(site string, fields map[string]string) {
	b.t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(site + "/"), chromedp.WaitVisible(chromedp.CSS("#organ"))}
	for sel, v := range fields {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(sel), v))
	}
	// The old page is marked, so that the results waited for are the new ones.
	steps = append(steps, void(chromedp.Evaluate[bool](`(document.body.dataset.old = "1", true)`)),
		chromedp.Click(chromedp.CSS("#search")), chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) #result-count")))
	b.do(fmt.Sprintf("searching %v", fields), steps...)
}

// TestRegistrarSearches: the searches of a registry's working day, each
// in the browser, with the messages that tell an empty archive, no match
// and a search that could not be made apart.
func TestRegistrarSearches(t *testing.T) {
	b := startBrowser(t)
	axe := readAxe(t)
	s := startSite(t)

	b.do("opening the empty archive", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("#result-count")))
	empty := b.text("#result-count")
	if !strings.Contains(empty, "Arkivet har inga utdrag ännu") {
		t.Errorf("an empty archive says %q", empty)
	}
	b.checkAccessibility("list-empty-archive", axe)
	b.screenshot("search-0-empty-archive")
	b.search(s.url, map[string]string{"#organ": "Barn"})
	if got := b.text("#result-count"); !strings.Contains(got, "Arkivet har inga utdrag ännu") {
		t.Errorf("a search in an empty archive says %q", got)
	}

	es := registry()
	ids := s.seedRegistry("")
	count := func(pred func(entry) bool) (n int) {
		for _, e := range es {
			if pred(e) {
				n++
			}
		}
		return n
	}

	// The organs are offered from the archive.
	b.do("opening the list", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("table.results")))
	organs := run(b, "reading the organ list", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#organs option")).map(o => o.value)`))
	if strings.Join(organs, ";") != "Barn- och utbildningsnämnden;Kommunstyrelsen;Miljö- och byggnadsnämnden;Socialnämnden" {
		t.Errorf("organs offered: %q", organs)
	}

	for _, c := range []struct {
		name   string
		fields map[string]string
		want   func(entry) bool
	}{
		{"organ Barn", map[string]string{"#organ": "Barn"}, func(e entry) bool { return e.organ == "Barn- och utbildningsnämnden" }},
		{"organ in other case, inside the name", map[string]string{"#organ": "BYGGNAD"}, func(e entry) bool { return e.organ == "Miljö- och byggnadsnämnden" }},
		{"organ without its hyphen", map[string]string{"#organ": "Miljö och byggnadsnämnden"}, func(e entry) bool { return e.organ == "Miljö- och byggnadsnämnden" }},
		{"Dnr without prefix", map[string]string{"#caseNumber": "2024/0112"}, func(e entry) bool { return e.caseNumber == "KS 2024/0112" }},
		{"Dnr prefix and year", map[string]string{"#caseNumber": "KS 2024"}, func(e entry) bool { return strings.HasPrefix(e.caseNumber, "KS 2024/") }},
		{"§ 80-82", map[string]string{"#paragraph": "§ 80-82"}, func(e entry) bool { return e.paragraph >= 80 && e.paragraph <= 82 }},
		{"§ 80–82 of KS", map[string]string{"#paragraph": "80–82", "#organ": "kommunstyrelsen"}, func(e entry) bool {
			return e.paragraph >= 80 && e.paragraph <= 82 && e.organ == "Kommunstyrelsen"
		}},
		{"title word", map[string]string{"#q": "revisionsberättelse"}, func(e entry) bool { return strings.HasPrefix(e.title, "Revisionsberättelse") }},
		{"ej justerad", map[string]string{"#justerad": "nej"}, func(e entry) bool { return e.draft }},
	} {
		b.search(s.url, c.fields)
		rows := b.resultRows()
		want := count(c.want)
		if want == 0 {
			t.Fatalf("%s: the registry holds nothing to find", c.name)
		}
		if len(rows) != want {
			t.Errorf("%s: %d rows, want %d:\n%s", c.name, len(rows), want, strings.Join(rows, "\n"))
		}
		for _, r := range rows {
			matched := false
			for _, e := range es {
				if strings.Contains(r, e.caseNumber) && strings.Contains(r, e.date) && c.want(e) {
					matched = true
				}
			}
			if !matched {
				t.Errorf("%s: a row that should not be found: %s", c.name, r)
			}
		}
		for sel, v := range c.fields {
			if got := run(b, "reading "+sel, chromedp.Evaluate[string](`document.querySelector(`+jsString(sel)+`).value`)); got != v {
				t.Errorf("%s: the form forgot %s: %q, want %q", c.name, sel, got, v)
			}
		}
	}
	b.screenshot("search-1-draft-filter")
	b.checkAccessibility("list-filter", axe)

	// Sorting by §, highest first, and back to the search from an extract.
	b.search(s.url, map[string]string{"#organ": "Kommunstyrelsen", "#sort": "paragraf-fallande"})
	rows := b.resultRows()
	if len(rows) < 2 || !strings.Contains(rows[0], "§ 82") {
		t.Errorf("KS by §, highest first, starts with %q", rows)
	}
	b.do("opening the first result", void(chromedp.Evaluate[bool](`(document.body.dataset.old = "1", true)`)),
		chromedp.Click(chromedp.CSS("table.results tbody tr:first-child a")), chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) .crumbs")))
	back := b.attr(".crumbs a", "href")
	if !strings.Contains(back, "organ=Kommunstyrelsen") || !strings.Contains(back, "sortera=paragraf-fallande") {
		t.Errorf("the way back to the search is %q", back)
	}
	b.do("back to the search", void(chromedp.Evaluate[bool](`(document.body.dataset.old = "1", true)`)),
		chromedp.Click(chromedp.CSS(".crumbs a")), chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) table.results")))
	if again := b.resultRows(); strings.Join(again, "\n") != strings.Join(rows, "\n") {
		t.Errorf("back at the search, the results differ:\n%s\nwere\n%s", strings.Join(again, "\n"), strings.Join(rows, "\n"))
	}
	if got := run(b, "reading #organ", chromedp.Evaluate[string](`document.querySelector("#organ").value`)); got != "Kommunstyrelsen" {
		t.Errorf("back at the search, the organ is %q", got)
	}

	// No match, and bad input: the form kept, a message in Swedish, no 500.
	b.search(s.url, map[string]string{"#organ": "Kulturnämnden"})
	if got := b.text("#result-count"); !strings.Contains(got, "Inga utdrag matchar sökningen") {
		t.Errorf("no match says %q", got)
	}
	b.checkAccessibility("list-no-match", axe)
	b.screenshot("search-2-no-match")
	for _, bad := range []struct{ sel, value, want string }{
		{"#paragraph", "82-80", "lägsta paragrafen"},
		{"#paragraph", "åttio", "positivt heltal"},
	} {
		b.do("opening the list", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("#organ")))
		b.do("sending "+bad.value, void(chromedp.Evaluate[bool](`(document.body.dataset.old = "1", true)`)),
			chromedp.SendKeys(chromedp.CSS(bad.sel), bad.value+kb.Enter), chromedp.WaitVisible(chromedp.CSS("body:not([data-old]) .field-error")))
		if got := b.text(".field-error"); !strings.Contains(got, bad.want) {
			t.Errorf("%s=%q says %q", bad.sel, bad.value, got)
		}
	}
	for _, q := range []string{"?paragraph=99999999999999999999", "?from=igår", "?sortera=x", "?justerad=kanske", "?sida=-1", "?organ=%00"} {
		resp, err := http.Get(s.url + "/" + q)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Errorf("GET /%s: %d", q, resp.StatusCode)
		}
	}
	if len(ids) != len(es) {
		t.Fatalf("%d extracts seeded, want %d", len(ids), len(es))
	}

	// The index goes away: the search says it could not be made, not that
	// nothing matched.
	s.index.Close()
	b.search(s.url, map[string]string{"#organ": "Barn"})
	if got := b.text("#result-count"); !strings.Contains(got, "Sökningen kunde inte göras") || strings.Contains(got, "Inga utdrag") {
		t.Errorf("a search with the index down says %q", got)
	}
	b.checkAccessibility("list-search-failed", axe)
	b.screenshot("search-3-failed")
}
