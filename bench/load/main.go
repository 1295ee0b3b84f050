// Command load measures POST /v1/extracts of a running Utdrag with MinIO
// behind it, at 1, 4, 16 and 64 concurrent clients, and beside it the
// floor: the storage work of a create done with bare minio-go calls at the
// same concurrency, that is one GET of meta.json that misses, then PUTs of
// the objects a create writes (listed from one real create of each
// example: the PDF, the HTML rendition, the sha256 index entry, the
// meta.json record, each create-once). Each request is a new extract (its §
// number varies). Every phase is bounded by a count and a time.
//
// On a shared machine the neighbours move throughput by tens of percent
// from one phase to the next, so each level runs in rounds that alternate
// the service and the floor (service first in odd rounds, floor first in
// even ones); the tables pool the rounds, and give the range of the
// per-round throughput ratios. Beside wall time they give CPU time per
// operation: of this process (service, clients and the floor's minio
// client) and of the MinIO server (UTDRAG_TEST_MINIO_PID).
//
// The service waits up to its RenderWait for a render slot before it
// answers 503; the client then retries after a short pause (10–30 ms)
// rather than the Retry-After second, so that a phase measures the service
// at that concurrency, and counts the retries.
//
// Run it with a throwaway MinIO:
//
//	scripts/with-minio.sh go run ./bench/load
//
// With -compare-index the floor gives way to the same service without
// its index write (the archive tells a no-op in place of the index), in
// rounds that alternate the two, and the report gives the throughput with
// the index write as a share of the throughput without it:
//
//	scripts/with-minio.sh go run ./bench/load -compare-index -clients 16
//	scripts/with-minio.sh scripts/with-postgres.sh sh -c 'go run ./bench/load -compare-index -clients 16 -index "$UTDRAG_TEST_POSTGRES_URL"'
//
// With -attack it measures something else: the service's memory and the
// answer time of /healthz while 64 clients attack it (see attack.go).
//
// The service runs in this process on a loopback port; the peak resident
// set is this process's (service and clients), reset before each phase.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"regexp"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"utdrag/archive"
	"utdrag/bench/internal/procmem"
	"utdrag/bench/internal/sample"
	"utdrag/bench/internal/stats"
	"utdrag/clerk"
	"utdrag/index"
	"utdrag/render"
	"utdrag/service"
)

type options struct {
	levels     []int
	n          int
	duration   time.Duration
	examples   string
	maxRenders int
	renderWait time.Duration
	cpuprofile string
	profileAt  int
	rounds     int
	index      string
	// compareIndex: the service with its index write against the same
	// service without it, in place of the floor.
	compareIndex bool
}

func main() {
	var o options
	levels := flag.String("clients", "1,4,16,64", "concurrent clients of each phase")
	flag.IntVar(&o.n, "n", 300, "requests (or floor operations) per phase (of each round) at most")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "time per phase (of each round) at most")
	flag.StringVar(&o.examples, "examples", "examples", "folder of example extracts")
	flag.IntVar(&o.maxRenders, "max-renders", service.Defaults().MaxRenders, "UTDRAG_MAX_RENDERS of the service")
	flag.DurationVar(&o.renderWait, "render-wait", service.Defaults().RenderWait, "UTDRAG_RENDER_WAIT of the service")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds of each level, alternating the service and the floor; -n and -duration are per round")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write CPU profiles of the service phases at -profile-clients: this path for the first round, path.2, path.3 … for the next")
	flag.IntVar(&o.profileAt, "profile-clients", 16, "the phase -cpuprofile covers")
	flag.StringVar(&o.index, "index", "", "UTDRAG_INDEX of the service (default: SQLite in a temporary folder)")
	flag.BoolVar(&o.compareIndex, "compare-index", false, "compare the service's creates with and without the index write, in alternating rounds, instead of the floor")
	var a attackOptions
	flag.BoolVar(&a.on, "attack", false, "instead of the create benchmark, replay the attacks on memory (see attack.go) against the built service")
	flag.IntVar(&a.clients, "attack-clients", 64, "concurrent attacking clients")
	flag.DurationVar(&a.duration, "attack-duration", 60*time.Second, "how long the attack lasts")
	flag.StringVar(&a.binary, "binary", "", "the utdrag binary to attack (default: built from ./cmd/utdrag)")
	flag.BoolVar(&a.open, "open", false, "run the service without a key file (open mode)")
	flag.Int64Var(&a.rssLimit, "rss-limit", 4096, "MiB: stop the attack and the service when its resident set passes this")
	flag.StringVar(&a.gomemlimit, "gomemlimit", "", "GOMEMLIMIT of the service, as deployed (empty: none)")
	flag.BoolVar(&a.renders, "attack-renders", false, "add clients that preview the largest extract the default limits let through")
	flag.StringVar(&a.only, "attack-only", "", "only the attacks whose names start with this (methods, page-bad, api-50m, …)")
	probeURL := flag.String("probe", "", "(internal) run as the attack's /healthz probe of this URL")
	control := flag.Bool("control", false, "(internal) run as the probe's control server")
	flag.Parse()
	if *control {
		controlServer()
		return
	}
	if *probeURL != "" {
		probe(*probeURL, a.duration)
		return
	}
	if a.on {
		a.examples = o.examples
		if err := attack(a); err != nil {
			log.Fatal(err)
		}
		return
	}
	for _, s := range strings.Split(*levels, ",") {
		c, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || c < 1 {
			log.Fatalf("load: bad -clients %q", *levels)
		}
		o.levels = append(o.levels, c)
	}
	if err := run(o); err != nil {
		log.Fatal(err)
	}
}

// s3env is the test MinIO that scripts/with-minio.sh started.
type s3env struct {
	endpoint, access, secret string
	pid                      int // of the MinIO server, 0 when unknown
}

func fromEnv() (s3env, error) {
	e := s3env{endpoint: os.Getenv("UTDRAG_TEST_S3_ENDPOINT"), access: os.Getenv("UTDRAG_TEST_S3_ACCESS_KEY"),
		secret: os.Getenv("UTDRAG_TEST_S3_SECRET_KEY")}
	e.pid, _ = strconv.Atoi(os.Getenv("UTDRAG_TEST_MINIO_PID"))
	if e.endpoint == "" {
		return e, errors.New("load: UTDRAG_TEST_S3_ENDPOINT is not set: run under scripts/with-minio.sh")
	}
	host, _, err := net.SplitHostPort(e.endpoint)
	if err != nil {
		return e, fmt.Errorf("load: endpoint %q: %w", e.endpoint, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return e, fmt.Errorf("load: endpoint %q is not on the loopback: refusing to send load there", e.endpoint)
	}
	return e, nil
}

// phase is what one phase measured.
type phase struct {
	clients  int
	done     int
	errors   int
	busy     int // 503 answers, retried
	elapsed  time.Duration
	lat      []time.Duration
	rss      int64
	cpu      time.Duration // of this process
	minioCPU time.Duration // of the MinIO server
	firstErr string
	ratios   []float64 // per round: the service's throughput over the floor's
}

func (p phase) throughput() float64 { return float64(p.done) / p.elapsed.Seconds() }

// perOp is d per completed operation, in ms.
func (p phase) perOp(d time.Duration) float64 {
	if p.done == 0 {
		return 0
	}
	return stats.Ms(d / time.Duration(p.done))
}

// add pools another round of the same level into p.
func (p *phase) add(q phase) {
	p.clients = q.clients
	p.done += q.done
	p.errors += q.errors
	p.busy += q.busy
	p.elapsed += q.elapsed
	p.lat = append(p.lat, q.lat...)
	p.rss = max(p.rss, q.rss)
	p.cpu += q.cpu
	p.minioCPU += q.minioCPU
	if p.firstErr == "" {
		p.firstErr = q.firstErr
	}
}

func run(o options) error {
	env, err := fromEnv()
	if err != nil {
		return err
	}
	ctx := context.Background()
	exs, err := sample.Load(o.examples)
	if err != nil {
		return err
	}
	eng, err := render.New()
	if err != nil {
		return err
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	cfg := service.Defaults()
	cfg.Storage = "s3://utdrag-load-" + stamp
	cfg.S3 = service.S3Config{Endpoint: env.endpoint, AccessKey: env.access, SecretKey: env.secret}
	cfg.MaxRenders = o.maxRenders
	cfg.RenderWait = o.renderWait
	store, err := service.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	if o.index == "" {
		dir, err := os.MkdirTemp("", "utdrag-load-index")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.index = "sqlite:" + dir + "/index.db"
	}
	ix, err := index.Open(ctx, o.index, index.Options{})
	if err != nil {
		return err
	}
	defer ix.Close()
	fmt.Printf("index: %s\n", ix.Kind())
	srv, err := service.New(cfg, service.Deps{Store: store, Render: eng, Index: ix,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Pages: func(s *service.Server) (service.Pages, error) {
			return clerk.New(s, clerk.Config{SessionKey: cfg.SessionKey, AuthFile: cfg.AuthFile, PublicURL: cfg.PublicURL})
		}})
	if err != nil {
		return err
	}
	url, stopServer, err := serve(srv)
	if err != nil {
		return err
	}
	defer stopServer()

	mc, err := minio.New(env.endpoint, &minio.Options{Creds: credentials.NewStaticV4(env.access, env.secret, "")})
	if err != nil {
		return err
	}
	floorBucket := "utdrag-floor-" + stamp
	if err := mc.MakeBucket(ctx, floorBucket, minio.MakeBucketOptions{}); err != nil {
		return fmt.Errorf("load: floor bucket: %w", err)
	}
	objs, err := createObjects(ctx, eng, exs, mc, strings.TrimPrefix(cfg.Storage, "s3://"), url)
	if err != nil {
		return err
	}
	fmt.Printf("a create GETs meta.json (a miss) and writes %s; the floor does the same storage calls\n", objs)
	fmt.Printf("service: MaxRenders %d, RenderWait %s; a 503 (no render slot within RenderWait) is retried after 10–30 ms and counted\n\n",
		cfg.MaxRenders, cfg.RenderWait)

	var seq atomic.Int64
	seq.Store(1000)
	if o.compareIndex {
		// The same service on the same store and index, but the archive
		// tells a no-op of its writes: no mark before the record, no
		// index row after it.
		bare, err := service.New(cfg, service.Deps{Store: store, Render: eng, Index: ix, Indexer: noIndex{},
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			return err
		}
		bareURL, stopBare, err := serve(bare)
		if err != nil {
			return err
		}
		defer stopBare()
		return compareIndex(o, env, exs, &seq, url, bareURL)
	}
	var svc, floor []phase
	for _, c := range o.levels {
		var sp, fp phase
		for r := range max(o.rounds, 1) {
			creates := func() phase {
				stop := func() {}
				if o.cpuprofile != "" && c == o.profileAt {
					stop, err = profileRound(o.cpuprofile, r)
					if err != nil {
						log.Fatal(err)
					}
				}
				defer stop()
				return drive(c, o.n, o.duration, env.pid, func(client *http.Client) (bool, error) {
					return create(client, url, exs, seq.Add(1))
				})
			}
			bare := func() phase {
				return drive(c, o.n, o.duration, env.pid, func(*http.Client) (bool, error) {
					return false, objs.put(ctx, mc, floorBucket, seq.Add(1))
				})
			}
			var s, f phase
			if r%2 == 0 {
				s = creates()
				f = bare()
			} else {
				f = bare()
				s = creates()
			}
			sp.ratios = append(sp.ratios, s.throughput()/f.throughput())
			sp.add(s)
			fp.add(f)
		}
		svc = append(svc, sp)
		floor = append(floor, fp)
	}
	report(svc, floor)
	return nil
}

// serve runs a service on a loopback port and returns its create URL.
func serve(srv *service.Server) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String() + "/v1/extracts", func() { hs.Close() }, nil
}

// noIndex is an archive.Indexer that does nothing.
type noIndex struct{}

func (noIndex) Begin(context.Context, string) (string, error)         { return "", nil }
func (noIndex) Done(context.Context, string, string, *archive.Record) {}

// compareIndex runs creates at each level with the index write (url) and
// without it (bareURL), alternating which goes first, and reports the
// throughput of each and their ratio per round.
func compareIndex(o options, env s3env, exs []sample.Example, seq *atomic.Int64, url, bareURL string) error {
	fmt.Println("| clients | index write | done | errors | 503 retried | throughput /s | p50 ms | p99 ms | CPU ms/op (this process) | MinIO CPU ms/op |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	var summary []string
	for _, c := range o.levels {
		var with, without phase
		var ratios []string
		for r := range max(o.rounds, 1) {
			run := func(u string) phase {
				return drive(c, o.n, o.duration, env.pid, func(client *http.Client) (bool, error) {
					return create(client, u, exs, seq.Add(1))
				})
			}
			var w, b phase
			if r%2 == 0 {
				w, b = run(url), run(bareURL)
			} else {
				b, w = run(bareURL), run(url)
			}
			ratios = append(ratios, fmt.Sprintf("%.2f", w.throughput()/b.throughput()))
			with.add(w)
			without.add(b)
		}
		for _, p := range []struct {
			what string
			ph   phase
		}{{"with", with}, {"without", without}} {
			fmt.Printf("| %d | %s | %d | %d | %d | %.1f | %.1f | %.1f | %.2f | %.2f |\n", p.ph.clients, p.what, p.ph.done,
				p.ph.errors, p.ph.busy, p.ph.throughput(), stats.Ms(stats.Median(p.ph.lat)),
				stats.Ms(stats.Percentile(p.ph.lat, 99)), p.ph.perOp(p.ph.cpu), p.ph.perOp(p.ph.minioCPU))
		}
		summary = append(summary, fmt.Sprintf("%d clients: with the index write %.0f %% of the throughput without it (per round: %s)",
			c, 100*with.throughput()/without.throughput(), strings.Join(ratios, ", ")))
		for _, p := range []phase{with, without} {
			if p.firstErr != "" {
				summary = append(summary, fmt.Sprintf("first error at %d clients: %s", p.clients, p.firstErr))
			}
		}
	}
	fmt.Println()
	for _, s := range summary {
		fmt.Println(s)
	}
	return nil
}

// profileRound starts the CPU profile of one round: path for the first,
// path.2, path.3 … for the next.
func profileRound(path string, round int) (func(), error) {
	if round > 0 {
		path += "." + strconv.Itoa(round+1)
	}
	return profile(path)
}

func profile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

var numberField = regexp.MustCompile(`"number":\s*\d+`)

// create posts a new extract: example seq%len, its paragraphs numbered
// from 10·seq on in their order (an example may hold several).
func create(client *http.Client, url string, exs []sample.Example, seq int64) (busy bool, err error) {
	ex := exs[int(seq)%len(exs)]
	k := int64(0)
	body := numberField.ReplaceAllFunc(ex.JSON, func([]byte) []byte {
		k++
		return []byte(`"number": ` + strconv.FormatInt(10*seq+k, 10))
	})
	if k == 0 {
		return false, fmt.Errorf("no § number in %s", ex.Name)
	}
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case http.StatusCreated:
		return false, nil
	case http.StatusServiceUnavailable:
		return true, nil
	default:
		return false, fmt.Errorf("status %d: %.1000s", resp.StatusCode, msg)
	}
}

// drive runs op from c clients until n operations are done or d has
// passed. An op that reports busy is retried after a short pause; its
// latency covers the retries.
func drive(c, n int, d time.Duration, minioPID int, op func(*http.Client) (bool, error)) phase {
	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: c, MaxIdleConnsPerHost: c},
	}
	defer client.CloseIdleConnections()
	procmem.ResetPeak()
	p := phase{clients: c}
	var (
		mu     sync.Mutex
		issued atomic.Int64
		wg     sync.WaitGroup
	)
	cpu0, mcpu0 := cpuTime(), minioCPU(minioPID)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for issued.Add(1) <= int64(n) && time.Now().Before(deadline) {
				t0 := time.Now()
				busy, err := false, error(nil)
				for tries := 0; ; tries++ {
					busy, err = op(client)
					if !busy || err != nil || time.Now().After(deadline.Add(10*time.Second)) {
						break
					}
					mu.Lock()
					p.busy++
					mu.Unlock()
					time.Sleep(time.Duration(10+(w*7+tries*13)%21) * time.Millisecond)
				}
				lat := time.Since(t0)
				mu.Lock()
				switch {
				case err != nil:
					p.errors++
					if p.firstErr == "" {
						p.firstErr = err.Error()
					}
				case busy:
					p.errors++
				default:
					p.done++
					p.lat = append(p.lat, lat)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	p.elapsed = time.Since(start)
	p.cpu = cpuTime() - cpu0
	p.minioCPU = minioCPU(minioPID) - mcpu0
	p.rss = procmem.SelfPeak()
	return p
}

// cpuTime is the CPU time this process has used, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func minioCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	return procmem.TreeCPU(pid)
}

// objects are what one create of each example writes, read back from real
// creates: the PDF itself, and the other objects by size, in the order the
// archive writes them.
type objects []written

type written struct {
	pdf    []byte
	others []object
}

type object struct {
	name string // base name under extracts/{id}/, or "sha256" for the index
	data []byte
	ct   string
}

func (o objects) String() string {
	var ex []string
	for _, w := range o {
		parts := []string{fmt.Sprintf("extract.pdf %d", len(w.pdf))}
		for _, ob := range w.others {
			parts = append(parts, fmt.Sprintf("%s %d", ob.name, len(ob.data)))
		}
		ex = append(ex, strings.Join(parts, ", "))
	}
	return fmt.Sprintf("%d objects, each create-once (bytes, by example: %s)", 1+len(o[0].others), strings.Join(ex, "; "))
}

// createObjects makes one create of each example through the service and
// lists what each wrote.
func createObjects(ctx context.Context, eng *render.Engine, exs []sample.Example, mc *minio.Client, bucket, url string) (objects, error) {
	seen := map[string]bool{}
	var o objects
	for k, ex := range exs {
		r, err := eng.Render(ex.Extract, nil)
		if err != nil {
			return nil, err
		}
		w := written{pdf: r.PDF}
		if _, err := create(http.DefaultClient, url, exs[k:k+1], int64(k+1)); err != nil {
			return nil, fmt.Errorf("load: first create of %s: %w", ex.Name, err)
		}
		found := false
		for info := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			if info.Err != nil {
				return nil, info.Err
			}
			if seen[info.Key] {
				continue
			}
			seen[info.Key] = true
			name := path.Base(info.Key)
			switch {
			case name == "extract.pdf":
				found = true
				continue
			case strings.HasPrefix(info.Key, "sha256/"):
				name = "sha256"
			}
			ct := "application/json"
			if strings.HasSuffix(name, ".html") {
				ct = "text/html; charset=utf-8"
			}
			w.others = append(w.others, object{name: name, data: bytes.Repeat([]byte("x"), int(info.Size)), ct: ct})
		}
		if !found || len(w.others) == 0 {
			return nil, fmt.Errorf("load: the first create of %s wrote no PDF or nothing beside it", ex.Name)
		}
		// The record is written last, as the archive does.
		sort.SliceStable(w.others, func(i, j int) bool {
			return w.others[i].name != "meta.json" && w.others[j].name == "meta.json"
		})
		o = append(o, w)
	}
	return o, nil
}

// put does the storage work of a create, under keys of its own: one GET of
// meta.json that misses, as the service's existence check, then the
// create-once PUTs in the archive's order.
func (o objects) put(ctx context.Context, mc *minio.Client, bucket string, seq int64) error {
	id := strconv.FormatInt(seq, 10)
	w := o[int(seq)%len(o)]
	body, _, _, err := minio.Core{Client: mc}.GetObject(ctx, bucket, "extracts/"+id+"/meta.json", minio.GetObjectOptions{})
	if err == nil {
		body.Close()
		return fmt.Errorf("get extracts/%s/meta.json: found, want a miss", id)
	}
	if minio.ToErrorResponse(err).Code != "NoSuchKey" {
		return fmt.Errorf("get extracts/%s/meta.json: %w", id, err)
	}
	write := func(key string, data []byte, ct string) error {
		po := minio.PutObjectOptions{ContentType: ct, DisableMultipart: true}
		po.SetMatchETagExcept("*")
		if _, err := mc.PutObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)), po); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
		return nil
	}
	if err := write("extracts/"+id+"/extract.pdf", w.pdf, "application/pdf"); err != nil {
		return err
	}
	for _, ob := range w.others {
		key := "extracts/" + id + "/" + ob.name
		if ob.name == "sha256" {
			sum := sha256.Sum256([]byte(id))
			key = "sha256/" + hex.EncodeToString(sum[:])
		}
		if err := write(key, ob.data, ob.ct); err != nil {
			return err
		}
	}
	return nil
}

func report(svc, floor []phase) {
	fmt.Println("| clients | what | done | errors | 503 retried | throughput /s | p50 ms | p99 ms | CPU ms/op (this process) | MinIO CPU ms/op | peak RSS |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
	for i := range svc {
		for _, p := range []struct {
			what string
			ph   phase
		}{{"Utdrag POST /v1/extracts", svc[i]}, {"floor: GET miss + bare PutObjects", floor[i]}} {
			fmt.Printf("| %d | %s | %d | %d | %d | %.1f | %.1f | %.1f | %.2f | %.2f | %s |\n", p.ph.clients, p.what, p.ph.done,
				p.ph.errors, p.ph.busy, p.ph.throughput(), stats.Ms(stats.Median(p.ph.lat)),
				stats.Ms(stats.Percentile(p.ph.lat, 99)), p.ph.perOp(p.ph.cpu), p.ph.perOp(p.ph.minioCPU), procmem.MiB(p.ph.rss))
		}
	}
	fmt.Println()
	fmt.Println("| clients | throughput ÷ floor's | per round | p99 ÷ floor's | CPU/op ÷ floor's (process + MinIO) | target |")
	fmt.Println("|---:|---:|---|---:|---:|---|")
	for i := range svc {
		s, f := svc[i], floor[i]
		var rounds []string
		for _, r := range s.ratios {
			rounds = append(rounds, fmt.Sprintf("%.0f", 100*r))
		}
		fmt.Printf("| %d | %.0f %% | %s %% | %.1f× | %.1f× | %s |\n", s.clients, 100*s.throughput()/f.throughput(),
			strings.Join(rounds, ", "), stats.Ratio(stats.Percentile(s.lat, 99), stats.Percentile(f.lat, 99)),
			(s.perOp(s.cpu)+s.perOp(s.minioCPU))/(f.perOp(f.cpu)+f.perOp(f.minioCPU)), target(s, f))
	}
	for _, p := range append(svc, floor...) {
		if p.firstErr != "" {
			fmt.Printf("\nfirst error at %d clients: %s\n", p.clients, p.firstErr)
		}
	}
}

func target(s, f phase) string {
	if s.clients != 16 {
		return ""
	}
	ok := func(b bool) string {
		if b {
			return "met"
		}
		return "missed"
	}
	return fmt.Sprintf("throughput ≥60 %%: %s; p99 ≤2×: %s; RSS <100 MiB: %s",
		ok(s.throughput() >= 0.6*f.throughput()),
		ok(stats.Percentile(s.lat, 99) <= 2*stats.Percentile(f.lat, 99)),
		ok(s.rss < 100<<20))
}
