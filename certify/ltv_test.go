package certify_test

import (
	"bytes"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"utdrag/certify"
	"utdrag/internal/pkitest"
)

// pkiIdentity is the PKI's signer as a PEM identity.
func pkiIdentity(t testing.TB, p *pkitest.PKI, name string) certify.Identity {
	t.Helper()
	var chain, key []byte
	if name == "" {
		chain, key = p.Signer(t)
	} else {
		chain, key = p.Issue(t, name)
	}
	id, err := certify.LoadPEM(chain, key)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func newFetcher() *certify.Fetcher {
	return certify.NewFetcher(certify.FetchOptions{Timeout: 2 * time.Second, Attempts: 2, Wait: 50 * time.Millisecond})
}

// certifyLTA signs the seed extract with id and a timestamp, then extends
// it with validation data and a document timestamp, as certification does.
func certifyLTA(t *testing.T, p *pkitest.PKI, id certify.Identity) (signed, extended []byte) {
	t.Helper()
	return certifyLTAOf(t, p, id, seedPDF(t))
}

// certifyLTAOf is certifyLTA of another rendered PDF.
func certifyLTAOf(t *testing.T, p *pkitest.PKI, id certify.Identity, pdf []byte) (signed, extended []byte) {
	t.Helper()
	signed = sign(t, pdf, id, certify.Options{TSAURL: p.TSAURL, Reason: "Rätt utdraget intygar", Location: "Östersund"})
	ext, err := certify.Extend(t.Context(), signed, certify.ExtendOptions{Fetcher: newFetcher(), TSAURL: p.TSAURL})
	if err != nil {
		t.Fatal(err)
	}
	if !ext.Validation || !ext.Timestamp || len(ext.Missing) > 0 || ext.TimestampErr != nil {
		t.Fatalf("Extend = validation %v, timestamp %v, missing %v, timestamp error %v",
			ext.Validation, ext.Timestamp, ext.Missing, ext.TimestampErr)
	}
	if !bytes.HasPrefix(ext.PDF, signed) {
		t.Fatal("Extend changed bytes of the signed file instead of appending")
	}
	return signed, ext.PDF
}

func verify(t *testing.T, pdf []byte, roots *x509.CertPool) certify.Result {
	t.Helper()
	res, err := certify.Verify(pdf, roots)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCertifiedSeedReachesLTA(t *testing.T) {
	p := pkitest.Shared(t)
	testLTA(t, p, pkiIdentity(t, p, ""))
}

// testLTA checks a B-LTA certification by id with the PKI: with the
// package's verifier, qpdf and pdfsig.
func testLTA(t *testing.T, p *pkitest.PKI, id certify.Identity) {
	t.Helper()
	_, pdf := certifyLTA(t, p, id)
	res := verify(t, pdf, p.Roots(t))
	if !res.Valid || !res.ValidAtSigningTime || !res.ChainValidAtSigning || !res.Timestamped || !res.ValidationAppended {
		t.Fatalf("Verify = %+v", res)
	}
	if res.Level != certify.LevelBLTA {
		t.Errorf("level %q, want B-LTA", res.Level)
	}
	if len(res.Problems) > 0 {
		t.Errorf("problems: %q", res.Problems)
	}
	// The signer, the issuing CA (twice: for the signer and the TSA
	// chains) and the TSA, each good from the file's data.
	if len(res.Revocation) != 4 {
		t.Errorf("revocation = %+v, want four certificates", res.Revocation)
	}
	for _, r := range res.Revocation {
		if r.Status != certify.StatusGood || r.Source == "" || !r.RevokedAt.IsZero() {
			t.Errorf("revocation of %s = %+v", r.Subject, r)
		}
	}
	if len(res.Chain) != 3 || res.Chain[0].Fingerprint != id.Fingerprint() {
		t.Errorf("chain = %+v", res.Chain)
	}
	if len(res.DocumentTimestamps) != 1 || !res.DocumentTimestamps[0].Valid || !res.DocumentTimestamps[0].Trusted ||
		!res.DocumentTimestamps[0].CoversValidation {
		t.Errorf("document timestamps = %+v", res.DocumentTimestamps)
	}
	tsa := p.Cert(t, "tsa.pem")
	if !res.RenewBy.Equal(tsa.NotAfter) {
		t.Errorf("renew by %v, want the TSA certificate's expiry %v", res.RenewBy, tsa.NotAfter)
	}

	path := writeTemp(t, "lta.pdf", pdf)
	qpdfCheck(t, path)
	needTool(t, "pdfsig")
	out, err := run(t, "pdfsig", "-nssdir", "sql:"+nssDB(t, p.Cert(t, "root.pem")), path)
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	sig1, sig2, _ := strings.Cut(out, "Signature #2:")
	mustContain(t, "pdfsig", sig1, "Signature Type: ETSI.CAdES.detached", "Signature Validation: Signature is Valid.",
		"Certificate Validation: Certificate is Trusted.")
	mustContain(t, "pdfsig", sig2, "Dokumenttidsstämpel2", "Utdrag test-PKI tidsstämpel", "Total document signed")
	if strings.Contains(out, "Signature #3") {
		t.Errorf("pdfsig lists more than a signature and a document timestamp:\n%s", out)
	}
}

// TestPdfcpuReadsTheValidationData validates the file with pdfcpu, a
// validator nobody here wrote, first with the PKI's services up, then
// with its OCSP responder and CRL server stopped.
func TestPdfcpuReadsTheValidationData(t *testing.T) {
	pkitest.PDFCPU(t)
	p := pkitest.New(t)
	_, pdf := certifyLTA(t, p, pkiIdentity(t, p, ""))
	path := writeTemp(t, "lta.pdf", pdf)

	online := p.PDFCPUValidate(t, path)
	sig, stamp := only(t, online, "ETSI.CAdES.detached"), only(t, online, "ETSI.RFC3161")
	mustContain(t, "pdfcpu", sig, "Status: signature is valid", "Revocation: Local:  ok", "Rätt utdraget intygar")
	mustContain(t, "pdfcpu", stamp, "Status: signature is valid", "document timestamp (locally validated", "Revocation: Local:  ok")

	p.Stop(t, "ocsp", "crl")
	offline := p.PDFCPUValidate(t, path)
	// pdfcpu v0.15.0 reads the DSS but by design never concludes a
	// revocation status from data in a file ("does not perform full
	// long-term validation"): it says the status is unknown. What it must
	// still find is an intact, unmodified file whose chain resolves and
	// whose DSS it reads without complaint.
	for _, sec := range [][]string{offline["ETSI.CAdES.detached"], offline["ETSI.RFC3161"]} {
		out := strings.Join(sec, "")
		for _, bad := range []string{"signature is invalid", "DocModified: true", "DSS dict entry", "VRI", "revoked"} {
			if strings.Contains(out, bad) {
				t.Errorf("pdfcpu with the responders stopped says %q:\n%s", bad, out)
			}
		}
		mustContain(t, "pdfcpu", out, "Local Path: Status: ok", "revocation status is unknown")
	}
	mustContain(t, "pdfcpu", only(t, offline, "ETSI.RFC3161"), "DocModified: false")
	res := verify(t, pdf, p.Roots(t))
	if !res.ValidAtSigningTime || res.Level != certify.LevelBLTA {
		t.Errorf("with the responders stopped Verify = %+v", res)
	}
	for _, r := range res.Revocation {
		if r.Status != certify.StatusGood {
			t.Errorf("from the file alone, %s is %s", r.Subject, r.Status)
		}
	}
}

// waitPast sleeps until the clock is a whole second past t, so that a
// revocation made next is dated after t at OpenSSL's resolution.
func waitPast(t time.Time) {
	for !time.Now().Truncate(time.Second).After(t) {
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRevokedAfterSigningStaysValidAtSigningTime(t *testing.T) {
	p := pkitest.New(t)
	id := pkiIdentity(t, p, "later-revoked")
	// B-T only: the responders were not asked at certification, so the
	// data added later says "revoked", dated after the timestamp.
	signed := sign(t, seedPDF(t), id, certify.Options{TSAURL: p.TSAURL})
	at := verify(t, signed, p.Roots(t)).SigningTime
	waitPast(at)
	p.Revoke(t, "later-revoked")
	ext, err := certify.Extend(t.Context(), signed, certify.ExtendOptions{Fetcher: newFetcher(), TSAURL: p.TSAURL})
	if err != nil || len(ext.Missing) > 0 || !ext.Timestamp {
		t.Fatalf("Extend: %v, missing %v, timestamp error %v", err, ext.Missing, ext.TimestampErr)
	}
	res := verify(t, ext.PDF, p.Roots(t))
	if !res.ValidAtSigningTime || res.RevokedBeforeSigning || res.Level != certify.LevelBLTA {
		t.Fatalf("Verify = %+v", res)
	}
	leaf := res.Revocation[0]
	if leaf.Status != certify.StatusGood || !leaf.RevokedAt.After(at) {
		t.Errorf("signer revocation = %+v, want good at signing, revoked after %v", leaf, at)
	}
	// pdfcpu v0.15.0 compares the responder's "revoked" with no time: it
	// calls the signature's certificate revoked (see the README).
	sig := only(t, p.PDFCPUValidate(t, writeTemp(t, "revoked-later.pdf", ext.PDF)), "ETSI.CAdES.detached")
	if !strings.Contains(sig, "certificate has been revoked") || strings.Contains(sig, "signature is invalid") {
		t.Errorf("pdfcpu on a certificate revoked after signing:\n%s", sig)
	}
}

func TestRevokedBeforeSigningIsInvalid(t *testing.T) {
	p := pkitest.Shared(t)
	name := pkitest.Unique("certify-revoked")
	id := pkiIdentity(t, p, name)
	p.Revoke(t, name)
	signed := sign(t, seedPDF(t), id, certify.Options{TSAURL: p.TSAURL})
	ext, err := certify.Extend(t.Context(), signed, certify.ExtendOptions{Fetcher: newFetcher(), TSAURL: p.TSAURL})
	if err != nil {
		t.Fatal(err)
	}
	res := verify(t, ext.PDF, p.Roots(t))
	if res.ValidAtSigningTime || !res.RevokedBeforeSigning {
		t.Fatalf("a signature by a certificate revoked before it was made verifies: %+v", res)
	}
	if !res.Valid {
		t.Error("the signature value itself should still match the document")
	}
	if len(res.Problems) == 0 || !strings.Contains(strings.Join(res.Problems, " "), "återkallat") {
		t.Errorf("problems %q do not say the certificate was revoked", res.Problems)
	}
	sig := only(t, p.PDFCPUValidate(t, writeTemp(t, "revoked.pdf", ext.PDF)), "ETSI.CAdES.detached")
	if strings.Contains(sig, "Status: signature is valid") || !strings.Contains(sig, "revoked") {
		t.Errorf("pdfcpu does not call the signature of a revoked certificate revoked:\n%s", sig)
	}
}

// TestExtendCompletesLater: with the timestamp authority down the file
// stays B-LT, with the responders down B-T; once they answer again, a
// later run completes it, appending only.
func TestExtendCompletesLater(t *testing.T) {
	p := pkitest.New(t)
	id := pkiIdentity(t, p, "")
	signed := sign(t, seedPDF(t), id, certify.Options{TSAURL: p.TSAURL})

	p.Stop(t, "ocsp", "crl", "tsa")
	start := time.Now()
	ext, err := certify.Extend(t.Context(), signed, certify.ExtendOptions{Fetcher: newFetcher(), TSAURL: p.TSAURL})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Extend with every service down took %v", took)
	}
	if ext.Validation || ext.Timestamp || len(ext.Missing) == 0 || ext.TimestampErr == nil || !bytes.Equal(ext.PDF, signed) {
		t.Fatalf("with every service down Extend = validation %v, timestamp %v, missing %v, %v",
			ext.Validation, ext.Timestamp, ext.Missing, ext.TimestampErr)
	}
	if lv := verify(t, ext.PDF, p.Roots(t)).Level; lv != certify.LevelBT {
		t.Errorf("level %q, want B-T", lv)
	}

	p.Start(t, "ocsp", "crl")
	ext, err = certify.Extend(t.Context(), signed, certify.ExtendOptions{Fetcher: newFetcher(), TSAURL: p.TSAURL})
	if err != nil || !ext.Validation || ext.Timestamp {
		t.Fatalf("with the TSA down Extend = validation %v, timestamp %v, %v", ext.Validation, ext.Timestamp, err)
	}
	lt := ext.PDF
	if lv := verify(t, lt, p.Roots(t)).Level; lv != certify.LevelBLT {
		t.Errorf("level %q, want B-LT", lv)
	}

	p.Start(t, "tsa")
	ext, err = certify.Extend(t.Context(), lt, certify.ExtendOptions{Fetcher: newFetcher(), TSAURL: p.TSAURL})
	if err != nil || !ext.Timestamp || !bytes.HasPrefix(ext.PDF, lt) {
		t.Fatalf("Extend = timestamp %v, %v, %v", ext.Timestamp, ext.TimestampErr, err)
	}
	if res := verify(t, ext.PDF, p.Roots(t)); res.Level != certify.LevelBLTA || !res.ValidAtSigningTime {
		t.Errorf("completed file: %+v", res)
	}
}

// TestExtendAddsEachPieceOnce: a second run with the same answers adds no
// copies of what the DSS holds; a run with the TSA adds one document
// timestamp.
func TestExtendAddsEachPieceOnce(t *testing.T) {
	p := pkitest.Shared(t)
	signed := sign(t, seedPDF(t), pkiIdentity(t, p, ""), certify.Options{TSAURL: p.TSAURL})
	f := newFetcher()
	once, err := certify.Extend(t.Context(), signed, certify.ExtendOptions{Fetcher: f})
	if err != nil || !once.Validation {
		t.Fatalf("first Extend: %v, %v", once.Validation, err)
	}
	twice, err := certify.Extend(t.Context(), once.PDF, certify.ExtendOptions{Fetcher: f})
	if err != nil {
		t.Fatal(err)
	}
	if twice.Validation || !bytes.Equal(twice.PDF, once.PDF) {
		t.Errorf("a second run with the same (cached) answers appended %d bytes", len(twice.PDF)-len(once.PDF))
	}
	stamped, err := certify.Extend(t.Context(), twice.PDF, certify.ExtendOptions{Fetcher: f, TSAURL: p.TSAURL})
	if err != nil || !stamped.Timestamp {
		t.Fatal(err, stamped.TimestampErr)
	}
	if n := len(verify(t, stamped.PDF, p.Roots(t)).DocumentTimestamps); n != 1 {
		t.Errorf("%d document timestamps, want 1", n)
	}
}

// countingProxy forwards to target, counting requests; fail makes the
// first n requests answer 503, delay holds each answer.
type countingProxy struct {
	requests atomic.Int32
	fail     atomic.Int32
	delay    time.Duration
}

func (c *countingProxy) start(t *testing.T, target string) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.requests.Add(1)
		body, _ := io.ReadAll(r.Body) // only then does the server notice a client that gives up
		r.Body = io.NopCloser(bytes.NewReader(body))
		if c.fail.Add(-1) >= 0 {
			http.Error(w, "tillfälligt fel", http.StatusServiceUnavailable)
			return
		}
		select {
		case <-time.After(c.delay):
		case <-r.Context().Done():
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFetcherRetriesCachesAndGivesUp(t *testing.T) {
	p := pkitest.Shared(t)
	signer, issuer := p.Cert(t, "signer.pem"), p.Cert(t, "issuing.pem")

	var proxy countingProxy
	proxy.fail.Store(1)
	via := *signer
	via.OCSPServer = []string{proxy.start(t, p.OCSPURL)}
	f := newFetcher()
	status, _, err := f.Status(t.Context(), &via, issuer)
	if err != nil || status != certify.StatusGood {
		t.Fatalf("Status = %s, %v", status, err)
	}
	if n := proxy.requests.Load(); n != 2 {
		t.Errorf("%d requests, want a failed one and its retry", n)
	}
	if _, _, err := f.Status(t.Context(), &via, issuer); err != nil {
		t.Fatal(err)
	}
	if n := proxy.requests.Load(); n != 2 {
		t.Errorf("%d requests after asking again, want the cached answer", n)
	}

	slow := countingProxy{delay: 5 * time.Second}
	via.OCSPServer = []string{slow.start(t, p.OCSPURL)}
	via.CRLDistributionPoints = nil
	via.SerialNumber = issuer.SerialNumber // another certificate: not cached
	start := time.Now()
	quick := certify.NewFetcher(certify.FetchOptions{Timeout: 300 * time.Millisecond, Attempts: 2, Wait: 10 * time.Millisecond})
	if _, _, err := quick.Status(t.Context(), &via, issuer); err == nil {
		t.Error("Status succeeded through a responder slower than the timeout")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("giving up took %v, want about two attempts of 300ms", took)
	}
}

func TestFetcherReportsRevocation(t *testing.T) {
	p := pkitest.Shared(t)
	name := pkitest.Unique("certify-gone")
	p.Issue(t, name)
	p.Revoke(t, name)
	status, at, err := newFetcher().Status(t.Context(), p.Cert(t, name+".pem"), p.Cert(t, "issuing.pem"))
	if err != nil || status != certify.StatusRevoked || at.IsZero() || time.Since(at) > time.Minute {
		t.Errorf("Status = %s at %v, %v", status, at, err)
	}
	// The CRL says so too when there is no responder.
	c := p.Cert(t, name+".pem")
	c.OCSPServer = nil
	status, _, err = newFetcher().Status(t.Context(), c, p.Cert(t, "issuing.pem"))
	if err != nil || status != certify.StatusRevoked {
		t.Errorf("Status from the CRL = %s, %v", status, err)
	}
}

// TestTamperedAfterExtensionIsNotValidationOnly: an update that changes
// the catalog beyond the DSS is reported as a change after signing.
func TestTamperedAfterExtensionIsNotValidationOnly(t *testing.T) {
	p := pkitest.Shared(t)
	_, pdf := certifyLTA(t, p, pkiIdentity(t, p, ""))
	i := bytes.LastIndex(pdf, []byte("/DSS "))
	j := bytes.LastIndex(pdf[:i], []byte("obj\n<<"))
	if i < 0 || j < 0 {
		t.Fatal("no catalog revision with /DSS")
	}
	tampered := bytes.Clone(pdf)
	// A catalog entry of the extension's revision changes value (same
	// length, so the cross-reference table still holds).
	k := bytes.Index(tampered[j:i], []byte("/Lang ("))
	if k < 0 {
		t.Skip("the seed extract's catalog has no /Lang to alter")
	}
	tampered[j+k+7] ^= 0x20
	res := verify(t, tampered, p.Roots(t))
	if res.ValidationAppended || len(res.Problems) == 0 {
		t.Errorf("a changed catalog after signing counts as validation data only: %+v", res)
	}
}

// only returns the one section of pdfcpu's report about sub.
func only(t *testing.T, sections map[string][]string, sub string) string {
	t.Helper()
	if len(sections[sub]) != 1 {
		t.Fatalf("pdfcpu reports %d signatures with SubFilter %s, want 1: %q", len(sections[sub]), sub, sections)
	}
	return sections[sub][0]
}
