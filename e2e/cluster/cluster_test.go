//go:build cluster

package cluster

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"utdrag/archive"
)

const (
	bucket  = "utdrag-cluster"
	clients = 16
	// readyWithin is how soon after write quorum is lost every replica's
	// /readyz must answer 503.
	readyWithin = 5 * time.Second
	// janitorGrace: the janitor leaves alone what is younger; it runs once
	// the load has stopped for this long.
	janitorGrace = 3 * time.Second
)

// env is the cluster scripts/minio-cluster.sh started.
type env struct {
	dir, script    string
	endpoints      []string
	access, secret string
	index          string // the PostgreSQL both replicas share (scripts/with-postgres.sh)
}

func clusterEnv(t *testing.T) env {
	t.Helper()
	e := env{
		dir: os.Getenv("UTDRAG_CLUSTER_DIR"), script: os.Getenv("UTDRAG_CLUSTER_SCRIPT"),
		access: os.Getenv("UTDRAG_CLUSTER_ACCESS_KEY"), secret: os.Getenv("UTDRAG_CLUSTER_SECRET_KEY"),
		index: os.Getenv("UTDRAG_TEST_POSTGRES_URL"),
	}
	if eps := os.Getenv("UTDRAG_CLUSTER_ENDPOINTS"); eps != "" {
		e.endpoints = strings.Split(eps, ",")
	}
	if e.dir == "" || e.script == "" || len(e.endpoints) != 4 || e.index == "" {
		t.Fatal("no cluster or no PostgreSQL: run `make test-cluster`, or " +
			"scripts/minio-cluster.sh run scripts/with-postgres.sh go test -tags cluster ./e2e/cluster/")
	}
	return e
}

func (e env) node(t *testing.T, verb string, n int) {
	t.Helper()
	out, err := exec.Command(e.script, verb, e.dir, fmt.Sprint(n)).CombinedOutput()
	if err != nil {
		t.Fatalf("%s node %d: %v\n%s", verb, n, err, out)
	}
}

// waitQuorum waits until node 1 reports write quorum for the cluster.
func (e env) waitQuorum(t *testing.T, limit time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		resp, err := http.Get("http://" + e.endpoints[0] + "/minio/health/cluster")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return time.Now()
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no write quorum within %s", limit)
	return time.Time{}
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

func buildUtdrag(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "utdrag")
	cmd := exec.Command("go", "build", "-o", bin, "utdrag/cmd/utdrag")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building utdrag: %v\n%s", err, out)
	}
	return bin
}

// utdrag is the environment of the replicas and the janitor: storage
// through the balancer at s3, the shared index, and dir for what is a
// process's own.
func (e env) utdrag(s3, dir string) []string {
	return append(os.Environ(),
		"UTDRAG_PUBLIC_URL=http://utdrag.test",
		"UTDRAG_STORAGE=s3://"+bucket,
		"UTDRAG_S3_ENDPOINT="+s3,
		"UTDRAG_S3_ACCESS_KEY="+e.access,
		"UTDRAG_S3_SECRET_KEY="+e.secret,
		"UTDRAG_STORAGE_TIMEOUT=5s",
		"UTDRAG_RENDER_WAIT=20s", // clients wait for a render slot: a 503 here is storage's
		"UTDRAG_RENDER_TIMEOUT=20s",
		"UTDRAG_SESSION_KEY=cluster-test-session-key-shared-by-replicas",
		"UTDRAG_OUTBOX="+filepath.Join(dir, "outbox"),
		"UTDRAG_INDEX="+e.index,
	)
}

// janitor runs one thorough pass of `utdrag janitor` over the bucket, with
// a grace period the finished load has passed, and returns its report.
func janitor(t *testing.T, bin, s3 string, e env) (string, error) {
	t.Helper()
	time.Sleep(janitorGrace)
	cmd := exec.Command(bin, "janitor", "-grace", janitorGrace.String(), "-thorough")
	cmd.Env = e.utdrag(s3, t.TempDir())
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("utdrag janitor: %w\n%s%s", err, out.Bytes(), errs.Bytes())
	}
	return out.String(), nil
}

// replica is one `utdrag serve` process.
type replica struct {
	addr, log string
	cmd       *exec.Cmd
}

func startReplica(t *testing.T, bin, s3 string, e env, n int) *replica {
	t.Helper()
	dir := t.TempDir()
	r := &replica{addr: freeAddr(t), log: filepath.Join(dir, "utdrag.log")}
	logf, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(e.utdrag(s3, dir), "UTDRAG_ADDR="+r.addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.cmd = cmd
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(35 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if t.Failed() {
			t.Logf("replica %d: warnings and errors of its log:\n%s", n, warnings(r.log, 20))
		}
	})
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + r.addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return r
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	b, _ := os.ReadFile(r.log)
	t.Fatalf("replica %d not ready:\n%s", n, b)
	return nil
}

// warnings returns the last n lines of a log at level WARN or ERROR.
func warnings(path string, n int) string {
	b, _ := os.ReadFile(path)
	var out []string
	for line := range strings.Lines(string(b)) {
		if !strings.Contains(line, `"level":"INFO"`) {
			out = append(out, line)
		}
	}
	return strings.Join(out[max(0, len(out)-n):], "")
}

// readiness samples each replica's /readyz every 100 ms.
type readiness struct {
	mu      sync.Mutex
	samples [][]sample // per replica
}

type sample struct {
	at     time.Time
	status int // 0: no answer
}

func watchReadiness(ctx context.Context, replicas []*replica) *readiness {
	w := &readiness{samples: make([][]sample, len(replicas))}
	client := &http.Client{Timeout: 4 * time.Second}
	for i, r := range replicas {
		go func() {
			for ctx.Err() == nil {
				s := sample{at: time.Now()}
				if resp, err := client.Get("http://" + r.addr + "/readyz"); err == nil {
					resp.Body.Close()
					s.status = resp.StatusCode
				}
				w.mu.Lock()
				w.samples[i] = append(w.samples[i], s)
				w.mu.Unlock()
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
	return w
}

// first is when replica i first answered status at or after from, and
// whether it did before until.
func (w *readiness) first(i, status int, from, until time.Time) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.samples[i] {
		if !s.at.Before(from) && s.at.Before(until) && s.status == status {
			return s.at, true
		}
	}
	return time.Time{}, false
}

// count is how many of replica i's samples between from and until were
// not 200.
func (w *readiness) notReady(i int, from, until time.Time) (bad, all int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.samples[i] {
		if !s.at.Before(from) && s.at.Before(until) {
			all++
			if s.status != 200 {
				bad++
			}
		}
	}
	return bad, all
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestClusterFaults runs the kill-one-node and kill-two-nodes faults under
// load from 16 clients through the front balancer, then checks every
// acknowledged extract and certification, that /readyz followed write
// quorum, and that nothing stray is left in the bucket.
func TestClusterFaults(t *testing.T) {
	e := clusterEnv(t)
	bin := buildUtdrag(t)
	s3lb := startTCPBalancer(t, e.endpoints)
	replicas := []*replica{startReplica(t, bin, s3lb.addr(), e, 1), startReplica(t, bin, s3lb.addr(), e, 2)}
	front := roundRobin(t, []string{replicas[0].addr, replicas[1].addr})
	example, err := os.ReadFile("../../examples/rs-157-2023.json")
	if err != nil {
		t.Fatal(err)
	}

	ctx, stopWatch := context.WithCancel(context.Background())
	defer stopWatch()
	ready := watchReadiness(ctx, replicas)
	l := newLoad(front, example)
	l.start(clients)

	l.phase("healthy", 15*time.Second)

	oneDown := time.Now()
	e.node(t, "kill", 4)
	l.phase("one node down", 25*time.Second)
	oneUp := time.Now()
	e.node(t, "start", 4)
	e.waitQuorum(t, time.Minute)
	l.phase("node back", 10*time.Second)

	lost := time.Now()
	e.node(t, "kill", 3)
	e.node(t, "kill", 4)
	l.phase("two nodes down", 20*time.Second)
	e.node(t, "start", 3)
	e.node(t, "start", 4)
	regained := e.waitQuorum(t, 2*time.Minute)
	l.phase("nodes back", 20*time.Second)
	l.stop()
	stopWatch()

	report := &strings.Builder{}
	l.report(report)
	for i := range replicas {
		bad, all := ready.notReady(i, oneDown, oneUp)
		fmt.Fprintf(report, "\nreplica %d: /readyz not 200 in %d of %d samples with one node down", i+1, bad, all)
		at, ok := ready.first(i, 503, lost, regained)
		if !ok {
			t.Errorf("replica %d: /readyz never answered 503 while write quorum was lost", i+1)
		} else {
			fmt.Fprintf(report, "\nreplica %d: /readyz 503 %s after write quorum was lost", i+1, at.Sub(lost).Round(10*time.Millisecond))
			if at.Sub(lost) > readyWithin {
				t.Errorf("replica %d: /readyz answered 503 only %s after write quorum was lost, want within %s", i+1, at.Sub(lost).Round(10*time.Millisecond), readyWithin)
			}
		}
		back, ok := ready.first(i, 200, regained, time.Now())
		if !ok {
			t.Errorf("replica %d: /readyz not 200 again after write quorum came back", i+1)
		} else {
			fmt.Fprintf(report, "\nreplica %d: /readyz 200 %s after the cluster reported write quorum again", i+1, back.Sub(regained).Round(10*time.Millisecond))
		}
	}
	for _, f := range l.failures {
		t.Error(f)
	}
	if l.count("one node down", "create 201") == 0 {
		t.Error("no extract was created with one node down: the cluster should keep writing")
	}
	if n := l.count("two nodes down", "read 200"); n == 0 {
		t.Error("no PDF was read with two nodes down: the cluster keeps read quorum")
	}
	var jr struct {
		Folders                        int
		Adopted, Removed, Kept, Errors []string
		Young                          int
	}
	if out, err := janitor(t, bin, s3lb.addr(), e); err != nil {
		t.Error(err) // and go on: what was acknowledged must be there all the same
		fmt.Fprintf(report, "\njanitor: did not run (%v)", strings.SplitN(err.Error(), "\n", 2)[0])
	} else if json.Unmarshal([]byte(out), &jr) != nil {
		t.Errorf("janitor report: %s", out)
	} else {
		fmt.Fprintf(report, "\njanitor: %d folders, %d certifications adopted, %d objects removed, %d kept, %d young, %d errors",
			jr.Folders, len(jr.Adopted), len(jr.Removed), len(jr.Kept), jr.Young, len(jr.Errors))
	}
	t.Logf("janitor: adopted %v, kept %v, errors %v", jr.Adopted, jr.Kept, jr.Errors)
	t.Log("\n" + report.String())
	if p := os.Getenv("UTDRAG_CLUSTER_REPORT"); p != "" {
		_ = os.WriteFile(p, []byte(report.String()+"\n"), 0o644)
	}
	checkAcknowledged(t, front, l)
	checkStrays(t, e, s3lb.addr())
}

// checkAcknowledged reads every acknowledged extract and certification
// back, through the balancer, and compares the checksums acknowledged with
// the record's and the bytes served.
func checkAcknowledged(t *testing.T, front string, l *load) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	get := func(path string) (int, []byte) {
		resp, err := client.Get(front + path)
		if err != nil {
			t.Errorf("GET %s: %v", path, err)
			return 0, nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	start := time.Now()
	var certified int
	for id, want := range l.acked {
		status, body := get("/v1/extracts/" + id)
		var v struct {
			SHA256        string
			Certification *struct{ SHA256 string }
		}
		_ = json.Unmarshal(body, &v)
		if status != 200 || v.SHA256 != want {
			t.Errorf("acknowledged extract %s: %d, record checksum %s, acknowledged %s", id, status, v.SHA256, want)
			continue
		}
		if status, pdf := get("/v1/extracts/" + id + "/pdf"); status != 200 || sum(pdf) != want {
			t.Errorf("acknowledged extract %s: PDF %d, checksum %s, acknowledged %s", id, status, sum(pdf), want)
		}
		cert, ok := l.certs[id]
		if !ok {
			continue
		}
		certified++
		if v.Certification == nil || v.Certification.SHA256 != cert {
			t.Errorf("acknowledged certification of %s: record holds %+v, acknowledged %s", id, v.Certification, cert)
		}
		if status, pdf := get("/v1/extracts/" + id + "/certified"); status != 200 || sum(pdf) != cert {
			t.Errorf("acknowledged certification of %s: %d, checksum %s, acknowledged %s", id, status, sum(pdf), cert)
		}
	}
	t.Logf("%d acknowledged extracts and %d certifications read back whole in %s", len(l.acked), certified, time.Since(start).Round(time.Millisecond))
}

// checkStrays lists the bucket: every object must belong to a record
// (the objects it names, its distribution record, a checksum index entry
// pointing at it) or be the development signing key; readiness probes
// leave nothing.
func checkStrays(t *testing.T, e env, endpoint string) {
	t.Helper()
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(e.access, e.secret, "")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var keys []string
	for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		keys = append(keys, o.Key)
	}
	records := map[string]*archive.Record{}
	read := func(key string, into any) bool {
		obj, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
		if err != nil {
			return false
		}
		defer obj.Close()
		b, err := io.ReadAll(obj)
		return err == nil && json.Unmarshal(b, into) == nil
	}
	for _, k := range keys {
		if id, ok := strings.CutSuffix(strings.TrimPrefix(k, "extracts/"), "/meta.json"); ok && strings.HasPrefix(k, "extracts/") {
			var r archive.Record
			if read(k, &r) {
				records[id] = &r
			}
		}
	}
	var strays []string
	for _, k := range keys {
		if !belongs(k, records, read) {
			strays = append(strays, k)
		}
	}
	slices.Sort(strays)
	if len(strays) > 0 {
		t.Errorf("%d stray objects of %d (%d records): %v", len(strays), len(keys), len(records), strays[:min(len(strays), 30)])
	}
}

func belongs(k string, records map[string]*archive.Record, read func(string, any) bool) bool {
	switch {
	case strings.HasPrefix(k, "keys/"):
		return true
	case strings.HasPrefix(k, "sha256/"):
		var entry archive.IndexEntry
		if !read(k, &entry) {
			return false
		}
		r := records[entry.ID]
		want := strings.TrimPrefix(k, "sha256/")
		if r == nil {
			return false
		}
		if entry.Version == 0 {
			return r.SHA256 == want
		}
		if entry.Version > len(r.Certifications) {
			return false
		}
		c := r.Certifications[entry.Version-1]
		if entry.Revision > 0 {
			return entry.Revision <= len(c.Revisions) && c.Revisions[entry.Revision-1].SHA256 == want
		}
		return c.SHA256 == want
	case strings.HasPrefix(k, "extracts/"):
		rest := strings.TrimPrefix(k, "extracts/")
		id, name, _ := strings.Cut(rest, "/")
		r := records[id]
		if r == nil {
			return false
		}
		switch {
		case name == "meta.json", name == "extract.pdf", name == "distribution.json":
			return true
		case name == "extract.html":
			return r.HTML
		}
		var n, k int
		if _, err := fmt.Sscanf(name, "certified-%d-r%d.pdf", &n, &k); err == nil {
			return n >= 1 && n <= len(r.Certifications) && k >= 1 && k <= len(r.Certifications[n-1].Revisions)
		}
		if _, err := fmt.Sscanf(name, "certified-%d.pdf", &n); err == nil && name == fmt.Sprintf("certified-%d.pdf", n) {
			return n >= 1 && n <= len(r.Certifications)
		}
	}
	return false
}

// load sends creates, reads, certifications and reads of certified PDFs
// from many clients through the balancer, and records by phase what was
// answered.
type load struct {
	front   string
	example map[string]any
	client  *http.Client

	mu       sync.Mutex
	cur      string
	phases   []string
	counts   map[string]map[string]int  // phase → "op status" → answers
	lat      map[string][]time.Duration // phase → create latencies (201)
	acked    map[string]string          // id → PDF checksum
	certs    map[string]string          // id → certified PDF checksum
	ids      []string
	failures []string
	n        int
	since    time.Time // the current phase began
	refused  []string  // reads answered 503: when, and the problem's detail

	stopc chan struct{}
	wg    sync.WaitGroup
}

func newLoad(front string, example []byte) *load {
	l := &load{front: front, client: &http.Client{Timeout: 60 * time.Second},
		counts: map[string]map[string]int{}, lat: map[string][]time.Duration{},
		acked: map[string]string{}, certs: map[string]string{}, stopc: make(chan struct{})}
	if err := json.Unmarshal(example, &l.example); err != nil {
		panic(err)
	}
	l.setPhase("start")
	return l
}

func (l *load) setPhase(p string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cur = p
	l.since = time.Now()
	l.phases = append(l.phases, p)
	l.counts[p] = map[string]int{}
}

// phase names what runs now and lets it run for d.
func (l *load) phase(name string, d time.Duration) {
	l.setPhase(name)
	time.Sleep(d)
}

func (l *load) start(n int) {
	for w := range n {
		l.wg.Go(func() { l.work(w) })
	}
}

func (l *load) stop() {
	close(l.stopc)
	l.wg.Wait()
}

func (l *load) count(phase, key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[phase][key]
}

func (l *load) work(w int) {
	rng := rand.New(rand.NewPCG(uint64(w), 7))
	for i := 0; ; i++ {
		select {
		case <-l.stopc:
			return
		default:
		}
		switch op := rng.IntN(10); {
		case op < 6:
			l.create()
		case op < 8:
			l.read(rng)
		case op < 9:
			l.certify(rng)
		default:
			l.readCertified(rng)
		}
	}
}

// body is the example made distinct by a number in its title.
func (l *load) body() []byte {
	l.mu.Lock()
	l.n++
	n := l.n
	l.mu.Unlock()
	doc := map[string]any{}
	for k, v := range l.example {
		doc[k] = v
	}
	ps := l.example["paragraphs"].([]any)
	p := map[string]any{}
	for k, v := range ps[0].(map[string]any) {
		p[k] = v
	}
	p["title"] = fmt.Sprintf("%s (klustertest %d)", p["title"], n)
	doc["paragraphs"] = append([]any{p}, ps[1:]...)
	b, _ := json.Marshal(doc)
	return b
}

func (l *load) do(method, path string, body []byte) (int, []byte, time.Duration, error) {
	req, _ := http.NewRequest(method, l.front+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		return 0, nil, time.Since(start), err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, time.Since(start), err
}

// answered records one answer; statuses other than those allowed are
// failures.
func (l *load) answered(op string, status int, body []byte, err error, allowed ...int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := fmt.Sprintf("%s %d", op, status)
	if err != nil {
		key = op + " error"
	}
	l.counts[l.cur][key]++
	if err != nil {
		l.failures = append(l.failures, fmt.Sprintf("%s (%s): %v", op, l.cur, err))
		return false
	}
	if status == 503 || slices.Contains(allowed, status) {
		return status != 503
	}
	l.failures = append(l.failures, fmt.Sprintf("%s (%s): %d %s", op, l.cur, status, body[:min(len(body), 300)]))
	return false
}

func (l *load) create() {
	status, body, took, err := l.do("POST", "/v1/extracts", l.body())
	if !l.answered("create", status, body, err, 200, 201) {
		return
	}
	var v struct{ ID, SHA256 string }
	if json.Unmarshal(body, &v) != nil || v.ID == "" || len(v.SHA256) != 64 {
		l.fail("create: answer without id and checksum: %s", body)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if old, ok := l.acked[v.ID]; ok && old != v.SHA256 {
		l.failures = append(l.failures, fmt.Sprintf("extract %s acknowledged with checksums %s and %s", v.ID, old, v.SHA256))
	}
	if _, ok := l.acked[v.ID]; !ok {
		l.ids = append(l.ids, v.ID)
	}
	l.acked[v.ID] = v.SHA256
	if status == 201 {
		l.lat[l.cur] = append(l.lat[l.cur], took)
	}
}

func (l *load) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, fmt.Sprintf(format, args...))
}

// pick returns a random acknowledged id (of certified ones with certified
// set), or "".
func (l *load) pick(rng *rand.Rand, certified bool) (id, want string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if certified {
		if len(l.certs) == 0 {
			return "", ""
		}
		k := rng.IntN(len(l.certs))
		for id, sum := range l.certs {
			if k == 0 {
				return id, sum
			}
			k--
		}
	}
	if len(l.ids) == 0 {
		return "", ""
	}
	id = l.ids[rng.IntN(len(l.ids))]
	return id, l.acked[id]
}

func (l *load) read(rng *rand.Rand) {
	id, want := l.pick(rng, false)
	if id == "" {
		return
	}
	status, body, took, err := l.do("GET", "/v1/extracts/"+id+"/pdf", nil)
	l.refusedRead("read", status, took, body)
	if l.answered("read", status, body, err, 200) && sum(body) != want {
		l.fail("read of %s: checksum %s, acknowledged %s", id, sum(body), want)
	}
}

func (l *load) readCertified(rng *rand.Rand) {
	id, want := l.pick(rng, true)
	if id == "" {
		return
	}
	status, body, took, err := l.do("GET", "/v1/extracts/"+id+"/certified", nil)
	l.refusedRead("read certified", status, took, body)
	if l.answered("read certified", status, body, err, 200) && sum(body) != want {
		l.fail("certified of %s: checksum %s, acknowledged %s", id, sum(body), want)
	}
}

// refusedRead notes a read answered 503: when in its phase, how long it
// took, and the problem's detail.
func (l *load) refusedRead(op string, status int, took time.Duration, body []byte) {
	if status != 503 {
		return
	}
	var p struct{ Type, Detail string }
	_ = json.Unmarshal(body, &p)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.refused) < 20 {
		l.refused = append(l.refused, fmt.Sprintf("%s %s into %q, took %s: %s %s", op,
			time.Since(l.since).Round(10*time.Millisecond), l.cur, took.Round(time.Millisecond), p.Type, p.Detail))
	}
}

func (l *load) certify(rng *rand.Rand) {
	id, _ := l.pick(rng, false)
	if id == "" {
		return
	}
	l.mu.Lock()
	_, done := l.certs[id]
	l.mu.Unlock()
	if done {
		return
	}
	req := `{"name":"Lena Nordin","title":"Nämndsekreterare","place":"Östersund"}`
	status, body, _, err := l.do("POST", "/v1/extracts/"+id+"/certification", []byte(req))
	if !l.answered("certify", status, body, err, 201, 409) || status != 201 {
		return
	}
	var v struct{ Certification struct{ SHA256 string } }
	if json.Unmarshal(body, &v) != nil || len(v.Certification.SHA256) != 64 {
		l.fail("certify %s: answer without the certified checksum: %s", id, body)
		return
	}
	l.mu.Lock()
	l.certs[id] = v.Certification.SHA256
	l.mu.Unlock()
}

// report writes a table of answers by phase.
func (l *load) report(w io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var keys []string
	for _, c := range l.counts {
		for k := range c {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	fmt.Fprintf(w, "| phase | %s | create p50 | create p99 |\n|---|", strings.Join(keys, " | "))
	fmt.Fprintf(w, "%s---|---|\n", strings.Repeat("---|", len(keys)))
	for _, p := range l.phases {
		if p == "start" {
			continue
		}
		fmt.Fprintf(w, "| %s |", p)
		for _, k := range keys {
			fmt.Fprintf(w, " %d |", l.counts[p][k])
		}
		lat := slices.Clone(l.lat[p])
		slices.Sort(lat)
		pct := func(q float64) string {
			if len(lat) == 0 {
				return "–"
			}
			return lat[min(len(lat)-1, int(q*float64(len(lat))))].Round(time.Millisecond).String()
		}
		fmt.Fprintf(w, " %s | %s |\n", pct(0.5), pct(0.99))
	}
	fmt.Fprintf(w, "\n%d extracts and %d certifications acknowledged", len(l.acked), len(l.certs))
	for _, r := range l.refused {
		fmt.Fprintf(w, "\nread answered 503: %s", r)
	}
}
