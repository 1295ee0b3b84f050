package service_test

import (
	"bytes"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	clerkpages "utdrag/clerk"
	"utdrag/distribute"
	"utdrag/index/indextest"
	"utdrag/internal/smtptest"
	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/fs"
)

// The service's tests run it as the program does, with the clerk pages
// mounted: several look at a page too (justering, verification), and the
// OpenAPI test checks that the pages' answers are the documented ones.
// Package clerk has the pages' own tests.

// withPages builds the clerk pages on the server as cmd/utdrag does.
func withPages(cfg service.Config) func(*service.Server) (service.Pages, error) {
	return func(s *service.Server) (service.Pages, error) {
		return clerkpages.New(s, clerkpages.Config{SessionKey: cfg.SessionKey, AuthFile: cfg.AuthFile, PublicURL: cfg.PublicURL})
	}
}

// uiEnv is a running service with the clerk interface, a browser-like
// client (cookies, no automatic redirects) and a recording SMTP server.
type uiEnv struct {
	t    *testing.T
	url  string
	smtp *smtptest.Server
	c    *http.Client
}

func startUI(t *testing.T, tune ...func(*service.Config)) *uiEnv {
	t.Helper()
	store, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return startUIOn(t, store, nil, slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn})), tune...)
}

// startUIOn starts the service in open mode on store with clock now (nil:
// the real one) and logger log, a recording SMTP server, and a
// browser-like client for the clerk pages.
func startUIOn(t *testing.T, store storage.Store, now func() time.Time, log *slog.Logger, tune ...func(*service.Config)) *uiEnv {
	t.Helper()
	mail := smtptest.Start(t)
	mailer, err := distribute.NewSMTP(distribute.SMTPConfig{Addr: mail.Addr, StartTLS: distribute.StartTLSNone, From: "utdrag@test.example.se"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := service.Defaults()
	cfg.Mail.Recipients = "../examples/recipients.yaml"
	for _, f := range tune {
		f(&cfg)
	}
	srv, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: store, Render: renderEngine(t), Mailer: mailer, Now: now,
		Logger: log, Pages: withPages(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &uiEnv{t: t, url: ts.URL, smtp: mail, c: newBrowserClient(t)}
}

// testLog shows the service's warnings and errors in the test's output.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func newBrowserClient(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (e *uiEnv) get(path string) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.c.Get(e.url + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (e *uiEnv) post(path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, err := e.c.PostForm(e.url+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the form token from a page of the interface.
func (e *uiEnv) csrf(path string) string {
	e.t.Helper()
	_, body := e.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no CSRF token on %s", path)
	}
	return html.UnescapeString(m[1])
}

// create posts a seed through the API and returns its id.
func (e *uiEnv) create(name string, header ...string) string {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.url+"/v1/extracts", bytes.NewReader(example(e.t, name)))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("create %s: %d %v", name, resp.StatusCode, err)
	}
	return v.ID
}

func multipartFile(t *testing.T, token string, data []byte) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("csrf", token)
	fw, err := w.CreateFormFile("file", "utdrag.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	return &buf, w.FormDataContentType()
}
