package service_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"utdrag/index/indextest"
	"utdrag/internal/servicetest"
	"utdrag/service"
)

// otherOrganisation is an example extract moved to another organisation.
func otherOrganisation(t *testing.T) []byte {
	t.Helper()
	var doc map[string]any
	_ = json.Unmarshal(example(t, "rs-157-2023.json"), &doc)
	doc["organisation"] = map[string]any{"id": "annan-kommun", "name": "Annan kommun"}
	b, _ := json.Marshal(doc)
	return b
}

type listing struct {
	Items []struct {
		ID           string
		Organisation struct{ ID string }
	}
	Total int
}

func (a *api) list() listing {
	a.t.Helper()
	resp, body := a.do("GET", "/v1/extracts", nil)
	if resp.StatusCode != 200 {
		a.t.Fatalf("list as %q: %d %s", a.key, resp.StatusCode, body)
	}
	var l listing
	_ = json.Unmarshal(body, &l)
	return l
}

func TestAccessRolesAndOrganisations(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	sys, clerk, other, admin := a.as(keySystem), a.as(keyClerk), a.as(keyClerkOther), a.as(keyAdmin)
	rs := example(t, "rs-157-2023.json")

	resp, body := a.do("POST", "/v1/extracts", rs)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer realm="utdrag"` ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("no key: %d %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body)
	}
	resp, _ = a.as("not-a-key").do("GET", "/v1/extracts", nil)
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("wrong key: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	resp, _ = a.do("GET", "/v1/extracts", nil, "Authorization", "Basic "+keyClerk)
	if resp.StatusCode != 401 {
		t.Errorf("key in another scheme: %d", resp.StatusCode)
	}
	if resp, body := sys.do("GET", "/v1/extracts", nil); resp.StatusCode != 403 {
		t.Errorf("system lists: %d %s", resp.StatusCode, body)
	}
	if resp, body := clerk.do("POST", "/v1/extracts/preview", rs); resp.StatusCode != 403 {
		t.Errorf("clerk previews: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/v1/extracts", "/v1/extracts/preview"} {
		resp, body := sys.do("POST", path, otherOrganisation(t))
		if resp.StatusCode != 403 || !strings.Contains(string(body), "forbidden-organisation") {
			t.Errorf("system posts another organisation's extract to %s: %d %s", path, resp.StatusCode, body)
		}
	}

	mine := sys.mustCreate(rs)
	theirs := admin.mustCreate(otherOrganisation(t))
	if resp, _ := a.do("GET", "/v1/extracts/"+mine, nil, "X-API-Key", keyClerk); resp.StatusCode != 200 {
		t.Errorf("X-API-Key: %d", resp.StatusCode)
	}
	if l := clerk.list(); l.Total != 1 || l.Items[0].ID != mine {
		t.Errorf("clerk of region-jh sees %+v", l)
	}
	if l := other.list(); l.Total != 1 || l.Items[0].ID != theirs {
		t.Errorf("clerk of annan-kommun sees %+v", l)
	}
	if l := admin.list(); l.Total != 2 {
		t.Errorf("admin of all sees %d", l.Total)
	}
	for _, path := range []string{"", "/pdf", "/certified", "/distribution"} {
		if resp, body := other.do("GET", "/v1/extracts/"+mine+path, nil); resp.StatusCode != 404 {
			t.Errorf("another organisation's extract%s: %d %s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := other.do("POST", "/v1/extracts/"+mine+"/certification", []byte(certifyBody)); resp.StatusCode != 404 {
		t.Errorf("certify another organisation's extract: %d", resp.StatusCode)
	}

	requirePublic(t, a)
	requirePolicyCoversRoutes(t, a, mine)
	requireNoKeysLogged(t, a)
}

func requirePublic(t *testing.T, a *api) {
	t.Helper()
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json", "/schema/extract.schema.json",
		"/v1/verify/" + strings.Repeat("0", 64)} {
		if resp, body := a.do("GET", p, nil); resp.StatusCode == 401 || resp.StatusCode == 403 {
			t.Errorf("public %s: %d %s", p, resp.StatusCode, body)
		}
	}
}

// requirePolicyCoversRoutes sends every registered route a key holding
// system and clerk: a route the policy table lacks is for admins only and
// answers 403, which fails here until the route is given its roles.
func requirePolicyCoversRoutes(t *testing.T, a *api, id string) {
	t.Helper()
	both := a.as(keySystemClerk)
	for _, r := range a.routes {
		if !strings.HasPrefix(r.Path, "/v1/") {
			continue // public, or a page behind the session (tested in package clerk)
		}
		path := strings.NewReplacer(":id", id, ":sha256", strings.Repeat("0", 64)).Replace(r.Path)
		path = regexp.MustCompile(`:[a-z]+`).ReplaceAllString(path, "1")
		resp, _, err := both.try(r.Method, path, []byte(`{}`))
		if err != nil {
			t.Errorf("%s %s: %v", r.Method, r.Path, err)
			continue
		}
		if adminOnly[r.Method+" "+r.Path] {
			if resp.StatusCode != 403 {
				t.Errorf("%s %s: %d for a system+clerk key, want 403: the route is for administrators", r.Method, r.Path, resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode == 401 || resp.StatusCode == 403 {
			t.Errorf("%s %s: %d for a system+clerk key: add the route to the policy in service/access.go", r.Method, r.Path, resp.StatusCode)
		}
	}
}

// adminOnly are the API routes for administrators alone: the audit trail,
// which shows every person's and key's actions.
var adminOnly = map[string]bool{"GET /v1/audit": true}

func requireNoKeysLogged(t *testing.T, a *api) {
	t.Helper()
	logs := a.logs.String()
	for _, k := range []string{keySystem, keyClerk, keyClerkOther, keyAdmin, keySystemClerk, "not-a-key"} {
		if strings.Contains(logs, k) {
			t.Errorf("the log holds the key %q", k)
		}
	}
	if !strings.Contains(logs, `"key":"registrator"`) {
		t.Error("the log lacks the key's name")
	}
}

func TestOpenModeOnlyOnLoopback(t *testing.T) {
	cases := map[string]bool{
		"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "192.0.2.1:8080": false, "[::]:8080": false,
	}
	for addr, open := range cases {
		var logs strings.Builder
		cfg := service.Defaults()
		cfg.Addr = addr
		_, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: stores["fs"](t), Render: servicetest.Engine(t),
			Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
		if open && (err != nil || !strings.Contains(logs.String(), "UTDRAG_AUTH_FILE")) {
			t.Errorf("%s without keys: %v, log %q", addr, err, logs.String())
		}
		if !open && err == nil {
			t.Errorf("%s without keys: started", addr)
		}
	}
	cfg := service.Defaults()
	cfg.Addr, cfg.AuthFile = "0.0.0.0:8080", writeKeyFile(t)
	if _, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: stores["fs"](t), Render: servicetest.Engine(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err != nil {
		t.Errorf("with keys on 0.0.0.0: %v", err)
	}
	cfg.AuthFile += ".missing"
	if _, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: stores["fs"](t), Render: servicetest.Engine(t)}); err == nil {
		t.Error("a missing key file is accepted")
	}
}

// logLine is one request line of the JSON log.
type logLine struct {
	Msg       string  `json:"msg"`
	Level     string  `json:"level"`
	RequestID string  `json:"request_id"`
	Method    string  `json:"method"`
	Route     string  `json:"route"`
	Status    int     `json:"status"`
	Duration  float64 `json:"duration_ms"`
	ExtractID string  `json:"extract_id"`
}

func requestLines(t *testing.T, logs string) []logLine {
	t.Helper()
	var out []logLine
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		if l.Msg == "request" {
			out = append(out, l)
		}
	}
	return out
}

func TestRequestLogAndID(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	sys, clerk := a.as(keySystem), a.as(keyClerk)
	resp, body := sys.do("POST", "/v1/extracts", example(t, "rs-157-2023.json"), "X-Request-Id", "abc-123.ärende")
	generated := resp.Header.Get("X-Request-Id")
	if resp.StatusCode != 201 || len(generated) != 32 {
		t.Fatalf("create with an unsafe id: %d id %q", resp.StatusCode, generated)
	}
	var v struct{ ID string }
	_ = json.Unmarshal(body, &v)
	resp, _ = clerk.do("GET", "/v1/extracts/"+v.ID, nil, "X-Request-Id", "trace-42")
	if got := resp.Header.Get("X-Request-Id"); got != "trace-42" {
		t.Errorf("echoed id %q", got)
	}
	clerk.do("GET", "/v1/extracts?caseNumber=RS/412/2023", nil)

	lines := requestLines(t, a.logs.String())
	if len(lines) != 3 {
		t.Fatalf("%d request lines, want 3:\n%s", len(lines), a.logs.String())
	}
	want := []logLine{
		{Msg: "request", Level: "INFO", RequestID: generated, Method: "POST", Route: "/v1/extracts", Status: 201, ExtractID: v.ID},
		{Msg: "request", Level: "INFO", RequestID: "trace-42", Method: "GET", Route: "/v1/extracts/:id", Status: 200, ExtractID: v.ID},
		{Msg: "request", Level: "INFO", Method: "GET", Route: "/v1/extracts", Status: 200},
	}
	for i, l := range lines {
		if l.Duration <= 0 {
			t.Errorf("line %d has no duration", i)
		}
		l.Duration = 0
		if i == 2 {
			l.RequestID = ""
		}
		if l != want[i] {
			t.Errorf("line %d: %+v, want %+v", i, l, want[i])
		}
	}
	for _, personal := range []string{"RS/412/2023", "Regionstyrelsen", "Paragrafen"} {
		if strings.Contains(a.logs.String(), personal) {
			t.Errorf("the log holds document content %q", personal)
		}
	}
}

func TestMetrics(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	sys := a.as(keySystem)
	sys.mustCreate(example(t, "rs-157-2023.json"))
	sys.mustCreate(example(t, "rs-157-2023.json"))
	sys.do("POST", "/v1/extracts/preview", example(t, "run-59-2022.json"))
	a.do("GET", "/v1/extracts", nil)

	m := scrape(t, a)
	for _, want := range []string{
		`utdrag_http_requests_total{method="POST",route="/v1/extracts",status="201"} 1`,
		`utdrag_http_requests_total{method="POST",route="/v1/extracts",status="200"} 1`,
		`utdrag_http_requests_total{method="GET",route="/v1/extracts",status="401"} 1`,
		`utdrag_http_request_duration_seconds_count{method="POST",route="/v1/extracts"} 2`,
		`utdrag_render_duration_seconds_count 2`,
		`utdrag_storage_operation_duration_seconds_count{op="put"}`,
		`utdrag_storage_operation_duration_seconds_count{op="get"}`,
		`go_goroutines`,
		`process_cpu_seconds_total`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if pages := metricValue(m, "utdrag_rendered_pages_total"); pages < 3 {
		t.Errorf("pages rendered: %v", pages)
	}
	if b := metricValue(m, "utdrag_rendered_bytes_total"); b < 10000 {
		t.Errorf("bytes rendered: %v", b)
	}

	fresh := scrape(t, startAPI(t, stores["fs"](t)))
	if strings.Contains(fresh, `route="/v1/extracts"`) {
		t.Error("a second server shares the first one's metrics")
	}
}

func scrape(t *testing.T, a *api) string {
	t.Helper()
	resp, body := a.do("GET", "/metrics", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(body)
}

// metricValue is the value of an unlabelled sample, or -1.
func metricValue(text, name string) float64 {
	for line := range strings.Lines(text) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			var f float64
			if _, err := fmt.Sscan(v, &f); err == nil {
				return f
			}
		}
	}
	return -1
}
