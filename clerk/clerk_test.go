package clerk_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"utdrag/auth"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage"
)

// uiEnv is a running service with the clerk interface, a browser-like
// client and a recording SMTP server.
type uiEnv struct{ *servicetest.UI }

func startUI(t *testing.T, tune ...func(*service.Config)) *uiEnv {
	t.Helper()
	return startUIOn(t, servicetest.FileStore(t), nil, servicetest.Log(t), tune...)
}

// startUIOn starts the service in open mode on store with clock now (nil:
// the real one) and logger log.
func startUIOn(t *testing.T, store storage.Store, now func() time.Time, log *slog.Logger, tune ...func(*service.Config)) *uiEnv {
	t.Helper()
	return &uiEnv{servicetest.StartUI(t, service.Deps{Store: store, Now: now, Logger: log, MailBackoff: 10 * time.Millisecond}, tune...)}
}

func TestUIFindCertifyDistributeOpenMode(t *testing.T) {
	e := startUI(t)
	rs := e.Create("rs-157-2023.json")
	run := e.Create("run-59-2022.json")

	resp, body := e.Get("/?organ=Regionstyrelsen&from=2023-10-01&to=2023-10-31&paragraph=157")
	if resp.StatusCode != 200 || !strings.Contains(body, `lang="sv"`) || !strings.Contains(body, "/utdrag/"+rs) || strings.Contains(body, "/utdrag/"+run) {
		t.Fatalf("search: %d, finds rs %v, finds run %v\n%s", resp.StatusCode, strings.Contains(body, rs), strings.Contains(body, run), body)
	}
	if _, body := e.Get("/"); strings.Index(body, rs) > strings.Index(body, run) {
		t.Error("list is not newest meeting first")
	}
	if resp, body := e.Get("/?from=igår"); resp.StatusCode != 400 || !strings.Contains(body, "ÅÅÅÅ-MM-DD") {
		t.Errorf("bad date: %d", resp.StatusCode)
	}

	// Certify: the form asks for confirmation before it signs.
	token := e.CSRF("/utdrag/" + rs + "/bestyrk")
	form := url.Values{"csrf": {token}, "name": {"Anna Berg"}, "title": {"Nämndsekreterare"}, "step": {"review"}}
	resp, _ = e.Post("/utdrag/"+rs+"/bestyrk", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("review: %d, want a redirect to the confirmation", resp.StatusCode)
	}
	resp, body = e.Get(resp.Header.Get("Location"))
	if resp.StatusCode != 200 || !strings.Contains(body, "Bekräfta bestyrkandet") || !strings.Contains(body, `value="sign"`) {
		t.Fatalf("confirmation: %d", resp.StatusCode)
	}
	if resp, _ := e.Get("/utdrag/" + rs + "/bestyrkt"); resp.StatusCode != 404 {
		t.Errorf("review certified already: certified PDF %d", resp.StatusCode)
	}
	form.Set("step", "sign")
	resp, _ = e.Post("/utdrag/"+rs+"/bestyrk", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/utdrag/"+rs+"?bestyrkt=1" {
		t.Fatalf("sign: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := e.Get("/utdrag/" + rs + "?bestyrkt=1"); !strings.Contains(body, "Anna Berg, Nämndsekreterare") || !strings.Contains(body, "/v/"+rs+"/1") {
		t.Error("extract page lacks the certification record")
	} else if !strings.Contains(body, "PAdES B-B (signatur utan tidsstämpel)") || !strings.Contains(body, "Ingen tidsstämpeltjänst är inställd") {
		t.Error("extract page does not say which signature level the certification reached, and why no higher")
	}

	// Distribute: the plan first, then the result per recipient.
	_, plan := e.Get("/utdrag/" + rs + "/expediera")
	for _, want := range []string{"Regional utvecklingsdirektör", "Länets kommuner", "registrator@are.example.se", "Regionens revisorer", "Skicka till 10 adresser"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	if len(e.SMTP.Accepted()) != 0 {
		t.Fatal("the plan sent mail")
	}
	resp, _ = e.Post("/utdrag/"+rs+"/expediera", url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("distribute: %d", resp.StatusCode)
	}
	if n := len(e.SMTP.Accepted()); n != 10 {
		t.Errorf("%d messages accepted, want 10", n)
	}
	_, status := e.Get("/utdrag/" + rs + "/expediera?klart=skickat")
	if !strings.Contains(status, `<div class="alert success" role="status" id="notice"><p>Utskicket är gjort. Utdraget är expedierat: alla 3 mottagare har fått det.</p>`) ||
		strings.Count(status, `class="badge ok">Skickad`) != 3 {
		t.Errorf("status page does not show three sent recipients")
	}
	if resp, _ := e.Post("/utdrag/"+rs+"/expediera", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusSeeOther || len(e.SMTP.Accepted()) != 10 {
		t.Errorf("sending again: %d, %d messages (want no new ones)", resp.StatusCode, len(e.SMTP.Accepted()))
	}
	if _, body := e.Get("/?paragraph=157"); !strings.Contains(body, `<td data-label="Bestyrkt"><span class="badge ok">Ja</span></td>`) ||
		!strings.Contains(body, `<td data-label="Expedierat"><span class="badge ok">Ja</span></td>`) {
		t.Error("list does not show the extract as certified and distributed")
	}
}

func TestUIFormsNeedTheSessionsToken(t *testing.T) {
	e := startUI(t)
	id := e.Create("rs-157-2023.json")
	form := url.Values{"name": {"Anna Berg"}, "title": {"Nämndsekreterare"}, "step": {"sign"}}
	if resp, _ := e.Post("/utdrag/"+id+"/bestyrk", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	other := &uiEnv{&servicetest.UI{T: t, URL: e.URL, Client: servicetest.Browser(t)}}
	form.Set("csrf", other.CSRF("/verify")) // valid, but another browser's
	if resp, _ := e.Post("/utdrag/"+id+"/bestyrk", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another session's token: %d", resp.StatusCode)
	}
	form.Set("csrf", e.CSRF("/verify"))
	req, _ := http.NewRequest("POST", e.URL+"/utdrag/"+id+"/bestyrk", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://elsewhere.example")
	if resp, err := e.Client.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("foreign origin: %v %v", resp.StatusCode, err)
	}
	if resp, _ := e.Get("/utdrag/" + id + "/bestyrkt"); resp.StatusCode != 404 {
		t.Error("a refused form certified the extract")
	}
}

func TestUIVerifyPages(t *testing.T) {
	e := startUI(t)
	id := e.Create("rs-157-2023.json")
	token := e.CSRF("/utdrag/" + id + "/bestyrk")
	e.Post("/utdrag/"+id+"/bestyrk", url.Values{"csrf": {token}, "name": {"Anna Berg"}, "title": {"Nämndsekreterare"}, "step": {"sign"}})
	_, pdf := e.Get("/utdrag/" + id + "/bestyrkt")
	if !strings.HasPrefix(pdf, "%PDF-") {
		t.Fatal("no certified PDF")
	}
	altered := []byte(pdf)
	altered[len(altered)/2] ^= 0x01

	visitor := &uiEnv{e.Visitor()}
	for name, tc := range map[string]struct {
		file []byte
		want string
	}{
		"genuine": {[]byte(pdf), "Äkta och bestyrkt utdrag"},
		"altered": {altered, "Inte ett äkta utdrag"},
	} {
		resp, page := visitor.Verify(tc.file)
		if resp.StatusCode != 200 || !strings.Contains(page, tc.want) {
			t.Errorf("%s: %d, want %q", name, resp.StatusCode, tc.want)
		}
	}
	if resp, body := visitor.Get("/v/" + id + "/1"); resp.StatusCode != 200 || !strings.Contains(body, "Äkta och bestyrkt utdrag") || !strings.Contains(body, "Anna Berg") {
		t.Errorf("verification address: %d", resp.StatusCode)
	}
	if resp, _ := visitor.Get("/v/" + id + "/2"); resp.StatusCode != 404 {
		t.Errorf("unknown version: %d", resp.StatusCode)
	}
}

func writeKeys(t *testing.T, keys map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("organisations:\n  region-jh: Region Jämtland Härjedalen\n  annan-org: Annan organisation\n")
	b.WriteString("keys:\n")
	for secret, spec := range keys {
		name, rest, _ := strings.Cut(spec, " ")
		roles, org, _ := strings.Cut(rest, " ")
		b.WriteString("  - name: " + name + "\n    sha256: " + auth.Hash(secret) + "\n    roles: [" + roles + "]\n    organisation: \"" + org + "\"\n")
	}
	path := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUILoginUsesTheAPIKeysAndPolicy(t *testing.T) {
	const clerk, system, other = "clerk-key-0123456789abcdef", "system-key-0123456789abcdef", "other-key-0123456789abcdef"
	keyFile := writeKeys(t, map[string]string{
		clerk:  "handläggare clerk region-jh",
		system: "system system region-jh",
		other:  "annan clerk annan-org",
	})
	e := startUI(t, func(c *service.Config) { c.AuthFile = keyFile })
	id := e.Create("rs-157-2023.json", "Authorization", "Bearer "+system)

	resp, _ := e.Get("/utdrag/" + id)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/logga-in?next=%2Futdrag%2F"+id {
		t.Fatalf("without login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, body := e.Get("/verify"); resp.StatusCode != 200 || strings.Contains(body, "Sök utdrag") {
		t.Errorf("public verify page: %d, shows the clerk menu: %v", resp.StatusCode, strings.Contains(body, "Sök utdrag"))
	}
	login := func(key string) *http.Response {
		resp, _ := e.Post("/logga-in", url.Values{"csrf": {e.CSRF("/logga-in")}, "key": {key}, "next": {"/utdrag/" + id}})
		return resp
	}
	if resp := login("wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unknown key: %d", resp.StatusCode)
	}
	if resp, body := e.Post("/logga-in", url.Values{"csrf": {e.CSRF("/logga-in")}, "key": {system}, "next": {"/"}}); resp.StatusCode != http.StatusForbidden ||
		!strings.Contains(body, "rollen handläggare eller administratör") || strings.Contains(body, "clerk") {
		t.Errorf("system key: %d, the refusal names the roles in English or not at all", resp.StatusCode)
	}
	if resp, _ := e.Post("/logga-in", url.Values{"key": {clerk}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without token: %d", resp.StatusCode)
	}
	resp = login(clerk)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/utdrag/"+id {
		t.Fatalf("clerk login: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "utdrag_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || strings.Contains(cookie.Value, clerk) || strings.Contains(cookie.Value, auth.Hash(clerk)) {
		t.Fatalf("session cookie %+v", cookie)
	}
	if resp, body := e.Get("/utdrag/" + id); resp.StatusCode != 200 || !strings.Contains(body, "Inloggad som <strong>handläggare</strong>") {
		t.Errorf("after login: %d", resp.StatusCode)
	}
	// The cookie is no API key, and a forged one is no session.
	req, _ := http.NewRequest("GET", e.URL+"/v1/extracts/"+id, nil)
	req.AddCookie(cookie)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("API with the session cookie: %v %v", resp.StatusCode, err)
	}
	payload, sig, _ := strings.Cut(cookie.Value, ".")
	forged := &http.Cookie{Name: "utdrag_session", Value: payload + "." + strings.Repeat("A", len(sig))}
	req, _ = http.NewRequest("GET", e.URL+"/utdrag/"+id, nil)
	req.AddCookie(forged)
	if resp, err := (&http.Client{CheckRedirect: e.Client.CheckRedirect}).Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Errorf("forged cookie: %v %v", resp.StatusCode, err)
	}

	// Logging out ends the session.
	e.Post("/logga-ut", url.Values{"csrf": {e.CSRF("/utdrag/" + id)}})
	if resp, _ := e.Get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout: %d", resp.StatusCode)
	}

	// A clerk of another organisation sees neither the extract nor it in
	// the list.
	login(other)
	if resp, _ := e.Get("/utdrag/" + id); resp.StatusCode != http.StatusNotFound {
		t.Errorf("other organisation's extract: %d", resp.StatusCode)
	}
	if _, body := e.Get("/"); strings.Contains(body, id) {
		t.Error("other organisation's extract is listed")
	}
}
