// Package browser starts headless Debian Chromium for the benchmark
// programs and the browser tests, driven over the DevTools protocol with
// chromedp, with a fresh profile and nothing that reaches the network by
// itself.
//
// It may import chromedp and the standard library.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// Path finds the Chromium binary: $CHROMIUM, then chromium on $PATH.
func Path() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("browser: chromium not found (apt-get install -y chromium)")
}

// Browser is a running Chromium with one tab.
type Browser struct {
	Ctx     context.Context // the tab: run chromedp actions on it
	cancel  []context.CancelFunc
	dataDir string
}

// Start launches Chromium and opens a blank tab.
func Start(ctx context.Context) (*Browser, error) {
	path, err := Path()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "utdrag-chromium-*")
	if err != nil {
		return nil, fmt.Errorf("browser: profile folder: %w", err)
	}
	opts := Options(path, dir)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	tctx, tcancel := chromedp.NewContext(actx)
	b := &Browser{Ctx: tctx, cancel: []context.CancelFunc{tcancel, acancel}, dataDir: dir}
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		b.Close()
		return nil, fmt.Errorf("browser: starting %s: %w", path, err)
	}
	return b, nil
}

// Options are the flags every headless Chromium here runs with: the
// binary at path, a profile in dataDir, no sandbox (root in CI), and
// nothing that reaches the network by itself (this machine's network is
// closed). Callers may append their own.
func Options(path, dataDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dataDir),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
	}
}

// PID is the browser process's id (its renderers are its descendants).
func (b *Browser) PID() int {
	c := chromedp.FromContext(b.Ctx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		return 0
	}
	return c.Browser.Process().Pid
}

// Close stops Chromium and removes its profile.
func (b *Browser) Close() {
	for _, c := range b.cancel {
		c()
	}
	os.RemoveAll(b.dataDir)
}
