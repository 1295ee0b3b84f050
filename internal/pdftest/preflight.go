package pdftest

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// preflightJars are what Apache PDFBox's Preflight needs, from Debian's
// libpdfbox2-java, libactivation-java and libjaxb-api-java.
var preflightJars = []string{"preflight.jar", "pdfbox2.jar", "xmpbox.jar", "fontbox2.jar", "commons-logging.jar", "javax.activation.jar", "jaxb-api.jar"}

// Preflight validates the files with Apache PDFBox's Preflight (PDF/A-1b)
// in one Java run and returns each file's errors by its name in files; a
// file Preflight finds not valid without naming an error gets "not valid".
func Preflight(t testing.TB, files map[string][]byte) map[string][]string {
	t.Helper()
	var cp []string
	for _, j := range preflightJars {
		p := filepath.Join("/usr/share/java", j)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("Preflight is not installed (make test installs libpdfbox2-java): %v", err)
		}
		cp = append(cp, p)
	}
	dir := t.TempDir()
	var list strings.Builder
	for name, pdf := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		list.WriteString(p + "\n")
	}
	listFile := filepath.Join(dir, "files.txt")
	if err := os.WriteFile(listFile, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("java", "-cp", strings.Join(cp, ":"), "org.apache.pdfbox.preflight.Validator_A1b", "xml", "group", listFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("Preflight: %v\n%s", err, out)
	}
	raw, err := os.ReadFile(listFile + ".preflight.xml")
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		Files []struct {
			Name   string `xml:"name,attr"`
			Valid  string `xml:"isValid"`
			Errors []struct {
				Code    string `xml:"code"`
				Details string `xml:"details"`
			} `xml:"errors>error"`
		} `xml:"preflight"`
	}
	if err := xml.Unmarshal(raw, &report); err != nil {
		t.Fatalf("Preflight's report: %v", err)
	}
	out := map[string][]string{}
	for _, f := range report.Files {
		errs := []string{}
		for _, e := range f.Errors {
			errs = append(errs, e.Code+" "+e.Details)
		}
		if f.Valid != "true" && len(errs) == 0 {
			errs = append(errs, "not valid")
		}
		out[filepath.Base(f.Name)] = errs
	}
	return out
}
