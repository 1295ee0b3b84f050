// Package pkitest gives tests the test PKI of scripts/pki.sh: a root and an
// issuing CA, an e-seal signer certificate with an OCSP responder and a CRL
// distribution point, and a timestamp authority, all answered by OpenSSL on
// loopback ports. Shared is the one scripts/with-pki.sh started for the
// whole run; New makes a private one that a test may revoke certificates in
// and stop services of. PDFCPU finds the pdfcpu validator with-pki.sh built.
//
// It may import the standard library only.
package pkitest

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Environment variables scripts/with-pki.sh sets.
const (
	EnvDir    = "UTDRAG_TEST_PKI_DIR"
	EnvTSA    = "UTDRAG_TEST_TSA_URL"
	EnvOCSP   = "UTDRAG_TEST_OCSP_URL"
	EnvCRL    = "UTDRAG_TEST_CRL_URL"
	EnvPDFCPU = "UTDRAG_TEST_PDFCPU"
)

// PKI is a running test PKI.
type PKI struct {
	Dir     string
	TSAURL  string
	OCSPURL string
	CRLURL  string
	script  string
}

// Shared returns the PKI scripts/with-pki.sh started. Without one, a test
// in CI fails; elsewhere it gets a private PKI of its own.
func Shared(t testing.TB) *PKI {
	t.Helper()
	dir := os.Getenv(EnvDir)
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("pkitest: no test PKI (%s unset); run `make test` or scripts/with-pki.sh go test ./...", EnvDir)
		}
		return New(t)
	}
	p, err := load(dir)
	if err != nil {
		t.Fatalf("pkitest: %v", err)
	}
	return p
}

// New makes and starts a PKI of the test's own, stopped and removed when
// the test ends.
func New(t testing.TB) *PKI {
	t.Helper()
	script := script(t)
	// A port chosen free may be taken before the service binds it; the
	// ports are in the certificates, so a retry makes the PKI again.
	var errs []string
	for attempt := range 3 {
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("pki-%d", attempt))
		if out, err := exec.Command(script, "init", dir).CombinedOutput(); err != nil {
			t.Fatalf("pkitest: pki.sh init: %v\n%s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command(script, "stop", dir).Run() })
		out, err := exec.Command(script, "start", dir).CombinedOutput()
		if err == nil {
			p, err := load(dir)
			if err != nil {
				t.Fatalf("pkitest: %v", err)
			}
			p.script = script
			return p
		}
		_ = exec.Command(script, "stop", dir).Run()
		errs = append(errs, fmt.Sprintf("%v\n%s", err, out))
	}
	t.Fatalf("pkitest: the PKI did not start:\n%s", strings.Join(errs, "\n"))
	return nil
}

var (
	scriptOnce sync.Once
	scriptPath string
	scriptErr  error
)

// script finds scripts/pki.sh above the test's working folder.
func script(t testing.TB) string {
	t.Helper()
	scriptOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			scriptErr = err
			return
		}
		for {
			p := filepath.Join(dir, "scripts", "pki.sh")
			if _, err := os.Stat(p); err == nil {
				scriptPath = p
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				scriptErr = fmt.Errorf("scripts/pki.sh not found above the working folder")
				return
			}
			dir = parent
		}
	})
	if scriptErr != nil {
		t.Fatalf("pkitest: %v", scriptErr)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatalf("pkitest: openssl is not installed (make test installs it): %v", err)
	}
	return scriptPath
}

// load reads the env file pki.sh init wrote.
func load(dir string) (*PKI, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		return nil, fmt.Errorf("reading the PKI in %s: %w", dir, err)
	}
	p := &PKI{Dir: dir}
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
		switch k {
		case EnvTSA:
			p.TSAURL = v
		case EnvOCSP:
			p.OCSPURL = v
		case EnvCRL:
			p.CRLURL = v
		}
	}
	if p.TSAURL == "" || p.OCSPURL == "" {
		return nil, fmt.Errorf("the PKI in %s names no TSA or OCSP responder", dir)
	}
	return p, nil
}

func (p *PKI) run(t testing.TB, args ...string) {
	t.Helper()
	if p.script == "" {
		p.script = script(t)
	}
	if out, err := exec.Command(p.script, args...).CombinedOutput(); err != nil {
		t.Fatalf("pkitest: pki.sh %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// Start starts the named services (ocsp, crl, tsa; none named: all).
func (p *PKI) Start(t testing.TB, services ...string) {
	t.Helper()
	p.run(t, append([]string{"start", p.Dir}, services...)...)
}

// Stop stops the named services (none named: all). Only for a PKI from
// New: the shared one serves every test package.
func (p *PKI) Stop(t testing.TB, services ...string) {
	t.Helper()
	if os.Getenv(EnvDir) == p.Dir {
		t.Fatal("pkitest: the shared PKI is not to be stopped; use New")
	}
	p.run(t, append([]string{"stop", p.Dir}, services...)...)
}

// Path is a file of the PKI.
func (p *PKI) Path(name string) string { return filepath.Join(p.Dir, name) }

// Read reads a file of the PKI.
func (p *PKI) Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(p.Path(name))
	if err != nil {
		t.Fatalf("pkitest: %v", err)
	}
	return b
}

// Cert reads a PEM certificate of the PKI ("root.pem", "tsa.pem", …).
func (p *PKI) Cert(t testing.TB, name string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(p.Read(t, name))
	if block == nil {
		t.Fatalf("pkitest: %s holds no PEM block", name)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("pkitest: %s: %v", name, err)
	}
	return c
}

// Roots is a pool holding the PKI's root CA.
func (p *PKI) Roots(t testing.TB) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(p.Cert(t, "root.pem"))
	return pool
}

// Signer is the PKI's signer: its chain (leaf, issuing CA, root) and key,
// PEM.
func (p *PKI) Signer(t testing.TB) (chainPEM, keyPEM []byte) {
	t.Helper()
	return p.Read(t, "signer-chain.pem"), p.Read(t, "signer.key")
}

// Unique is name with a random suffix, for certificates and keys issued in
// the shared PKI (or a token) by a test that may run more than once.
func Unique(name string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return name + "-" + hex.EncodeToString(b)
}

// Issue issues a new signer certificate, with a new key, named name
// (lower-case letters, digits, dashes), and returns its chain and key.
func (p *PKI) Issue(t testing.TB, name string) (chainPEM, keyPEM []byte) {
	t.Helper()
	p.run(t, "issue", p.Dir, name)
	return p.Read(t, name+"-chain.pem"), p.Read(t, name+".key")
}

// IssueCSR issues a signer certificate for the key of a PEM certificate
// request (a key that never leaves an HSM) and returns its chain.
func (p *PKI) IssueCSR(t testing.TB, name string, csrPEM []byte) []byte {
	t.Helper()
	csr := filepath.Join(t.TempDir(), name+".csr")
	if err := os.WriteFile(csr, csrPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	p.run(t, "issue", p.Dir, name, csr)
	return p.Read(t, name+"-chain.pem")
}

// Revoke revokes the certificate issued as name, now: the OCSP responder
// and the CRL say so from this moment.
func (p *PKI) Revoke(t testing.TB, name string) {
	t.Helper()
	p.run(t, "revoke", p.Dir, p.Path(name+".pem"))
}

// PDFCPU returns the pdfcpu v0.15.0 binary with-pki.sh built. Without it
// a test in CI fails, elsewhere it is skipped.
func PDFCPU(t testing.TB) string {
	t.Helper()
	bin := os.Getenv(EnvPDFCPU)
	if bin == "" {
		if home, err := os.UserHomeDir(); err == nil {
			bin = filepath.Join(home, ".cache", "utdrag", "pdfcpu-v0.15.0", "pdfcpu")
		}
	}
	if _, err := os.Stat(bin); err != nil {
		msg := "pkitest: pdfcpu v0.15.0 not built (" + EnvPDFCPU + " unset); run `make test` or scripts/with-pki.sh"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return bin
}

// PDFCPUValidate runs `pdfcpu signatures validate -a -f` on the file at
// path with the PKI's root as its only trust anchor (a config folder of the
// test's own, which lets pdfcpu ask the PKI's loopback responders) and
// returns the output by signature: the SubFilter (ETSI.CAdES.detached,
// ETSI.RFC3161) of each maps to its section. Stop the services first to
// see what the file alone proves.
func (p *PKI) PDFCPUValidate(t testing.TB, path string) map[string][]string {
	t.Helper()
	bin := PDFCPU(t)
	conf := filepath.Join(t.TempDir(), "pdfcpu")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", conf, "certificates", "import", p.Path("root.pem")).CombinedOutput(); err != nil {
		t.Fatalf("pdfcpu certificates import: %v\n%s", err, out)
	}
	cfg := filepath.Join(conf, "pdfcpu", "config.yml")
	raw, err := os.ReadFile(cfg)
	if err != nil || !strings.Contains(string(raw), "allowedRevocationHosts: []") {
		t.Fatalf("pdfcpu wrote no config with allowedRevocationHosts: %v", err)
	}
	raw = []byte(strings.Replace(string(raw), "allowedRevocationHosts: []", "allowedRevocationHosts: [127.0.0.1]", 1))
	if err := os.WriteFile(cfg, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command(bin, "-c", conf, "signatures", "validate", "-a", "-f", path).CombinedOutput()
	sections := map[string][]string{}
	for _, sec := range splitSections(string(out)) {
		_, rest, ok := strings.Cut(sec, "SubFilter:")
		if !ok {
			continue
		}
		sub := strings.Fields(rest)[0]
		sections[sub] = append(sections[sub], sec)
	}
	if len(sections) == 0 {
		t.Fatalf("pdfcpu lists no signatures:\n%s", out)
	}
	return sections
}

// splitSections cuts pdfcpu's report at the lines "1:", "2:", ….
func splitSections(out string) []string {
	var secs []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(out, "\n") {
		if t := strings.TrimSpace(line); strings.HasSuffix(t, ":") && strings.Trim(t, "0123456789:") == "" && len(t) > 1 {
			if cur.Len() > 0 {
				secs = append(secs, cur.String())
			}
			cur.Reset()
		}
		cur.WriteString(line)
	}
	return append(secs, cur.String())
}
