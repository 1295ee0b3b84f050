package clerk_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"utdrag/auth"
	"utdrag/clerk"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
	"utdrag/internal/secrettest"
	"utdrag/render"
	"utdrag/service"
)

var (
	engineOnce sync.Once
	engine     *render.Engine
	engineErr  error
)

// renderEngine is one engine for all tests: it loads fonts and templates
// once.
func renderEngine(t testing.TB) *render.Engine {
	t.Helper()
	engineOnce.Do(func() { engine, engineErr = render.New() })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	return engine
}

// pages builds the clerk pages on the server as cmd/utdrag does.
func pages(cfg service.Config) func(*service.Server) (service.Pages, error) {
	return func(s *service.Server) (service.Pages, error) {
		return clerk.New(s, clerk.Config{SessionKey: cfg.SessionKey, AuthFile: cfg.AuthFile, PublicURL: cfg.PublicURL})
	}
}

func example(t *testing.T, name string) []byte {
	t.Helper()
	return exampletest.Raw(t, name)
}

// Keys of the secrecy tests: a clerk allowed confidential content and one
// (and an admin) not.
const (
	keySecretSystem = "test-key-secrecy-system"
	keySecretClerk  = "test-key-secrecy-clerk-confidential"
	keyPlainClerk   = "test-key-secrecy-clerk-public"
	keyPlainAdmin   = "test-key-secrecy-admin-public"
)

// minimalExtract has as few words of its own as an extract can.
const minimalExtract = `{"organisation":{"id":"storuman","name":"Storumans kommun"},"organ":"Nämnden",
"meeting":{"date":"2024-05-14"},"justering":{"state":"adjusted","date":"2024-05-20","adjusters":[{"name":"Ada Ek"}]},
"paragraphs":[{"number":1,"caseNumber":"X 1","title":"Val","decision":["Nämnden väljer Ada Ek."]}]}`

func secrecyKeyFile(t *testing.T) string {
	t.Helper()
	entry := func(name, key, roles string, confidential bool) string {
		return fmt.Sprintf("  - name: %s\n    sha256: %s\n    organisation: \"*\"\n    roles: [%s]\n    confidential: %v\n",
			name, auth.Hash(key), roles, confidential)
	}
	body := "organisations:\n  storuman: Storumans kommun\n  ostersund: Östersunds kommun\n  region-jh: Region Jämtland Härjedalen\nkeys:\n" +
		entry("nyckel-a", keySecretSystem, "system", false) +
		entry("nyckel-b", keySecretClerk, "clerk", true) +
		entry("nyckel-c", keyPlainClerk, "clerk", false) +
		entry("nyckel-d", keyPlainAdmin, "admin", false)
	path := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// secretDirectory is a recipient directory in which Ekonomienheten may
// receive confidential content and Kommunens ombud may not.
const secretDirectory = `organisations:
  storuman:
    name: Storumans kommun
    recipients:
      - name: Ekonomienheten
        addresses: [ekonomi@storuman.example.se]
        confidential: true
      - name: Kommunens ombud
        addresses: [kommunjurist@storuman.example.se]
`

// noSecret fails t for every secret string or word in what.
func noSecret(t *testing.T, where string, what map[string]string, sec secrettest.Secrets) int {
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

var dateSpan = regexp.MustCompile(`<span class="date">(\d{4}-\d{2}-\d{2})</span>`)

// undated is a page with the spans that keep its dates on one line
// taken away, for looking for sentences in it.
func undated(page string) string { return dateSpan.ReplaceAllString(page, "$1") }
