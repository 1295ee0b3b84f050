package service_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"utdrag/index/indextest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage/fs"
)

// benchServer starts a service on a local folder, posts the example
// protocol when withProtocol, then paragraph i of it as an extract posted
// on its own, and returns the extract PDF's checksum.
func benchServer(b *testing.B, withProtocol bool) (url, sum string) {
	b.Helper()
	store, err := fs.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	cfg := service.Defaults()
	cfg.Mail.Outbox = b.TempDir()
	srv, err := service.New(cfg, service.Deps{Index: indextest.SQLite(b), Store: store, Render: servicetest.Engine(b),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	post := func(path string, body []byte) []byte {
		resp, err := http.Post(ts.URL+path, "application/json", bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("%s: %d %s", path, resp.StatusCode, raw)
		}
		return raw
	}
	raw, err := os.ReadFile("../examples/protocols/ragunda-ks-44-57-2025.json")
	if err != nil {
		b.Fatal(err)
	}
	if withProtocol {
		post("/v1/protocols", raw)
	}
	var doc map[string]any
	_ = json.Unmarshal(raw, &doc)
	doc["paragraphs"] = doc["paragraphs"].([]any)[3:5]
	delete(doc, "members")
	delete(doc, "others")
	delete(doc, "anslag")
	x, _ := json.Marshal(doc)
	var v struct{ SHA256 string }
	_ = json.Unmarshal(post("/v1/extracts", x), &v)
	return ts.URL, v.SHA256
}

// BenchmarkVerifyWithProtocol times GET /v1/verify/{sha256} of an
// uncertified two-paragraph extract: "alone" with no protocol of its
// meeting stored (the look-up by checksum only), "protocol" with the
// 14-paragraph protocol stored, so the answer also compares the
// paragraphs' digests with it. Run both in one process, interleaved:
//
//	taskset -c 0 go test -run '^$' -bench VerifyWithProtocol -cpu 1 -count 6 ./service/
func BenchmarkVerifyWithProtocol(b *testing.B) {
	for _, c := range []struct {
		name         string
		withProtocol bool
	}{{"alone", false}, {"protocol", true}} {
		b.Run(c.name, func(b *testing.B) {
			url, sum := benchServer(b, c.withProtocol)
			b.ResetTimer()
			for b.Loop() {
				resp, err := http.Get(url + "/v1/verify/" + sum)
				if err != nil {
					b.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || bytes.Contains(body, []byte(`"protocol":{`)) != c.withProtocol {
					b.Fatalf("verify: %d %s", resp.StatusCode, body)
				}
			}
		})
	}
}
