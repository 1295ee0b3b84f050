// Command load measures POST /v1/extracts of a running Utdrag with MinIO
// behind it, at 1, 4, 16 and 64 concurrent clients, and beside it the
// floor: bare minio-go PUTs of the same objects a create writes (listed
// from a real create: the PDF, the HTML rendition, the sha256 index entry,
// the meta.json record, each create-once), at the same concurrency. Each request is a new extract (its § number
// varies). Every phase is bounded by a count and a time.
//
// Run it with a throwaway MinIO:
//
//	scripts/with-minio.sh go run ./bench/load
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
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"utdrag/bench/internal/procmem"
	"utdrag/bench/internal/sample"
	"utdrag/bench/internal/stats"
	"utdrag/render"
	"utdrag/service"
)

type options struct {
	levels     []int
	n          int
	duration   time.Duration
	examples   string
	maxRenders int
	cpuprofile string
	profileAt  int
}

func main() {
	var o options
	levels := flag.String("clients", "1,4,16,64", "concurrent clients of each phase")
	flag.IntVar(&o.n, "n", 300, "requests (or floor operations) per phase at most")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "time per phase at most")
	flag.StringVar(&o.examples, "examples", "examples", "folder of example extracts")
	flag.IntVar(&o.maxRenders, "max-renders", service.Defaults().MaxRenders, "UTDRAG_MAX_RENDERS of the service")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the service phase at -profile-clients")
	flag.IntVar(&o.profileAt, "profile-clients", 16, "the phase -cpuprofile covers")
	flag.Parse()
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
type s3env struct{ endpoint, access, secret string }

func fromEnv() (s3env, error) {
	e := s3env{os.Getenv("UTDRAG_TEST_S3_ENDPOINT"), os.Getenv("UTDRAG_TEST_S3_ACCESS_KEY"), os.Getenv("UTDRAG_TEST_S3_SECRET_KEY")}
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
	firstErr string
}

func (p phase) throughput() float64 { return float64(p.done) / p.elapsed.Seconds() }

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
	store, err := service.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	srv, err := service.New(cfg, service.Deps{Store: store, Render: eng,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String() + "/v1/extracts"

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
	fmt.Printf("a create writes %s; the floor PUTs the same, create-once\n", objs)
	fmt.Printf("service: MaxRenders %d; a 503 (all render slots busy) is retried after 10–30 ms and counted\n\n", cfg.MaxRenders)

	var seq atomic.Int64
	seq.Store(1000)
	var svc, floor []phase
	for _, c := range o.levels {
		stop := func() {}
		if o.cpuprofile != "" && c == o.profileAt {
			stop, err = profile(o.cpuprofile)
			if err != nil {
				return err
			}
		}
		p := drive(c, o.n, o.duration, func(client *http.Client) (bool, error) {
			return create(client, url, exs, seq.Add(1))
		})
		stop()
		svc = append(svc, p)
		f := drive(c, o.n, o.duration, func(*http.Client) (bool, error) {
			return false, objs.put(ctx, mc, floorBucket, seq.Add(1))
		})
		floor = append(floor, f)
	}
	report(svc, floor)
	return nil
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

// create posts a new extract: example seq%len, with § seq.
func create(client *http.Client, url string, exs []sample.Example, seq int64) (busy bool, err error) {
	ex := exs[int(seq)%len(exs)]
	// Only the first "number" is the §'s: the rest keep their values.
	i := numberField.FindIndex(ex.JSON)
	if i == nil {
		return false, fmt.Errorf("no § number in %s", ex.Name)
	}
	body := append(append(append([]byte{}, ex.JSON[:i[0]]...), `"number": `+strconv.FormatInt(seq, 10)...), ex.JSON[i[1]:]...)
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
		return false, fmt.Errorf("status %d: %.200s", resp.StatusCode, msg)
	}
}

// drive runs op from c clients until n operations are done or d has
// passed. An op that reports busy is retried after a short pause; its
// latency covers the retries.
func drive(c, n int, d time.Duration, op func(*http.Client) (bool, error)) phase {
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
	p.rss = procmem.SelfPeak()
	return p
}

// objects are what one create writes, read back from a real create: the
// PDF itself, and the other objects by size.
type objects struct {
	pdfs   [][]byte
	others []object
}

type object struct {
	name string // base name under extracts/{id}/, or "sha256" for the index
	data []byte
	ct   string
}

func (o objects) String() string {
	parts := []string{fmt.Sprintf("extract.pdf (%d bytes)", len(o.pdfs[0]))}
	for _, ob := range o.others {
		parts = append(parts, fmt.Sprintf("%s (%d bytes)", ob.name, len(ob.data)))
	}
	return fmt.Sprintf("%d objects, each create-once: %s", 1+len(o.others), strings.Join(parts, ", "))
}

// createObjects renders the examples and makes one create through the
// service to list what it writes.
func createObjects(ctx context.Context, eng *render.Engine, exs []sample.Example, mc *minio.Client, bucket, url string) (objects, error) {
	var o objects
	for _, ex := range exs {
		r, err := eng.Render(ex.Extract, nil)
		if err != nil {
			return o, err
		}
		o.pdfs = append(o.pdfs, r.PDF)
	}
	if _, err := create(http.DefaultClient, url, exs[:1], 1); err != nil {
		return o, fmt.Errorf("load: first create: %w", err)
	}
	found := false
	for info := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if info.Err != nil {
			return o, info.Err
		}
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
		o.others = append(o.others, object{name: name, data: bytes.Repeat([]byte("x"), int(info.Size)), ct: ct})
	}
	if !found || len(o.others) == 0 {
		return o, errors.New("load: the first create wrote no PDF or nothing beside it")
	}
	// The record is written last, as the archive does.
	sort.SliceStable(o.others, func(i, j int) bool {
		return o.others[i].name != "meta.json" && o.others[j].name == "meta.json"
	})
	return o, nil
}

// put writes what a create writes, under keys of its own, create-once.
func (o objects) put(ctx context.Context, mc *minio.Client, bucket string, seq int64) error {
	id := strconv.FormatInt(seq, 10)
	write := func(key string, data []byte, ct string) error {
		po := minio.PutObjectOptions{ContentType: ct, DisableMultipart: true}
		po.SetMatchETagExcept("*")
		if _, err := mc.PutObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)), po); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
		return nil
	}
	if err := write("extracts/"+id+"/extract.pdf", o.pdfs[int(seq)%len(o.pdfs)], "application/pdf"); err != nil {
		return err
	}
	for _, ob := range o.others {
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
	fmt.Println("| clients | what | done | errors | 503 retried | throughput /s | p50 ms | p99 ms | peak RSS |")
	fmt.Println("|---:|---|---:|---:|---:|---:|---:|---:|---|")
	for i := range svc {
		for _, p := range []struct {
			what string
			ph   phase
		}{{"Utdrag POST /v1/extracts", svc[i]}, {"floor: bare PutObjects", floor[i]}} {
			fmt.Printf("| %d | %s | %d | %d | %d | %.1f | %.1f | %.1f | %s |\n", p.ph.clients, p.what, p.ph.done,
				p.ph.errors, p.ph.busy, p.ph.throughput(), stats.Ms(stats.Median(p.ph.lat)),
				stats.Ms(stats.Percentile(p.ph.lat, 99)), procmem.MiB(p.ph.rss))
		}
	}
	fmt.Println()
	fmt.Println("| clients | throughput ÷ floor's | p99 ÷ floor's | target |")
	fmt.Println("|---:|---:|---:|---|")
	for i := range svc {
		s, f := svc[i], floor[i]
		fmt.Printf("| %d | %.0f %% | %.1f× | %s |\n", s.clients, 100*s.throughput()/f.throughput(),
			stats.Ratio(stats.Percentile(s.lat, 99), stats.Percentile(f.lat, 99)), target(s, f))
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
