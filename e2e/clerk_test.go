package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"utdrag/auth"
	"utdrag/auth/openid"
	"utdrag/clerk"
	"utdrag/distribute"
	"utdrag/index"
	"utdrag/index/indextest"
	"utdrag/internal/smtptest"
	"utdrag/render"
	"utdrag/service"
	"utdrag/storage/storagetest"
)

// site is the service under test: MinIO storage, the example recipient
// directory and a recording SMTP server on loopback.
type site struct {
	t     *testing.T
	url   string
	smtp  *smtptest.Server
	index *index.Index
}

func startSite(t *testing.T, tune ...func(*service.Config)) *site {
	t.Helper()
	store := storagetest.S3(t)
	mail := smtptest.Start(t)
	mailer, err := distribute.NewSMTP(distribute.SMTPConfig{Addr: mail.Addr, StartTLS: distribute.StartTLSNone, From: "utdrag@region.example.se"})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	cfg := service.Defaults()
	cfg.PublicURL = "http://" + ts.Listener.Addr().String()
	cfg.Mail.Recipients = "../examples/recipients.yaml"
	for _, f := range tune {
		f(&cfg)
	}
	ix := indextest.SQLite(t)
	var provider *openid.Provider
	if cfg.OpenID.Issuer != "" {
		if provider, err = openid.New(t.Context(), cfg.OpenID); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := service.New(cfg, service.Deps{Index: ix, Store: store, Render: eng, Mailer: mailer, MailBackoff: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Pages: func(s *service.Server) (service.Pages, error) {
			return clerk.New(s, clerk.Config{SessionKey: cfg.SessionKey, AuthFile: cfg.AuthFile, PublicURL: cfg.PublicURL, OpenID: provider})
		}})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &site{t: t, url: ts.URL, smtp: mail, index: ix}
}

// api calls the service's API; key, when given, is the API key.
func (s *site) api(method, path, key string, body []byte) (int, []byte) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// seed posts the two example extracts through the API and returns their
// ids.
func (s *site) seed(key string) (rs, run string) {
	s.t.Helper()
	var ids []string
	for _, name := range []string{"rs-157-2023.json", "run-59-2022.json"} {
		raw, err := os.ReadFile(filepath.Join("..", "examples", name))
		if err != nil {
			s.t.Fatal(err)
		}
		status, body := s.api("POST", "/v1/extracts", key, raw)
		var v struct{ ID string }
		if err := json.Unmarshal(body, &v); err != nil || status != http.StatusCreated {
			s.t.Fatalf("posting %s: %d %s", name, status, body)
		}
		ids = append(ids, v.ID)
	}
	return ids[0], ids[1]
}

func readAxe(t *testing.T) []byte {
	t.Helper()
	axe, err := os.ReadFile(axePath(t))
	if err != nil {
		unavailable(t, "e2e: reading axe-core: %v", err)
	}
	return axe
}

// TestClerkFindsCertifiesAndDistributes goes from "find § 157 of
// Regionstyrelsen 2023-10-06" to "certified and sent to all three
// recipients" in the browser, then checks the verification pages.
func TestClerkFindsCertifiesAndDistributes(t *testing.T) {
	b := startBrowser(t)
	axe := readAxe(t)
	s := startSite(t)
	rs, runID := s.seed("")

	// Find: the search form, submitted from the keyboard.
	b.do("opening the list", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("table.results")))
	if rows := b.text("table.results tbody"); !strings.Contains(rows, "RS/412/2023") || !strings.Contains(rows, "RUN/59/2022") {
		t.Fatalf("the list lacks a seed:\n%s", rows)
	}
	b.checkAccessibility("list", axe)
	b.screenshot("1-list")
	b.do("keyboard focus on the skip link", chromedp.KeyEvent(kb.Tab))
	if focused := run(b, "reading focus", chromedp.Evaluate[string](`document.activeElement.className + "|" + getComputedStyle(document.activeElement).outlineStyle`)); focused != "skip|solid" {
		t.Errorf("first Tab focuses %q, want the skip link with a visible outline", focused)
	}
	b.do("searching",
		chromedp.SendKeys(chromedp.CSS("#organ"), "Regionstyrelsen"),
		chromedp.SetValue(chromedp.CSS("#from"), "2023-10-06"),
		chromedp.SetValue(chromedp.CSS("#to"), "2023-10-06"),
		chromedp.SendKeys(chromedp.CSS("#paragraph"), "157"+kb.Enter),
		// The old list shows both seeds: wait for the new one, without § 59.
		chromedp.WaitNotPresent(chromedp.CSS(`table.results a[href="/utdrag/`+runID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.results a[href="/utdrag/`+rs+`"]`)),
	)
	if rows := b.text("table.results tbody"); strings.Contains(rows, runID) || strings.Contains(rows, "RUN/59/2022") || !strings.Contains(rows, "§ 157") {
		t.Errorf("search for § 157 of Regionstyrelsen 2023-10-06 shows:\n%s", rows)
	}
	if got := b.attr("#paragraph", "value"); got != "157" {
		t.Errorf("the search form forgot the paragraph: %q", got)
	}
	b.screenshot("2-search")

	// Look: the extract's page with its PDF in the page.
	b.do("opening the extract", chromedp.Click(chromedp.CSS(`table.results a[href="/utdrag/`+rs+`"]`)), chromedp.WaitVisible(chromedp.CSS("#certify")))
	if src := b.attr("iframe.pdf", "src"); src != "/utdrag/"+rs+"/pdf?visa=1" {
		t.Errorf("PDF viewer shows %q", src)
	}
	b.checkAccessibility("extract", axe)
	b.screenshot("3-extract")
	_, apiPDF := s.api("GET", "/v1/extracts/"+rs+"/pdf", "", nil)
	if got := b.fetch(b.attr("#download-pdf", "href")); !bytes.Equal(got, apiPDF) || !bytes.HasPrefix(got, []byte("%PDF-")) {
		t.Errorf("the download button gives %d bytes, the API %d", len(got), len(apiPDF))
	}
	if got := b.fetch(b.attr("iframe.pdf", "src")); !bytes.Equal(got, apiPDF) {
		t.Error("the PDF in the page is not the extract's PDF")
	}

	// Certify, with a confirmation step before signing.
	b.do("opening the certification form", chromedp.Click(chromedp.CSS("#certify")), chromedp.WaitVisible(chromedp.CSS("#name")))
	b.checkAccessibility("certify", axe)
	b.do("filling in the certification",
		chromedp.SendKeys(chromedp.CSS("#name"), "Anna Berg"),
		chromedp.SendKeys(chromedp.CSS("#title"), "Nämndsekreterare"),
		chromedp.SendKeys(chromedp.CSS("#place"), "Östersund"),
	)
	b.screenshot("4-certify")
	b.do("reviewing", chromedp.Click(chromedp.CSS("#review")), chromedp.WaitVisible(chromedp.CSS("#sign")))
	if name, title := b.text("#confirm-name"), b.text("#confirm-title"); name != "Anna Berg" || title != "Nämndsekreterare" {
		t.Errorf("confirmation shows %q, %q", name, title)
	}
	if status, _ := s.api("GET", "/v1/extracts/"+rs+"/certified", "", nil); status != http.StatusNotFound {
		t.Fatalf("certified before the clerk confirmed: %d", status)
	}
	if printed, initials := b.text("#printed-signer"), b.text("#printed-initials"); !strings.HasPrefix(printed, "Anna Berg, Nämndsekreterare, Östersund") || initials != "AB" {
		t.Errorf("the confirmation says the PDF prints %q and %q", printed, initials)
	}
	if got := b.fetch(b.attr("#preview", "src")); !bytes.HasPrefix(got, []byte("%PDF-")) {
		t.Errorf("the preview in the confirmation is not a PDF (%d bytes)", len(got))
	}
	b.checkAccessibility("confirm", axe)
	b.screenshot("5-confirm")
	b.do("signing", chromedp.Click(chromedp.CSS("#sign")), chromedp.WaitVisible(chromedp.CSS("#download-certified")))
	if notice := b.text(".alert.success"); !strings.Contains(notice, "bestyrkt och signerat digitalt (version 1)") {
		t.Errorf("notice after signing: %q", notice)
	}
	if rec := b.text("#certifications"); !strings.Contains(rec, "Anna Berg, Nämndsekreterare, Östersund") {
		t.Errorf("certification record: %q", rec)
	}
	status, apiCertified := s.api("GET", "/v1/extracts/"+rs+"/certified", "", nil)
	if status != http.StatusOK {
		t.Fatalf("API certified PDF: %d", status)
	}
	if got := b.fetch(b.attr("#download-certified", "href")); !bytes.Equal(got, apiCertified) {
		t.Errorf("the certified download gives %d bytes, the API %d", len(got), len(apiCertified))
	}
	b.screenshot("6-certified")

	// Back to the confirmation, reload it and sign again: the form's key
	// makes that the first certification, not a second version.
	b.do("going back to the confirmation", chromedp.NavigateBack(), chromedp.WaitVisible(chromedp.CSS("#sign")))
	b.do("reloading the confirmation", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#sign")))
	b.do("signing again", chromedp.Click(chromedp.CSS("#sign")), chromedp.WaitVisible(chromedp.CSS("#download-certified")))
	if notice := b.text(".alert.success"); !strings.Contains(notice, "Ingen ny version skapades") {
		t.Errorf("notice after signing again: %q", notice)
	}
	_, raw := s.api("GET", "/v1/extracts/"+rs, "", nil)
	var after struct{ Certifications []json.RawMessage }
	if err := json.Unmarshal(raw, &after); err != nil || len(after.Certifications) != 1 {
		t.Errorf("%d certified versions after Back, reload and signing again", len(after.Certifications))
	}

	// Distribute: who receives it before sending, then the outcome. One
	// municipality's server answers "try later" three times, so the first
	// run leaves it pending and the clerk sends again.
	s.smtp.SetScript("registrator@berg.example.se", "451", "451", "451")
	b.do("opening distribution", chromedp.Click(chromedp.CSS("#distribute")), chromedp.WaitVisible(chromedp.CSS("#planned")))
	plan := b.text("#planned")
	for _, want := range []string{"Regional utvecklingsdirektör", "utvecklingsdirektor@regionjh.example.se", "länets kommuner", "registrator@ostersund.example.se", "Regionens revisorer", "revisionen@regionjh.example.se"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan lacks %q:\n%s", want, plan)
		}
	}
	if got := b.text("#send"); got != "Skicka till 10 adresser" {
		t.Errorf("send button %q", got)
	}
	if n := len(s.smtp.Offered()); n != 0 {
		t.Fatalf("%d messages sent before the clerk pressed send", n)
	}
	b.checkAccessibility("distribute-plan", axe)
	b.screenshot("7-distribute-plan")
	b.do("sending", chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#distribution-status")))
	if got := b.text("#distribution-status"); strings.Count(got, "Skickad") < 2 || !strings.Contains(got, "Tillfälligt fel") {
		t.Errorf("status after the first run:\n%s", got)
	}
	b.checkAccessibility("distribute-partial", axe)
	b.screenshot("8-distribute-partial")
	b.do("sending again", chromedp.Click(chromedp.CSS("#resend")), chromedp.WaitVisible(chromedp.CSS(".alert.success")))
	status3 := b.text("#distribution-status")
	if strings.Count(status3, "Skickad") != 3+10 || strings.Contains(status3, "Tillfälligt fel") {
		t.Errorf("status after sending again (want three recipients and ten addresses sent):\n%s", status3)
	}
	for addr, n := range s.smtp.AcceptedTo() {
		if n != 1 {
			t.Errorf("%s received %d messages", addr, n)
		}
	}
	if n := len(s.smtp.AcceptedTo()); n != 10 {
		t.Errorf("%d addresses received the extract, want 10", n)
	}
	if _, err := chromedp.Run(b.ctx, chromedp.WaitNotPresent(chromedp.CSS("#resend"))); err != nil {
		t.Error("the re-send button stays after everything was sent")
	}
	b.screenshot("9-distributed")

	// The list now says certified and distributed.
	b.do("back to the list", chromedp.Navigate(s.url+"/?paragraph=157"), chromedp.WaitVisible(chromedp.CSS("table.results")))
	if certified, distributed := b.text("table.results tbody td:nth-child(6)"), b.text("table.results tbody td:nth-child(7)"); certified != "Ja" || distributed != "Ja" {
		t.Errorf("list after distribution: certified %q, distributed %q", certified, distributed)
	}

	// Verify: the genuine certified PDF, and a copy with one byte flipped.
	dir := t.TempDir()
	genuine, altered := filepath.Join(dir, "bestyrkt.pdf"), filepath.Join(dir, "andrad.pdf")
	flipped := bytes.Clone(apiCertified)
	flipped[len(flipped)/2] ^= 0x01
	if err := os.WriteFile(genuine, apiCertified, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(altered, flipped, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want, shot string }{
		{genuine, "Äkta och bestyrkt utdrag", "10-verify-genuine"},
		{altered, "Inte ett äkta utdrag", "11-verify-altered"},
	} {
		b.do("verifying "+tc.file,
			chromedp.Navigate(s.url+"/verify"),
			chromedp.WaitVisible(chromedp.CSS("#file")),
			chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{tc.file}),
			chromedp.Click(chromedp.CSS("#check")),
			chromedp.WaitVisible(chromedp.CSS("#verdict")),
		)
		if got := b.text("#verdict-heading"); got != tc.want {
			t.Errorf("%s: verdict %q, want %q", filepath.Base(tc.file), got, tc.want)
		}
		b.checkAccessibility(tc.shot, axe)
		b.screenshot(tc.shot)
	}
	b.do("opening the verification address", chromedp.Navigate(s.url+"/v/"+rs+"/1"), chromedp.WaitVisible(chromedp.CSS("#verdict")))
	if got := b.text("#verdict"); !strings.Contains(got, "Äkta och bestyrkt utdrag") || !strings.Contains(got, "Anna Berg") {
		t.Errorf("verification address shows:\n%s", got)
	}
	b.checkAccessibility("verify-address", axe)
	b.screenshot("12-verify-address")
}

// TestClerkLogsInWithAnAPIKey: with a key file, the pages ask for the key
// once, keep a session, and show only the key's organisation.
func TestClerkLogsInWithAnAPIKey(t *testing.T) {
	const clerk, system = "e2e-clerk-key-0123456789abcdef", "e2e-system-key-0123456789abcdef"
	keys := filepath.Join(t.TempDir(), "keys.yaml")
	file := "organisations: {region-jh: Region Jämtland Härjedalen}\nkeys:\n" +
		"  - {name: Handläggare, sha256: " + auth.Hash(clerk) + ", roles: [clerk], organisation: region-jh}\n" +
		"  - {name: Ärendesystem, sha256: " + auth.Hash(system) + ", roles: [system], organisation: region-jh}\n"
	if err := os.WriteFile(keys, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t)
	axe := readAxe(t)
	s := startSite(t, func(c *service.Config) { c.AuthFile = keys })
	rs, _ := s.seed(system)

	b.do("opening an extract without a session", chromedp.Navigate(s.url+"/utdrag/"+rs), chromedp.WaitVisible(chromedp.CSS("#key")))
	b.checkAccessibility("login", axe)
	b.screenshot("13-login")
	b.do("logging in with a wrong key", chromedp.SendKeys(chromedp.CSS("#key"), "fel"+kb.Enter), chromedp.WaitVisible(chromedp.CSS("#login-error")))
	b.checkAccessibility("login-error", axe)
	b.do("logging in", chromedp.SendKeys(chromedp.CSS("#key"), clerk+kb.Enter), chromedp.WaitVisible(chromedp.CSS("#certify")))
	if user := b.text(".logout strong"); user != "Handläggare" {
		t.Errorf("logged in as %q", user)
	}
	cookies := run(b, "reading cookies", chromedp.Evaluate[string](`document.cookie`))
	if strings.Contains(cookies, "utdrag_session") {
		t.Error("the session cookie is readable from scripts")
	}
	_, apiPDF := s.api("GET", "/v1/extracts/"+rs+"/pdf", clerk, nil)
	if got := b.fetch(b.attr("#download-pdf", "href")); !bytes.Equal(got, apiPDF) {
		t.Errorf("download with the session gives %d bytes, the API %d", len(got), len(apiPDF))
	}
	b.do("logging out", chromedp.Click(chromedp.CSS(".logout button")), chromedp.WaitVisible(chromedp.CSS("#key")))
	b.do("opening the list after logout", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("#key")))
}
