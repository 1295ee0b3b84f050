package auth_test

import (
	"testing"

	"utdrag/auth"
)

// TestConfidentialIsPerKey: only a key whose entry says confidential: true
// may read what is secret; no role, admin included, brings it.
func TestConfidentialIsPerKey(t *testing.T) {
	ks, err := auth.Parse(keyFile(
		entry("socialsekreterare", "k1", "region-jh", "clerk")+"\n    confidential: true",
		entry("registrator", "k2", "region-jh", "clerk"),
		entry("drift", "k3", "*", "admin"),
	))
	if err != nil {
		t.Fatal(err)
	}
	for secret, want := range map[string]bool{"k1": true, "k2": false, "k3": false} {
		k, ok := ks.Lookup(secret)
		if !ok || k.Confidential != want {
			t.Errorf("%s: confidential %v, want %v", k.Name, k.Confidential, want)
		}
	}
	if _, err := auth.Parse(keyFile(entry("x", "k4", "org", "clerk") + "\n    confidental: true")); err == nil {
		t.Error("a misspelt confidential is accepted")
	}
}

// TestExampleKeyFileConfidential: of the example keys only the
// secretary's reads what is secret, as the file's comments say.
func TestExampleKeyFileConfidential(t *testing.T) {
	ks, err := auth.Load("../deploy/keys.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{"example-secretary-key": true, "example-clerk-key": false, "example-admin-key": false} {
		k, ok := ks.Lookup(key)
		if !ok || k.Confidential != want || !k.Has(auth.Clerk) {
			t.Errorf("%s: found %v, confidential %v, want %v", key, ok, k != nil && k.Confidential, want)
		}
	}
}
