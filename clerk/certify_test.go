package clerk_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"utdrag/internal/pdftest"
)

var keyField = regexp.MustCompile(`name="nyckel" value="([^"]*)"`)

// formKey reads the idempotency key of the certify form.
func formKey(t *testing.T, page string) string {
	t.Helper()
	m := keyField.FindStringSubmatch(page)
	if m == nil || m[1] == "" {
		t.Fatal("the certify form has no idempotency key")
	}
	return html.UnescapeString(m[1])
}

// certifiedVersions is how many certified versions the API says id has.
func (e *uiEnv) certifiedVersions(id string) int {
	e.T.Helper()
	resp, err := http.Get(e.URL + "/v1/extracts/" + id)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ Certifications []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		e.T.Fatal(err)
	}
	return len(v.Certifications)
}

// TestCertifyRefusesBeforeConfirmingAndKeepsTheText types a name whose
// initials do not fit the Utdragsbestyrkande box (200 characters) and one
// with an emoji: each goes back to the form with the field marked and the
// typed text in it, before any confirmation, and nothing is signed.
func TestCertifyRefusesBeforeConfirmingAndKeepsTheText(t *testing.T) {
	e := startUI(t)
	id := e.Create("rs-157-2023.json")
	long := strings.TrimSpace(strings.Repeat("Anna Berg ", 20)) // 199 characters
	for what, tc := range map[string]struct{ name, says string }{
		"200-character name": {long, "Utdragsbestyrkande"},
		"emoji":              {"Lena 😀 Nordin", "emojier"},
	} {
		_, page := e.Get("/utdrag/" + id + "/bestyrk")
		form := url.Values{"csrf": {e.CSRF("/utdrag/" + id + "/bestyrk")}, "name": {tc.name}, "title": {"Nämndsekreterare"},
			"place": {"Östersund"}, "step": {"review"}, "nyckel": {formKey(t, page)}}
		resp, body := e.Post("/utdrag/"+id+"/bestyrk", form)
		if resp.StatusCode == http.StatusSeeOther {
			resp, body = e.Get(resp.Header.Get("Location"))
		}
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422 on the form", what, resp.StatusCode)
			continue
		}
		if strings.Contains(body, `value="sign"`) {
			t.Errorf("%s: the page offers to sign", what)
		}
		if !strings.Contains(body, `id="name-error"`) || !strings.Contains(body, tc.says) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("%s: the name is not marked with an error saying %q", what, tc.says)
		}
		for _, kept := range []string{tc.name, "Nämndsekreterare", "Östersund"} {
			if !strings.Contains(html.UnescapeString(body), `value="`+kept+`"`) {
				t.Errorf("%s: the form lost %q", what, kept)
			}
		}
	}
	if n := e.certifiedVersions(id); n != 0 {
		t.Errorf("%d certified versions after refused forms", n)
	}
}

// TestCertifyConfirmationShowsTheSignedPagesAndSignsOnce reviews a
// certification: the confirmation says what the PDF prints and shows the
// rendered pages, which carry the filled block and are what is signed;
// then it signs, and signing again from the same form (Back, reload,
// a double click, two tabs at once) answers with the first version.
func TestCertifyConfirmationShowsTheSignedPagesAndSignsOnce(t *testing.T) {
	e := startUI(t)
	id := e.Create("rs-157-2023.json")
	_, page := e.Get("/utdrag/" + id + "/bestyrk")
	key := formKey(t, page)
	token := e.CSRF("/utdrag/" + id + "/bestyrk")
	form := url.Values{"csrf": {token}, "name": {"Lena Nordin"}, "title": {"Nämndsekreterare"}, "place": {"Östersund"},
		"step": {"review"}, "nyckel": {key}}
	resp, _ := e.Post("/utdrag/"+id+"/bestyrk", form)
	confirm := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(confirm, "steg=granska") {
		t.Fatalf("review: %d %q, want a redirect to the confirmation", resp.StatusCode, confirm)
	}
	// Reloading the confirmation is a GET: it signs nothing.
	for range 2 {
		resp, page = e.Get(confirm)
		if resp.StatusCode != 200 {
			t.Fatalf("confirmation: %d", resp.StatusCode)
		}
	}
	if n := e.certifiedVersions(id); n != 0 {
		t.Fatalf("%d certified versions after reviewing", n)
	}
	printed := regexp.MustCompile(`id="printed-signer">([^<]*)<`).FindStringSubmatch(undated(page))
	initials := regexp.MustCompile(`id="printed-initials">([^<]*)<`).FindStringSubmatch(page)
	src := regexp.MustCompile(`<iframe src="([^"]+)"[^>]*id="preview"`).FindStringSubmatch(page)
	if printed == nil || initials == nil || src == nil {
		t.Fatalf("the confirmation lacks the printed block, the initials or the preview")
	}
	if html.UnescapeString(printed[1]) != "Lena Nordin, Nämndsekreterare, Östersund "+dateToday() || initials[1] != "LN" {
		t.Errorf("printed %q, initials %q", html.UnescapeString(printed[1]), initials[1])
	}
	if !strings.Contains(page, `value="`+key+`"`) {
		t.Error("the confirmation does not carry the form's key")
	}
	resp, preview := e.Get(html.UnescapeString(src[1]))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("preview: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	pdftest.QPDFCheck(t, []byte(preview))
	previewText := plainText(t, []byte(preview))
	for _, want := range []string{"Rätt utdraget intygar", "Lena Nordin", "Nämndsekreterare", "Utdragsbestyrkande", "/v/" + id + "/1"} {
		if !strings.Contains(previewText, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if n := strings.Count(previewText, "LN"); n < 4 {
		t.Errorf("initials on %d pages of the preview, want every page (4)", n)
	}
	if sig := pdftest.Run(t, true, "pdfsig", pdftest.File(t, []byte(preview))); !strings.Contains(sig, "does not contain any signatures") {
		t.Errorf("the preview is signed: %s", sig)
	}

	sign := url.Values{"csrf": {token}, "name": {"Lena Nordin"}, "title": {"Nämndsekreterare"}, "place": {"Östersund"},
		"step": {"sign"}, "nyckel": {key}}
	resp, _ = e.Post("/utdrag/"+id+"/bestyrk", sign)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/utdrag/"+id+"?bestyrkt=1" {
		t.Fatalf("sign: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// What was signed is what was previewed: the same text, but for the
	// time of day in the signature line.
	resp, signed := e.Get("/utdrag/" + id + "/bestyrkt")
	if resp.StatusCode != 200 {
		t.Fatalf("certified PDF: %d", resp.StatusCode)
	}
	if a, b := withoutClock(previewText), withoutClock(plainText(t, []byte(signed))); a != b {
		t.Errorf("the signed pages differ from the preview:\npreview %q\nsigned  %q", a, b)
	}

	// Back to the confirmation, reloaded: the extract is certified now,
	// so it asks for a new version; signing it is still the same request.
	_, page = e.Get(confirm)
	if !strings.Contains(page, `name="newVersion" value="1"`) {
		t.Error("the reloaded confirmation does not ask for a new version")
	}
	sign.Set("newVersion", "1")
	// Sign again from it, three times at once.
	var wg sync.WaitGroup
	locs := make([]string, 3)
	for i := range locs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := e.Client.PostForm(e.URL+"/utdrag/"+id+"/bestyrk", sign)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			locs[i] = resp.Header.Get("Location")
		}()
	}
	wg.Wait()
	for i, loc := range locs {
		if loc != "/utdrag/"+id+"?bestyrkt=1&igen=1" {
			t.Errorf("signing again (%d): %q", i, loc)
		}
	}
	if _, body := e.Get("/utdrag/" + id + "?bestyrkt=1&igen=1"); !strings.Contains(body, "Ingen ny version skapades") {
		t.Error("the extract page does not say that nothing new was signed")
	}
	if n := e.certifiedVersions(id); n != 1 {
		t.Errorf("%d certified versions after signing one form four times", n)
	}

	// A new form is a new certification: a second version.
	_, page = e.Get("/utdrag/" + id + "/bestyrk")
	if k := formKey(t, page); k == key {
		t.Error("a new form has the old key")
	} else {
		sign.Set("nyckel", k)
		sign.Set("newVersion", "1")
		if resp, _ := e.Post("/utdrag/"+id+"/bestyrk", sign); resp.Header.Get("Location") != "/utdrag/"+id+"?bestyrkt=2" {
			t.Errorf("a new form: %s", resp.Header.Get("Location"))
		}
	}
}

// plainText is pdftotext's text with no-break spaces as spaces.
func plainText(t *testing.T, pdf []byte) string {
	t.Helper()
	return strings.ReplaceAll(pdftest.Text(t, pdf), "\u00a0", " ")
}

var clockRe = regexp.MustCompile(`kl\. \d\d\.\d\d`)

func withoutClock(s string) string { return clockRe.ReplaceAllString(s, "kl. —") }

// dateToday is today in Sweden, as a certification dates itself.
func dateToday() string {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	return time.Now().In(loc).Format(time.DateOnly)
}
