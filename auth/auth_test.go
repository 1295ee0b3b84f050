package auth_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"utdrag/auth"
)

func keyFile(lines ...string) []byte {
	return []byte("organisations:\n  region-jh: Region Jämtland Härjedalen\n  org: Organisationen\n" +
		"keys:\n" + strings.Join(lines, "\n") + "\n")
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
		"unnamed org":  keyFile(strings.Replace(good, `"org"`, `"annan"`, 1)),
		"no orgs":      []byte("keys:\n" + good + "\n"),
		"empty name":   append([]byte("organisations: {org: ' '}\n"), []byte("keys:\n"+good+"\n")...),
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

// TestSecurityKeyFileOneDocument appends a second YAML document to a key
// file: refused, rather than silently ignored (a key added there would
// never take effect, nor would a revocation).
func TestSecurityKeyFileOneDocument(t *testing.T) {
	one := keyFile(entry("a", "k", "org", "clerk"))
	if _, err := auth.Parse(one); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"second document":       append(append([]byte{}, one...), "---\n"+string(keyFile(entry("b", "k2", "org", "admin")))...),
		"empty second":          append(append([]byte{}, one...), "---\nfoo: 1\n"...),
		"second with only keys": append(append([]byte{}, one...), "---\nkeys: []\n"...),
	} {
		if _, err := auth.Parse(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestSecurityKeyFileValuesTrimmed writes names, organisations and roles
// with surrounding spaces, quoted so that YAML keeps them: the key is
// scoped to the organisation itself, not to a look-alike.
func TestSecurityKeyFileValuesTrimmed(t *testing.T) {
	ks, err := auth.Parse([]byte("organisations:\n  \" org \": \" Organisationen \"\n" +
		"keys:\n  - name: \" drift \"\n    sha256: \" " + auth.Hash("k") + " \"\n" +
		"    organisation: \" org \"\n    roles: [\" clerk \"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	k, ok := ks.Lookup("k")
	if !ok || k.Name != "drift" || k.Scope() != "org" || !k.Has(auth.Clerk) {
		t.Fatalf("key %+v", k)
	}
	if name, ok := ks.OrganisationName("org"); !ok || name != "Organisationen" {
		t.Errorf("organisation name %q %v", name, ok)
	}
}
