package service_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"utdrag/index/indextest"
	"utdrag/internal/pdftest"
	"utdrag/internal/pkitest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// startSealed starts the service signing with the PKI's certificate
// named name ("" the PKI's signer) and its timestamp authority, and
// returns the server too, for its archive-timestamp job.
func startSealed(t *testing.T, p *pkitest.PKI, name string, store storage.Store, tune ...func(*service.Config)) (*env, *service.Server) {
	t.Helper()
	var chain, key []byte
	if name == "" {
		chain, key = p.Signer(t)
	} else {
		chain, key = p.Issue(t, name)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "chain.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, key, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := service.Defaults()
	cfg.Mail.Outbox = t.TempDir()
	cfg.Signing.CertFile, cfg.Signing.KeyFile, cfg.Signing.TSAURL = certFile, keyFile, p.TSAURL
	cfg.Signing.FetchTimeout = 2 * time.Second
	for _, f := range tune {
		f(&cfg)
	}
	srv, err := service.New(cfg, service.Deps{Store: store, Render: servicetest.Engine(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Index: indextest.SQLite(t), Pages: servicetest.Pages(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, url: ts.URL, store: store}, srv
}

// sealView is the long-term part of a certification record.
type sealView struct {
	Version     int       `json:"version"`
	Fingerprint string    `json:"fingerprint"`
	SHA256      string    `json:"sha256"`
	Level       string    `json:"level"`
	Missing     []string  `json:"missing"`
	RenewBy     time.Time `json:"renewBy"`
	Revisions   []struct {
		Revision int       `json:"revision"`
		SHA256   string    `json:"sha256"`
		Level    string    `json:"level"`
		RenewBy  time.Time `json:"renewBy"`
	} `json:"revisions"`
}

func (e *env) seal(id string) sealView {
	e.t.Helper()
	resp, raw := e.do("GET", "/v1/extracts/"+id, nil)
	var v struct {
		Certifications []sealView `json:"certifications"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || resp.StatusCode != 200 || len(v.Certifications) == 0 {
		e.t.Fatalf("extract %s: %d %s", id, resp.StatusCode, raw)
	}
	return v.Certifications[len(v.Certifications)-1]
}

// longTerm is what /v1/verify says for an archivist.
type longTerm struct {
	Genuine   bool   `json:"genuine"`
	Revision  int    `json:"revision"`
	Message   string `json:"message"`
	Signature struct {
		Valid                bool      `json:"valid"`
		Level                string    `json:"level"`
		Timestamped          bool      `json:"timestamped"`
		SigningTime          time.Time `json:"signingTime"`
		ValidAtSigningTime   bool      `json:"validAtSigningTime"`
		ChainValidAtSigning  bool      `json:"chainValidAtSigning"`
		RevokedBeforeSigning bool      `json:"revokedBeforeSigning"`
		ValidationAppended   bool      `json:"validationAppended"`
		Chain                []struct {
			Subject  string    `json:"subject"`
			NotAfter time.Time `json:"notAfter"`
		} `json:"chain"`
		Revocation []struct {
			Subject   string    `json:"subject"`
			Status    string    `json:"status"`
			Source    string    `json:"source"`
			RevokedAt time.Time `json:"revokedAt"`
		} `json:"revocation"`
		ArchiveTimestamps []struct {
			Time    time.Time `json:"time"`
			Valid   bool      `json:"valid"`
			Trusted bool      `json:"trusted"`
		} `json:"archiveTimestamps"`
		LastArchiveTimestamp time.Time `json:"lastArchiveTimestamp"`
		RenewBy              time.Time `json:"renewBy"`
		Problems             []string  `json:"problems"`
	} `json:"signature"`
}

func (e *env) verifySum(sum string) longTerm {
	e.t.Helper()
	resp, raw := e.do("GET", "/v1/verify/"+sum, nil)
	var v longTerm
	if err := json.Unmarshal(raw, &v); err != nil || resp.StatusCode != 200 {
		e.t.Fatalf("verify %s: %d %s", sum, resp.StatusCode, raw)
	}
	return v
}

func TestCertificationIsLTAAndVerificationSaysSo(t *testing.T) {
	p := pkitest.Shared(t)
	e, _ := startSealed(t, p, "", storagetest.FS(t))
	testCertificationLTA(t, p, e)
}

// testCertificationLTA certifies the seed extract and checks the record,
// /v1/verify, the verification page and the downloaded file; it returns
// the certification record.
func testCertificationLTA(t *testing.T, p *pkitest.PKI, e *env) sealView {
	t.Helper()
	id := e.create("rs-157-2023.json")
	if resp, v := e.certify(id, clerk); resp.StatusCode != http.StatusCreated {
		t.Fatalf("certify: %d %+v", resp.StatusCode, v)
	}
	s := e.seal(id)
	tsa := p.Cert(t, "tsa.pem")
	if s.Level != "B-LTA" || len(s.Missing) > 0 || !s.RenewBy.Equal(tsa.NotAfter) {
		t.Errorf("certification record: %+v; want B-LTA, nothing missing, renew by %v", s, tsa.NotAfter)
	}
	v := e.verifySum(s.SHA256)
	sig := v.Signature
	if !v.Genuine || !sig.Valid || sig.Level != "B-LTA" || !sig.Timestamped || !sig.ValidAtSigningTime ||
		!sig.ChainValidAtSigning || sig.RevokedBeforeSigning || !sig.ValidationAppended || len(sig.Problems) > 0 {
		t.Fatalf("verify: %+v", v)
	}
	if time.Since(sig.SigningTime) > time.Minute || len(sig.Chain) != 3 || len(sig.Revocation) != 4 {
		t.Errorf("signing time %v, chain %+v, revocation %+v", sig.SigningTime, sig.Chain, sig.Revocation)
	}
	for _, r := range sig.Revocation {
		if r.Status != "good" || r.Source == "" {
			t.Errorf("revocation of %s: %+v", r.Subject, r)
		}
	}
	if len(sig.ArchiveTimestamps) != 1 || !sig.ArchiveTimestamps[0].Valid || !sig.ArchiveTimestamps[0].Trusted ||
		!sig.LastArchiveTimestamp.Equal(sig.ArchiveTimestamps[0].Time) || !sig.RenewBy.Equal(tsa.NotAfter) {
		t.Errorf("archive timestamps %+v, last %v, renew by %v", sig.ArchiveTimestamps, sig.LastArchiveTimestamp, sig.RenewBy)
	}

	resp, page := e.do("GET", "/v/"+id+"/1", nil)
	for _, want := range []string{"PAdES B-LTA", "enligt tidsstämpel", "Giltig vid signeringen", "inte återkallat (OCSP",
		"Utdrag test-PKI rot-CA", `id="renew-by"><span class="date">` + tsa.NotAfter.In(stockholm(t)).Format(time.DateOnly)} {
		if !strings.Contains(string(page), want) {
			t.Errorf("verification page (%d) lacks %q", resp.StatusCode, want)
		}
	}

	_, signed := e.do("GET", "/v1/extracts/"+id+"/certified", nil)
	pdftest.QPDFCheck(t, signed)
	out := pdftest.Sig(t, signed, pdftest.NSSDB(t, p.Read(t, "root.pem")))
	first, second, _ := strings.Cut(out, "Signature #2:")
	for _, want := range []string{"Signature is Valid", "Certificate is Trusted", "ETSI.CAdES.detached"} {
		if !strings.Contains(first, want) {
			t.Errorf("pdfsig on the signature lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{"Dokumenttidsstämpel", "Total document signed"} {
		if !strings.Contains(second, want) {
			t.Errorf("pdfsig on the document timestamp lacks %q:\n%s", want, out)
		}
	}
	return s
}

func stockholm(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestCertificationRefusedWithRevokedCertificate(t *testing.T) {
	p := pkitest.New(t)
	store := storagetest.FS(t)
	e, _ := startSealed(t, p, "revoked-seal", store)
	p.Revoke(t, "revoked-seal")
	id := e.create("rs-157-2023.json")
	resp, raw := e.do("POST", "/v1/extracts/"+id+"/certification", []byte(clerk))
	var prob struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(raw, &prob)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.HasSuffix(prob.Type, "signing-certificate-revoked") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("certify with a revoked certificate: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	for _, k := range e.objects() {
		if strings.Contains(k, "certified") {
			t.Errorf("a refused certification stored %s", k)
		}
	}
}

// slowProxy forwards to target after holding each request for delay.
func slowProxy(t *testing.T, target string, delay time.Duration) string {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body first: only then does the server notice a client
		// that gives up.
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		select {
		case <-time.After(delay):
			rp.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL + u.Path
}

// TestCertificationWithServicesDownIsCompletedLater: a slow timestamp
// authority and stopped responders cost certification no more than its
// timeout; the level reached is recorded and shown, and the
// archive-timestamp job completes the file once they answer.
func TestCertificationWithServicesDownIsCompletedLater(t *testing.T) {
	p := pkitest.New(t)
	const timeout = 3 * time.Second
	e, srv := startSealed(t, p, "", storagetest.FS(t), func(c *service.Config) {
		c.Signing.TSAURL = slowProxy(t, p.TSAURL, time.Minute)
		c.Signing.Timeout = timeout
	})
	p.Stop(t, "ocsp", "crl")
	id := e.create("rs-157-2023.json")
	start := time.Now()
	resp, _ := e.certify(id, clerk)
	took := time.Since(start)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("certify with the services down: %d", resp.StatusCode)
	}
	t.Logf("certification with the services down took %v", took)
	if took > timeout+10*time.Second {
		t.Errorf("certification took %v with a %v timeout", took, timeout)
	}
	s := e.seal(id)
	if s.Level != "B-B" || len(s.Missing) < 2 || !strings.Contains(strings.Join(s.Missing, " "), "Tidsstämpeltjänsten svarade inte") {
		t.Errorf("with the TSA slow and the responders down the record says %+v", s)
	}
	v := e.verifySum(s.SHA256)
	if !v.Genuine || v.Signature.Level != "B-B" || v.Signature.Timestamped {
		t.Errorf("verify: %+v", v)
	}

	// The services answer again: the job's first run dates the
	// signature with a document timestamp (B-T) and adds the signer's
	// validation data; its second adds the timestamp authority's and an
	// archive timestamp over it all (B-LTA).
	p.Start(t, "ocsp", "crl")
	job := srv.ArchiveJob()
	job.TSAURL = p.TSAURL
	for run, want := range []string{"B-T", "B-LTA"} {
		rep, err := job.Run(t.Context())
		if err != nil || rep.Stamped != 1 {
			t.Fatalf("archive-timestamp run %d: %+v, %v", run+1, rep, err)
		}
		after := e.seal(id)
		if len(after.Revisions) != run+1 || after.Revisions[run].Level != want {
			t.Fatalf("after run %d: %+v, want %s", run+1, after, want)
		}
	}
	after := e.seal(id)
	_, old := e.do("GET", "/v1/verify/"+s.SHA256, nil)
	_, cur := e.do("GET", "/v1/extracts/"+id+"/certified", nil)
	if pdftestChecksum(cur) != after.Revisions[1].SHA256 {
		t.Error("the certified download is not the newest revision")
	}
	v = e.verifySum(after.Revisions[1].SHA256)
	if !v.Genuine || v.Revision != 2 || v.Signature.Level != "B-LTA" || !v.Signature.ValidAtSigningTime ||
		!v.Signature.Timestamped || len(v.Signature.ArchiveTimestamps) != 2 {
		t.Errorf("verify the completed file: %+v", v)
	}
	if !bytes.Contains(old, []byte(`"genuine":true`)) {
		t.Errorf("the file as first certified is no longer genuine: %s", old)
	}
}

// TestRevokedAfterSigningVerifiesAsValidThen: the signer's certificate
// is revoked after the timestamp; the validation data the job adds says
// so, and verification still finds the signature valid when it was made.
func TestRevokedAfterSigningVerifiesAsValidThen(t *testing.T) {
	p := pkitest.New(t)
	e, srv := startSealed(t, p, "later-revoked", storagetest.FS(t))
	p.Stop(t, "ocsp", "crl")
	id := e.create("rs-157-2023.json")
	if resp, _ := e.certify(id, clerk); resp.StatusCode != http.StatusCreated {
		t.Fatalf("certify: %d", resp.StatusCode)
	}
	s := e.seal(id)
	if s.Level != "B-T" {
		t.Fatalf("with the responders down the level is %q, want B-T", s.Level)
	}
	signedAt := e.verifySum(s.SHA256).Signature.SigningTime
	for !time.Now().Truncate(time.Second).After(signedAt) {
		time.Sleep(50 * time.Millisecond)
	}
	p.Revoke(t, "later-revoked")
	p.Start(t, "ocsp", "crl")
	rep, err := srv.ArchiveJob().Run(t.Context())
	if err != nil || rep.Stamped != 1 {
		t.Fatalf("archive-timestamp: %+v, %v", rep, err)
	}
	after := e.seal(id)
	v := e.verifySum(after.Revisions[0].SHA256)
	sig := v.Signature
	if !v.Genuine || !sig.ValidAtSigningTime || sig.RevokedBeforeSigning || sig.Level != "B-LTA" {
		t.Fatalf("verify after revocation: %+v", v)
	}
	if leaf := sig.Revocation[0]; leaf.Status != "good" || !leaf.RevokedAt.After(signedAt) {
		t.Errorf("signer revocation %+v, want good at signing, revoked after %v", leaf, signedAt)
	}
	_, page := e.do("GET", "/v/"+id+"/1", nil)
	if !strings.Contains(string(page), "giltigt vid signeringen, återkallat senare") {
		t.Error("the verification page does not say the certificate was revoked after signing")
	}
}
