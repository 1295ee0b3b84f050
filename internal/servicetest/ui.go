package servicetest

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

	"utdrag/clerk"
	"utdrag/distribute"
	"utdrag/index/indextest"
	"utdrag/internal/exampletest"
	"utdrag/internal/smtptest"
	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/fs"
)

// Pages builds the clerk pages on the server as cmd/utdrag does.
func Pages(cfg service.Config) func(*service.Server) (service.Pages, error) {
	return func(s *service.Server) (service.Pages, error) {
		return clerk.New(s, clerk.Config{SessionKey: cfg.SessionKey, AuthFile: cfg.AuthFile, PublicURL: cfg.PublicURL})
	}
}

// UI is a running service with the clerk pages, a browser-like client
// (cookies, no automatic redirects) and a recording SMTP server.
type UI struct {
	T      *testing.T
	URL    string
	SMTP   *smtptest.Server
	Client *http.Client
}

// FileStore is a file store in a folder of t's.
func FileStore(t *testing.T) storage.Store {
	t.Helper()
	store, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// Log is a logger that shows the service's warnings and errors in t's
// output.
func Log(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Helper()
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// StartUI starts the service in open mode, with the clerk pages, the
// examples' recipient directory (as tune may change the configuration),
// an SQLite index, the shared render engine and a mailer sending to a
// recording SMTP server, besides what deps gives (store, clock, logger,
// mail backoff).
func StartUI(t *testing.T, deps service.Deps, tune ...func(*service.Config)) *UI {
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
	deps.Index, deps.Render, deps.Mailer, deps.Pages = indextest.SQLite(t), Engine(t), mailer, Pages(cfg)
	srv, err := service.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &UI{T: t, URL: ts.URL, SMTP: mail, Client: Browser(t)}
}

// Browser is a client that keeps cookies and follows no redirect.
func Browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Get fetches path with the client.
func (e *UI) Get(path string) (*http.Response, string) {
	e.T.Helper()
	resp, err := e.Client.Get(e.URL + path)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Post posts form to path with the client.
func (e *UI) Post(path string, form url.Values) (*http.Response, string) {
	e.T.Helper()
	resp, err := e.Client.PostForm(e.URL+path, form)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// CSRFField finds the form token in a page of the interface.
var CSRFField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// CSRF reads the form token from a page of the interface.
func (e *UI) CSRF(path string) string {
	e.T.Helper()
	_, body := e.Get(path)
	m := CSRFField.FindStringSubmatch(body)
	if m == nil {
		e.T.Fatalf("no CSRF token on %s", path)
	}
	return html.UnescapeString(m[1])
}

// Create posts the example name through the API, with the header pairs
// given, and returns its id.
func (e *UI) Create(name string, header ...string) string {
	e.T.Helper()
	req, _ := http.NewRequest("POST", e.URL+"/v1/extracts", bytes.NewReader(exampletest.Raw(e.T, name)))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.StatusCode != http.StatusCreated {
		e.T.Fatalf("create %s: %d %v", name, resp.StatusCode, err)
	}
	return v.ID
}

// Visitor is another browser on the same service: no session, no cookies.
func (e *UI) Visitor() *UI {
	return &UI{T: e.T, URL: e.URL, Client: Browser(e.T)}
}

// Verify uploads file on the verification page, with the page's own
// token, and returns the answer and the page.
func (e *UI) Verify(file []byte) (*http.Response, string) {
	e.T.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("csrf", e.CSRF("/verify"))
	fw, err := w.CreateFormFile("file", "utdrag.pdf")
	if err != nil {
		e.T.Fatal(err)
	}
	_, _ = fw.Write(file)
	_ = w.Close()
	req, _ := http.NewRequest("POST", e.URL+"/verify", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := e.Client.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp, string(page)
}
