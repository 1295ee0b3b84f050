package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"utdrag/index/indextest"
	"utdrag/internal/pdftest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// stores are the two storage back ends every API test runs on.
var stores = storagetest.Backends()

type env struct {
	t     *testing.T
	url   string
	store storage.Store
}

func start(t *testing.T, store storage.Store, tune ...func(*service.Config)) *env {
	t.Helper()
	return startWith(t, store, service.Deps{}, tune...)
}

// startWith starts the service on store with deps (store, render engine
// and logger are filled in) and the defaults changed by tune; mail goes to
// an outbox in a temporary folder unless deps has a mailer.
func startWith(t *testing.T, store storage.Store, d service.Deps, tune ...func(*service.Config)) *env {
	t.Helper()
	cfg := service.Defaults()
	cfg.Mail.Outbox = t.TempDir()
	for _, f := range tune {
		f(&cfg)
	}
	d.Store, d.Render, d.Logger = store, servicetest.Engine(t), slog.New(slog.NewTextHandler(io.Discard, nil))
	if d.Index == nil {
		d.Index = indextest.SQLite(t)
	}
	if d.Pages == nil {
		d.Pages = servicetest.Pages(cfg)
	}
	srv, err := service.New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, store: store}
}

func (e *env) do(method, path string, body []byte, header ...string) (*http.Response, []byte) {
	e.t.Helper()
	return sendJSON(e.t, http.DefaultClient, method, e.url+path, body, header...)
}

// sendJSON sends body as JSON with client c, header holding further
// name, value pairs, and returns the response and its body.
func sendJSON(t *testing.T, c *http.Client, method, url string, body []byte, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// objects lists everything in the store.
func (e *env) objects() []string {
	e.t.Helper()
	objs, err := e.store.List(context.Background(), "")
	if err != nil {
		e.t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys
}

func example(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type view struct {
	ID          string            `json:"id"`
	Organ       string            `json:"organ"`
	MeetingDate string            `json:"meetingDate"`
	Paragraphs  []int             `json:"paragraphs"`
	CaseNumbers []string          `json:"caseNumbers"`
	Pages       int               `json:"pages"`
	Bytes       int               `json:"bytes"`
	SHA256      string            `json:"sha256"`
	Template    string            `json:"template"`
	Links       map[string]string `json:"links"`
}

type problemDoc struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Errors []struct {
		Field, Rule, Message string
	} `json:"errors"`
}

func TestCreateFetchAndDownload(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := start(t, open(t))
			resp, body := e.do("POST", "/v1/extracts", example(t, "rs-157-2023.json"))
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", resp.StatusCode, body)
			}
			var v view
			if err := json.Unmarshal(body, &v); err != nil {
				t.Fatal(err)
			}
			if loc := resp.Header.Get("Location"); loc != "/v1/extracts/"+v.ID || v.ID == "" {
				t.Errorf("Location %q for id %q", loc, v.ID)
			}
			if v.Organ != "Regionstyrelsen" || v.MeetingDate != "2023-10-06" || v.Paragraphs[0] != 157 ||
				v.CaseNumbers[0] != "RS/412/2023" || v.Pages < 2 || v.Template != "standard@2" {
				t.Errorf("metadata %+v", v)
			}

			again, body2 := e.do("POST", "/v1/extracts", example(t, "rs-157-2023.json"))
			var v2 view
			_ = json.Unmarshal(body2, &v2)
			if again.StatusCode != http.StatusOK || v2.ID != v.ID {
				t.Errorf("repost: %d id %q, want 200 id %q", again.StatusCode, v2.ID, v.ID)
			}

			resp, pdf := e.do("GET", "/v1/extracts/"+v.ID+"/pdf", nil)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if len(pdf) != v.Bytes || pdftestChecksum(pdf) != v.SHA256 {
				t.Errorf("downloaded %d bytes, metadata says %d / checksum mismatch", len(pdf), v.Bytes)
			}
			if etag := resp.Header.Get("ETag"); etag != `"`+v.SHA256+`"` {
				t.Errorf("ETag %q", etag)
			}
			cd := resp.Header.Get("Content-Disposition")
			if !strings.Contains(cd, "filename*=UTF-8''Protokollsutdrag%20Regionstyrelsen%202023-10-06%20%C2%A7%20157.pdf") {
				t.Errorf("Content-Disposition %q", cd)
			}
			if nm, _ := e.do("GET", "/v1/extracts/"+v.ID+"/pdf", nil, "If-None-Match", resp.Header.Get("ETag")); nm.StatusCode != http.StatusNotModified {
				t.Errorf("conditional GET: %d", nm.StatusCode)
			}
			if !strings.Contains(pdftest.Text(t, pdf), "Paragrafen förklaras omedelbart justerad.") {
				t.Error("stored PDF lacks its text")
			}

			resp, body = e.do("GET", "/v1/extracts/"+v.ID, nil)
			var got view
			_ = json.Unmarshal(body, &got)
			if resp.StatusCode != 200 || got.SHA256 != v.SHA256 || got.Links["pdf"] != "/v1/extracts/"+v.ID+"/pdf" {
				t.Errorf("get: %d %s", resp.StatusCode, body)
			}
			resp, page := e.do("GET", got.Links["html"], nil)
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
				!bytes.Contains(page, []byte(`lang="sv"`)) || !bytes.Contains(page, []byte("Paragrafen förklaras omedelbart justerad.")) {
				t.Errorf("html rendition: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if resp, _ := e.do("GET", "/v1/extracts/000000000000000000000000", nil); resp.StatusCode != 404 {
				t.Errorf("unknown id: %d", resp.StatusCode)
			}
		})
	}
}

func TestListFilters(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := start(t, open(t))
			for _, ex := range []string{"rs-157-2023.json", "run-59-2022.json"} {
				if resp, body := e.do("POST", "/v1/extracts", example(t, ex)); resp.StatusCode != 201 {
					t.Fatalf("%s: %d %s", ex, resp.StatusCode, body)
				}
			}
			cases := map[string]int{
				"":                               2,
				"?organ=regionstyrelsen":         1,
				"?meetingDate=2022-06-14":        1,
				"?caseNumber=RUN/59/2022":        1,
				"?paragraph=157":                 1,
				"?paragraph=158":                 0,
				"?from=2023-01-01":               1,
				"?from=2020-01-01&to=2022-12-31": 1,
			}
			for q, want := range cases {
				resp, body := e.do("GET", "/v1/extracts"+q, nil)
				var list struct {
					Items []view `json:"items"`
					Total int    `json:"total"`
				}
				_ = json.Unmarshal(body, &list)
				if resp.StatusCode != 200 || list.Total != want || len(list.Items) != want {
					t.Errorf("list%s: %d total %d, want %d", q, resp.StatusCode, list.Total, want)
				}
			}
			if resp, body := e.do("GET", "/v1/extracts?meetingDate=igår", nil); resp.StatusCode != 400 || !strings.Contains(string(body), `"field":"meetingDate"`) {
				t.Errorf("bad filter: %d %s", resp.StatusCode, body)
			}
		})
	}
}

func TestBadInputStoresNothing(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := start(t, open(t), func(c *service.Config) { c.MaxBody = 64 << 10 })
			var doc map[string]any
			_ = json.Unmarshal(example(t, "rs-157-2023.json"), &doc)
			delete(doc["paragraphs"].([]any)[0].(map[string]any), "caseNumber")
			missing, _ := json.Marshal(doc)

			resp, body := e.do("POST", "/v1/extracts", missing)
			var p problemDoc
			_ = json.Unmarshal(body, &p)
			if resp.StatusCode != 422 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
				t.Fatalf("missing case number: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			if len(p.Errors) == 0 || p.Errors[0].Field != "paragraphs[0].caseNumber" || p.Status != 422 || p.Title == "" {
				t.Errorf("problem %+v", p)
			}

			resp, body = e.do("POST", "/v1/extracts", []byte(`{"organisation": {`))
			if resp.StatusCode != 400 || !strings.Contains(string(body), `"status":400`) {
				t.Errorf("malformed JSON: %d %s", resp.StatusCode, body)
			}
			big := bytes.Repeat([]byte(" "), 70<<10)
			if resp, _ := e.do("POST", "/v1/extracts", append(big, example(t, "rs-157-2023.json")...)); resp.StatusCode != 413 {
				t.Errorf("oversize body: %d", resp.StatusCode)
			}
			if resp, _ := e.do("POST", "/v1/extracts/preview", missing); resp.StatusCode != 422 {
				t.Errorf("preview of invalid input: %d", resp.StatusCode)
			}

			// A character the fonts lack: 422 naming the field, not a
			// crash or an empty box in the PDF.
			_ = json.Unmarshal(example(t, "run-59-2022.json"), &doc)
			doc["paragraphs"].([]any)[0].(map[string]any)["title"] = "Överenskommelse 👍 med länets kommuner"
			emoji, _ := json.Marshal(doc)
			for _, route := range []string{"/v1/extracts", "/v1/extracts/preview"} {
				resp, body = e.do("POST", route, emoji)
				p = problemDoc{}
				_ = json.Unmarshal(body, &p)
				if resp.StatusCode != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "paragraphs[0].title" ||
					p.Errors[0].Rule != "characters" || !strings.Contains(p.Errors[0].Message, "U+1F44D") {
					t.Errorf("%s with an emoji: %d %s", route, resp.StatusCode, body)
				}
			}
			if keys := e.objects(); len(keys) != 0 {
				t.Errorf("bad input left objects behind: %v", keys)
			}
		})
	}
}

func TestPreviewStoresNothing(t *testing.T) {
	e := start(t, stores["fs"](t))
	resp, pdf := e.do("POST", "/v1/extracts/preview", example(t, "run-59-2022.json"))
	if resp.StatusCode != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("preview: %d", resp.StatusCode)
	}
	if !strings.Contains(pdftest.Text(t, pdf), "RUN/59/2022") {
		t.Error("preview lacks the case number")
	}
	if keys := e.objects(); len(keys) != 0 {
		t.Errorf("preview stored %v", keys)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e := start(t, stores["fs"](t))
	for _, p := range []string{"/healthz", "/readyz"} {
		if resp, body := e.do("GET", p, nil); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	if resp, body := e.do("GET", "/schema/extract.schema.json", nil); resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"caseNumber"`)) {
		t.Errorf("schema: %d", resp.StatusCode)
	}
	if resp, body := e.do("GET", "/nowhere", nil); resp.StatusCode != 404 || !strings.Contains(string(body), `"status":404`) {
		t.Errorf("unknown route: %d %s", resp.StatusCode, body)
	}
}
