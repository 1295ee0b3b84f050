package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/s3"
	"utdrag/storage/storagetest"
)

// variant is an example extract made distinct by its n.
func variant(t *testing.T, name string, n int) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(example(t, name), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc["paragraphs"].([]any)[0].(map[string]any)
	p["title"] = fmt.Sprintf("%s (variant %d)", p["title"], n)
	b, _ := json.Marshal(doc)
	return b
}

// large is an extract of n copies of the example's paragraph, numbered
// apart: many pages to typeset.
func large(t *testing.T, n int) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(example(t, "run-59-2022.json"), &doc); err != nil {
		t.Fatal(err)
	}
	first := doc["paragraphs"].([]any)[0].(map[string]any)
	var paragraphs []any
	for i := range n {
		p := map[string]any{}
		for k, v := range first {
			p[k] = v
		}
		p["number"] = i + 1
		p["caseNumber"] = fmt.Sprintf("RUN/%d/2022", i+1)
		paragraphs = append(paragraphs, p)
	}
	doc["paragraphs"] = paragraphs
	b, _ := json.Marshal(doc)
	return b
}

func TestLimits(t *testing.T) {
	a := startAPI(t, stores["fs"](t), func(c *service.Config) {
		c.MaxBody = 64 << 10
		c.Limits.MaxParagraphs = 3
		c.Limits.MaxText = 600
	}).as(keyAdmin)
	resp, body := a.do("POST", "/v1/extracts", large(t, 40))
	if resp.StatusCode != 413 || !strings.Contains(string(body), "too-large") {
		t.Errorf("body over UTDRAG_MAX_BODY: %d %s", resp.StatusCode, clip(body))
	}
	resp, body = a.do("POST", "/v1/extracts/preview", large(t, 4))
	if resp.StatusCode != 422 || !strings.Contains(string(body), `"field":"paragraphs"`) {
		t.Errorf("more paragraphs than UTDRAG_MAX_PARAGRAPHS: %d %s", resp.StatusCode, clip(body))
	}
	resp, body = a.do("POST", "/v1/extracts/preview", large(t, 1))
	if resp.StatusCode != 422 || !strings.Contains(string(body), `"rule":"maxLength"`) {
		t.Errorf("text longer than UTDRAG_MAX_TEXT: %d %s", resp.StatusCode, clip(body))
	}

	env := map[string]string{"UTDRAG_MAX_PARAGRAPHS": "7", "UTDRAG_MAX_TEXT": "900", "UTDRAG_STORAGE_TIMEOUT": "4s",
		"UTDRAG_AUTH_FILE": "/etc/utdrag/keys.yaml"}
	cfg, err := service.FromEnv(func(k string) string { return env[k] })
	if err != nil || cfg.Limits.MaxParagraphs != 7 || cfg.Limits.MaxText != 900 ||
		cfg.StorageTimeout != 4*time.Second || cfg.AuthFile != "/etc/utdrag/keys.yaml" {
		t.Errorf("FromEnv: %+v %v", cfg, err)
	}
	for _, bad := range []string{"UTDRAG_MAX_PARAGRAPHS", "UTDRAG_MAX_TEXT"} {
		if _, err := service.FromEnv(func(k string) string { return map[string]string{bad: "0"}[k] }); err == nil {
			t.Errorf("%s=0 accepted", bad)
		}
	}
}

// TestRenderSaturation fills the only render slot with a large extract:
// the other requests of the burst get 503 with Retry-After, none 500, and
// one extract is stored.
func TestRenderSaturation(t *testing.T) {
	store := stores["fs"](t)
	// No wait for a slot: a burst that finds it taken is turned away at
	// once, however fast the one render is.
	a := startAPI(t, store, func(c *service.Config) { c.MaxRenders, c.RenderWait, c.RenderTimeout = 1, 0, time.Minute }).as(keySystem)
	body := large(t, 40)
	const burst = 8
	var wg sync.WaitGroup
	resps := make([]*http.Response, burst)
	gate := make(chan struct{})
	for i := range burst {
		wg.Go(func() {
			<-gate
			resps[i], _ = a.do("POST", "/v1/extracts", body)
		})
	}
	close(gate)
	wg.Wait()
	busy := 0
	for _, r := range resps {
		switch r.StatusCode {
		case 503:
			busy++
			if r.Header.Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
		case 200, 201:
		default:
			t.Errorf("status %d in a burst", r.StatusCode)
		}
	}
	if busy == 0 {
		t.Error("no request of the burst was turned away")
	}
	if metas := countMeta(t, store); metas != 1 {
		t.Errorf("%d extracts stored, want 1", metas)
	}
	t.Logf("%d of %d turned away with 503", busy, burst)
}

func countMeta(t *testing.T, store storage.Store) int {
	t.Helper()
	objs, err := store.List(context.Background(), "extracts/")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range objs {
		if strings.HasSuffix(o.Key, "/meta.json") {
			n++
		}
	}
	return n
}

// ownMinIO is a MinIO server of the test's own, on the binary
// scripts/with-minio.sh built: the test may stop, kill and restart it
// without disturbing the shared server other packages' tests use at the
// same time.
type ownMinIO struct {
	t              *testing.T
	bin, data, log string
	addr, console  string
	user, pass     string
	cmd            *exec.Cmd
}

func startOwnMinIO(t *testing.T) *ownMinIO {
	t.Helper()
	bin := os.Getenv("UTDRAG_TEST_MINIO_BIN")
	if bin == "" {
		msg := "no UTDRAG_TEST_MINIO_BIN: run under scripts/with-minio.sh"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	m := &ownMinIO{t: t, bin: bin, data: filepath.Join(dir, "data"), log: filepath.Join(dir, "minio.log"),
		addr: freeAddr(t), console: freeAddr(t), user: "utdrag-faults", pass: "utdrag-faults-secret"}
	m.start()
	t.Cleanup(m.kill)
	return m
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs the server on the same address and data as before and waits
// until it is ready.
func (m *ownMinIO) start() {
	m.t.Helper()
	logf, err := os.OpenFile(m.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		m.t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(m.bin, "server", "--address", m.addr, "--console-address", m.console, m.data)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.user, "MINIO_ROOT_PASSWORD="+m.pass,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := cmd.Start(); err != nil {
		m.t.Fatal(err)
	}
	m.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + m.addr + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	log, _ := os.ReadFile(m.log)
	m.t.Fatalf("minio on %s did not become ready:\n%s", m.addr, log)
}

// kill stops the server the hard way, as a crash would.
func (m *ownMinIO) kill() {
	if m.cmd == nil {
		return
	}
	_ = m.cmd.Process.Signal(syscall.SIGCONT)
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
	m.cmd = nil
}

func (m *ownMinIO) signal(sig syscall.Signal) {
	m.t.Helper()
	if err := m.cmd.Process.Signal(sig); err != nil {
		m.t.Fatal(err)
	}
}

func (m *ownMinIO) store(t *testing.T) *s3.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := s3.New(ctx, s3.Config{Endpoint: m.addr, AccessKey: m.user, SecretKey: m.pass, Bucket: "utdrag-faults"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// load sends creates, reads and lists until stop is closed and records
// what was acknowledged. A transport error (a hang up to the client's
// timeout) or a status other than 200, 201 and 503 fails the test.
type load struct {
	mu       sync.Mutex
	acked    map[string]bool // ids acknowledged with 201 or 200
	statuses map[int]int
}

func (l *load) run(t *testing.T, a *api, worker int, stop <-chan struct{}) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		default:
		}
		var resp *http.Response
		var body []byte
		var err error
		switch i % 3 {
		case 0:
			resp, body, err = a.try("POST", "/v1/extracts", variant(t, "rs-157-2023.json", 1000*worker+i))
		case 1:
			resp, body, err = a.try("GET", "/v1/extracts?limit=5", nil)
		default:
			resp, body, err = a.try("GET", "/readyz", nil)
		}
		if err != nil {
			t.Errorf("worker %d: %v", worker, err)
			return
		}
		l.record(t, resp, body)
	}
}

func (l *load) record(t *testing.T, resp *http.Response, body []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.statuses[resp.StatusCode]++
	switch resp.StatusCode {
	case 200, 201:
		var v struct{ ID string }
		if json.Unmarshal(body, &v) == nil && v.ID != "" && resp.Request.Method == "POST" {
			l.acked[v.ID] = true
		}
	case 503:
		if resp.Header.Get("Retry-After") == "" {
			t.Errorf("503 without Retry-After: %s", clip(body))
		}
	default:
		t.Errorf("status %d under storage faults: %s", resp.StatusCode, clip(body))
	}
}

// TestStorageFaults kills MinIO while requests run, then starts it again
// on the same address and data; later it freezes it (SIGSTOP). The service
// answers 503 problems meanwhile, never 500 and never hangs; it recovers
// without a restart, and every acknowledged extract is there and whole.
func TestStorageFaults(t *testing.T) {
	m := startOwnMinIO(t)
	a := startAPI(t, m.store(t), func(c *service.Config) { c.StorageTimeout = 2 * time.Second })
	a.client.Timeout = 20 * time.Second
	admin := a.as(keyAdmin)
	l := &load{acked: map[string]bool{}, statuses: map[int]int{}}
	for i := range 3 {
		resp, body := admin.do("POST", "/v1/extracts", variant(t, "run-59-2022.json", i))
		l.record(t, resp, body)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() { l.run(t, admin, w, stop) })
	}
	time.Sleep(700 * time.Millisecond)
	m.kill()
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()

	requireUnavailable(t, admin, l)
	m.start()
	requireRecovered(t, admin, l)

	m.signal(syscall.SIGSTOP)
	start := time.Now()
	requireUnavailable(t, admin, l)
	t.Logf("answers with MinIO frozen took %s", time.Since(start).Round(time.Millisecond))
	m.signal(syscall.SIGCONT)
	requireRecovered(t, admin, l)

	if !strings.Contains(scrape(t, a), `utdrag_storage_errors_total{kind="unavailable"`) {
		t.Error("storage errors are not counted")
	}
	t.Logf("statuses %v; %d extracts acknowledged", l.statuses, len(l.acked))
}

// requireUnavailable checks the answers while the store is down.
func requireUnavailable(t *testing.T, a *api, l *load) {
	t.Helper()
	var known string
	for id := range l.acked {
		known = id
	}
	for _, r := range []struct{ method, path string }{
		{"POST", "/v1/extracts"}, {"GET", "/v1/extracts/" + known}, {"GET", "/v1/extracts/" + known + "/pdf"},
		{"GET", "/readyz"},
	} {
		resp, body, err := a.try(r.method, r.path, variant(t, "rs-157-2023.json", -1))
		if err != nil {
			t.Errorf("%s %s with storage down: %v", r.method, r.path, err)
			continue
		}
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
			t.Errorf("%s %s with storage down: %d %q %s", r.method, r.path, resp.StatusCode, resp.Header.Get("Retry-After"), clip(body))
		}
	}
	// Listing answers from the index: storage is not asked. The page
	// holds every acknowledged extract, so the one picked is on it.
	if resp, body, err := a.try("GET", "/v1/extracts?limit=500", nil); err != nil || resp.StatusCode != 200 || !strings.Contains(string(body), known) {
		t.Errorf("GET /v1/extracts with storage down: %v %v %s", resp, err, clip(body))
	}
}

// requireRecovered waits for readiness, then finds every acknowledged
// extract, and checks every listed one is whole.
func requireRecovered(t *testing.T, a *api, l *load) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, _, err := a.try("GET", "/readyz", nil)
		if err == nil && resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready a minute after the store came back: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for id := range l.acked {
		if resp, body := a.do("GET", "/v1/extracts/"+id, nil); resp.StatusCode != 200 {
			t.Errorf("acknowledged extract %s: %d %s", id, resp.StatusCode, clip(body))
		}
	}
	requireWhole(t, a, len(l.acked))
	resp, body := a.do("POST", "/v1/extracts", variant(t, "rs-157-2023.json", int(time.Now().UnixNano()%1e6)))
	if resp.StatusCode != 201 {
		t.Errorf("create after recovery: %d %s", resp.StatusCode, clip(body))
	}
	var v struct{ ID string }
	_ = json.Unmarshal(body, &v)
	l.acked[v.ID] = true
}

// requireWhole lists every extract, at least min of them, and checks each
// PDF is there with the checksum its record names.
func requireWhole(t *testing.T, a *api, min int) int {
	t.Helper()
	resp, body := a.do("GET", "/v1/extracts?limit=500", nil)
	var list struct {
		Items []struct{ ID, SHA256 string }
		Total int
	}
	_ = json.Unmarshal(body, &list)
	if resp.StatusCode != 200 || list.Total < min {
		t.Fatalf("list: %d, %d extracts, want at least %d", resp.StatusCode, list.Total, min)
	}
	for _, it := range list.Items {
		resp, pdf := a.do("GET", "/v1/extracts/"+it.ID+"/pdf", nil)
		if resp.StatusCode != 200 || pdftestChecksum(pdf) != it.SHA256 {
			t.Errorf("extract %s is not whole: %d, checksum %s, record says %s", it.ID, resp.StatusCode, pdftestChecksum(pdf), it.SHA256)
		}
	}
	return list.Total
}

// TestConcurrentCreates sends 200 creates of 20 distinct extracts at
// once to the shared MinIO: exactly 20 are stored, each created once.
func TestConcurrentCreates(t *testing.T) {
	a := startAPI(t, storagetest.S3(t), func(c *service.Config) {
		c.MaxRenders = 200
		c.RenderTimeout = 2 * time.Minute
		c.StorageTimeout = time.Minute
	}).as(keyAdmin)
	a.client.Timeout = 3 * time.Minute
	const n, distinct = 200, 20
	bodies := make([][]byte, distinct)
	for i := range bodies {
		bodies[i] = variant(t, "rs-157-2023.json", i)
	}
	statuses := make([]int, n)
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-gate
			resp, body, err := a.try("POST", "/v1/extracts", bodies[i%distinct])
			if err != nil {
				t.Errorf("create %d: %v", i, err)
				return
			}
			if resp.StatusCode != 201 && resp.StatusCode != 200 {
				t.Errorf("create %d: %d %s", i, resp.StatusCode, clip(body))
			}
			statuses[i] = resp.StatusCode
		})
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	created := 0
	for _, s := range statuses {
		if s == 201 {
			created++
		}
	}
	if created != distinct {
		t.Errorf("%d answers were 201, want %d", created, distinct)
	}
	if total := requireWhole(t, a, distinct); total != distinct {
		t.Errorf("%d extracts stored, want %d", total, distinct)
	}
	t.Logf("%d creates in %s", n, time.Since(start).Round(time.Millisecond))
}
