package pdftest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
)

// Readings are what tools nobody here wrote read from a PDF, by tool:
// pdftotext's text, qpdf's uncompressed rewrite (content, metadata and
// attachments as plain bytes: qpdf --qdf --object-streams=disable),
// pdfinfo's document information and pdfinfo -meta's XMP, and strings
// run over the uncompressed rewrite.
func Readings(t testing.TB, pdf []byte) map[string]string {
	t.Helper()
	f := File(t, pdf)
	qdf := filepath.Join(filepath.Dir(f), "qdf.pdf")
	// qpdf exits 3 for warnings; the file is written all the same.
	cmd := exec.Command("qpdf", "--qdf", "--object-streams=disable", f, qdf)
	if out, err := cmd.CombinedOutput(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("qpdf --qdf: %v\n%s", err, out)
		}
	}
	raw, err := os.ReadFile(qdf)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"pdftotext":     Text(t, pdf),
		"qpdf --qdf":    string(raw),
		"pdfinfo":       Run(t, false, "pdfinfo", f),
		"pdfinfo -meta": Run(t, false, "pdfinfo", "-meta", f),
		"strings":       Strings(t, raw),
	}
}

// Strings is what strings(1) finds in data: runs of printable characters
// as single bytes and as 16-bit big-endian characters (-e S, -e b).
func Strings(t testing.TB, data []byte) string {
	t.Helper()
	var out strings.Builder
	for _, enc := range []string{"S", "b"} {
		cmd := exec.Command("strings", "-n", "3", "-e", enc)
		cmd.Stdin = bytes.NewReader(data)
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("strings -e %s: %v", enc, err)
		}
		out.Write(b)
	}
	return out.String()
}

// Contains reports whether hay holds needle, compared with white space
// of any kind (no-break spaces too) as one space and without regard to
// case, as UTF-8, as UTF-16BE bytes (how PDF writes text strings) or as
// their hexadecimal digits.
func Contains(hay, needle string) bool {
	n := Fold(needle)
	if n == "" {
		return false
	}
	if strings.Contains(Fold(hay), n) {
		return true
	}
	var u16 []byte
	for _, u := range utf16.Encode([]rune(needle)) {
		u16 = append(u16, byte(u>>8), byte(u))
	}
	h := strings.ToLower(hay)
	if strings.Contains(hay, string(u16)) || strings.Contains(h, hex.EncodeToString(u16)) {
		return true
	}
	// As a JSON string writes it (an attached source): & < > escaped.
	js, _ := json.Marshal(needle)
	return strings.Contains(Fold(hay), Fold(string(js[1:len(js)-1])))
}

// Fold is s in lower case with every run of white space one space.
func Fold(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u00a0'
	}), " ")
}

// Words are the words of s longer than three letters or digits, in
// lower case.
func Words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		if len([]rune(w)) > 3 {
			out = append(out, w)
		}
	}
	return out
}

// HasWord reports whether hay holds word as a whole word (letters and
// digits, any case), in UTF-8, or its UTF-16BE bytes or their
// hexadecimal digits anywhere.
func HasWord(hay, word string) bool {
	word = strings.ToLower(word)
	for _, w := range strings.FieldsFunc(strings.ToLower(hay), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		if w == word {
			return true
		}
	}
	var u16 []byte
	for _, u := range utf16.Encode([]rune(word)) {
		u16 = append(u16, byte(u>>8), byte(u))
	}
	return bytes.Contains(bytes.ToLower([]byte(hay)), bytes.ToLower(u16)) || strings.Contains(strings.ToLower(hay), hex.EncodeToString(u16))
}
