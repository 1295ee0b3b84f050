package schema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// ajvModules is the node_modules folder scripts/node-deps.sh installs ajv
// into. Without node or ajv the test skips, and fails under CI.
func ajvModules(t *testing.T) string {
	t.Helper()
	cache := os.Getenv("UTDRAG_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(home, ".cache", "utdrag")
	}
	mods := filepath.Join(cache, "node", "node_modules")
	_, nodeErr := exec.LookPath("node")
	_, ajvErr := os.Stat(filepath.Join(mods, "ajv-formats", "package.json"))
	if nodeErr != nil || ajvErr != nil {
		msg := "node or ajv missing (" + mods + "): run scripts/deps.sh node and scripts/node-deps.sh, as make test does"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return mods
}

type ajvVerdict struct {
	Valid      bool     `json:"valid"`
	PlainValid bool     `json:"plainValid"` // patterns read without Unicode mode
	Errors     []string `json:"errors"`
}

// ajv validates docs with ajv (draft 2020-12, ajv-formats, strict mode) in
// one node process.
func ajv(t *testing.T, docs []json.RawMessage) []ajvVerdict {
	t.Helper()
	return ajvWith(t, extractSchema(t), docs)
}

// ajvWith validates docs against the schema given.
func ajvWith(t *testing.T, schemaJSON []byte, docs []json.RawMessage) []ajvVerdict {
	t.Helper()
	mods := ajvModules(t)
	dir := t.TempDir()
	schemaFile, docsFile := filepath.Join(dir, "schema.json"), filepath.Join(dir, "docs.json")
	all, err := json.Marshal(docs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(schemaFile, schemaJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(docsFile, all, 0o600); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "ajv-check.cjs"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", script, schemaFile, docsFile)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ajv: %v\n%s", err, stderr.String())
	}
	var verdicts []ajvVerdict
	if err := json.Unmarshal(out, &verdicts); err != nil || len(verdicts) != len(docs) {
		t.Fatalf("ajv answered %d verdicts for %d documents (%v): %s", len(verdicts), len(docs), err, out)
	}
	return verdicts
}

// extractSchema is the published schema as the service serves it.
func extractSchema(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("extract.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAjvAgreesWithValidation runs ajv, a draft 2020-12 validator from
// npm, on every example and on every invalid input of the schema tests:
// it must compile the schema (strict mode: no keyword only one validator
// knows), give the same verdicts with its patterns read with and without
// Unicode mode (a \p{…} class reads differently), accept what the Go validation accepts and refuse what
// it refuses at the schema's level; the rules beyond the schema are
// accepted by ajv and refused by the Go validation, as the schema's
// description says.
func TestAjvAgreesWithValidation(t *testing.T) {
	type input struct {
		name      string
		raw       []byte
		field     string
		wantValid bool // ajv's verdict
	}
	var in []input
	for _, name := range examples(t) {
		in = append(in, input{name: name, raw: load(t, name), wantValid: true})
	}
	for _, m := range mutations {
		in = append(in, input{name: m.name, raw: mutated(t, m), field: m.field})
	}
	for _, m := range beyondSchema {
		in = append(in, input{name: m.name, raw: mutated(t, m), field: m.field, wantValid: true})
	}
	docs := make([]json.RawMessage, len(in))
	for i, c := range in {
		docs[i] = c.raw
	}
	verdicts := ajv(t, docs)
	for i, c := range in {
		v := verdicts[i]
		if v.Valid != c.wantValid {
			t.Errorf("%s: ajv says valid %v, want %v %v", c.name, v.Valid, c.wantValid, v.Errors)
		}
		if v.PlainValid != v.Valid {
			t.Errorf("%s: ajv says valid %v, but %v with the patterns read without Unicode mode: a pattern is not portable", c.name, v.Valid, v.PlainValid)
		}
		goValid, named, verr := goVerdict(t, c.raw, c.field)
		if goValid != (c.field == "") || (c.field != "" && !named) {
			t.Errorf("%s: Go validation %v, want it to name %q", c.name, verr, c.field)
		}
	}
}
