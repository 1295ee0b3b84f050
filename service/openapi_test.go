package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/gin-gonic/gin"

	"utdrag/auth"
	"utdrag/index/indextest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage"
)

// Test API keys; the key file holds only their hashes.
const (
	keySystem      = "test-key-system-region-jh"
	keyClerk       = "test-key-clerk-region-jh"
	keyClerkOther  = "test-key-clerk-other-org"
	keyAdmin       = "test-key-admin-all"
	keySystemClerk = "test-key-system-and-clerk"
	keyAdminRegion = "test-key-admin-region-jh"
)

// writeKeyFile writes a key file for the test keys and returns its path.
func writeKeyFile(t *testing.T) string {
	t.Helper()
	entry := func(name, key, org, roles string) string {
		return fmt.Sprintf("  - name: %s\n    sha256: %s\n    organisation: %q\n    roles: [%s]\n", name, auth.Hash(key), org, roles)
	}
	body := "organisations:\n  region-jh: Region Jämtland Härjedalen\n  annan-kommun: Annan kommun\n" +
		"keys:\n" +
		entry("arendesystem", keySystem, "region-jh", "system") +
		entry("registrator", keyClerk, "region-jh", "clerk") +
		entry("annan-registrator", keyClerkOther, "annan-kommun", "clerk") +
		entry("drift", keyAdmin, "*", "admin") +
		entry("bada", keySystemClerk, "*", "system, clerk") +
		entry("region-drift", keyAdminRegion, "region-jh", "admin")
	path := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// api is a running service whose every answer the test checks against the
// OpenAPI document it serves.
type api struct {
	t      *testing.T
	url    string
	routes gin.RoutesInfo
	spec   *spec
	client *http.Client
	key    string // sent as a bearer token when set
	logs   *syncBuffer
}

// startAPI starts a service on store, with an auth file, a private outbox
// and the test's tuning, behind an httptest server on 127.0.0.1.
func startAPI(t *testing.T, store storage.Store, tune ...func(*service.Config)) *api {
	t.Helper()
	cfg := service.Defaults()
	cfg.AuthFile = writeKeyFile(t)
	cfg.Mail.Outbox = t.TempDir()
	for _, f := range tune {
		f(&cfg)
	}
	logs := &syncBuffer{}
	srv, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: store, Render: servicetest.Engine(t),
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Pages: servicetest.Pages(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	a := &api{t: t, url: ts.URL, routes: srv.Handler().(*gin.Engine).Routes(), logs: logs,
		client: &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // redirects are answers to check too
		}}}
	a.spec = loadSpec(t, ts.URL)
	return a
}

// as returns a copy of a that sends key.
func (a *api) as(key string) *api {
	b := *a
	b.key = key
	return &b
}

// do sends a request and checks the answer against the document.
func (a *api) do(method, path string, body []byte, header ...string) (*http.Response, []byte) {
	a.t.Helper()
	resp, raw, err := a.try(method, path, body, header...)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp, raw
}

// try is do for requests that may fail (a stopped store, a closed server);
// a transport error is returned, a drift from the document fails the test.
func (a *api) try(method, path string, body []byte, header ...string) (*http.Response, []byte, error) {
	req, err := http.NewRequest(method, a.url+path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if a.key != "" {
		req.Header.Set("Authorization", "Bearer "+a.key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, err
	}
	if err := a.spec.check(req, resp, raw); err != nil {
		a.t.Errorf("%s %s → %d does not match the OpenAPI document: %v\n%s", method, path, resp.StatusCode, err, clip(raw))
	}
	return resp, raw, nil
}

func clip(b []byte) string {
	if !utf8.Valid(b) || bytes.HasPrefix(b, []byte("%PDF")) {
		return fmt.Sprintf("(%d bytes of binary)", len(b))
	}
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// spec is the loaded document, its router and what the tests have seen.
type spec struct {
	doc    *openapi3.T
	router routers.Router
	mu     sync.Mutex
	seen   map[string]map[int]bool // "METHOD /path" → statuses validated
}

var (
	specMu    sync.Mutex
	specCache = map[string]*spec{}
)

// loadSpec loads /openapi.json from the running server; its reference to
// /schema/extract.schema.json is resolved against the same server. Specs
// are shared per test binary so coverage adds up across tests.
func loadSpec(t *testing.T, base string) *spec {
	t.Helper()
	specMu.Lock()
	defer specMu.Unlock()
	if s, ok := specCache["doc"]; ok {
		return s
	}
	for _, media := range []string{"application/pdf", "text/html", "text/css", "text/javascript", "application/atom+xml"} {
		openapi3filter.RegisterBodyDecoder(media, openapi3filter.FileBodyDecoder)
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	u, _ := url.Parse(base + "/openapi.json")
	doc, err := loader.LoadFromURI(u)
	if err != nil {
		t.Fatalf("loading the OpenAPI document: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("document declares OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	doc.Servers = nil // match any host: the test servers listen on random ports
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := &spec{doc: doc, router: router, seen: map[string]map[int]bool{}}
	specCache["doc"] = s
	return s
}

// check validates one answer. Statuses the document does not list are
// errors, as are missing required headers and bodies that break a schema.
func (s *spec) check(req *http.Request, resp *http.Response, body []byte) error {
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("no operation for %s %s: %w", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err
	}
	if resp.StatusCode == http.StatusNotModified && route.Operation.Responses.Status(304) == nil {
		return fmt.Errorf("304 is not documented") // ValidateResponse skips 304
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	op := req.Method + " " + route.Path
	if s.seen[op] == nil {
		s.seen[op] = map[int]bool{}
	}
	s.seen[op][resp.StatusCode] = true
	return nil
}

// operations lists "METHOD /path" of every documented operation.
func (s *spec) operations() []string {
	var ops []string
	for path, item := range s.doc.Paths.Map() {
		for method := range item.Operations() {
			ops = append(ops, method+" "+path)
		}
	}
	sort.Strings(ops)
	return ops
}

var ginParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

// TestOpenAPI drives every route through a running server and checks
// every answer against the document; it fails when a route is missing
// from the document or never answered.
func TestOpenAPI(t *testing.T) {
	a := startAPI(t, stores["fs"](t), func(c *service.Config) { c.MaxBody = 256 << 10 })
	sys, clerkAPI, admin := a.as(keySystem), a.as(keyClerk), a.as(keyAdmin)
	rs := example(t, "rs-157-2023.json")

	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json", "/schema/extract.schema.json"} {
		if resp, body := a.do("GET", p, nil); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	id := exerciseExtracts(t, a, sys, clerkAPI, rs)
	other := admin.mustCreate(example(t, "run-59-2022.json"))
	exerciseCertification(t, clerkAPI, id, other)
	exerciseDistribution(t, clerkAPI, id, other)
	exerciseVerification(t, a, clerkAPI, id)
	exercisePages(t, a, id)
	exerciseProtocols(t, a, sys, clerkAPI, a.as(keyClerkOther))
	exerciseAudit(t, a, id)

	slow := startAPI(t, stores["fs"](t), func(c *service.Config) { c.RenderTimeout = time.Nanosecond })
	if resp, body := slow.as(keySystem).do("POST", "/v1/extracts/preview", rs); resp.StatusCode != 503 {
		t.Errorf("render timeout: %d %s", resp.StatusCode, body)
	}

	a.spec.requireCoverage(t, a.routes)
}

// mustCreate posts an extract and returns its id.
func (a *api) mustCreate(body []byte) string {
	a.t.Helper()
	resp, raw := a.do("POST", "/v1/extracts", body)
	if resp.StatusCode != 201 && resp.StatusCode != 200 {
		a.t.Fatalf("create: %d %s", resp.StatusCode, raw)
	}
	var v struct{ ID string }
	_ = json.Unmarshal(raw, &v)
	return v.ID
}

func expect(t *testing.T, what string, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Errorf("%s: %d, want %d: %s", what, resp.StatusCode, want, clip(body))
	}
}

func exerciseExtracts(t *testing.T, a, sys, clerk *api, rs []byte) string {
	t.Helper()
	resp, body := a.do("POST", "/v1/extracts", rs)
	expect(t, "create without key", resp, body, 401)
	resp, body = clerk.do("POST", "/v1/extracts", rs)
	expect(t, "create as clerk", resp, body, 403)
	resp, body = a.as(keyClerkOther).do("GET", "/v1/extracts", nil)
	expect(t, "list as other organisation", resp, body, 200)
	resp, body = sys.do("POST", "/v1/extracts", []byte(`{"organisation": {`))
	expect(t, "malformed", resp, body, 400)
	resp, body = sys.do("POST", "/v1/extracts", withoutCaseNumber(t, rs))
	expect(t, "invalid", resp, body, 422)
	resp, body = sys.do("POST", "/v1/extracts", append(bytes.Repeat([]byte(" "), 300<<10), rs...))
	expect(t, "oversize", resp, body, 413)
	resp, body = sys.do("POST", "/v1/extracts", rs)
	expect(t, "create", resp, body, 201)
	var v struct{ ID, SHA256 string }
	_ = json.Unmarshal(body, &v)
	resp, body = sys.do("POST", "/v1/extracts", rs)
	expect(t, "create again", resp, body, 200)

	for _, c := range []struct {
		body []byte
		want int
	}{{rs, 200}, {withoutCaseNumber(t, rs), 422}, {[]byte("["), 400}, {append(bytes.Repeat([]byte(" "), 300<<10), rs...), 413}} {
		resp, body = sys.do("POST", "/v1/extracts/preview", c.body)
		expect(t, "preview", resp, body, c.want)
	}
	resp, body = clerk.do("GET", "/v1/extracts?organ=Regionstyrelsen&limit=10", nil)
	expect(t, "list", resp, body, 200)
	resp, body = clerk.do("GET", "/v1/extracts?meetingDate=igår&limit=0", nil)
	expect(t, "bad list query", resp, body, 400)
	resp, body = clerk.do("GET", "/v1/extracts/"+v.ID, nil)
	expect(t, "get", resp, body, 200)
	resp, body = clerk.do("GET", "/v1/extracts/000000000000000000000000", nil)
	expect(t, "get unknown", resp, body, 404)
	resp, body = clerk.do("GET", "/v1/extracts/"+v.ID+"/pdf", nil)
	expect(t, "pdf", resp, body, 200)
	resp, body = clerk.do("GET", "/v1/extracts/"+v.ID+"/pdf", nil, "If-None-Match", `"`+v.SHA256+`"`)
	expect(t, "pdf unchanged", resp, body, 304)
	resp, body = clerk.do("GET", "/v1/extracts/000000000000000000000000/pdf", nil)
	expect(t, "pdf unknown", resp, body, 404)
	resp, body = clerk.do("GET", "/v1/extracts/"+v.ID+"/html", nil)
	expect(t, "html", resp, body, 200)
	resp, body = clerk.do("GET", "/v1/extracts/000000000000000000000000/html", nil)
	expect(t, "html unknown", resp, body, 404)
	return v.ID
}

func withoutCaseNumber(t *testing.T, src []byte) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc["paragraphs"].([]any)[0].(map[string]any), "caseNumber")
	b, _ := json.Marshal(doc)
	return b
}

const certifyBody = `{"name":"Lena Nordin","title":"Nämndsekreterare","place":"Östersund","date":"2023-10-09"}`

func exerciseCertification(t *testing.T, clerk *api, id, uncertified string) {
	t.Helper()
	path := "/v1/extracts/" + id + "/certification"
	resp, body := clerk.do("POST", path, []byte(`{"name":""}`))
	expect(t, "certify without title", resp, body, 422)
	resp, body = clerk.do("POST", path, []byte(`{`))
	expect(t, "certify malformed", resp, body, 400)
	resp, body = clerk.do("POST", "/v1/extracts/000000000000000000000000/certification", []byte(certifyBody))
	expect(t, "certify unknown", resp, body, 404)
	resp, body = clerk.do("POST", path, []byte(certifyBody))
	expect(t, "certify", resp, body, 201)
	var v struct{ Certification struct{ SHA256 string } }
	_ = json.Unmarshal(body, &v)
	resp, body = clerk.do("POST", path, []byte(certifyBody))
	expect(t, "certify twice", resp, body, 409)

	cert := "/v1/extracts/" + id + "/certified"
	resp, body = clerk.do("GET", cert, nil)
	expect(t, "certified PDF", resp, body, 200)
	resp, body = clerk.do("GET", cert+"?version=1", nil, "If-None-Match", `"`+v.Certification.SHA256+`"`)
	expect(t, "certified PDF unchanged", resp, body, 304)
	resp, body = clerk.do("GET", cert+"?version=9", nil)
	expect(t, "certified version missing", resp, body, 404)
	resp, body = clerk.do("GET", "/v1/extracts/"+uncertified+"/certified", nil)
	expect(t, "certified PDF of uncertified extract", resp, body, 404)
}

func exerciseDistribution(t *testing.T, clerk *api, id, uncertified string) {
	t.Helper()
	resp, body := clerk.do("GET", "/v1/extracts/"+id+"/distribution", nil)
	expect(t, "status before distribution", resp, body, 404)
	resp, body = clerk.do("POST", "/v1/extracts/"+uncertified+"/distribution", nil)
	expect(t, "distribute uncertified", resp, body, 409)
	resp, body = clerk.do("GET", "/v1/extracts/"+uncertified+"/distribution/plan", nil)
	expect(t, "plan of an uncertified extract", resp, body, 200)
	resp, body = clerk.do("POST", "/v1/extracts/"+id+"/distribution", nil)
	expect(t, "distribute", resp, body, 200)
	resp, body = clerk.do("POST", "/v1/extracts/"+id+"/distribution", []byte(`{"recipients":["Ingen sådan mottagare"]}`))
	expect(t, "distribute to an unknown recipient", resp, body, 422)
	resp, body = clerk.do("POST", "/v1/extracts/"+id+"/distribution", []byte(`{"recipient":[]}`))
	expect(t, "distribute with an unknown field", resp, body, 422)
	resp, body = clerk.do("GET", "/v1/extracts/"+id+"/distribution", nil)
	expect(t, "distribution status", resp, body, 200)
	add := "/v1/extracts/" + id + "/distribution/recipients"
	resp, body = clerk.do("POST", add, []byte(`{"name":"Handläggaren","address":"handlaggare@regionjh.example.se"}`))
	expect(t, "add a recipient", resp, body, 200)
	resp, body = clerk.do("POST", add, []byte(`{"name":"Handläggaren","address":"annan@regionjh.example.se"}`))
	expect(t, "add a recipient twice", resp, body, 409)
	resp, body = clerk.do("POST", add, []byte(`{"address":"inte en adress"}`))
	expect(t, "add a malformed address", resp, body, 422)
	corr := "/v1/extracts/" + id + "/distribution/corrections"
	resp, body = clerk.do("POST", corr, []byte(`{"address":"handlaggare@regionjh.example.se","newAddress":"ny@regionjh.example.se"}`))
	expect(t, "correct an address not refused", resp, body, 409)
	resp, body = clerk.do("POST", corr, []byte(`{"address":"okand@regionjh.example.se","newAddress":"ny@regionjh.example.se"}`))
	expect(t, "correct an address not in the distribution", resp, body, 422)
	served := "/v1/extracts/" + id + "/distribution/served"
	resp, body = clerk.do("POST", served, []byte(`{"recipient":"Handläggaren","by":"Per Ek","how":"post","date":"2024-01-02"}`))
	expect(t, "mark an e-mail recipient served", resp, body, 409)
	resp, body = clerk.do("POST", served, []byte(`{"recipient":"Handläggaren","by":"Per Ek","how":"brevduva","date":"2024-01-02"}`))
	expect(t, "mark served in an unknown way", resp, body, 422)
	resp, body = clerk.do("POST", served, []byte(`{"recipient":`))
	expect(t, "malformed mark", resp, body, 400)
	resp, body = clerk.do("POST", "/v1/extracts/"+uncertified+"/distribution/served", []byte(`{"recipient":"x","by":"Per Ek","how":"post","date":"2024-01-02"}`))
	expect(t, "mark served on an uncertified extract", resp, body, 409)
	resp, body = clerk.do("GET", "/v1/extracts/000000000000000000000000/distribution/plan", nil)
	expect(t, "plan of an unknown extract", resp, body, 404)
	batch := fmt.Sprintf(`{"ids":[%q,%q,"000000000000000000000000"]}`, id, uncertified)
	resp, body = clerk.do("POST", "/v1/distributions", []byte(batch))
	expect(t, "batch", resp, body, 200)
	resp, body = clerk.do("POST", "/v1/distributions", []byte(`{"ids":[]}`))
	expect(t, "empty batch", resp, body, 422)
	resp, body = clerk.do("POST", "/v1/distributions", []byte(`{"ids":`))
	expect(t, "malformed batch", resp, body, 400)
}

func exerciseVerification(t *testing.T, public, clerk *api, id string) {
	t.Helper()
	_, pdf := clerk.do("GET", "/v1/extracts/"+id+"/certified", nil)
	resp, body := public.do("POST", "/v1/verify", pdf, "Content-Type", "application/pdf")
	expect(t, "verify upload", resp, body, 200)
	resp, body = public.do("POST", "/v1/verify", nil, "Content-Type", "application/pdf")
	expect(t, "verify nothing", resp, body, 400)
	resp, body = public.do("GET", "/v1/verify/"+pdftestChecksum(pdf), nil)
	expect(t, "verify checksum", resp, body, 200)
	resp, body = public.do("GET", "/v1/verify/"+strings.Repeat("0", 64), nil)
	expect(t, "verify unknown checksum", resp, body, 404)
}

// exercisePages visits the HTML pages without a session: public pages
// answer, the clerk's pages send a browser to log in, forms without a
// session or CSRF token are refused.
func exercisePages(t *testing.T, a *api, certified string) {
	t.Helper()
	form := []string{"Content-Type", "application/x-www-form-urlencoded"}
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/static/style.css", 200}, {"GET", "/static/none.css", 404},
		{"GET", "/logga-in", 200}, {"POST", "/logga-in", 403}, {"POST", "/logga-ut", 403},
		{"GET", "/verify", 200}, {"POST", "/verify", 403},
		{"GET", "/v/" + certified + "/1", 200}, {"GET", "/v/" + certified + "/9", 404},
		{"GET", "/", 303}, {"GET", "/utdrag/" + certified, 303}, {"GET", "/utdrag/" + certified + "/pdf", 303},
		{"GET", "/utdrag/" + certified + "/bestyrkt", 303}, {"GET", "/utdrag/" + certified + "/html", 303},
		{"GET", "/utdrag/" + certified + "/bestyrk", 303}, {"GET", "/utdrag/" + certified + "/bestyrk/forhandsvisning", 303},
		{"GET", "/utdrag/" + certified + "/expediera", 303},
		{"POST", "/utdrag/" + certified + "/bestyrk", 401}, {"POST", "/utdrag/" + certified + "/expediera", 401},
		{"GET", "/sammantrade?organ=Regionstyrelsen&datum=2023-10-06", 303}, {"GET", "/sammantrade/bestyrk?organ=Regionstyrelsen&datum=2023-10-06", 303},
		{"POST", "/sammantrade/bestyrk", 401}, {"POST", "/sammantrade/expediera", 401},
		{"GET", "/sammantrade/bestyrkta.zip?organ=Regionstyrelsen&datum=2023-10-06", 303}, {"GET", "/sammantrade/bestyrkta.pdf?organ=Regionstyrelsen&datum=2023-10-06", 303},
		{"POST", "/utdrag/" + certified + "/expediera/mottagare", 401}, {"POST", "/utdrag/" + certified + "/expediera/ratta", 401},
		{"POST", "/utdrag/" + certified + "/expediera/expedierad", 401},
		{"GET", "/logg?organ=Regionstyrelsen&meetingDate=2023-10-06", 303}, {"GET", "/logg.jsonl", 303},
		{"GET", "/logga-in/oidc/start", 404}, {"GET", "/logga-in/oidc?code=x&state=y", 404},
	} {
		resp, body := a.do(c.method, c.path, []byte("csrf=x"), form...)
		expect(t, c.method+" "+c.path, resp, body, c.want)
	}
}

// requireCoverage fails for a route the server has and the document lacks,
// and for a documented operation no test answer was checked against.
func (s *spec) requireCoverage(t *testing.T, routes gin.RoutesInfo) {
	t.Helper()
	ops := s.operations()
	for _, r := range routes {
		op := r.Method + " " + ginParam.ReplaceAllString(r.Path, "{$1}")
		if !slices.Contains(ops, op) {
			t.Errorf("route %s is not in openapi/openapi.json", op)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range ops {
		if len(s.seen[op]) == 0 {
			t.Errorf("no answer of %s was checked", op)
			continue
		}
		var missing []string
		pathItem := s.doc.Paths.Find(strings.SplitN(op, " ", 2)[1])
		for code := range pathItem.GetOperation(strings.SplitN(op, " ", 2)[0]).Responses.Map() {
			var n int
			if _, err := fmt.Sscan(code, &n); err == nil && !s.seen[op][n] {
				missing = append(missing, code)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Logf("%s: documented but not provoked here: %s", op, strings.Join(missing, " "))
		}
	}
}

// TestOpenAPIDetectsDrift proves the check can fail: a real answer with a
// field removed, or one added, no longer matches the document.
func TestOpenAPIDetectsDrift(t *testing.T) {
	a := startAPI(t, stores["fs"](t)).as(keyAdmin)
	resp, body := a.do("POST", "/v1/extracts", example(t, "rs-157-2023.json"))
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("POST", a.url+"/v1/extracts", nil)
	var doc map[string]any
	_ = json.Unmarshal(body, &doc)
	for name, change := range map[string]func(map[string]any){
		"removed sha256":         func(d map[string]any) { delete(d, "sha256") },
		"added field":            func(d map[string]any) { d["secret"] = "x" },
		"pages as text":          func(d map[string]any) { d["pages"] = "2" },
		"organisation id gone":   func(d map[string]any) { delete(d["organisation"].(map[string]any), "id") },
		"certification not null": func(d map[string]any) { d["certification"] = map[string]any{} },
	} {
		d := deepCopy(doc)
		change(d)
		b, _ := json.Marshal(d)
		if err := a.spec.check(req, resp, b); err == nil {
			t.Errorf("%s: the document accepts the drifted answer", name)
		}
	}
	if err := a.spec.check(req, resp, body); err != nil {
		t.Errorf("the unchanged answer: %v", err)
	}
	h := resp.Header.Clone()
	h.Del("X-Request-Id")
	if err := a.spec.check(req, &http.Response{StatusCode: resp.StatusCode, Header: h}, body); err == nil {
		t.Error("an answer without X-Request-Id is accepted")
	}
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// syncBuffer is a log sink tests can read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
