//go:build pkcs11

package certify_test

import (
	"testing"

	"utdrag/certify"
	"utdrag/internal/hsmtest"
	"utdrag/internal/pkitest"
)

// TestPKCS11KeyStaysInTheTokenAndSignsLTA: a key generated in a SoftHSM
// token cannot be read out, gets a certificate from the PKI through a
// request the token signs, and certifies to B-LTA exactly as a PEM key
// does (the same checks: Verify, qpdf, pdfsig).
func TestPKCS11KeyStaysInTheTokenAndSignsLTA(t *testing.T) {
	p := pkitest.Shared(t)
	tok := hsmtest.Open(t)
	label := pkitest.Unique("seal-certify")
	csr := hsmtest.NewKey(t, label)

	sensitive, extractable, valueErr := hsmtest.Attributes(t, label)
	if !sensitive || extractable {
		t.Errorf("the token key has CKA_SENSITIVE %v, CKA_EXTRACTABLE %v; want true, false", sensitive, extractable)
	}
	if valueErr == nil {
		t.Error("the private key's value could be read out of the token")
	}

	chain := p.IssueCSR(t, label, csr)
	id, release, err := certify.OpenPKCS11(certify.PKCS11Config{Module: tok.Module, Token: tok.Label, PIN: tok.PIN, Key: label}, chain)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if id.Leaf().Subject.CommonName != "Region Exempel e-sigill ("+label+")" || len(id.Chain) != 3 {
		t.Fatalf("identity from the token: %s, %d certificates", id.Subject(), len(id.Chain))
	}
	testLTA(t, p, id)

	if _, _, err := certify.OpenPKCS11(certify.PKCS11Config{Module: tok.Module, Token: tok.Label, PIN: tok.PIN, Key: "no-such-key"}, chain); err == nil {
		t.Error("a key label the token does not hold was found")
	}
}
