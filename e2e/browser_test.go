// Package e2e drives the clerk interface in a real browser: Debian's
// Chromium, headless, through the DevTools protocol (chromedp), against
// the service on a loopback port with MinIO storage and a real SMTP server.
//
// Run with scripts/with-minio.sh go test ./e2e/. With CI set, a missing
// Chromium, MinIO or axe-core fails the tests instead of skipping them.
package e2e

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	chromium "utdrag/internal/browser"
)

// unavailable fails the test in CI, where nothing may be skipped, and
// skips it elsewhere.
func unavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := chromium.Path()
	if err != nil {
		unavailable(t, "e2e: %v (scripts/deps.sh chromium)", err)
	}
	return p
}

// browser is one headless Chromium with a fresh profile and one tab.
type browser struct {
	t   *testing.T
	ctx context.Context
	// layoutShots: checkLayout keeps a screenshot at 1366 and 390 px.
	layoutShots bool
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromium.Options(path, t.TempDir()),
		chromedp.Flag("lang", "sv-SE"),
		chromedp.WindowSize(1280, 900),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); acancel() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("e2e: starting %s: %v", path, err)
	}
	return &browser{t: t, ctx: ctx}
}

// do runs steps with a time limit, failing the test on error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("e2e: %s: %v", what, err)
	}
}

func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("e2e: %s: %v", what, err)
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return run(b, "reading "+sel, chromedp.Text(chromedp.CSS(sel)))
}

func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	return run(b, "reading "+sel+"@"+name, chromedp.AttributeValue(chromedp.CSS(sel), name)).Value
}

// screenshot keeps the whole page in $UTDRAG_SCREENSHOTS (default
// /tmp/utdrag-e2e) to look at.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("UTDRAG_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "utdrag-e2e")
	}
	png := run(b, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fetch downloads url in the page, with the page's cookies, and returns
// the bytes.
func (b *browser) fetch(url string) []byte {
	b.t.Helper()
	js := fmt.Sprintf(`fetch(%q, {credentials: "same-origin"}).then(r => {
		if (!r.ok) throw new Error("HTTP " + r.status);
		return r.arrayBuffer();
	}).then(buf => {
		let s = "", a = new Uint8Array(buf);
		for (let i = 0; i < a.length; i += 0x8000) s += String.fromCharCode.apply(null, a.subarray(i, i + 0x8000));
		return btoa(s);
	})`, url)
	enc := run(b, "fetching "+url, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		b.t.Fatalf("e2e: decoding %s: %v", url, err)
	}
	return raw
}

// axePath finds axe.min.js from the npm package axe-core: $UTDRAG_AXE, or
// the package under /tmp, installed there with npm when it is missing.
func axePath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("UTDRAG_AXE"); p != "" {
		return p
	}
	dir := filepath.Join(os.TempDir(), "utdrag-a11y")
	p := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		unavailable(t, "e2e: axe-core missing at %s and no npm to install it", p)
	}
	cmd := exec.Command(npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", dir, "axe-core@4.14.1")
	if out, err := cmd.CombinedOutput(); err != nil {
		unavailable(t, "e2e: npm install axe-core: %v\n%s", err, out)
	}
	return p
}

type axeResult struct {
	Passes     int `json:"passes"`
	Violations []struct {
		ID     string   `json:"id"`
		Impact string   `json:"impact"`
		Help   string   `json:"help"`
		Nodes  []string `json:"nodes"`
	} `json:"violations"`
}

const axeScript = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => ({
  passes: r.passes.length,
  violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || ""))}))
}))`

// checkAccessibility checks the page as it stands at 1366, 390 and 320
// px (checkLayout): axe-core, the page's width, its dates and words.
func (b *browser) checkAccessibility(page string, axe []byte) {
	b.t.Helper()
	b.checkLayout(page, axe)
}

// runAxe runs axe-core on the page at the window's width (WCAG 2.1 A and
// AA, and best practice) and fails the test on any violation.
func (b *browser) runAxe(page string, axe []byte) {
	b.t.Helper()
	run(b, "loading axe-core", chromedp.Evaluate[bool](string(axe)+"\n;true"))
	res := run(b, "running axe on "+page, chromedp.Evaluate[axeResult](axeScript, chromedp.EvalAwaitPromise))
	if res.Passes == 0 {
		b.t.Errorf("axe on %s: no rule passed; did it run?", page)
	}
	for _, v := range res.Violations {
		b.t.Errorf("axe on %s: %s (%s): %s\n  %s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n  "))
	}
}
