package clerk_test

// The security regression suite, continued: the clerk pages and the
// public verification upload.

import (
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"utdrag/index/indextest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage/fs"
)

// countingBody is a request body of a given size that counts what the
// server read of it.
type countingBody struct {
	head, tail []byte
	fill       int64 // bytes of filler between head and tail
	read       int64
	pos        int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	total := int64(len(b.head)) + b.fill + int64(len(b.tail))
	if b.pos >= total {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && b.pos < total {
		switch {
		case b.pos < int64(len(b.head)):
			c := copy(p[n:], b.head[b.pos:])
			n += c
			b.pos += int64(c)
		case b.pos < int64(len(b.head))+b.fill:
			left := int64(len(b.head)) + b.fill - b.pos
			c := min(int64(len(p)-n), left)
			for i := range c {
				p[n+int(i)] = '%'
			}
			n += int(c)
			b.pos += c
		default:
			c := copy(p[n:], b.tail[b.pos-int64(len(b.head))-b.fill:])
			n += c
			b.pos += int64(c)
		}
	}
	b.read += int64(n)
	return n, nil
}

// uploadBody is a multipart verify form: the token, then a file of size
// bytes.
func uploadBody(token string, size int64) (*countingBody, string) {
	const boundary = "utdrag-test-boundary"
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + token + "\r\n" +
		"--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"utdrag.pdf\"\r\n" +
		"Content-Type: application/pdf\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	return &countingBody{head: []byte(head), tail: []byte(tail), fill: size}, "multipart/form-data; boundary=" + boundary
}

// inProcess builds a service and returns its handler, for tests that
// hand it a request body of their own.
func inProcess(t *testing.T, tune ...func(*service.Config)) http.Handler {
	t.Helper()
	store, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := service.Defaults()
	cfg.Mail.Outbox = t.TempDir()
	for _, f := range tune {
		f(&cfg)
	}
	srv, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: store, Render: servicetest.Engine(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Pages: servicetest.Pages(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

// localRequest is a request to the service on its loopback address.
func localRequest(method, target string, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, target, body)
	r.Host = "127.0.0.1:8080"
	return r
}

// visitorSession opens the verify page as a browser would and returns
// its session cookie and form token.
func visitorSession(t *testing.T, h http.Handler) (*http.Cookie, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, localRequest("GET", "/verify", nil))
	m := servicetest.CSRFField.FindStringSubmatch(rec.Body.String())
	cookies := rec.Result().Cookies()
	if m == nil || len(cookies) == 0 {
		t.Fatalf("verify page: %d, no token or cookie", rec.Code)
	}
	return cookies[0], html.UnescapeString(m[1])
}

// TestSecurityVerifyUploadTokenFirst posts the public verify form with a
// wrong token and a 40 MiB file: the answer is 403 after the token, not
// after the file; with a good token the file is hashed as it arrives,
// without holding it in memory or spooling it to the temporary folder.
func TestSecurityVerifyUploadTokenFirst(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	h := inProcess(t)
	cookie, token := visitorSession(t, h)

	body, ctype := uploadBody("not-the-token", 40<<20)
	req := localRequest("POST", "/verify", body)
	req.Header.Set("Content-Type", ctype)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("wrong token: %d", rec.Code)
	}
	if body.read > 1<<20 {
		t.Errorf("read %d bytes of the upload before refusing its token", body.read)
	}
	t.Logf("wrong token: %d after reading %d of %d bytes", rec.Code, body.read, body.fill)

	body, ctype = uploadBody(token, 40<<20)
	req = localRequest("POST", "/verify", body)
	req.Header.Set("Content-Type", ctype)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	h.ServeHTTP(rec, req)
	runtime.ReadMemStats(&m1)
	alloc := m1.TotalAlloc - m0.TotalAlloc
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Inte ett äkta utdrag") {
		t.Errorf("good token: %d", rec.Code)
	}
	if alloc > 8<<20 {
		t.Errorf("checking a 40 MiB upload allocated %d MiB", alloc>>20)
	}
	if files, _ := os.ReadDir(tmp); len(files) > 0 {
		t.Errorf("the upload was spooled to the temporary folder: %d files", len(files))
	}
	t.Logf("good token: %d, %.1f MiB allocated for a 40 MiB upload", rec.Code, float64(alloc)/(1<<20))
}

// stallingBody sends head, then blocks until released, then ends.
type stallingBody struct {
	head    []byte
	release chan struct{}
	started chan struct{}
	once    sync.Once
}

func (b *stallingBody) Read(p []byte) (int, error) {
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	b.once.Do(func() { close(b.started) })
	<-b.release
	return 0, io.EOF
}

// TestSecurityVerifyUploadsBounded holds every verification slot with a
// stalled upload: the next one gets 503 with Retry-After at once, through
// the API and the page alike, and the slot is free again afterwards.
func TestSecurityVerifyUploadsBounded(t *testing.T) {
	h := inProcess(t, func(c *service.Config) { c.MaxVerifies = 1; c.VerifyWait = 10 * time.Millisecond })
	stall := &stallingBody{head: []byte("%PDF-1.7\n"), release: make(chan struct{}), started: make(chan struct{})}
	done := make(chan int)
	go func() {
		req := localRequest("POST", "/v1/verify", stall)
		req.Header.Set("Content-Type", "application/pdf")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		done <- rec.Code
	}()
	<-stall.started
	req := localRequest("POST", "/v1/verify", strings.NewReader("%PDF-1.7\n"))
	req.Header.Set("Content-Type", "application/pdf")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("API upload while the slot is held: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	cookie, token := visitorSession(t, h)
	body, ctype := uploadBody(token, 1<<10)
	req = localRequest("POST", "/verify", body)
	req.Header.Set("Content-Type", ctype)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("page upload while the slot is held: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	close(stall.release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("stalled upload: %d", code)
	}
	req = localRequest("POST", "/v1/verify", strings.NewReader("%PDF-1.7\n"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("after the slot is free: %d", rec.Code)
	}
}

// browserLocation resolves a Location header the way a browser does:
// tabs and line breaks dropped, backslashes read as slashes.
func browserLocation(base *url.URL, loc string) (*url.URL, error) {
	loc = strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\r', '\n':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, strings.TrimLeft(loc, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, err
	}
	return base.ResolveReference(ref), nil
}

// TestSecurityLoginRedirectStaysOnSite tries next= targets that browsers
// read as another site: every redirect after login (and of the login page
// itself) stays on this site.
func TestSecurityLoginRedirectStaysOnSite(t *testing.T) {
	const clerk = "clerk-key-0123456789abcdef"
	e := startUI(t, func(c *service.Config) {
		c.AuthFile = writeKeys(t, map[string]string{clerk: "handläggare clerk region-jh"})
	})
	base, _ := url.Parse(e.URL)
	targets := []string{
		"/\t/evil.example", "/%09/evil.example", "/\\evil.example", "\\/evil.example", "//evil.example",
		"/\r\n/evil.example", " //evil.example", "/\\/evil.example", "https://evil.example/", "/./\t/evil.example",
		"/.//evil.example", "%2F%2Fevil.example", "/%2F%2Fevil.example", "\t//evil.example", "/\x00/evil.example",
		"javascript:alert(1)", "/utdrag/abc?x=1",
	}
	check := func(what, next, loc string) {
		t.Helper()
		u, err := browserLocation(base, loc)
		if err != nil || u.Host != base.Host || u.Scheme != base.Scheme || strings.HasPrefix(u.Path, "//") {
			t.Errorf("%s next=%q redirects to %q (%v)", what, next, loc, u)
		}
	}
	for _, next := range targets {
		dec, err := url.QueryUnescape(next)
		if err != nil {
			dec = next
		}
		e.Client = servicetest.Browser(t)
		resp, _ := e.Post("/logga-in", url.Values{"csrf": {e.CSRF("/logga-in")}, "key": {clerk}, "next": {dec}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login with next=%q: %d", next, resp.StatusCode)
		}
		check("login", next, resp.Header.Get("Location"))
		// Logged in, the login page sends the browser on at once.
		resp, _ = e.Get("/logga-in?next=" + url.QueryEscape(dec))
		check("login page", next, resp.Header.Get("Location"))
	}
	resp, _ := e.Get("/logga-in?next=" + url.QueryEscape("/utdrag/abc?x=1"))
	if loc := resp.Header.Get("Location"); loc != "/utdrag/abc?x=1" {
		t.Errorf("a local target is kept: %q", loc)
	}
}

func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if strings.HasSuffix(c.Name, "utdrag_session") {
			return c
		}
	}
	return nil
}

// TestSecurityLogoutRevokesSession copies the session cookie, logs out
// and replays the copy: it no longer opens a page, on this replica or on
// another that shares the store and the session key.
func TestSecurityLogoutRevokesSession(t *testing.T) {
	const clerk = "clerk-key-0123456789abcdef"
	keys := writeKeys(t, map[string]string{clerk: "handläggare clerk region-jh"})
	store, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	replica := func() string {
		cfg := service.Defaults()
		cfg.AuthFile, cfg.SessionKey, cfg.Mail.Outbox = keys, strings.Repeat("s", 32), t.TempDir()
		srv, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: store, Render: servicetest.Engine(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Pages: servicetest.Pages(cfg)})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		return ts.URL
	}
	one, two := replica(), replica()
	e := &uiEnv{&servicetest.UI{T: t, URL: one, Client: servicetest.Browser(t)}}
	resp, _ := e.Post("/logga-in", url.Values{"csrf": {e.CSRF("/logga-in")}, "key": {clerk}, "next": {"/"}})
	copied := sessionCookie(resp)
	if copied == nil {
		t.Fatal("no session cookie after login")
	}
	open := func(base string) int {
		req, _ := http.NewRequest("GET", base+"/", nil)
		req.AddCookie(copied)
		resp, err := (&http.Client{CheckRedirect: e.Client.CheckRedirect}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if a, b := open(one), open(two); a != 200 || b != 200 {
		t.Fatalf("the copied cookie before logout: %d on one replica, %d on the other", a, b)
	}
	e.Post("/logga-ut", url.Values{"csrf": {e.CSRF("/")}})
	if a, b := open(one), open(two); a != http.StatusSeeOther || b != http.StatusSeeOther {
		t.Errorf("the copied cookie after logout: %d on the replica that logged out, %d on the other (want 303 to the login)", a, b)
	}
	resp, _ = e.Post("/logga-in", url.Values{"csrf": {e.CSRF("/logga-in")}, "key": {clerk}, "next": {"/"}})
	if resp, _ := e.Get("/"); resp.StatusCode != 200 {
		t.Errorf("logging in again: %d", resp.StatusCode)
	}
}

// TestSecurityCSRFOriginRefererAndCookie posts a form with a valid token
// from places a browser would name: another site's Referer (no Origin),
// this host under another scheme, an opaque origin; each is refused. Over
// HTTPS the session cookie carries the __Host- prefix.
func TestSecurityCSRFOriginRefererAndCookie(t *testing.T) {
	e := startUI(t)
	id := e.Create("rs-157-2023.json")
	token := e.CSRF("/verify")
	host := strings.TrimPrefix(e.URL, "http://")
	form := url.Values{"csrf": {token}, "name": {"Anna Berg"}, "title": {"Nämndsekreterare"}, "step": {"sign"}}
	for what, header := range map[string][]string{
		"cross-site Referer":       {"Referer", "https://evil.example/page"},
		"Origin of another scheme": {"Origin", "https://" + host},
		"opaque Origin":            {"Origin", "null"},
		"cross-site fetch":         {"Sec-Fetch-Site", "cross-site"},
		"Referer of another port":  {"Referer", "http://" + strings.Split(host, ":")[0] + ":1/"},
	} {
		req, _ := http.NewRequest("POST", e.URL+"/utdrag/"+id+"/bestyrk", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set(header[0], header[1])
		resp, err := e.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", what, resp.StatusCode)
		}
	}
	if resp, _ := e.Get("/utdrag/" + id + "/bestyrkt"); resp.StatusCode != 404 {
		t.Fatal("a refused form certified the extract")
	}
	req, _ := http.NewRequest("POST", e.URL+"/utdrag/"+id+"/bestyrk", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", e.URL)
	req.Header.Set("Referer", e.URL+"/utdrag/"+id+"/bestyrk")
	if resp, err := e.Client.Do(req); err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Errorf("the same form from this site: %v %v", resp.StatusCode, err)
	}

	secure := startUI(t, func(c *service.Config) { c.PublicURL = "https://utdrag.example.org" })
	req, _ = http.NewRequest("GET", secure.URL+"/verify", nil)
	req.Host = "utdrag.example.org"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := sessionCookie(resp)
	if c == nil || c.Name != "__Host-utdrag_session" || !c.Secure || c.Path != "/" || c.Domain != "" {
		t.Errorf("session cookie over HTTPS: %+v", c)
	}
}

// TestSecurityRateLimitLoginFailures guesses keys through the login
// form: after a burst the answer is 429, as for the API's key header.
func TestSecurityRateLimitLoginFailures(t *testing.T) {
	const clerk = "clerk-key-0123456789abcdef"
	e := startUI(t, func(c *service.Config) {
		c.AuthFile = writeKeys(t, map[string]string{clerk: "handläggare clerk region-jh"})
	})
	token := e.CSRF("/logga-in")
	codes := map[int]int{}
	for i := range 40 {
		resp, _ := e.Post("/logga-in", url.Values{"csrf": {token}, "key": {fmt.Sprintf("guess-%d", i)}})
		codes[resp.StatusCode]++
	}
	if codes[http.StatusTooManyRequests] == 0 {
		t.Errorf("40 wrong logins: %v", codes)
	}
	t.Logf("login: %v", codes)
}
