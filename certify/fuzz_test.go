package certify_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"utdrag/certify"
)

// The fuzz target's signed seeds are kept in files: every fuzzing worker
// must see the same signer as the process that gave it the seeds.
var writeSeeds = flag.Bool("write-fuzz-seeds", false, "sign new seed files for FuzzVerify")

const seedDir = "testdata/verify"

func TestWriteFuzzSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -write-fuzz-seeds to sign new seeds")
	}
	s := newTestSigner(t)
	at := time.Date(2025, 6, 18, 14, 5, 0, 0, time.UTC)
	once := sign(t, extractPDF(t, 1), s.id, certify.Options{Reason: "Rätt utdraget intygar", Time: at})
	twice := sign(t, once, s.id, certify.Options{Reason: "Rätt utdraget intygar", Name: "Lena Nordin", Time: at.Add(time.Hour)})
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ca.Raw})
	for name, b := range map[string][]byte{"signed-once.pdf": once, "signed-twice.pdf": twice, "ca.pem": ca} {
		if err := os.WriteFile(filepath.Join(seedDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readSeed(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join(seedDir, name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// FuzzVerify feeds the verifier mutations of signed, unsigned and hostile
// files. It must never panic, and it must never call a file valid unless
// every byte the signature covers is as signed: a valid verdict is only
// allowed for a file that differs from one of the signed seeds inside the
// signature value alone.
func FuzzVerify(f *testing.F) {
	once, twice := readSeed(f, "signed-once.pdf"), readSeed(f, "signed-twice.pdf")
	block, _ := pem.Decode(readSeed(f, "ca.pem"))
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		f.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	plain := extractPDF(f, 1)
	signed := [][]byte{once, twice}
	for _, pdf := range signed {
		if res, err := certify.Verify(pdf, roots); err != nil || !res.Valid || !res.Trusted {
			f.Fatalf("a seed does not verify: %+v %v", res, err)
		}
	}
	for _, seed := range [][]byte{
		once, twice, plain, nil, []byte("%PDF-1.7\n%%EOF\n"),
		hostilePDF("<< /Type /Catalog /AcroForm << /Fields [2 0 R 2 0 R 2 0 R] >> >>", "<< /FT /Sig /V << /ByteRange [0 1 2 3] >> >>"),
		hostilePDF("<< /Type /Catalog /X " + strings.Repeat("[", 80) + " >>"),
		nestedStrings(20),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pdf []byte) {
		res, err := certify.Verify(pdf, roots)
		if err != nil {
			if res.Signed || res.Valid {
				t.Fatalf("an error (%v) with a verdict %+v", err, res)
			}
			return
		}
		if res.Valid && !res.Signed {
			t.Fatalf("valid but not signed: %+v", res)
		}
		if res.Valid && !sameSignedBytes(pdf, signed) {
			t.Fatalf("a changed file verifies: %+v", res)
		}
	})
}

// sameSignedBytes reports whether pdf equals the signed revision of one of
// the files outside its signature value (the covered bytes of its last
// signature); bytes appended after it are allowed.
func sameSignedBytes(pdf []byte, signed [][]byte) bool {
	for _, s := range signed {
		m := byteRangePattern.FindAllSubmatch(s, -1)
		for _, r := range m {
			start, end, tail := atoi(r[1]), atoi(r[2]), atoi(r[3])
			if len(pdf) >= end+tail && bytes.Equal(pdf[:start], s[:start]) && bytes.Equal(pdf[end:end+tail], s[end:end+tail]) {
				return true
			}
		}
	}
	return false
}

func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}
