// Package sample loads the example extracts the benchmark programs run on,
// composed and written as HTML once, so every contender gets the same text.
//
// It may import extract, templates, compose and render/html.
package sample

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/render/html"
	"utdrag/templates"
)

// Example is one example extract.
type Example struct {
	Name    string // file name without .json
	JSON    []byte
	Extract *extract.Extract
	Doc     compose.Document
	HTML    []byte
}

// Load reads every extract in dir (examples/*.json, the recipient list
// aside).
func Load(dir string) ([]Example, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("sample: listing %s: %w", dir, err)
	}
	sort.Strings(paths)
	ts, err := templates.Load()
	if err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	hr, err := html.New()
	if err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	var out []Example
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("sample: %w", err)
		}
		x, err := extract.Decode(strings.NewReader(string(raw)), extract.Limits{})
		if err != nil {
			return nil, fmt.Errorf("sample: decoding %s: %w", p, err)
		}
		t, ok := ts.Get(x.Template)
		if !ok {
			return nil, fmt.Errorf("sample: %s: unknown template %q", p, x.Template)
		}
		doc := compose.Build(x, t, nil)
		h, err := hr.Render(doc)
		if err != nil {
			return nil, fmt.Errorf("sample: %s: %w", p, err)
		}
		out = append(out, Example{
			Name: strings.TrimSuffix(filepath.Base(p), ".json"), JSON: raw, Extract: x, Doc: doc, HTML: h,
		})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("sample: no extracts in %s", dir)
	}
	return out, nil
}
