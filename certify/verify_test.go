package certify_test

import (
	"bytes"
	"crypto/x509"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"utdrag/certify"
)

func TestVerifySignedExtract(t *testing.T) {
	s := newTestSigner(t)
	at := time.Date(2023, 10, 6, 13, 30, 0, 0, time.FixedZone("", 2*3600))
	signed := sign(t, extractPDF(t, 40), s.id, certify.Options{Reason: "Rätt utdraget intygar", Time: at, Location: "Östersund"})
	res, err := certify.Verify(signed, s.roots)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Signed || !res.Valid || !res.WholeDocument || !res.Trusted {
		t.Fatalf("Verify = %+v, want signed, valid, whole document, trusted", res)
	}
	if res.SignerFingerprint != s.id.Fingerprint() || res.Signer != s.id.Subject() {
		t.Errorf("signer %q %s, want %q %s", res.Signer, res.SignerFingerprint, s.id.Subject(), s.id.Fingerprint())
	}
	if res.Name != s.id.Leaf().Subject.CommonName || res.Location != "Östersund" {
		t.Errorf("name %q, location %q: want the signature's claims", res.Name, res.Location)
	}
	needTool(t, "pdfinfo")
	info, err := run(t, "pdfinfo", writeTemp(t, "signed.pdf", signed))
	if err != nil || !regexp.MustCompile(`(?m)^Pages:\s+`+strconv.Itoa(res.Pages)+`$`).MatchString(info) || res.Pages < 1 {
		t.Errorf("Verify says %d pages; pdfinfo: %v\n%s", res.Pages, err, info)
	}
	if !res.SigningTime.Equal(at) {
		t.Errorf("signing time %v, want %v", res.SigningTime, at)
	}
	// The only problem of a correct development signature is that it is one.
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0], "utvecklingscertifikat") {
		t.Errorf("problems = %q", res.Problems)
	}
}

func TestVerifyDetectsEveryFlippedByte(t *testing.T) {
	s := newTestSigner(t)
	signed := sign(t, extractPDF(t, 1), s.id, certify.Options{Reason: "Rätt utdraget intygar"})
	gapStart, gapEnd := byteRange(t, signed)
	// Every 101st byte of both signed ranges, plus the first and last.
	var positions []int
	for i := 0; i < len(signed); i += 101 {
		if i < gapStart || i >= gapEnd {
			positions = append(positions, i)
		}
	}
	positions = append(positions, 0, gapStart-1, gapEnd, len(signed)-1)
	for _, i := range positions {
		tampered := bytes.Clone(signed)
		tampered[i] ^= 0x01
		res, err := certify.Verify(tampered, s.roots)
		if res.Valid {
			t.Fatalf("flipping byte %d (%q) still verifies: %+v, %v", i, signed[i], res, err)
		}
	}
}

func TestVerifyReportsChangedText(t *testing.T) {
	s := newTestSigner(t)
	signed := sign(t, extractPDF(t, 1), s.id, certify.Options{Reason: "Rätt utdraget intygar"})
	i := bytes.Index(signed, []byte("/Producer ("))
	if i < 0 {
		t.Fatal("no /Producer entry to tamper with")
	}
	tampered := bytes.Clone(signed)
	tampered[i+len("/Producer (")] ^= 0x20 // a letter changes case
	res, err := certify.Verify(tampered, s.roots)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Signed || res.Valid {
		t.Fatalf("Verify = %+v, want signed but not valid", res)
	}
	if !containsProblem(res, "har ändrats") {
		t.Errorf("problems do not say the document changed: %q", res.Problems)
	}
}

func TestVerifyUntrustedIssuer(t *testing.T) {
	s := newTestSigner(t)
	other := newTestSigner(t)
	signed := sign(t, extractPDF(t, 1), s.id, certify.Options{})
	for name, roots := range map[string]*x509.CertPool{"other CA": other.roots, "no roots": nil} {
		res, err := certify.Verify(signed, roots)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Valid || res.Trusted {
			t.Errorf("%s: Verify = %+v, want valid but not trusted", name, res)
		}
		if !containsProblem(res, "betrodd") {
			t.Errorf("%s: problems do not mention trust: %q", name, res.Problems)
		}
	}
}

func TestVerifyAppendedUpdate(t *testing.T) {
	s := newTestSigner(t)
	signed := sign(t, extractPDF(t, 1), s.id, certify.Options{})
	appended := append(bytes.Clone(signed), "% tillägg efter underskriften\n"...)
	res, err := certify.Verify(appended, s.roots)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Valid || res.WholeDocument {
		t.Errorf("Verify = %+v, want the signed revision valid but not the whole document", res)
	}
}

func TestVerifyUnsigned(t *testing.T) {
	res, err := certify.Verify(extractPDF(t, 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Signed || res.Valid || len(res.Problems) == 0 {
		t.Errorf("Verify of an unsigned PDF = %+v", res)
	}
	if _, err := certify.Verify([]byte("inte en PDF"), nil); err == nil {
		t.Error("Verify accepted a file that is not a PDF")
	}
}

func containsProblem(res certify.Result, part string) bool {
	for _, p := range res.Problems {
		if strings.Contains(p, part) {
			return true
		}
	}
	return false
}

var byteRangePattern = regexp.MustCompile(`/ByteRange \[0 (\d+) (\d+) (\d+)\]`)

// byteRange returns where the unsigned Contents gap starts and ends.
func byteRange(t *testing.T, pdf []byte) (int, int) {
	t.Helper()
	m := byteRangePattern.FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no ByteRange in signed PDF")
	}
	start, _ := strconv.Atoi(string(m[1]))
	end, _ := strconv.Atoi(string(m[2]))
	tail, _ := strconv.Atoi(string(m[3]))
	if end+tail != len(pdf) || pdf[start] != '<' || pdf[end-1] != '>' {
		t.Fatalf("ByteRange [0 %d %d %d] does not cover a %d-byte file but its Contents", start, end, tail, len(pdf))
	}
	return start, end
}
