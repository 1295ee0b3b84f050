package clerk_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"utdrag/audit"
	"utdrag/auth"
	"utdrag/auth/openid"
	"utdrag/clerk"
	"utdrag/index/indextest"
	"utdrag/internal/oidctest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage/fs"
)

// Keys of the personal-login tests: a case-management system that posts
// extracts, and an administrator who reads the trail.
const (
	keyPeopleSystem = "test-key-people-system"
	keyPeopleAdmin  = "test-key-people-admin"
)

// peopleEnv is a service with personal login through the test provider.
type peopleEnv struct {
	*uiEnv
	provider oidctest.Provider
}

// startPeople starts the service with a key file mapping the provider's
// groups; editable lists the organisations whose people may change their
// title.
func startPeople(t *testing.T, editable string) *peopleEnv {
	t.Helper()
	tp := oidctest.Start(t)
	keys := fmt.Sprintf(`organisations:
  storuman: Storumans kommun
keys:
  - name: diariet
    sha256: %s
    organisation: storuman
    roles: [system]
  - name: drift
    sha256: %s
    organisation: "*"
    roles: [admin]
groups:
  - group: utdrag-kommun-registratorer
    roles: [clerk]
    organisation: storuman
  - group: utdrag-administratorer
    roles: [admin]
    organisation: "*"
editableTitles: [%s]
`, auth.Hash(keyPeopleSystem), auth.Hash(keyPeopleAdmin), editable)
	path := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.WriteFile(path, []byte(keys), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// The provider sends the browser back to the service's address, so the
	// address is taken before the service is built.
	ts := httptest.NewUnstartedServer(nil)
	t.Cleanup(ts.Close)
	cfg := service.Defaults()
	cfg.AuthFile = path
	cfg.PublicURL = "http://" + ts.Listener.Addr().(*net.TCPAddr).String()
	cfg.Mail.Outbox = t.TempDir()
	cfg.OpenID = openid.Config{Issuer: tp.Issuer, ClientID: tp.ClientID, ClientSecret: tp.ClientSecret,
		RedirectURL: cfg.PublicURL + service.OpenIDReturnPath}
	p, err := openid.New(t.Context(), cfg.OpenID)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: store, Render: servicetest.Engine(t),
		Logger: servicetest.Log(t),
		Pages: func(s *service.Server) (service.Pages, error) {
			return clerk.New(s, clerk.Config{SessionKey: cfg.SessionKey, AuthFile: cfg.AuthFile, PublicURL: cfg.PublicURL, OpenID: p})
		}})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	return &peopleEnv{uiEnv: &uiEnv{&servicetest.UI{T: t, URL: ts.URL, Client: servicetest.Browser(t)}}, provider: tp}
}

// api calls the API with key.
func (e *peopleEnv) api(method, path, key string, body []byte) (int, []byte) {
	e.T.Helper()
	req, _ := http.NewRequest(method, e.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// logIn takes a fresh browser through the provider as username and
// returns the service's answer to the return from the provider.
func (e *peopleEnv) logIn(username, next string) *http.Response {
	e.T.Helper()
	e.Client = servicetest.Browser(e.T)
	resp, _ := e.Get("/logga-in/oidc/start?next=" + url.QueryEscape(next))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), e.provider.Issuer) {
		e.T.Fatalf("start: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var attempt *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "utdrag_oidc" {
			attempt = ck
		}
	}
	if attempt == nil || attempt.Path != service.OpenIDReturnPath || !attempt.HttpOnly || attempt.SameSite != http.SameSiteLaxMode {
		e.T.Fatalf("the attempt cookie: %+v", attempt)
	}
	back := oidctest.LogIn(e.T, e.Client, resp.Header.Get("Location"), username, oidctest.Password)
	if back.Path != service.OpenIDReturnPath {
		e.T.Fatalf("the provider sent the browser to %s", back)
	}
	r, err := e.Client.Get(back.String())
	if err != nil {
		e.T.Fatal(err)
	}
	r.Body.Close()
	return r
}

func (e *peopleEnv) trail(query string) []audit.Event {
	e.T.Helper()
	status, body := e.api("GET", "/v1/audit?"+query, keyPeopleAdmin, nil)
	if status != 200 {
		e.T.Fatalf("audit: %d %s", status, body)
	}
	var evs []audit.Event
	for _, line := range bytes.Split(bytes.TrimSpace(body), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var ev audit.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			e.T.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// TestPersonalLoginCertifiesUnderThePersonsName: a registrar logs in
// through the real provider; the certify form holds her name and title
// from it, and a certification signs with them whatever the form sends;
// her login and certification are in the trail under her identity.
func TestPersonalLoginCertifiesUnderThePersonsName(t *testing.T) {
	e := startPeople(t, "")
	status, body := e.api("POST", "/v1/extracts", keyPeopleSystem, []byte(servicetest.MinimalExtract))
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	var x struct{ ID string }
	json.Unmarshal(body, &x)

	_, page := e.Get("/logga-in")
	if !strings.Contains(page, `href="/logga-in/oidc/start?next=%2f"`) && !strings.Contains(page, `href="/logga-in/oidc/start?next=/"`) {
		t.Errorf("the login page offers no personal login:\n%s", page)
	}
	resp := e.logIn("lena", "/utdrag/"+x.ID+"/bestyrk")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/utdrag/"+x.ID+"/bestyrk" {
		t.Fatalf("return: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page = e.Get("/utdrag/" + x.ID + "/bestyrk")
	if resp.StatusCode != 200 || !strings.Contains(page, "Inloggad som <strong>Lena Nordin</strong>") {
		t.Fatalf("the certify form: %d\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{
		`id="name" name="name" type="text" value="Lena Nordin"`, `id="title" name="title" type="text" value="Nämndsekreterare"`,
		`readonly aria-describedby="name-from"`, `readonly aria-describedby="title-from"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	token := servicetest.CSRFField.FindStringSubmatch(page)[1]
	resp, page = e.Post("/utdrag/"+x.ID+"/bestyrk", url.Values{"csrf": {token}, "name": {"Någon Annan"}, "title": {"Kommundirektör"},
		"place": {"Storuman"}, "step": {"sign"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("certify: %d\n%s", resp.StatusCode, page)
	}
	status, pdf := e.api("GET", "/v1/extracts/"+x.ID+"/certified", keyPeopleAdmin, nil)
	if status != 200 {
		t.Fatalf("certified PDF: %d", status)
	}
	text := pdfText(t, pdf)
	if !strings.Contains(text, "Lena Nordin") || !strings.Contains(text, "Nämndsekreterare") || strings.Contains(text, "Någon Annan") || strings.Contains(text, "Kommundirektör") {
		t.Errorf("the certified PDF's text:\n%s", text)
	}

	evs := e.trail("extract=" + x.ID)
	if len(evs) != 2 || evs[0].Action != audit.Create || evs[0].Actor.Name != "diariet" || evs[1].Action != audit.Certify ||
		evs[1].Actor != (audit.Actor{Kind: audit.ActorPerson, Name: "Lena Nordin", Subject: e.provider.Issuer + "#u-lena", Organisation: "storuman"}) ||
		evs[1].Version != 1 || evs[1].Address != "127.0.0.1" {
		t.Errorf("the extract's trail: %+v", evs)
	}
	if evs := e.trail("action=login"); len(evs) != 1 || evs[0].Actor.Subject != e.provider.Issuer+"#u-lena" {
		t.Errorf("logins: %+v", evs)
	}
	// The extract page shows its trail, with her name.
	_, page = e.Get("/utdrag/" + x.ID)
	if !strings.Contains(page, "<td>Bestyrkt</td>\n      <td>Lena Nordin</td>") {
		t.Errorf("the extract page's trail:\n%s", page)
	}

	// Logging out is recorded and ends the session.
	_, page = e.Get("/")
	token = servicetest.CSRFField.FindStringSubmatch(page)[1]
	if resp, _ := e.Post("/logga-ut", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := e.Get("/utdrag/" + x.ID); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after logout the extract page answers %d", resp.StatusCode)
	}
	if evs := e.trail("action=logout"); len(evs) != 1 || evs[0].Actor.Name != "Lena Nordin" {
		t.Errorf("logouts: %+v", evs)
	}
}

// TestPersonalLoginRefusals: a person whose groups Utdrag does not map, and
// a return that no attempt of this browser began, are refused and
// recorded as failed logins.
func TestPersonalLoginRefusals(t *testing.T) {
	e := startPeople(t, "")
	resp := e.logIn("utan", "/")
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a person without a mapped group: %d", resp.StatusCode)
	}
	if resp, _ := e.Get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after a refused login the search page answers %d", resp.StatusCode)
	}
	e.Client = servicetest.Browser(t)
	resp, page := e.Get("/logga-in/oidc?code=stolen&state=guessed")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(page, "hörde inte till den här webbläsaren") {
		t.Errorf("a return without an attempt: %d\n%s", resp.StatusCode, page)
	}
	evs := e.trail("action=login-failed")
	if len(evs) != 2 || evs[0].Actor.Name != "Ulla Utan" || evs[0].Actor.Kind != audit.ActorPerson ||
		!strings.Contains(evs[0].Detail, "ekonomi") || evs[1].Actor.Kind != audit.ActorNone {
		t.Errorf("failed logins: %+v", evs)
	}
}

// TestEditableTitleIsRemembered: where the organisation allows it (and
// for a person the provider gives no title) the title can be typed, and
// the next certification's form holds it.
func TestEditableTitleIsRemembered(t *testing.T) {
	e := startPeople(t, "storuman")
	var ids []string
	for _, n := range []string{"1", "2"} {
		status, body := e.api("POST", "/v1/extracts", keyPeopleSystem, []byte(strings.Replace(servicetest.MinimalExtract, `"number":1`, `"number":`+n, 1)))
		if status != 201 {
			t.Fatalf("create: %d %s", status, body)
		}
		var x struct{ ID string }
		json.Unmarshal(body, &x)
		ids = append(ids, x.ID)
	}
	if resp := e.logIn("nils", "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	_, page := e.Get("/utdrag/" + ids[0] + "/bestyrk")
	if strings.Contains(page, `aria-describedby="title-from"`) || !strings.Contains(page, `aria-describedby="name-from"`) {
		t.Errorf("the title should be editable and the name not:\n%s", page)
	}
	token := servicetest.CSRFField.FindStringSubmatch(page)[1]
	if resp, page := e.Post("/utdrag/"+ids[0]+"/bestyrk", url.Values{"csrf": {token}, "name": {"x"}, "title": {"Registrator"}, "step": {"sign"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("certify: %d\n%s", resp.StatusCode, page)
	}
	_, page = e.Get("/utdrag/" + ids[1] + "/bestyrk")
	if !strings.Contains(page, `id="title" name="title" type="text" value="Registrator"`) || !strings.Contains(page, `value="Nils Nyman"`) {
		t.Errorf("the next form does not remember the title:\n%s", page)
	}
	// The next login too: the title is kept for the person.
	if resp := e.logIn("nils", "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second login: %d", resp.StatusCode)
	}
	_, page = e.Get("/utdrag/" + ids[1] + "/bestyrk")
	if !strings.Contains(page, `id="title" name="title" type="text" value="Registrator"`) {
		t.Errorf("the form after a new login does not remember the title:\n%s", page)
	}
}

// pdfText is the text of a PDF as pdftotext reads it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestAuditPages: a clerk sees the trail of a meeting but not the whole
// trail; an administrator filters it and exports it as JSON Lines, which
// jq reads back.
func TestAuditPages(t *testing.T) {
	e := startPeople(t, "")
	status, body := e.api("POST", "/v1/extracts", keyPeopleSystem, []byte(servicetest.MinimalExtract))
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	var x struct{ ID string }
	json.Unmarshal(body, &x)

	e.logIn("lena", "/")
	if resp, page := e.Get("/logg"); resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "bara för administratörer") {
		t.Errorf("the whole trail for a clerk: %d", resp.StatusCode)
	}
	resp, page := e.Get("/logg?organ=N%C3%A4mnden&meetingDate=2024-05-14")
	if resp.StatusCode != 200 || !strings.Contains(page, "Händelser för Nämnden 2024-05-14") || !strings.Contains(page, "<td>Skapat</td>") ||
		strings.Contains(page, "<td>Inloggning</td>") || strings.Contains(page, `href="/logg"`) {
		t.Errorf("the meeting's trail for a clerk: %d\n%s", resp.StatusCode, page)
	}

	e.logIn("admin", "/")
	resp, page = e.Get("/")
	if !strings.Contains(page, `<a href="/logg"`) {
		t.Errorf("no link to the trail for an administrator")
	}
	resp, page = e.Get("/logg?action=login")
	if resp.StatusCode != 200 || strings.Count(page, "<td>Inloggning</td>") != 2 || strings.Contains(page, "<td>Skapat</td>") {
		t.Errorf("logins for an administrator: %d\n%s", resp.StatusCode, page)
	}
	if resp, _ := e.Get("/logg?action=radera"); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unknown action: %d", resp.StatusCode)
	}
	resp, export := e.Get("/logg.jsonl?actor=Lena+Nordin")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	cmd := exec.Command("jq", "-r", `.action + " " + .actor.kind + " " + .actor.name`)
	cmd.Stdin = strings.NewReader(export)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq: %v", err)
	}
	if string(out) != "login person Lena Nordin\n" {
		t.Errorf("jq read %q", out)
	}
}
