// Command peers renders the example extracts with Utdrag and with the
// alternatives, side by side on this machine, and prints per document the
// median and p90 time, the PDF's size, peak memory, and each contender's
// median against Utdrag's:
//
//	utdrag      render.Engine in process (built once): compose, layout, PDF
//	chromium    headless Debian Chromium kept warm, driven over the DevTools
//	            protocol: open the HTML rendition, Page.printToPDF
//	weasyprint  Debian's weasyprint command on the same HTML, one process
//	            per document
//	fpdf        plain fpdf in process: the same text as MultiCells, the same
//	            TrueType faces added per document
//
//	go run ./bench/peers -n 50
//
// Memory: the Go heap's peak (sampled) and the bytes allocated per document
// for the in-process contenders; the peak resident set of the browser's
// process tree (sampled) or of the weasyprint process.
//
// CPU time per document, and its ratio to Utdrag's: this process's (all
// threads, the garbage collector included) for the in-process contenders,
// the browser's process tree for Chromium, the child process for
// WeasyPrint. On a shared machine it holds up better than wall time.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"syscall"
	"time"

	"github.com/chromedp/chromedp"

	"utdrag/bench/internal/procmem"
	"utdrag/bench/internal/sample"
	"utdrag/bench/internal/stats"
	"utdrag/fonts"
	"utdrag/internal/browser"
	"utdrag/render"
)

// row is one contender's figures for one document.
type row struct {
	who, doc string
	times    []time.Duration
	bytes    int
	memory   string
	cpu      time.Duration // CPU time per document (this process, or the contender's processes)
	note     string
}

func main() {
	n := flag.Int("n", 50, "renderings of each document by the in-process contenders")
	nChromium := flag.Int("n-chromium", 20, "renderings of each document by Chromium")
	nWeasy := flag.Int("n-weasyprint", 5, "renderings of each document by WeasyPrint")
	examples := flag.String("examples", "examples", "folder of example extracts")
	skip := flag.String("skip", "", "comma-separated contenders to leave out (chromium, weasyprint, fpdf)")
	flag.Parse()
	if err := run(*examples, *n, *nChromium, *nWeasy, *skip); err != nil {
		log.Fatal(err)
	}
}

func run(dir string, n, nChromium, nWeasy int, skip string) error {
	exs, err := sample.Load(dir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "utdrag-peers-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, ex := range exs {
		if err := os.WriteFile(filepath.Join(tmp, ex.Name+".html"), ex.HTML, 0o644); err != nil {
			return err
		}
	}
	skipped := func(who string) bool { return strings.Contains(","+skip+",", ","+who+",") }

	fmt.Printf("machine: %d CPUs (GOMAXPROCS %d), %s %s/%s\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0),
		runtime.Version(), runtime.GOOS, runtime.GOARCH)
	var rows []row
	eng, err := render.New()
	if err != nil {
		return err
	}
	for _, ex := range exs {
		r, err := inProcess("utdrag", ex.Name, n, func() ([]byte, error) {
			res, err := eng.Render(ex.Extract, nil)
			if err != nil {
				return nil, err
			}
			return res.PDF, nil
		})
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	if !skipped("fpdf") {
		fs, err := fonts.Load()
		if err != nil {
			return err
		}
		p, err := newPlain(fs)
		if err != nil {
			return err
		}
		for _, ex := range exs {
			r, err := inProcess("fpdf", ex.Name, n, func() ([]byte, error) { return p.render(ex.Doc) })
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	if !skipped("chromium") {
		rs, err := chromium(exs, tmp, nChromium)
		if err != nil {
			return err
		}
		rows = append(rows, rs...)
	}
	if !skipped("weasyprint") {
		for _, ex := range exs {
			r, err := weasyprint(ex.Name, filepath.Join(tmp, ex.Name+".html"), tmp, nWeasy)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	report(rows)
	return nil
}

// inProcess times f n times after two unmeasured runs, sampling the heap.
func inProcess(who, doc string, n int, f func() ([]byte, error)) (row, error) {
	for range 2 {
		if _, err := f(); err != nil {
			return row{}, fmt.Errorf("%s %s: %w", who, doc, err)
		}
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	heap := procmem.Sample(2*time.Millisecond, heapBytes)
	cpu0 := cpuTime()
	r := row{who: who, doc: doc}
	for range n {
		start := time.Now()
		b, err := f()
		r.times = append(r.times, time.Since(start))
		if err != nil {
			heap.Stop()
			return row{}, fmt.Errorf("%s %s: %w", who, doc, err)
		}
		r.bytes = len(b)
	}
	cpu := (cpuTime() - cpu0) / time.Duration(n)
	r.cpu = cpu
	peak := heap.Stop()
	runtime.ReadMemStats(&after)
	r.memory = fmt.Sprintf("heap peak %s, %s allocated/doc", procmem.MiB(peak),
		procmem.MiB(int64(after.TotalAlloc-before.TotalAlloc)/int64(n)))
	r.note = "in process"
	return r, nil
}

// cpuTime is the CPU time this process has used, all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func heapBytes() int64 {
	metrics.Read(heapSample)
	return int64(heapSample[0].Value.Uint64())
}

// chromium prints each document's HTML rendition with a warm browser: one
// tab, navigate, print to PDF on A4 as the page's CSS asks.
func chromium(exs []sample.Example, dir string, n int) ([]row, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	b, err := browser.Start(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	print := func(page string) ([]byte, error) {
		if err := chromedp.Do(b.Ctx, chromedp.Navigate("file://"+page)); err != nil {
			return nil, err
		}
		return chromedp.Run(b.Ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	}
	var rows []row
	for _, ex := range exs {
		page := filepath.Join(dir, ex.Name+".html")
		for range 3 { // warm: the first prints load fonts and code
			if _, err := print(page); err != nil {
				return nil, fmt.Errorf("chromium %s: %w", ex.Name, err)
			}
		}
		pid := b.PID()
		rss := procmem.Sample(50*time.Millisecond, func() int64 { return procmem.TreeRSS(pid) })
		r := row{who: "chromium", doc: ex.Name}
		cpu0 := procmem.TreeCPU(pid)
		for range n {
			start := time.Now()
			pdf, err := print(page)
			r.times = append(r.times, time.Since(start))
			if err != nil {
				rss.Stop()
				return nil, fmt.Errorf("chromium %s: %w", ex.Name, err)
			}
			r.bytes = len(pdf)
		}
		r.memory = "RSS peak " + procmem.MiB(rss.Stop()) + " (process tree)"
		r.cpu = (procmem.TreeCPU(pid) - cpu0) / time.Duration(n)
		r.note = "warm browser, DevTools Page.printToPDF; CPU of the browser's process tree"
		rows = append(rows, r)
	}
	return rows, nil
}

// weasyprint runs the weasyprint command once per rendering.
func weasyprint(doc, page, dir string, n int) (row, error) {
	bin, err := exec.LookPath("weasyprint")
	if err != nil {
		return row{}, fmt.Errorf("weasyprint not found (apt-get install -y weasyprint): %w", err)
	}
	out := filepath.Join(dir, doc+".weasyprint.pdf")
	r := row{who: "weasyprint", doc: doc, note: "a command per document"}
	var peak int64
	var cpu time.Duration
	for i := range n + 1 {
		cmd := exec.Command(bin, "--quiet", page, out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if err != nil {
			return row{}, fmt.Errorf("weasyprint %s: %w: %s", doc, err, stderr.String())
		}
		if i == 0 {
			continue // the first run fills the file cache
		}
		r.times = append(r.times, d)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			peak = max(peak, ru.Maxrss<<10)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	st, err := os.Stat(out)
	if err != nil {
		return row{}, err
	}
	r.bytes = int(st.Size())
	r.memory = "RSS peak " + procmem.MiB(peak)
	r.cpu = cpu / time.Duration(n)
	r.note = "a command per document"
	return r, nil
}

func report(rows []row) {
	base := map[string]time.Duration{}
	baseCPU := map[string]time.Duration{}
	for _, r := range rows {
		if r.who == "utdrag" {
			base[r.doc] = stats.Median(r.times)
			baseCPU[r.doc] = r.cpu
		}
	}
	fmt.Println("| contender | document | n | median ms | p90 ms | PDF bytes | memory | median ÷ Utdrag's | CPU ms/doc | CPU ÷ Utdrag's | how |")
	fmt.Println("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|")
	for _, r := range rows {
		med := stats.Median(r.times)
		fmt.Printf("| %s | %s | %d | %.3f | %.3f | %d | %s | %.1f× | %.2f | %.1f× | %s |\n", r.who, r.doc, len(r.times),
			stats.Ms(med), stats.Ms(stats.Percentile(r.times, 90)), r.bytes, r.memory,
			stats.Ratio(med, base[r.doc]), stats.Ms(r.cpu), stats.Ratio(r.cpu, baseCPU[r.doc]), r.note)
	}
}
