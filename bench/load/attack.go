package main

// The attack mode replays, from many clients at once and without pause,
// the attacks on the service's memory that once worked:
//
//   - methods: requests with invented methods, some 60 KB long, to an
//     unknown path (labels and log lines taken from the request);
//   - page-bad, page-good: 50 MiB uploads to the verify page, with a wrong
//     and with a right CSRF token (the form read whole before the token,
//     spooled to /tmp);
//   - api-50m: 50 MiB bodies to POST /v1/verify;
//   - api-fields, api-brackets: the PDFs that made the parser work without
//     bound (20 000 /Fields references to one large object; 5 MB of "[");
//   - api-genuine: a genuine certified PDF, whose signature the service
//     checks (on its stored copy);
//   - preview (with -attack-renders): beside the attacks, the heaviest
//     work a key may ask for, the preview of the largest extract the
//     default limits let through.
//
// The clients ignore Retry-After and send again at once. The service is
// the real binary in a process of its own, on a loopback port, with a key
// file, its files and index under a temporary folder (MinIO instead when
// scripts/with-minio.sh runs it), and its temporary folder (TMPDIR) there
// too. Beside the attack a probe asks /healthz every 50 ms on a connection
// of its own; the service's resident set is sampled every 100 ms and its
// peak (VmHWM) read at the end.
//
//	go run ./bench/load -attack                      # 64 clients, 60 s
//	scripts/with-minio.sh go run ./bench/load -attack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"utdrag/auth"
	"utdrag/bench/internal/procmem"
	"utdrag/bench/internal/stats"
)

type attackOptions struct {
	on         bool
	clients    int
	duration   time.Duration
	binary     string
	open       bool
	rssLimit   int64 // MiB
	gomemlimit string
	examples   string
	only       string // the attacks whose names start with it
	renders    bool   // previews of the largest extract beside the attacks
}

const attackKey = "attack-admin-key-0123456789abcdef"

// victim is the service under attack.
type victim struct {
	url      string
	cmd      *exec.Cmd
	pid      int
	dir      string
	key      string // "" in open mode
	done     chan error
	examples string
}

func attack(o attackOptions) error {
	dir, err := os.MkdirTemp("", "utdrag-attack-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	t, err := startTarget(o, dir)
	if err != nil {
		return err
	}
	defer t.stop()
	t.examples = o.examples
	genuine, err := t.seed(o.examples)
	if err != nil {
		return err
	}
	fmt.Printf("service: %s (pid %d), %s; %d clients for %s; genuine certified PDF of %d bytes\n",
		t.url, t.pid, map[bool]string{true: "open mode", false: "with a key file"}[o.open], o.clients, o.duration, len(genuine))

	metricsBefore := t.metricsSize()
	// The same probe for a while before the attack: what the machine
	// gives without it.
	calm, err := startProbe(t.url, 10*time.Second)
	if err != nil {
		return err
	}
	baseline, baselineControl := calm.wait()
	cpu0 := procmem.TreeCPU(t.pid)
	ctx, cancel := context.WithTimeout(context.Background(), o.duration)
	defer cancel()

	// The resident set, sampled; past the limit the attack stops.
	var (
		rssPeak   atomic.Int64
		killedRSS atomic.Int64
	)
	sampling := make(chan struct{})
	go func() {
		defer close(sampling)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			rss := procmem.RSS(t.pid)
			if rss > rssPeak.Load() {
				rssPeak.Store(rss)
			}
			if rss > o.rssLimit<<20 {
				killedRSS.Store(rss)
				cancel()
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	// The probe is a process of its own, so that the attacking clients'
	// goroutines do not delay it; the clients stand for other machines,
	// so this process then yields the CPU to the service and the probe.
	probe, err := startProbe(t.url, o.duration)
	if err != nil {
		return err
	}
	syscall.Setpriority(syscall.PRIO_PROCESS, 0, 10)

	scenarios := t.scenarios(genuine, o.renders)
	if o.only != "" {
		var some []scenario
		for _, s := range scenarios {
			if strings.HasPrefix(s.name, o.only) {
				some = append(some, s)
			}
		}
		if len(some) == 0 {
			return fmt.Errorf("load: no attack %q", o.only)
		}
		scenarios = some
	}
	results := make([]tally, len(scenarios))
	var wg sync.WaitGroup
	for w := range o.clients {
		k := w % len(scenarios)
		wg.Go(func() {
			client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{}}
			defer client.CloseIdleConnections()
			jar, _ := cookiejar.New(nil)
			client.Jar = jar
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for ctx.Err() == nil {
				status, err := scenarios[k].send(ctx, client, rng)
				results[k].add(status, err, ctx.Err() != nil)
			}
		})
	}
	wg.Wait()
	cancel()
	<-sampling
	health, control := probe.wait()
	peak := procmem.Peak(t.pid)
	cpu := procmem.TreeCPU(t.pid) - cpu0
	metricsAfter := t.metricsSize()

	fmt.Println()
	fmt.Println("| attack | clients | requests | answers | refused before the body was read (connection closed) |")
	fmt.Println("|---|---:|---:|---|---:|")
	for k, s := range scenarios {
		n := 0
		for w := range o.clients {
			if w%len(scenarios) == k {
				n++
			}
		}
		fmt.Printf("| %s | %d | %d | %s | %d |\n", s.name, n, results[k].total(), results[k].statuses(), results[k].closed)
	}
	fmt.Println()
	fmt.Printf("service resident set: peak %s (VmHWM), highest sample %s\n", procmem.MiB(peak), procmem.MiB(rssPeak.Load()))
	if v := killedRSS.Load(); v > 0 {
		fmt.Printf("STOPPED: the resident set passed -rss-limit (%s)\n", procmem.MiB(v))
	}
	fmt.Printf("service CPU: %.1f s in %s (%.2f cores)\n", cpu.Seconds(), o.duration, cpu.Seconds()/o.duration.Seconds())
	for _, h := range []struct {
		what string
		ds   []time.Duration
	}{
		{"service, 10 s before the attack", baseline}, {"control, 10 s before the attack", baselineControl},
		{"service, during the attack", health}, {"control, during the attack", control},
	} {
		if len(h.ds) == 0 {
			continue
		}
		over := 0
		for _, d := range h.ds {
			if d > 100*time.Millisecond {
				over++
			}
		}
		fmt.Printf("/healthz every 50 ms, %-32s %4d answers, median %5.1f ms, p99 %6.1f ms, max %6.1f ms, %3d over 100 ms\n",
			h.what+":", len(h.ds), stats.Ms(stats.Median(h.ds)), stats.Ms(stats.Percentile(h.ds, 99)),
			stats.Ms(stats.Percentile(h.ds, 100)), over)
	}
	fmt.Printf("/metrics: %d bytes before, %d after\n", metricsBefore, metricsAfter)
	if files, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(files) > 0 {
		fmt.Printf("the service left %d files in its temporary folder\n", len(files))
	}
	select {
	case err := <-t.done:
		return fmt.Errorf("load: the service ended during the attack: %v", err)
	default:
	}
	return nil
}

// startTarget builds (unless given) and starts the service.
func startTarget(o attackOptions, dir string) (*victim, error) {
	bin := o.binary
	if bin == "" {
		bin = filepath.Join(dir, "utdrag")
		build := exec.Command("go", "build", "-o", bin, "./cmd/utdrag")
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("load: building the service: %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, err
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + tmp,
		"UTDRAG_ADDR=" + addr, "UTDRAG_PUBLIC_URL=http://" + addr,
		"UTDRAG_INDEX=sqlite:" + filepath.Join(dir, "index.db"),
		"UTDRAG_OUTBOX=" + filepath.Join(dir, "outbox"),
	}
	if o.gomemlimit != "" {
		env = append(env, "GOMEMLIMIT="+o.gomemlimit)
	}
	// Limits given to this program (UTDRAG_MAX_VERIFIES=1 …) tune the service.
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GODEBUG=") || strings.HasPrefix(kv, "GOGC=") || strings.HasPrefix(kv, "UTDRAG_MAX_") || strings.HasPrefix(kv, "UTDRAG_VERIFY_") || strings.HasPrefix(kv, "UTDRAG_RENDER_") {
			env = append(env, kv)
		}
	}
	if e, err := fromEnv(); err == nil {
		env = append(env, "UTDRAG_STORAGE=s3://utdrag-attack-"+strconv.FormatInt(time.Now().Unix(), 10),
			"UTDRAG_S3_ENDPOINT="+e.endpoint, "UTDRAG_S3_ACCESS_KEY="+e.access, "UTDRAG_S3_SECRET_KEY="+e.secret)
	} else {
		env = append(env, "UTDRAG_STORAGE=fs:"+filepath.Join(dir, "data"))
	}
	t := &victim{url: "http://" + addr, dir: dir, done: make(chan error, 1)}
	if !o.open {
		keys := filepath.Join(dir, "keys.yaml")
		file := "organisations:\n  region-jh: Region Jämtland Härjedalen\nkeys:\n" +
			"  - {name: drift, sha256: " + auth.Hash(attackKey) + ", roles: [admin], organisation: \"*\"}\n"
		if err := os.WriteFile(keys, []byte(file), 0o600); err != nil {
			return nil, err
		}
		env = append(env, "UTDRAG_AUTH_FILE="+keys)
		t.key = attackKey
	}
	t.cmd = exec.Command(bin, "serve")
	t.cmd.Env = env
	if path := os.Getenv("UTDRAG_ATTACK_SERVICE_LOG"); path != "" {
		if f, err := os.Create(path); err == nil {
			t.cmd.Stderr = f
		}
	}
	if err := t.cmd.Start(); err != nil {
		return nil, err
	}
	t.pid = t.cmd.Process.Pid
	go func() { t.done <- t.cmd.Wait() }()
	for range 300 {
		resp, err := http.Get(t.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			return t, nil
		}
		select {
		case err := <-t.done:
			return nil, fmt.Errorf("load: the service did not start: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.stop()
	return nil, errors.New("load: the service did not answer /healthz within 30 s")
}

func (t *victim) stop() {
	if t.cmd.ProcessState != nil {
		return
	}
	t.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-t.done:
	case <-time.After(40 * time.Second):
		t.cmd.Process.Kill()
	}
}

// api sends one request with the key (when there is one) and JSON.
func (t *victim) api(method, path string, body []byte) (int, []byte, error) {
	req, err := http.NewRequest(method, t.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if t.key != "" {
		req.Header.Set("Authorization", "Bearer "+t.key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// seed creates and certifies one extract and returns its certified PDF.
func (t *victim) seed(examples string) ([]byte, error) {
	in, err := os.ReadFile(filepath.Join(examples, "rs-157-2023.json"))
	if err != nil {
		return nil, err
	}
	code, body, err := t.api("POST", "/v1/extracts", in)
	if err != nil || code != http.StatusCreated {
		return nil, fmt.Errorf("load: seeding: create %d %v %.200s", code, err, body)
	}
	var v struct{ ID string }
	_ = json.Unmarshal(body, &v)
	code, body, err = t.api("POST", "/v1/extracts/"+v.ID+"/certification", []byte(`{"name":"Lena Nordin","title":"Nämndsekreterare"}`))
	if err != nil || code != http.StatusCreated {
		return nil, fmt.Errorf("load: seeding: certify %d %v %.200s", code, err, body)
	}
	code, pdf, err := t.api("GET", "/v1/extracts/"+v.ID+"/certified", nil)
	if err != nil || code != http.StatusOK {
		return nil, fmt.Errorf("load: seeding: certified PDF %d %v", code, err)
	}
	return pdf, nil
}

func (t *victim) metricsSize() int {
	resp, err := http.Get(t.url + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return int(n)
}

// probeProcess is this program run as the /healthz probe.
type probeProcess struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

func startProbe(url string, d time.Duration) (*probeProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p := &probeProcess{cmd: exec.Command(self, "-probe", url, "-attack-duration", d.String())}
	p.cmd.Stdout, p.cmd.Stderr = &p.out, os.Stderr
	return p, p.cmd.Start()
}

// wait returns the probe's answer times: the service's and the control's.
func (p *probeProcess) wait() (svc, control []time.Duration) {
	p.cmd.Wait()
	for _, line := range strings.Split(p.out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		a, err1 := strconv.ParseInt(f[0], 10, 64)
		b, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 == nil && err2 == nil {
			svc = append(svc, time.Duration(a)*time.Microsecond)
			control = append(control, time.Duration(b)*time.Microsecond)
		}
	}
	return svc, control
}

// probe asks url/healthz every 50 ms for d, on one connection, and right
// after it a control: a minimal HTTP server in a process of its own
// (this program with -control), under no attack, so that what the shared
// machine adds shows apart from what the service adds. It prints both
// answer times in microseconds, one pair a line; a failed request counts
// as the time it took.
func probe(url string, d time.Duration) {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	ctl := exec.Command(self, "-control")
	out, err := ctl.StdoutPipe()
	if err != nil || ctl.Start() != nil {
		fmt.Fprintln(os.Stderr, "load: starting the control server:", err)
		return
	}
	defer ctl.Process.Kill()
	line := make([]byte, 64)
	n, _ := out.Read(line)
	control := "http://" + strings.TrimSpace(string(line[:n]))
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	get := func(u string) time.Duration {
		t0 := time.Now()
		resp, err := client.Get(u + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return time.Since(t0)
	}
	end := time.Now().Add(d)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		if time.Now().After(end) {
			return
		}
		a := get(url)
		b := get(control)
		fmt.Println(a.Microseconds(), b.Microseconds())
	}
}

// controlServer answers /healthz as the service does and prints its
// address; it is the probe's control.
func controlServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`)
	}))
}

// scenario is one kind of attacking request.
type scenario struct {
	name string
	send func(ctx context.Context, c *http.Client, rng *rand.Rand) (int, error)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (t *victim) scenarios(genuine []byte, renders bool) []scenario {
	methods := func(long bool) func(context.Context, *http.Client, *rand.Rand) (int, error) {
		return func(ctx context.Context, c *http.Client, rng *rand.Rand) (int, error) {
			m := "X" + strconv.FormatUint(rng.Uint64(), 36)
			if long {
				m = strings.Repeat("M", 60<<10) + m
			}
			req, _ := http.NewRequestWithContext(ctx, m, t.url+"/x/"+strconv.Itoa(rng.IntN(1000)), nil)
			return do(c, req)
		}
	}
	page := func(good bool) func(context.Context, *http.Client, *rand.Rand) (int, error) {
		return func(ctx context.Context, c *http.Client, _ *rand.Rand) (int, error) {
			token := "not-the-token"
			if good {
				req, _ := http.NewRequestWithContext(ctx, "GET", t.url+"/verify", nil)
				resp, err := c.Do(req)
				if err != nil {
					return 0, err
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if m := csrfField.FindSubmatch(b); m != nil {
					token = string(m[1])
				}
			}
			body, ctype := pageUpload(token, 50<<20-4<<10) // the largest the page takes
			req, _ := http.NewRequestWithContext(ctx, "POST", t.url+"/verify", body)
			req.Header.Set("Content-Type", ctype)
			return do(c, req)
		}
	}
	api := func(body func() io.Reader) func(context.Context, *http.Client, *rand.Rand) (int, error) {
		return func(ctx context.Context, c *http.Client, _ *rand.Rand) (int, error) {
			req, _ := http.NewRequestWithContext(ctx, "POST", t.url+"/v1/verify", body())
			req.Header.Set("Content-Type", "application/pdf")
			return do(c, req)
		}
	}
	fields, brackets := fieldsBomb(), bytes.Repeat([]byte("["), 5<<20)
	large := t.largest()
	preview := func(ctx context.Context, c *http.Client, _ *rand.Rand) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, "POST", t.url+"/v1/extracts/preview", bytes.NewReader(large))
		req.Header.Set("Content-Type", "application/json")
		if t.key != "" {
			req.Header.Set("Authorization", "Bearer "+t.key)
		}
		return do(c, req)
	}
	out := []scenario{
		{"methods (invented)", methods(false)},
		{"methods (60 KB)", methods(true)},
		{"page-bad: verify page, wrong token, 50 MiB", page(false)},
		{"page-good: verify page, right token, 50 MiB", page(true)},
		{"api-50m: POST /v1/verify, 50 MiB", api(func() io.Reader { return filler(50 << 20) })},
		{"api-fields: POST /v1/verify, 20 000 /Fields references", api(func() io.Reader { return bytes.NewReader(fields) })},
		{"api-brackets: POST /v1/verify, 5 MB of [", api(func() io.Reader { return bytes.NewReader(brackets) })},
		{"api-genuine: POST /v1/verify, a certified PDF", api(func() io.Reader { return bytes.NewReader(genuine) })},
	}
	if renders {
		out = append([]scenario{{"preview: the largest extract the body limit lets through, rendered", preview}}, out...)
	}
	return out
}

// largest is an extract just under the default body limit (1 MiB): the
// example's paragraphs repeated, numbered apart.
func (t *victim) largest() []byte {
	in, err := os.ReadFile(filepath.Join(t.examples, "run-59-2022.json"))
	if err != nil {
		return nil
	}
	var doc map[string]any
	if json.Unmarshal(in, &doc) != nil {
		return nil
	}
	first := doc["paragraphs"].([]any)[0].(map[string]any)
	var paragraphs []any
	for i := 0; ; i++ {
		p := map[string]any{}
		for k, v := range first {
			p[k] = v
		}
		p["number"] = i + 1
		p["caseNumber"] = fmt.Sprintf("RUN/%d/2022", i+1)
		doc["paragraphs"] = append(paragraphs, p)
		b, _ := json.Marshal(doc)
		if len(b) > 1<<20-8<<10 || i+1 >= 100 { // the default UTDRAG_MAX_PARAGRAPHS
			doc["paragraphs"] = paragraphs
			b, _ = json.Marshal(doc)
			return b
		}
		paragraphs = append(paragraphs, p)
	}
}

// do sends req and reads the answer; a connection the server closed while
// the body was still being sent counts as status 0.
func do(c *http.Client, req *http.Request) (int, error) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// filler is a PDF-looking body of n bytes, made as it is read.
func filler(n int64) io.Reader {
	return io.MultiReader(strings.NewReader("%PDF-1.7\n"), io.LimitReader(zeros{}, n-9))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// pageUpload is the verify page's form with token and a file of n bytes.
func pageUpload(token string, n int64) (io.Reader, string) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	fw, _ := w.CreateFormField("csrf")
	io.WriteString(fw, token)
	w.CreateFormFile("file", "utdrag.pdf")
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	return io.MultiReader(bytes.NewReader(head.Bytes()), filler(n), strings.NewReader(tail)), w.FormDataContentType()
}

// fieldsBomb is a PDF of about 160 KB whose form lists one large object
// 20 000 times.
func fieldsBomb() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /AcroForm << /Fields [")
	for range 20000 {
		b.WriteString("3 0 R ")
	}
	b.WriteString("] >> >>\nendobj\n3 0 obj\n<< /FT /Sig /V << /Contents <")
	b.Write(bytes.Repeat([]byte("00"), 20000))
	b.WriteString("> /ByteRange [0 1 2 3] >> >>\nendobj\ntrailer\n<< /Root 1 0 R /Size 4 >>\n%%EOF\n")
	return b.Bytes()
}

// tally counts the answers of one scenario.
type tally struct {
	mu     sync.Mutex
	codes  map[int]int
	closed int // the server closed the connection before the whole body was sent
	errs   int
}

func (t *tally) add(status int, err error, ending bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.codes == nil {
		t.codes = map[int]int{}
	}
	switch {
	case err == nil:
		t.codes[status]++
	case ending:
		// cut off by the end of the attack
	case isClosed(err):
		t.closed++
	default:
		t.errs++
	}
}

func isClosed(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe")
}

func (t *tally) total() int {
	n := t.closed + t.errs
	for _, c := range t.codes {
		n += c
	}
	return n
}

func (t *tally) statuses() string {
	var codes []int
	for c := range t.codes {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", t.codes[c], c))
	}
	if t.errs > 0 {
		parts = append(parts, fmt.Sprintf("%d other errors", t.errs))
	}
	return strings.Join(parts, ", ")
}
