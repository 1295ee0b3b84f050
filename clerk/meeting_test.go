package clerk_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"utdrag/internal/pdftest"
)

// createVariant posts the example rs-157-2023.json as § n with its own
// title and returns the extract's id.
func (e *uiEnv) createVariant(n int) string {
	e.T.Helper()
	var doc map[string]any
	if err := json.Unmarshal(example(e.T, "rs-157-2023.json"), &doc); err != nil {
		e.T.Fatal(err)
	}
	p := doc["paragraphs"].([]any)[0].(map[string]any)
	p["number"] = n
	p["title"] = fmt.Sprintf("Ärende nummer %d", n)
	p["caseNumber"] = fmt.Sprintf("RS/%d/2023", n)
	body, _ := json.Marshal(doc)
	resp, err := http.Post(e.URL+"/v1/extracts", "application/json", bytes.NewReader(body))
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusCreated {
		e.T.Fatalf("create § %d: %d %v", n, resp.StatusCode, err)
	}
	return v.ID
}

// apiGet reads path from the API (open mode).
func (e *uiEnv) apiGet(path string) []byte {
	e.T.Helper()
	resp, err := http.Get(e.URL + path)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		e.T.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return b
}

// TestMeetingCertifiesSendsAndBundles works a meeting of three §§: the
// view lists them in order with their justering, certifies two with one
// confirmation (and not twice when signed again), refuses a name that
// does not fit before confirming, sends the chosen ones it can, and gives
// the certified extracts as a zip of the signed files and as one PDF.
func TestMeetingCertifiesSendsAndBundles(t *testing.T) {
	e := startUI(t)
	ids := map[int]string{}
	for _, n := range []int{159, 157, 158} {
		ids[n] = e.createVariant(n)
	}
	other := e.Create("run-59-2022.json")
	meeting := "/sammantrade?" + url.Values{"organ": {"regionstyrelsen"}, "datum": {"2023-10-06"}}.Encode()

	// The extract's page links to its meeting.
	_, ext := e.Get("/utdrag/" + ids[158])
	link := regexp.MustCompile(`href="([^"]+)" id="meeting-link"`).FindStringSubmatch(ext)
	if link == nil {
		t.Fatal("the extract page does not link to its meeting")
	}
	resp, page := e.Get(html.UnescapeString(link[1]))
	if resp.StatusCode != 200 {
		t.Fatalf("meeting from the extract's link %s: %d", link[1], resp.StatusCode)
	}
	i157, i158, i159 := strings.Index(page, "§ 157"), strings.Index(page, "§ 158"), strings.Index(page, "§ 159")
	if i157 < 0 || !(i157 < i158 && i158 < i159) || strings.Contains(page, other) {
		t.Errorf("the meeting does not list §§ 157–159 in order, and only them")
	}
	if strings.Count(undated(page), "§ 157 omedelbart justerad 2023-10-06")+strings.Count(undated(page), "§ 157 justerad 2023-10-06") != 1 {
		t.Error("the meeting does not say how § 157 is justerad")
	}
	if strings.Contains(page, `id="meeting-downloads"`) {
		t.Error("downloads offered before anything is certified")
	}
	key := formKey(t, page)
	token := e.CSRF(meeting)
	chosen := []string{ids[157], ids[159]}
	form := url.Values{"csrf": {token}, "organ": {"Regionstyrelsen"}, "datum": {"2023-10-06"}, "nyckel": {key},
		"step": {"review"}, "id": chosen, "title": {"Nämndsekreterare"}}

	// A name whose initials do not fit: back to the meeting, text and choice kept.
	long := strings.TrimSpace(strings.Repeat("Anna Berg ", 20))
	form.Set("name", long)
	resp, body := e.Post("/sammantrade/bestyrk", form)
	if resp.StatusCode == http.StatusSeeOther {
		resp, body = e.Get(resp.Header.Get("Location"))
	}
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Utdragsbestyrkande") ||
		!strings.Contains(html.UnescapeString(body), `value="`+long+`"`) || !strings.Contains(body, `id="choose-`+ids[157]+`" checked`) {
		t.Errorf("a name that does not fit: %d, or the form lost what was typed and chosen", resp.StatusCode)
	}

	form.Set("name", "Lena Nordin")
	resp, _ = e.Post("/sammantrade/bestyrk", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: %d", resp.StatusCode)
	}
	resp, confirm := e.Get(resp.Header.Get("Location"))
	if resp.StatusCode != 200 || !strings.Contains(confirm, `id="sign"`) || strings.Count(confirm, `class="preview"`) != 2 {
		t.Fatalf("confirmation: %d, want two previews and a sign button", resp.StatusCode)
	}
	if e.certifiedVersions(ids[157])+e.certifiedVersions(ids[159]) != 0 {
		t.Fatal("certified before the confirmation")
	}
	if got := regexp.MustCompile(`id="printed-initials">([^<]*)<`).FindStringSubmatch(confirm); got == nil || got[1] != "LN" {
		t.Errorf("the confirmation's initials: %v", got)
	}
	prev := regexp.MustCompile(`href="(/utdrag/[^"]+/bestyrk/forhandsvisning[^"]*)"`).FindStringSubmatch(confirm)
	if prev == nil {
		t.Fatal("no preview link")
	}
	if resp, pdf := e.Get(html.UnescapeString(prev[1])); resp.StatusCode != 200 || !strings.Contains(plainText(t, []byte(pdf)), "Lena Nordin") {
		t.Errorf("the preview: %d", resp.StatusCode)
	}

	sign := url.Values{"csrf": {token}, "organ": {"Regionstyrelsen"}, "datum": {"2023-10-06"}, "nyckel": {key},
		"step": {"sign"}, "id": chosen, "name": {"Lena Nordin"}, "title": {"Nämndsekreterare"}}
	resp, _ = e.Post("/sammantrade/bestyrk", sign)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "bestyrkta=2&igen=0&fel=0") {
		t.Fatalf("sign: %d %s", resp.StatusCode, loc)
	}
	resp, _ = e.Post("/sammantrade/bestyrk", sign) // Back and sign again
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "bestyrkta=0&igen=2&fel=0") {
		t.Errorf("signing again: %s", loc)
	}
	for n, want := range map[int]int{157: 1, 158: 0, 159: 1} {
		if got := e.certifiedVersions(ids[n]); got != want {
			t.Errorf("§ %d: %d certified versions, want %d", n, got, want)
		}
	}
	_, page = e.Get(meeting + "&bestyrkta=2&igen=0&fel=0")
	if !strings.Contains(page, "2 utdrag bestyrkta") || !strings.Contains(page, "Ja, version 1") {
		t.Error("the meeting does not show what was certified")
	}

	// The zip holds the signed files as the API serves them; the combined
	// PDF their pages, without signatures.
	zipLink := regexp.MustCompile(`href="([^"]+)" id="download-zip"`).FindStringSubmatch(page)
	pdfLink := regexp.MustCompile(`href="([^"]+)" id="download-combined"`).FindStringSubmatch(page)
	if zipLink == nil || pdfLink == nil {
		t.Fatal("the meeting does not offer the downloads once extracts are certified")
	}
	resp, zipped := e.Get(html.UnescapeString(zipLink[1]))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("zip: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(bytes.NewReader([]byte(zipped)), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 {
		t.Fatalf("%d files in the zip, want 2", len(zr.File))
	}
	var pages int
	for i, n := range []int{157, 159} {
		f, _ := zr.File[i].Open()
		got, _ := io.ReadAll(f)
		f.Close()
		if want := e.apiGet("/v1/extracts/" + ids[n] + "/certified"); !bytes.Equal(got, want) || !strings.Contains(zr.File[i].Name, fmt.Sprintf("§ %d bestyrkt", n)) {
			t.Errorf("zip file %d (%s) is not the certified § %d", i, zr.File[i].Name, n)
		}
		pages += atoi(pdftest.Info(t, got)["Pages"])
	}
	if list := pdftest.Run(t, false, "unzip", "-l", pdftest.File(t, []byte(zipped))); strings.Count(list, "bestyrkt.pdf") != 2 {
		t.Errorf("unzip -l:\n%s", list)
	}
	resp, combined := e.Get(html.UnescapeString(pdfLink[1]))
	if resp.StatusCode != 200 || !strings.HasPrefix(combined, "%PDF-") {
		t.Fatalf("combined PDF: %d", resp.StatusCode)
	}
	pdftest.QPDFCheck(t, []byte(combined))
	if got := atoi(pdftest.Info(t, []byte(combined))["Pages"]); got != pages {
		t.Errorf("the combined PDF has %d pages, the two certified files %d", got, pages)
	}
	text := plainText(t, []byte(combined))
	if !strings.Contains(text, "Ärende nummer 157") || !strings.Contains(text, "Ärende nummer 159") || strings.Contains(text, "Ärende nummer 158") ||
		strings.Index(text, "Ärende nummer 157") > strings.Index(text, "Ärende nummer 159") {
		t.Error("the combined PDF does not hold §§ 157 and 159 in order, and only them")
	}
	if strings.Count(text, "/v/"+ids[157]+"/1")+strings.Count(text, "/v/"+ids[159]+"/1") < 2 {
		t.Error("the combined PDF lacks the verification addresses")
	}
	if sig := pdftest.Run(t, true, "pdfsig", pdftest.File(t, []byte(combined))); !strings.Contains(sig, "does not contain any signatures") {
		t.Errorf("the combined PDF claims signatures it cannot hold:\n%s", sig)
	}

	// Send § 157 (certified) and § 158 (not): one goes, one is refused.
	resp, _ = e.Post("/sammantrade/expediera", url.Values{"csrf": {token}, "organ": {"Regionstyrelsen"}, "datum": {"2023-10-06"},
		"id": {ids[157], ids[158]}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "expedierade=1&fel=1") {
		t.Errorf("send: %d %s", resp.StatusCode, loc)
	}
	if len(e.SMTP.Accepted()) == 0 {
		t.Error("nothing was sent")
	}
	e.apiGet("/v1/extracts/" + ids[157] + "/distribution") // 200: § 157 has its distribution record
	if resp, _ := http.Get(e.URL + "/v1/extracts/" + ids[158] + "/distribution"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("§ 158 (not certified) has a distribution: %d", resp.StatusCode)
	}

	// Another meeting's extract cannot be slipped into the batch.
	resp, _ = e.Post("/sammantrade/bestyrk", url.Values{"csrf": {token}, "organ": {"Regionstyrelsen"}, "datum": {"2023-10-06"},
		"id": {other}, "name": {"Lena Nordin"}, "title": {"Nämndsekreterare"}, "step": {"sign"}, "nyckel": {"x"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || e.certifiedVersions(other) != 0 {
		t.Errorf("another meeting's extract in the batch: %d", resp.StatusCode)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// TestMeetingByProtocol opens a meeting by its stored protocol: the view
// redirects to the protocol's organ and date; an unknown protocol is 404.
func TestMeetingByProtocol(t *testing.T) {
	e := startUI(t)
	raw, err := os.ReadFile(filepath.Join("..", "examples", "protocols", "ragunda-ks-44-57-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(e.URL+"/v1/protocols", "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ ID string }
	_ = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || p.ID == "" {
		t.Fatalf("storing the protocol: %d", resp.StatusCode)
	}
	resp, _ = e.Get("/sammantrade?protokoll=" + p.ID)
	want := "/sammantrade?" + url.Values{"organ": {"Kommunstyrelsen"}, "datum": {"2025-05-20"}}.Encode()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
		t.Errorf("by protocol: %d %s, want 303 %s", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	if resp, _ := e.Get("/sammantrade?protokoll=000000000000000000000000"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown protocol: %d", resp.StatusCode)
	}
	if resp, _ := e.Get("/sammantrade?organ=Kommunstyrelsen&datum=20-05-2025"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a date written otherwise: %d", resp.StatusCode)
	}
}
