// Command a11y checks the HTML rendition of every example extract with
// axe-core (WCAG 2.1 A and AA rules and axe's best practices) in headless
// Chromium, and exits non-zero on any violation.
//
//	go run ./bench/a11y -axe /tmp/utdrag-bench/node_modules/axe-core/axe.min.js
//
// axe-core comes from npm (npm install axe-core, outside the repository);
// Chromium from Debian. With -out it also writes each page's screenshot and
// its print to PDF, to look at.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"utdrag/bench/internal/sample"
	"utdrag/internal/browser"
)

// violation is the part of an axe result the report prints.
type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

const runAxe = `axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
  resultTypes: ['violations']
}).then(r => ({
  passes: r.passes.length,
  violations: r.violations.map(v => ({
    id: v.id, impact: v.impact || '', help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + (n.failureSummary || ''))
  }))
}))`

type result struct {
	Passes     int         `json:"passes"`
	Violations []violation `json:"violations"`
}

func main() {
	axePath := flag.String("axe", "/tmp/utdrag-bench/node_modules/axe-core/axe.min.js", "axe.min.js from the npm package axe-core")
	examples := flag.String("examples", "examples", "folder of example extracts")
	out := flag.String("out", "", "folder to write screenshots and printed PDFs to (none when empty)")
	flag.Parse()
	if err := run(*axePath, *examples, *out); err != nil {
		log.Fatal(err)
	}
}

func run(axePath, examples, out string) error {
	axe, err := os.ReadFile(axePath)
	if err != nil {
		return fmt.Errorf("a11y: reading axe-core (npm install axe-core): %w", err)
	}
	exs, err := sample.Load(examples)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b, err := browser.Start(ctx)
	if err != nil {
		return err
	}
	defer b.Close()
	dir, err := os.MkdirTemp("", "utdrag-a11y-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	failed := 0
	for _, ex := range exs {
		page := filepath.Join(dir, ex.Name+".html")
		if err := os.WriteFile(page, ex.HTML, 0o644); err != nil {
			return err
		}
		if err := chromedp.Do(b.Ctx, chromedp.Navigate("file://"+page)); err != nil {
			return fmt.Errorf("a11y: opening %s: %w", ex.Name, err)
		}
		if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](string(axe)+"\n;true")); err != nil {
			return fmt.Errorf("a11y: loading axe-core: %w", err)
		}
		res, err := chromedp.Run(b.Ctx, chromedp.Evaluate[result](runAxe, chromedp.EvalAwaitPromise))
		if err != nil {
			return fmt.Errorf("a11y: running axe on %s: %w", ex.Name, err)
		}
		fmt.Printf("%s: %d rules passed, %d violated\n", ex.Name, res.Passes, len(res.Violations))
		for _, v := range res.Violations {
			failed++
			j, _ := json.MarshalIndent(v, "  ", "  ")
			fmt.Printf("  %s\n", j)
		}
		if out != "" {
			if err := keep(b.Ctx, out, ex.Name); err != nil {
				return err
			}
		}
	}
	if failed > 0 {
		return fmt.Errorf("a11y: %d violations", failed)
	}
	fmt.Println("a11y: no violations")
	return nil
}

// keep writes a screenshot of the page and its print to PDF into out.
func keep(ctx context.Context, out, name string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		return fmt.Errorf("a11y: screenshot of %s: %w", name, err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		return fmt.Errorf("a11y: printing %s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(out, name+".jpg"), png, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, name+".pdf"), pdf, 0o644)
}
