package certify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"utdrag/certify"
)

func TestNewDevelopment(t *testing.T) {
	now := time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)
	certPEM, keyPEM, err := certify.NewDevelopment("Region Exempel", now)
	if err != nil {
		t.Fatal(err)
	}
	id, err := certify.LoadPEM(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	leaf := id.Leaf()
	if got, want := leaf.Subject.CommonName, "Region Exempel – utvecklingscertifikat"; got != want {
		t.Errorf("CN = %q, want %q", got, want)
	}
	if got := leaf.Subject.Organization; len(got) != 1 || got[0] != "Region Exempel" {
		t.Errorf("O = %q", got)
	}
	if want := x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment; leaf.KeyUsage != want {
		t.Errorf("key usage = %b, want digitalSignature and nonRepudiation", leaf.KeyUsage)
	}
	if years := leaf.NotAfter.Sub(now).Hours() / 24 / 365; years < 9.9 || years > 10.1 {
		t.Errorf("valid for %.1f years, want 10", years)
	}
	if !id.Development() {
		t.Error("Development() = false for a development certificate")
	}
	if fp := id.Fingerprint(); len(fp) != 64 || strings.Trim(fp, "0123456789abcdef") != "" {
		t.Errorf("fingerprint %q is not hex SHA-256", fp)
	}
	if !strings.Contains(id.Subject(), "CN=Region Exempel – utvecklingscertifikat") {
		t.Errorf("Subject() = %q", id.Subject())
	}
	roots := x509.NewCertPool()
	roots.AddCert(id.Chain[1])
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now.AddDate(5, 0, 0)}); err != nil {
		t.Errorf("leaf does not chain to the development CA: %v", err)
	}
}

func TestNewDevelopmentNeedsOrganisation(t *testing.T) {
	if _, _, err := certify.NewDevelopment("", time.Now()); err == nil {
		t.Error("NewDevelopment accepted an empty organisation")
	}
}

func TestLoadPEMRejectsForeignKey(t *testing.T) {
	certPEM, _, err := certify.NewDevelopment("Region Exempel", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, otherKey, err := certify.NewDevelopment("Annan region", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := certify.LoadPEM(certPEM, otherKey); err == nil {
		t.Error("LoadPEM accepted a key that matches no certificate")
	}
	if _, err := certify.LoadPEM([]byte("ingen PEM"), otherKey); err == nil {
		t.Error("LoadPEM accepted input without certificates")
	}
}

func TestLoadPEMPutsLeafFirst(t *testing.T) {
	certPEM, keyPEM, err := certify.NewDevelopment("Region Exempel", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	first, _ := pem.Decode(certPEM)
	rest := certPEM[len(pem.EncodeToMemory(first)):]
	id, err := certify.LoadPEM(append(rest, pem.EncodeToMemory(first)...), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !id.Chain[0].Equal(mustParse(t, first.Bytes)) {
		t.Error("the certificate matching the key is not first in the chain")
	}
}

func TestLoadPKCS12(t *testing.T) {
	s := newTestSigner(t)
	key, ok := s.id.Key.(*ecdsa.PrivateKey)
	if !ok {
		t.Fatalf("development key is %T", s.id.Key)
	}
	p12, err := pkcs12.Modern.Encode(key, s.id.Chain[0], s.id.Chain[1:], "hemligt")
	if err != nil {
		t.Fatal(err)
	}
	id, err := certify.LoadPKCS12(p12, "hemligt")
	if err != nil {
		t.Fatal(err)
	}
	if id.Fingerprint() != s.id.Fingerprint() || len(id.Chain) != 2 || !id.Development() {
		t.Errorf("loaded %s with %d certificates, want %s with 2", id.Fingerprint(), len(id.Chain), s.id.Fingerprint())
	}
	if _, err := certify.LoadPKCS12(p12, "fel"); err == nil {
		t.Error("LoadPKCS12 accepted a wrong password")
	}
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rsaIdentity is an RSA signer issued by its own CA, not marked as a
// development certificate.
func rsaIdentity(t testing.TB) (certify.Identity, *x509.CertPool, *x509.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test-CA", Organization: []string{"Region Test"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Registrator Region Test", Organization: []string{"Region Test"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return certify.Identity{Chain: []*x509.Certificate{leaf, ca}, Key: key}, roots, ca
}
