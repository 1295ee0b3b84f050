package service_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/fs"
	"utdrag/storage/s3"
	"utdrag/storage/storagetest"
)

// writeGate stands between the service and the test MinIO. Closed, it
// answers writes as MinIO does without write quorum (503 SlowDownWrite)
// and passes reads on; it counts the readiness probes' writes.
type writeGate struct {
	srv    *httptest.Server
	closed atomic.Bool
	probes atomic.Int64
}

func newWriteGate(t *testing.T, endpoint string) *writeGate {
	target := &url.URL{Scheme: "http", Host: endpoint}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host // the request is signed for this host
	}}
	g := &writeGate{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write := r.Method == http.MethodPut || r.Method == http.MethodDelete || r.Method == http.MethodPost
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/"+s3.ProbePrefix) {
			g.probes.Add(1)
		}
		if write && g.closed.Load() {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<Error><Code>SlowDownWrite</Code>` +
				`<Message>Resource requested is unwritable, please reduce your request rate</Message></Error>`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// gatedStore is a store on the test server reached through a writeGate.
func gatedStore(t *testing.T) (*writeGate, storage.Store) {
	t.Helper()
	cfg := storagetest.S3Config(t)
	gate := newWriteGate(t, cfg.Endpoint)
	cfg.Endpoint = gate.srv.Listener.Addr().String()
	store := openS3(t, cfg)
	return gate, store
}

// openS3 opens the S3 store cfg describes.
func openS3(t *testing.T, cfg s3.Config) *s3.Store {
	t.Helper()
	store, err := s3.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// waitReady polls /readyz until it answers want and returns how long that
// took; it fails the test after limit.
func waitReady(t *testing.T, a *api, want int, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		resp, _, err := a.try("GET", "/readyz", nil)
		if err == nil && resp.StatusCode == want {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("/readyz did not answer %d within %s (last: %v %v)", want, limit, resp, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReadyzFollowsWrites: while the store answers reads but refuses
// writes (MinIO that lost write quorum), /readyz answers 503 within a few
// seconds and extracts can still be read; once writes work again it
// answers 200.
func TestReadyzFollowsWrites(t *testing.T) {
	gate, store := gatedStore(t)
	a := startAPI(t, store, func(c *service.Config) { c.StorageTimeout = 3 * time.Second }).as(keyAdmin)
	id, pdf, _ := genuine(t, a)
	waitReady(t, a, 200, 5*time.Second)

	gate.closed.Store(true)
	took := waitReady(t, a, 503, 5*time.Second)
	t.Logf("/readyz answered 503 %s after writes stopped", took.Round(time.Millisecond))
	if resp, body := a.do("GET", "/v1/extracts/"+id+"/pdf", nil); resp.StatusCode != 200 || pdftestChecksum(body) != pdftestChecksum(pdf) {
		t.Errorf("reading while writes fail: %d", resp.StatusCode)
	}
	if resp, body := a.do("POST", "/v1/extracts", variant(t, "rs-157-2023.json", 7)); resp.StatusCode != 503 {
		t.Errorf("create while writes fail: %d %s", resp.StatusCode, clip(body))
	}

	gate.closed.Store(false)
	took = waitReady(t, a, 200, 10*time.Second)
	t.Logf("/readyz answered 200 %s after writes came back", took.Round(time.Millisecond))
	if resp, body := a.do("POST", "/v1/extracts", variant(t, "rs-157-2023.json", 8)); resp.StatusCode != 201 {
		t.Errorf("create after writes came back: %d %s", resp.StatusCode, clip(body))
	}
}

// TestReadyzProbesAtMostOnceASecond: /readyz is public; a crowd of callers
// shares probes, so the store sees about one write probe a second
// however many ask, and the probes leave nothing behind.
func TestReadyzProbesAtMostOnceASecond(t *testing.T) {
	gate, store := gatedStore(t)
	a := startAPI(t, store)
	const callers, each = 20, 25
	start := time.Now()
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for range each {
				if resp, _, err := a.try("GET", "/readyz", nil); err != nil || resp.StatusCode != 200 {
					t.Errorf("/readyz: %v %v", resp, err)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	probes := gate.probes.Load()
	if limit := int64(elapsed/time.Second) + 2; probes < 1 || probes > limit {
		t.Errorf("%d write probes for %d calls in %s, want 1 to %d", probes, callers*each, elapsed.Round(time.Millisecond), limit)
	}
	objs, err := store.List(t.Context(), "")
	if err != nil || len(objs) != 0 {
		t.Errorf("probes left %v (%v)", objs, err)
	}
	t.Logf("%d calls in %s: %d probes", callers*each, elapsed.Round(time.Millisecond), probes)
}

// TestReadyzOnFiles: the file store is not ready while it cannot write
// (its folder for writes in progress is gone and a file sits in its way).
func TestReadyzOnFiles(t *testing.T) {
	dir := t.TempDir()
	a := startAPI(t, openFS(t, dir))
	waitReady(t, a, 200, 5*time.Second)
	tmp := filepath.Join(dir, "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tmp, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitReady(t, a, 503, 3*time.Second)
	if err := os.Remove(tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	waitReady(t, a, 200, 3*time.Second)
}

func openFS(t *testing.T, dir string) storage.Store {
	t.Helper()
	s, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStorageSettingsFromEnv(t *testing.T) {
	cfg, err := service.FromEnv(func(string) string { return "" })
	if err != nil || cfg.S3.RetentionMode != s3.Governance || cfg.Breaker.Failures != 5 || cfg.Breaker.Open != 3*time.Second {
		t.Errorf("defaults: mode %q, breaker %+v, %v", cfg.S3.RetentionMode, cfg.Breaker, err)
	}
	env := map[string]string{"UTDRAG_RETENTION_MODE": "Compliance", "UTDRAG_BREAKER_FAILURES": "0", "UTDRAG_BREAKER_OPEN": "500ms"}
	cfg, err = service.FromEnv(func(k string) string { return env[k] })
	if err != nil || cfg.S3.RetentionMode != s3.Compliance || cfg.Breaker.Failures != 0 || cfg.Breaker.Open != 500*time.Millisecond {
		t.Errorf("from the environment: mode %q, breaker %+v, %v", cfg.S3.RetentionMode, cfg.Breaker, err)
	}
	for name, bad := range map[string]string{"UTDRAG_RETENTION_MODE": "legal-hold", "UTDRAG_BREAKER_OPEN": "0s", "UTDRAG_BREAKER_FAILURES": "many"} {
		if _, err := service.FromEnv(func(k string) string { return map[string]string{name: bad}[k] }); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v, want an error naming it", name, bad, err)
		}
	}
}
