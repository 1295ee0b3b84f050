// Package servicetest holds what the tests of the service and of its
// clerk pages share: one render engine for all of them, and the keys,
// recipient directory and extract of the secrecy tests.
//
// It may import auth, clerk, distribute, index/indextest, render,
// service, storage and the internal test packages; only tests import it.
package servicetest

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"utdrag/auth"
	"utdrag/internal/pdftest"
	"utdrag/internal/secrettest"
	"utdrag/render"
)

var (
	engineOnce sync.Once
	engine     *render.Engine
	engineErr  error
)

// Engine is one engine for all of a package's tests: it loads fonts and
// templates once.
func Engine(t testing.TB) *render.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = render.New() })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// Keys of the secrecy tests: a clerk allowed confidential content and one
// (and an admin) not, and a system.
const (
	KeySecretSystem = "test-key-secrecy-system"
	KeySecretClerk  = "test-key-secrecy-clerk-confidential"
	KeyPlainClerk   = "test-key-secrecy-clerk-public"
	KeyPlainAdmin   = "test-key-secrecy-admin-public"
)

// MinimalExtract has as few words of its own as an extract can.
const MinimalExtract = `{"organisation":{"id":"storuman","name":"Storumans kommun"},"organ":"Nämnden",
"meeting":{"date":"2024-05-14"},"justering":{"state":"adjusted","date":"2024-05-20","adjusters":[{"name":"Ada Ek"}]},
"paragraphs":[{"number":1,"caseNumber":"X 1","title":"Val","decision":["Nämnden väljer Ada Ek."]}]}`

// SecrecyKeyFile writes the key file of the secrecy keys (for every
// organisation) and returns its path.
func SecrecyKeyFile(t *testing.T) string {
	t.Helper()
	entry := func(name, key, roles string, confidential bool) string {
		return fmt.Sprintf("  - name: %s\n    sha256: %s\n    organisation: \"*\"\n    roles: [%s]\n    confidential: %v\n",
			name, auth.Hash(key), roles, confidential)
	}
	body := "organisations:\n  storuman: Storumans kommun\n  ostersund: Östersunds kommun\n  region-jh: Region Jämtland Härjedalen\nkeys:\n" +
		entry("nyckel-a", KeySecretSystem, "system", false) +
		entry("nyckel-b", KeySecretClerk, "clerk", true) +
		entry("nyckel-c", KeyPlainClerk, "clerk", false) +
		entry("nyckel-d", KeyPlainAdmin, "admin", false)
	path := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// SecretDirectory is a recipient directory in which Ekonomienheten may
// receive confidential content and Kommunens ombud may not.
const SecretDirectory = `organisations:
  storuman:
    name: Storumans kommun
    recipients:
      - name: Ekonomienheten
        addresses: [ekonomi@storuman.example.se]
        confidential: true
      - name: Kommunens ombud
        addresses: [kommunjurist@storuman.example.se]
`

// NoSecret fails t for every secret string or word of sec in what (the
// text of a document by the tool that read it) and returns how many texts
// it looked at.
func NoSecret(t *testing.T, where string, what map[string]string, sec secrettest.Secrets) int {
	t.Helper()
	for tool, text := range what {
		for _, s := range sec.Strings {
			if pdftest.Contains(text, s) {
				t.Errorf("%s, %s: holds the secret %q", where, tool, s)
			}
		}
		for _, w := range sec.Words {
			if pdftest.HasWord(text, w) {
				t.Errorf("%s, %s: holds the secret word %q", where, tool, w)
			}
		}
	}
	return len(what)
}
