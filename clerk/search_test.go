package clerk_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSearchPage: the search page tells an empty archive from no match,
// refuses bad input in Swedish with 400 and the form kept, never answers
// 500, and remembers the search for the way back from an extract.
func TestSearchPage(t *testing.T) {
	e := startUI(t)
	if resp, body := e.Get("/?organ=Barn"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Arkivet har inga utdrag ännu") {
		t.Errorf("search in an empty archive: %d, says no empty archive", resp.StatusCode)
	}
	rs := e.Create("rs-157-2023.json")
	if _, body := e.Get("/?organ=Barn"); !strings.Contains(body, "Inga utdrag matchar sökningen") || strings.Contains(body, "Arkivet har inga") {
		t.Errorf("no match in an archive with an extract does not say so")
	}
	if _, body := e.Get("/"); !strings.Contains(body, `<option value="Regionstyrelsen">`) {
		t.Errorf("the organs of the archive are not offered")
	}
	for q, want := range map[string]string{
		"paragraph=82-80":                   "Intervallet ska börja med den lägsta paragrafen",
		"paragraph=%C2%A7+abc":              "Ange paragrafen som ett positivt heltal",
		"paragraph=99999999999999999999999": "Ange paragrafen som ett positivt heltal",
		"from=2024-13-01":                   "Ange datumet som ÅÅÅÅ-MM-DD.",
		"from=2024-02-01&to=2024-01-01":     "Slutdatumet ligger före startdatumet.",
		"justerad=kanske":                   "Välj Alla, ja eller nej.",
		"expedierat=1":                      "Välj Alla, ja eller nej.",
		"sortera=alfabetiskt":               "Välj en ordning i listan.",
		"organ=" + strings.Repeat("x", 201): "Sökningen är för lång",
	} {
		resp, body := e.Get("/?" + q)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), want) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("/?%s: %d, want 400 saying %q", q, resp.StatusCode, want)
		}
	}
	for _, q := range []string{"sida=-5", "sida=99999999999999999999", "organ=%00", "q=%22%27%3B--", "caseNumber=*", "paragraph=%C2%A7%C2%A7"} {
		if resp, _ := e.Get("/?" + q); resp.StatusCode >= 500 {
			t.Errorf("/?%s: %d", q, resp.StatusCode)
		}
	}

	// The search is kept: the extract's page leads back to it.
	if _, body := e.Get("/?organ=styrelse&paragraph=150-160&sortera=paragraf-fallande"); !strings.Contains(body, "/utdrag/"+rs) {
		t.Fatalf("the search for § 150-160 misses § 157")
	}
	_, page := e.Get("/utdrag/" + rs)
	back := html.UnescapeString(between(page, `<p class="crumbs"><a href="`, `"`))
	u, err := url.Parse(back)
	if err != nil || u.Path != "/" || u.Query().Get("organ") != "styrelse" || u.Query().Get("paragraph") != "150-160" ||
		u.Query().Get("sortera") != "paragraf-fallande" || u.Fragment != "resultat" {
		t.Errorf("the way back from the extract is %q", back)
	}
	_, plan := e.Get("/utdrag/" + rs + "/bestyrk")
	if got := html.UnescapeString(between(plan, `<p class="crumbs"><a href="`, `"`)); got != back {
		t.Errorf("the certification page leads back to %q, the extract page to %q", got, back)
	}
	e.Client.Jar.SetCookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(e.URL, "http://"), Path: "/"},
		[]*http.Cookie{{Name: "utdrag_sok", Value: url.QueryEscape("https://elsewhere.example/?x=1"), Path: "/"}})
	if _, page := e.Get("/utdrag/" + rs); between(page, `<p class="crumbs"><a href="`, `"`) != "/" {
		t.Errorf("a cookie naming another site makes the way back %q", between(page, `<p class="crumbs"><a href="`, `"`))
	}
}

func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}
