package service_test

// The security regression suite: one test per finding of an attack on the
// running service, each named for what it guards (go test ./... -run
// Security). The README's operations section lists them.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"utdrag/index/indextest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage/fs"
)

// TestSecurityMetricLabelsClosedSet sends requests with invented and
// overlong methods: /metrics must not grow with them, every method label
// must come from the closed set, and the log must not repeat them.
func TestSecurityMetricLabelsClosedSet(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	before := len(scrape(t, a))
	client := &http.Client{}
	const invented = 400
	for i := range invented {
		method := fmt.Sprintf("X%dY", i)
		if i%50 == 0 {
			method = strings.Repeat("Q", 16<<10) + method
		}
		for _, path := range []string{"/x", "/v1/extracts", "/healthz"} {
			req, _ := http.NewRequest(method, a.url+path, nil)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	text := scrape(t, a)
	allowed := map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true,
		"DELETE": true, "OPTIONS": true, "CONNECT": true, "TRACE": true, "other": true}
	for _, m := range regexp.MustCompile(`method="([^"]*)"`).FindAllStringSubmatch(text, -1) {
		if !allowed[m[1]] {
			t.Fatalf("method label %.40q comes from the request", m[1])
		}
	}
	if grown := len(text) - before; grown > 8<<10 {
		t.Errorf("/metrics grew by %d bytes (from %d) after %d invented methods", grown, before, 3*invented)
	}
	if strings.Contains(a.logs.String(), "X17Y") || strings.Contains(a.logs.String(), "QQQQQQQQ") {
		t.Error("an invented method reached the log")
	}
	t.Logf("/metrics: %d bytes before, %d after %d requests with invented methods", before, len(text), 3*invented)
}

// TestSecurityHeaderLimit sends the running server a 60 KB method and a
// 20 KB header: 431 before any handler, so no request can make it hold
// more than 16 KiB of headers; ordinary requests pass.
func TestSecurityHeaderLimit(t *testing.T) {
	addr, cancel, ran := running(t)
	t.Cleanup(func() { cancel(); <-ran })
	for what, req := range map[string]func() *http.Request{
		"60 KB method": func() *http.Request {
			r, _ := http.NewRequest(strings.Repeat("M", 60<<10), "http://"+addr+"/x", nil)
			return r
		},
		"20 KB header": func() *http.Request {
			r, _ := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
			r.Header.Set("X-Padding", strings.Repeat("p", 20<<10))
			return r
		},
	} {
		resp, err := http.DefaultClient.Do(req())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("%s: %d, want 431", what, resp.StatusCode)
		}
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("an ordinary request: %v %v", resp, err)
	}
}

// TestSecurityOrganisationNameBoundToKey posts an extract under the key's
// organisation id with another organisation's name: refused, so that no
// verification can show a name the key does not speak for.
func TestSecurityOrganisationNameBoundToKey(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	sys, admin := a.as(keySystem), a.as(keyAdmin)
	var doc map[string]any
	_ = json.Unmarshal(example(t, "rs-157-2023.json"), &doc)
	doc["organisation"] = map[string]any{"id": "region-jh", "name": "Annan kommun"}
	forged, _ := json.Marshal(doc)
	for _, c := range []*api{sys, admin} {
		for _, route := range []string{"/v1/extracts", "/v1/extracts/preview"} {
			resp, body := c.do("POST", route, forged)
			if resp.StatusCode != 422 || !strings.Contains(string(body), `"field":"organisation.name"`) {
				t.Errorf("%s under another name as %s: %d %s", route, c.key, resp.StatusCode, clip(body))
			}
		}
	}
	doc["organisation"] = map[string]any{"id": "okand-kommun", "name": "Okänd kommun"}
	unknown, _ := json.Marshal(doc)
	if resp, body := admin.do("POST", "/v1/extracts", unknown); resp.StatusCode != 422 || !strings.Contains(string(body), `"field":"organisation.id"`) {
		t.Errorf("an organisation the key file does not name: %d %s", resp.StatusCode, clip(body))
	}
	if resp, body := sys.do("POST", "/v1/extracts", example(t, "rs-157-2023.json")); resp.StatusCode != 201 {
		t.Errorf("the organisation's own name: %d %s", resp.StatusCode, clip(body))
	}
	// A key file that names no organisations, or a key's organisation
	// without its name, is refused at start.
	path := filepath.Join(t.TempDir(), "keys.yaml")
	os.WriteFile(path, []byte("keys:\n  - {name: a, sha256: "+strings.Repeat("ab", 32)+", roles: [system], organisation: region-jh}\n"), 0o600)
	cfg := service.Defaults()
	cfg.AuthFile = path
	if _, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: stores["fs"](t), Render: servicetest.Engine(t)}); err == nil || !strings.Contains(err.Error(), "organisations") {
		t.Errorf("a key file without organisation names: %v", err)
	}
}

// TestSecurityVerifyLargeCertifiedPDF verifies a genuine certified PDF
// larger than UTDRAG_MAX_BODY through POST /v1/verify: the route's own
// limit applies, not the global one.
func TestSecurityVerifyLargeCertifiedPDF(t *testing.T) {
	a := startAPI(t, stores["fs"](t), func(c *service.Config) { c.MaxBody = 32 << 10 })
	clerk := a.as(keyAdmin)
	id := clerk.mustCreate(example(t, "rs-157-2023.json"))
	if resp, body := clerk.do("POST", "/v1/extracts/"+id+"/certification", []byte(`{"name":"Lena Nordin","title":"Nämndsekreterare"}`)); resp.StatusCode != 201 {
		t.Fatalf("certify: %d %s", resp.StatusCode, clip(body))
	}
	_, pdf := clerk.do("GET", "/v1/extracts/"+id+"/certified", nil)
	if len(pdf) <= 32<<10 {
		t.Fatalf("certified PDF of %d bytes is not over the body limit", len(pdf))
	}
	resp, body := a.do("POST", "/v1/verify", pdf, "Content-Type", "application/pdf")
	var v verification
	_ = json.Unmarshal(body, &v)
	if resp.StatusCode != 200 || !v.Genuine || !v.Certified || v.Signature == nil || !v.Signature.Valid {
		t.Errorf("verify a %d-byte certified PDF with a %d-byte body limit: %d %s", len(pdf), 32<<10, resp.StatusCode, clip(body))
	}
	if resp, body := clerk.do("POST", "/v1/extracts", append(bytes.Repeat([]byte(" "), 40<<10), example(t, "rs-157-2023.json")...)); resp.StatusCode != 413 {
		t.Errorf("the global limit still holds elsewhere: %d %s", resp.StatusCode, clip(body))
	}
}

// TestSecurityCertifierCharacters certifies with a name and title the
// fonts cannot show: 422 naming the field and rule, not 500, and the
// character never reaches the log.
func TestSecurityCertifierCharacters(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	clerk := a.as(keyAdmin)
	id := clerk.mustCreate(example(t, "run-59-2022.json"))
	resp, body := clerk.do("POST", "/v1/extracts/"+id+"/certification", []byte(`{"name":"Lena 😀 Nordin","title":"Nämnd\u2603sekreterare"}`))
	var p problemDoc
	_ = json.Unmarshal(body, &p)
	fields := map[string]string{}
	for _, e := range p.Errors {
		fields[e.Field] = e.Rule
	}
	if resp.StatusCode != 422 || fields["name"] != "characters" || fields["title"] != "characters" {
		t.Errorf("certifier with characters the fonts lack: %d %s", resp.StatusCode, clip(body))
	}
	if logs := a.logs.String(); strings.Contains(logs, "😀") || strings.Contains(logs, "\u2603") {
		t.Error("the character reached the log")
	}
}

// TestSecurityListOffsetOverflow lists with offsets near the integer's
// end: an empty page or a 400 naming the offset, never a 500.
func TestSecurityListOffsetOverflow(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	a.as(keySystem).mustCreate(example(t, "rs-157-2023.json"))
	clerk := a.as(keyClerk)
	for _, q := range []string{"offset=9223372036854775807", "offset=9223372036854775800&limit=500", "offset=1&limit=500"} {
		resp, body := clerk.do("GET", "/v1/extracts?"+q, nil)
		var l struct {
			Items []json.RawMessage
			Total int
		}
		_ = json.Unmarshal(body, &l)
		empty := resp.StatusCode == 200 && len(l.Items) == 0 && l.Total == 1
		refused := resp.StatusCode == 400 && strings.Contains(string(body), `"field":"offset"`)
		if !empty && !refused {
			t.Errorf("%s: %d %s", q, resp.StatusCode, clip(body))
		}
	}
}

// TestSecurityRepostRevealsNoRecord re-posts an extract that exists and
// is certified with a key that may create but not read: the answer names
// the extract and nothing of its record.
func TestSecurityRepostRevealsNoRecord(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	sys, clerk := a.as(keySystem), a.as(keyClerk)
	rs := example(t, "rs-157-2023.json")
	id := sys.mustCreate(rs)
	if resp, body := clerk.do("POST", "/v1/extracts/"+id+"/certification", []byte(`{"name":"Lena Nordin","title":"Nämndsekreterare"}`)); resp.StatusCode != 201 {
		t.Fatalf("certify: %d %s", resp.StatusCode, clip(body))
	}
	resp, body := sys.do("POST", "/v1/extracts", rs)
	if resp.StatusCode != 200 || resp.Header.Get("Location") != "/v1/extracts/"+id || !strings.Contains(string(body), id) {
		t.Fatalf("repost: %d %s", resp.StatusCode, clip(body))
	}
	for _, secret := range []string{"Lena Nordin", "Nämndsekreterare", "certified-1", `"certified":true`, "fingerprint"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the repost's answer reveals %q: %s", secret, clip(body))
		}
	}
	// A key that may read gets the record.
	resp, body = a.as(keySystemClerk).do("POST", "/v1/extracts", rs)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Lena Nordin") {
		t.Errorf("repost by a key that may read: %d %s", resp.StatusCode, clip(body))
	}
}

// TestSecurityOpenModeCrossOrigin sends what a page of another site can
// make a browser send to a service in open mode: a text/plain POST, a
// POST naming a foreign origin, a request for another host name (DNS
// rebinding). Each is refused and nothing is stored.
func TestSecurityOpenModeCrossOrigin(t *testing.T) {
	e := start(t, stores["fs"](t))
	rs := example(t, "rs-157-2023.json")
	for what, header := range map[string][]string{
		"text/plain":            {"Content-Type", "text/plain"},
		"form":                  {"Content-Type", "application/x-www-form-urlencoded"},
		"foreign Origin":        {"Origin", "https://evil.example"},
		"null Origin":           {"Origin", "null"},
		"cross-site fetch":      {"Sec-Fetch-Site", "cross-site"},
		"rebound host":          {"Host", "evil.example:8080"},
		"rebound host and JSON": {"Host", "evil.example", "Origin", "http://evil.example"},
	} {
		req, _ := http.NewRequest("POST", e.url+"/v1/extracts", bytes.NewReader(rs))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		if h := req.Header.Get("Host"); h != "" {
			req.Host = h
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("%s: %d %s", what, resp.StatusCode, clip(body))
		}
	}
	req, _ := http.NewRequest("GET", e.url+"/v1/extracts", nil)
	req.Host = "evil.example"
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("listing under a rebound host name: %v %v", resp.StatusCode, err)
	}
	if keys := e.objects(); len(keys) != 0 {
		t.Errorf("cross-origin requests stored %v", keys)
	}
	if resp, body := e.do("POST", "/v1/extracts", rs, "Origin", e.url); resp.StatusCode != 201 {
		t.Errorf("a JSON POST from the service's own origin: %d %s", resp.StatusCode, clip(body))
	}
}

// TestSecurityConfigLimitsPositive starts with limits of zero or below:
// each is refused, from the environment and from code.
func TestSecurityConfigLimitsPositive(t *testing.T) {
	for _, bad := range [][2]string{
		{"UTDRAG_MAX_BODY", "0"}, {"UTDRAG_MAX_BODY", "-5"}, {"UTDRAG_RENDER_TIMEOUT", "0s"},
		{"UTDRAG_MAX_RENDERS", "0"}, {"UTDRAG_RENDER_WAIT", "-1s"}, {"UTDRAG_STORAGE_TIMEOUT", "0s"},
		{"UTDRAG_RETENTION", "0y"}, {"UTDRAG_MAX_VERIFIES", "0"}, {"UTDRAG_VERIFY_WAIT", "-1ms"},
	} {
		if _, err := service.FromEnv(func(k string) string { return map[string]string{bad[0]: bad[1]}[k] }); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%s=%s: %v", bad[0], bad[1], err)
		}
	}
	for name, tune := range map[string]func(*service.Config){
		"UTDRAG_MAX_BODY":       func(c *service.Config) { c.MaxBody = 0 },
		"UTDRAG_RENDER_TIMEOUT": func(c *service.Config) { c.RenderTimeout = 0 },
		"UTDRAG_MAX_RENDERS":    func(c *service.Config) { c.MaxRenders = 0 },
	} {
		cfg := service.Defaults()
		tune(&cfg)
		if _, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: stores["fs"](t), Render: servicetest.Engine(t)}); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s of zero in code: %v", name, err)
		}
	}
}

// TestSecurityRenderTimeoutStopsRender lets a render overrun its time with
// the only render slot: the answer is 503 with Retry-After, and the slot
// is free for the next request at once (the render stopped).
func TestSecurityRenderTimeoutStopsRender(t *testing.T) {
	a := startAPI(t, stores["fs"](t), func(c *service.Config) {
		c.MaxRenders, c.RenderWait, c.RenderTimeout = 1, 0, 100*time.Millisecond
		c.Limits.MaxParagraphs = 500
		c.MaxBody = 8 << 20
	})
	sys := a.as(keySystem)
	start := time.Now()
	resp, body := sys.do("POST", "/v1/extracts/preview", large(t, 400))
	took := time.Since(start)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "render-timeout") {
		t.Fatalf("overrunning render: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), clip(body))
	}
	resp, body = sys.do("POST", "/v1/extracts/preview", large(t, 400))
	if strings.Contains(string(body), `"busy"`) || strings.Contains(string(body), "problems/busy") {
		t.Errorf("the next request found the slot still taken: %d %s", resp.StatusCode, clip(body))
	}
	t.Logf("timed out after %s", took)
}

// TestSecurityProblemDocumentBounded sends an extract with thousands of
// broken rules: the problem document lists a bounded number and says how
// many there were.
func TestSecurityProblemDocumentBounded(t *testing.T) {
	a := startAPI(t, stores["fs"](t), func(c *service.Config) {
		c.MaxBody = 1 << 20
		c.Limits.MaxParagraphs = 5000
	})
	var doc map[string]any
	_ = json.Unmarshal(example(t, "run-59-2022.json"), &doc)
	var paragraphs []any
	for i := range 4000 {
		paragraphs = append(paragraphs, map[string]any{"number": i + 1, "title": strings.Repeat("😀", 40)})
	}
	doc["paragraphs"] = paragraphs
	in, _ := json.Marshal(doc)
	resp, body := a.as(keySystem).do("POST", "/v1/extracts", in)
	var p struct {
		Detail string
		Errors []json.RawMessage
	}
	_ = json.Unmarshal(body, &p)
	if resp.StatusCode != 422 || len(body) > 64<<10 || len(p.Errors) == 0 || len(p.Errors) > 100 || !strings.Contains(p.Detail, "100") {
		t.Errorf("%d-byte body with thousands of errors: %d, %d-byte problem document with %d errors, detail %q",
			len(in), resp.StatusCode, len(body), len(p.Errors), p.Detail)
	}
	t.Logf("a %d-byte body: %d-byte problem document, %d errors listed", len(in), len(body), len(p.Errors))
}

// TestSecurityDevelopmentKeyPrivate certifies with the development
// identity on the file store: the key, and every other file and folder
// the store makes, is readable by the service's user only.
func TestSecurityDevelopmentKeyPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	store, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, store)
	id := e.create("run-59-2022.json")
	if resp, _ := e.certify(id, clerk); resp.StatusCode != 201 {
		t.Fatalf("certify: %d", resp.StatusCode)
	}
	found := false
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, _ := d.Info()
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v: others may read it", strings.TrimPrefix(path, dir), info.Mode().Perm())
		}
		found = found || strings.Contains(path, "development-signing")
		return nil
	})
	if !found {
		t.Error("no development key in the store")
	}
}

// TestSecurityFilenameStar downloads a PDF whose name holds characters a
// header must escape: both filename parameters parse back to the name.
func TestSecurityFilenameStar(t *testing.T) {
	e := start(t, stores["fs"](t))
	var doc map[string]any
	_ = json.Unmarshal(example(t, "run-59-2022.json"), &doc)
	doc["organ"] = `Nämnd=för "kultur"; test&co, 100% \ ok`
	in, _ := json.Marshal(doc)
	resp, body := e.do("POST", "/v1/extracts", in)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var v struct{ ID, Filename string }
	_ = json.Unmarshal(body, &v)
	resp, _ = e.do("GET", "/v1/extracts/"+v.ID+"/pdf", nil)
	cd := resp.Header.Get("Content-Disposition")
	_, star, _ := strings.Cut(cd, "filename*=UTF-8''")
	if star == "" || strings.ContainsFunc(star, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$&+-.^_`|~%", r))
	}) {
		t.Errorf("filename* holds characters outside attr-char: %q", cd)
	}
	_, params, err := mime.ParseMediaType(cd)
	if err != nil || params["filename"] != v.Filename || !strings.Contains(v.Filename, "Nämnd=för") {
		t.Errorf("Content-Disposition %q parses as %q (%v), want the name %q", cd, params, err, v.Filename)
	}
}

// TestSecurityRateLimitKeyFailures guesses keys from one address through
// the API: after a burst the answer is 429 with Retry-After, even for a
// right key, until the address has waited. (The clerk's login form shares
// the count: see clerk's TestSecurityRateLimitLoginFailures.)
func TestSecurityRateLimitKeyFailures(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	limited := 0
	for i := range 40 {
		resp, _ := a.as(fmt.Sprintf("guess-%d", i)).do("GET", "/v1/extracts", nil)
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
	}
	if limited == 0 {
		t.Fatal("40 wrong keys in a row were all answered")
	}
	if resp, _ := a.as(keyClerk).do("GET", "/v1/extracts", nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a right key from the blocked address: %d", resp.StatusCode)
	}
}
