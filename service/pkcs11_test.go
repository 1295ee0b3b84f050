//go:build pkcs11

package service_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"utdrag/certify"
	"utdrag/internal/hsmtest"
	"utdrag/internal/pkitest"
	"utdrag/service"
	"utdrag/storage/storagetest"
)

// TestCertificationWithTokenKey: the service configured with a key in a
// PKCS #11 token (SoftHSM) certifies and verifies as with a PEM key.
func TestCertificationWithTokenKey(t *testing.T) {
	p := pkitest.Shared(t)
	tok := hsmtest.Open(t)
	label := pkitest.Unique("seal-service")
	chain := p.IssueCSR(t, label, hsmtest.NewKey(t, label))
	chainFile := filepath.Join(t.TempDir(), "chain.pem")
	if err := os.WriteFile(chainFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	e, _ := startSealed(t, p, "", storagetest.FS(t), func(c *service.Config) {
		c.Signing.CertFile, c.Signing.KeyFile = chainFile, ""
		c.Signing.PKCS11 = certify.PKCS11Config{Module: tok.Module, Token: tok.Label, PIN: tok.PIN, Key: label}
	})
	s := testCertificationLTA(t, p, e)
	certs, err := certify.ParseCertificates(chain)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%x", sha256.Sum256(certs[0].Raw)); s.Fingerprint != want {
		t.Errorf("certified with certificate %s, want the token key's %s", s.Fingerprint, want)
	}
}
