package certify_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"utdrag/certify"
)

// testTSA is an RFC 3161 authority answering with a fixed time.
type testTSA struct {
	url  string
	cert *x509.Certificate
	time time.Time
}

func newTestTSA(t *testing.T) testTSA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Test-TSA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	tsa := testTSA{cert: cert, time: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ts := timestamp.Timestamp{
			HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Nonce: req.Nonce,
			Time: tsa.time, Policy: asn1.ObjectIdentifier{1, 2, 3, 4, 1}, AddTSACertificate: req.Certificates,
		}
		resp, err := ts.CreateResponseWithOpts(cert, key, crypto.SHA256)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	tsa.url = srv.URL
	return tsa
}

func TestSignWithTimestamp(t *testing.T) {
	s := newTestSigner(t)
	tsa := newTestTSA(t)
	claimed := time.Date(2024, 3, 1, 11, 59, 0, 0, time.UTC)
	signed := sign(t, extractPDF(t, 1), s.id, certify.Options{Time: claimed, TSAURL: tsa.url})

	s.roots.AddCert(tsa.cert)
	res, err := certify.Verify(signed, s.roots)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid || !res.Trusted || !res.WholeDocument {
		t.Fatalf("Verify = %+v", res)
	}
	if !res.SigningTime.Equal(tsa.time) {
		t.Errorf("signing time %v, want the timestamp's %v rather than the claimed %v", res.SigningTime, tsa.time, claimed)
	}
	if len(res.Problems) != 1 { // only the development certificate
		t.Errorf("problems = %q", res.Problems)
	}

	path := writeTemp(t, "timestamped.pdf", signed)
	qpdfCheck(t, path)
	needTool(t, "pdfsig")
	out, err := run(t, "pdfsig", "-nssdir", "sql:"+nssDB(t, s.ca), path)
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	mustContain(t, "pdfsig", out, "Signature is Valid", "Total document signed")
}

func TestSignFailsWhenTimestampAuthorityFails(t *testing.T) {
	s := newTestSigner(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "nere", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	if _, err := certify.Sign(t.Context(), extractPDF(t, 1), s.id, certify.Options{TSAURL: srv.URL}); err == nil {
		t.Error("Sign succeeded although the timestamp authority failed")
	}
}
