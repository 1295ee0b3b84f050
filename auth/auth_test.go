package auth_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"utdrag/auth"
)

func keyFile(lines ...string) []byte {
	return []byte("keys:\n" + strings.Join(lines, "\n") + "\n")
}

func entry(name, secret, org string, roles string) string {
	return "  - name: " + name + "\n    sha256: " + auth.Hash(secret) +
		"\n    organisation: \"" + org + "\"\n    roles: [" + roles + "]"
}

func TestLookupAndRoles(t *testing.T) {
	ks, err := auth.Parse(keyFile(
		entry("ärendesystem", "s3cret-system", "region-jh", "system"),
		entry("registrator", "s3cret-clerk", "region-jh", "clerk"),
		entry("drift", "s3cret-admin", "*", "admin"),
	))
	if err != nil {
		t.Fatal(err)
	}
	if ks.Len() != 3 {
		t.Fatalf("%d keys", ks.Len())
	}
	sys, ok := ks.Lookup("s3cret-system")
	if !ok || sys.Name != "ärendesystem" || sys.Scope() != "region-jh" {
		t.Fatalf("system key: %+v %v", sys, ok)
	}
	if !sys.Has(auth.System) || sys.Has(auth.Clerk) || sys.Has() {
		t.Error("system key's roles")
	}
	adm, ok := ks.Lookup("s3cret-admin")
	if !ok || !adm.Has(auth.Clerk) || !adm.Has() || adm.Scope() != "" {
		t.Errorf("admin key: %+v", adm)
	}
	for _, bad := range []string{"", "s3cret", "s3cret-system ", auth.Hash("s3cret-system")} {
		if k, ok := ks.Lookup(bad); ok {
			t.Errorf("Lookup(%q) found %s", bad, k.Name)
		}
	}
}

func TestPolicyDefaultsToAdmin(t *testing.T) {
	ks, _ := auth.Parse(keyFile(
		entry("clerk", "c", "org", "clerk"),
		entry("both", "b", "org", "system, clerk"),
		entry("admin", "a", "org", "admin"),
	))
	p := auth.Policy{"GET /v1/extracts": {auth.Clerk}, "POST /v1/extracts": {auth.System}}
	clerk, _ := ks.Lookup("c")
	both, _ := ks.Lookup("b")
	admin, _ := ks.Lookup("a")
	cases := []struct {
		key   *auth.Key
		route string
		want  bool
	}{
		{clerk, "GET /v1/extracts", true},
		{clerk, "POST /v1/extracts", false},
		{both, "POST /v1/extracts", true},
		{both, "DELETE /v1/extracts/:id", false},
		{clerk, "DELETE /v1/extracts/:id", false},
		{admin, "DELETE /v1/extracts/:id", true},
		{admin, "POST /v1/extracts", true},
	}
	for _, c := range cases {
		if got := p.Allows(c.key, c.route); got != c.want {
			t.Errorf("%s on %s: %v, want %v", c.key.Name, c.route, got, c.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	good := entry("a", "k", "org", "clerk")
	cases := map[string][]byte{
		"empty":        []byte("keys: []\n"),
		"short hash":   keyFile("  - {name: a, sha256: abc, organisation: org, roles: [clerk]}"),
		"unknown role": keyFile(strings.Replace(good, "clerk", "root", 1)),
		"no roles":     keyFile(strings.Replace(good, "clerk", "", 1)),
		"no org":       keyFile(strings.Replace(good, `"org"`, `""`, 1)),
		"no name":      keyFile(strings.Replace(good, "name: a", "name: ''", 1)),
		"unknown key":  keyFile(good + "\n    password: k"),
		"same hash":    keyFile(good, strings.Replace(good, "name: a", "name: b", 1)),
		"same name":    keyFile(good, entry("a", "other", "org", "clerk")),
		"not yaml":     []byte("keys: [\n"),
	}
	for name, b := range cases {
		if _, err := auth.Parse(b); err == nil {
			t.Errorf("%s: accepted\n%s", name, b)
		}
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.WriteFile(path, keyFile(entry("a", "k", "org", "clerk")), 0o600); err != nil {
		t.Fatal(err)
	}
	ks, err := auth.Load(path)
	if err != nil || ks.Len() != 1 {
		t.Fatalf("Load: %v", err)
	}
	if _, err := auth.Load(path + ".missing"); err == nil {
		t.Error("missing file accepted")
	}
}

func TestHashMatchesSha256sum(t *testing.T) {
	// printf %s hemlig | sha256sum
	const want = "7fa759a061f4c0cb5a65a7c06a24c2656645682aafb2c35f5d00d3e01e3dbbe7"
	if got := auth.Hash("hemlig"); got != want {
		t.Errorf("Hash = %s, want %s", got, want)
	}
}

// TestExampleKeyFile keeps deploy/keys.example.yaml loadable and its
// comments true.
func TestExampleKeyFile(t *testing.T) {
	ks, err := auth.Load("../deploy/keys.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for key, role := range map[string]auth.Role{
		"example-system-key": auth.System, "example-clerk-key": auth.Clerk, "example-admin-key": auth.Admin,
	} {
		k, ok := ks.Lookup(key)
		if !ok || !k.Has(role) {
			t.Errorf("%s: found %v, role %s", key, ok, role)
		}
	}
}
