// Package exampletest loads the examples/ extracts, the default template,
// the fonts and the hyphenation patterns for tests, wherever in the module
// the test runs.
//
// It may import extract, fonts, templates and typeset.
package exampletest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"utdrag/extract"
	"utdrag/fonts"
	"utdrag/templates"
	"utdrag/typeset"
)

// Names are the two examples made from the seed extracts.
var Names = []string{"rs-157-2023.json", "run-59-2022.json"}

// Path is the file of an example.
func Path(name string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "examples", name)
}

// Raw reads an example's JSON.
func Raw(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(Path(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Load decodes and validates an example.
func Load(t testing.TB, name string) *extract.Extract {
	t.Helper()
	f, err := os.Open(Path(name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x, err := extract.Decode(f, extract.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// Template is the default template.
func Template(t testing.TB) *templates.Template {
	t.Helper()
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	tp, _ := set.Get("")
	return tp
}

// Fonts loads the embedded fonts.
func Fonts(t testing.TB) *fonts.Set {
	t.Helper()
	fs, err := fonts.Load()
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// Hyphenator loads the Swedish hyphenation patterns.
func Hyphenator(t testing.TB) *typeset.Hyphenator {
	t.Helper()
	h, err := typeset.NewHyphenator()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
