package certify_test

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"utdrag/certify"
)

const (
	fontDir   = "../fonts/files" // the fonts the service embeds
	serifFont = "LiberationSerif-Regular.ttf"
)

// extractPDF renders a small protocol extract with fpdf; paragraphs sets its
// length.
func extractPDF(t testing.TB, paragraphs int) []byte {
	t.Helper()
	if _, err := os.Stat(filepath.Join(fontDir, serifFont)); err != nil {
		t.Skipf("font not installed: %v", err)
	}
	pdf := fpdf.New("P", "mm", "A4", fontDir)
	pdf.AddUTF8Font("Serif", "", serifFont)
	pdf.SetTitle("Protokollsutdrag § 157", true)
	pdf.AddPage()
	pdf.SetFont("Serif", "", 14)
	pdf.CellFormat(0, 10, "PROTOKOLLSUTDRAG – Regionstyrelsen", "", 1, "", false, 0, "")
	pdf.SetFont("Serif", "", 11)
	for i := range paragraphs {
		pdf.MultiCell(0, 6, fmt.Sprintf("§\u00a0%d Samverkansöverenskommelsen om ”Energikontoret” – "+
			"beslutet fattades med 8 ja-röster mot 5 nej-röster. Åsa Öberg (S) och Björn Hammarberg (M) "+
			"reserverar sig till förmån för eget förslag. Dnr RS/412/2023.", 150+i), "", "", false)
	}
	pdf.MultiCell(0, 6, "Rätt utdraget intygar: Anna-Karin Lindström, registrator", "", "", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		t.Fatalf("render test PDF: %v", err)
	}
	return buf.Bytes()
}

// testSigner is a development identity and a pool trusting its CA.
type testSigner struct {
	id    certify.Identity
	roots *x509.CertPool
	ca    *x509.Certificate
}

func newTestSigner(t testing.TB) testSigner {
	t.Helper()
	certPEM, keyPEM, err := certify.NewDevelopment("Region Exempel", time.Now())
	if err != nil {
		t.Fatalf("NewDevelopment: %v", err)
	}
	id, err := certify.LoadPEM(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("LoadPEM: %v", err)
	}
	if len(id.Chain) != 2 {
		t.Fatalf("chain has %d certificates, want leaf and CA", len(id.Chain))
	}
	roots := x509.NewCertPool()
	roots.AddCert(id.Chain[1])
	return testSigner{id: id, roots: roots, ca: id.Chain[1]}
}

func sign(t testing.TB, pdf []byte, id certify.Identity, opt certify.Options) []byte {
	t.Helper()
	signed, err := certify.Sign(t.Context(), pdf, id, opt)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return signed
}

func writeTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// needTool skips the test when an external checker is not installed.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed", name)
	}
}

// run runs an external checker and returns its combined output.
func run(t testing.TB, name string, args ...string) (string, error) {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), name, args...).CombinedOutput()
	return string(out), err
}

// qpdfCheck fails the test unless qpdf finds the file free of errors.
func qpdfCheck(t *testing.T, path string) {
	t.Helper()
	needTool(t, "qpdf")
	out, err := run(t, "qpdf", "--check", path)
	if err != nil || strings.Contains(out, "WARNING") {
		t.Fatalf("qpdf --check: %v\n%s", err, out)
	}
}

// nssDB makes an NSS database that trusts ca, for pdfsig -nssdir.
func nssDB(t *testing.T, ca *x509.Certificate) string {
	t.Helper()
	needTool(t, "certutil")
	dir := t.TempDir()
	if out, err := run(t, "certutil", "-N", "-d", "sql:"+dir, "--empty-password"); err != nil {
		t.Fatalf("certutil -N: %v\n%s", err, out)
	}
	caPath := writeTemp(t, "ca.der", ca.Raw)
	if out, err := run(t, "certutil", "-A", "-d", "sql:"+dir, "-n", "utdrag-test-ca", "-t", "CT,C,C", "-i", caPath); err != nil {
		t.Fatalf("certutil -A: %v\n%s", err, out)
	}
	return dir
}

func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("%s output lacks %q:\n%s", what, w, out)
		}
	}
}
