// Package pdftest checks PDFs in tests with tools nobody here wrote:
// pdftotext, pdffonts, pdfinfo (poppler-utils), qpdf and Apache PDFBox's
// Preflight (libpdfbox2-java). A missing tool fails the test: make test
// installs them.
//
// It may import the standard library only.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// File writes pdf to a temporary file and returns its path.
func File(t testing.TB, pdf []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(p, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Run runs a tool and returns its standard output; a non-zero exit fails
// the test unless allowFail.
func Run(t testing.TB, allowFail bool, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed (make test installs it): %v", name, err)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil && !allowFail {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// Text is pdftotext's reading of the whole document (UTF-8).
func Text(t testing.TB, pdf []byte, args ...string) string {
	t.Helper()
	args = append(append([]string{"-enc", "UTF-8"}, args...), File(t, pdf), "-")
	return Run(t, false, "pdftotext", args...)
}

// Font is one row of pdffonts.
type Font struct {
	Name, Type       string
	Embedded, Subset bool
}

// Fonts lists the document's fonts as pdffonts reports them.
func Fonts(t testing.TB, pdf []byte) []Font {
	t.Helper()
	out := Run(t, false, "pdffonts", File(t, pdf))
	var fonts []Font
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines[min(2, len(lines)):] {
		f := strings.Fields(l)
		if len(f) < 6 {
			continue
		}
		// name type [type…] encoding emb sub uni object ID
		n := len(f)
		fonts = append(fonts, Font{Name: f[0], Type: strings.Join(f[1:n-6], " "),
			Embedded: f[n-5] == "yes", Subset: f[n-4] == "yes"})
	}
	return fonts
}

// Info is pdfinfo's key/value report.
func Info(t testing.TB, pdf []byte) map[string]string {
	t.Helper()
	out := Run(t, false, "pdfinfo", "-enc", "UTF-8", File(t, pdf))
	info := map[string]string{}
	for _, l := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info
}

// QPDFCheck fails the test when qpdf --check finds an error.
func QPDFCheck(t testing.TB, pdf []byte) {
	t.Helper()
	out := Run(t, true, "qpdf", "--check", File(t, pdf))
	if !strings.Contains(out, "No syntax or stream encoding errors found") {
		t.Fatalf("qpdf --check:\n%s", out)
	}
}

// NSSDB makes an NSS database that trusts the CA certificates in caPEM,
// for pdfsig -nssdir, and returns its "sql:" address.
func NSSDB(t testing.TB, caPEM []byte) string {
	t.Helper()
	dir := t.TempDir()
	Run(t, false, "certutil", "-N", "-d", "sql:"+dir, "--empty-password")
	for i, block := range splitPEM(caPEM) {
		p := filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(p, block, 0o644); err != nil {
			t.Fatal(err)
		}
		Run(t, false, "certutil", "-A", "-d", "sql:"+dir, "-n", "ca"+string(rune('a'+i)), "-t", "CT,C,C", "-a", "-i", p)
	}
	return "sql:" + dir
}

// splitPEM returns each CERTIFICATE block of data on its own.
func splitPEM(data []byte) [][]byte {
	var out [][]byte
	const begin, end = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"
	s := string(data)
	for {
		i := strings.Index(s, begin)
		if i < 0 {
			return out
		}
		j := strings.Index(s[i:], end)
		if j < 0 {
			return out
		}
		out = append(out, []byte(s[i:i+j+len(end)]+"\n"))
		s = s[i+j+len(end):]
	}
}

// Sig is pdfsig's report on the document's signatures; nssdir may be "".
func Sig(t testing.TB, pdf []byte, nssdir string) string {
	t.Helper()
	args := []string{File(t, pdf)}
	if nssdir != "" {
		args = append([]string{"-nssdir", nssdir}, args...)
	}
	return Run(t, true, "pdfsig", args...)
}
