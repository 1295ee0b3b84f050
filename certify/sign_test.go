package certify_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"utdrag/certify"
)

func TestSignedPDFPassesQpdfAndPdfsig(t *testing.T) {
	s := newTestSigner(t)
	signed := sign(t, extractPDF(t, 3), s.id, certify.Options{
		Reason:   "Rätt utdraget intygar",
		Location: "Östersund",
		Time:     time.Date(2023, 10, 6, 13, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
	})
	path := writeTemp(t, "signed.pdf", signed)
	qpdfCheck(t, path)

	needTool(t, "pdfsig")
	out, err := run(t, "pdfsig", "-nssdir", "sql:"+nssDB(t, s.ca), path)
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	mustContain(t, "pdfsig", out,
		"Signature Type: ETSI.CAdES.detached",
		"Signing Hash Algorithm: SHA-256",
		"Total document signed",
		"Signature Validation: Signature is Valid.",
		"Certificate Validation: Certificate is Trusted.",
		"Region Exempel – utvecklingscertifikat",
	)
}

func TestPdfsigDoesNotTrustUnknownCA(t *testing.T) {
	s := newTestSigner(t)
	other := newTestSigner(t)
	path := writeTemp(t, "signed.pdf", sign(t, extractPDF(t, 1), s.id, certify.Options{}))
	needTool(t, "pdfsig")
	out, _ := run(t, "pdfsig", "-nssdir", "sql:"+nssDB(t, other.ca), path)
	mustContain(t, "pdfsig", out, "Signature is Valid")
	if strings.Contains(out, "Certificate is Trusted") {
		t.Errorf("pdfsig trusts a certificate from a CA not in its database:\n%s", out)
	}
}

func TestPdfsigRejectsFlippedByte(t *testing.T) {
	s := newTestSigner(t)
	signed := sign(t, extractPDF(t, 1), s.id, certify.Options{})
	i := bytes.Index(signed, []byte("PROTOKOLLSUTDRAG"))
	if i < 0 {
		i = len(signed) / 4 // compressed content: any byte of the first range will do
	}
	signed[i] ^= 0x01
	needTool(t, "pdfsig")
	out, _ := run(t, "pdfsig", writeTemp(t, "tampered.pdf", signed))
	if strings.Contains(out, "Signature is Valid") {
		t.Errorf("pdfsig accepts a tampered file:\n%s", out)
	}
}

func TestSignTwiceKeepsFirstSignature(t *testing.T) {
	s := newTestSigner(t)
	once := sign(t, extractPDF(t, 2), s.id, certify.Options{Reason: "Justerad"})
	twice := sign(t, once, s.id, certify.Options{Reason: "Rätt utdraget intygar"})
	if !bytes.HasPrefix(twice, once) {
		t.Fatal("second signature rewrote the first revision instead of appending")
	}
	path := writeTemp(t, "twice.pdf", twice)
	qpdfCheck(t, path)

	needTool(t, "pdfsig")
	out, err := run(t, "pdfsig", "-nssdir", "sql:"+nssDB(t, s.ca), path)
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	if n := strings.Count(out, "Signature is Valid"); n != 2 {
		t.Errorf("pdfsig finds %d valid signatures, want 2:\n%s", n, out)
	}
	if n := strings.Count(out, "Total document signed"); n != 1 {
		t.Errorf("pdfsig says %d signatures cover the whole file, want 1 (the last):\n%s", n, out)
	}
	res, err := certify.Verify(twice, s.roots)
	if err != nil || !res.Valid || !res.WholeDocument || !strings.HasPrefix(res.Reason, "Rätt utdraget intygar") {
		t.Errorf("Verify after second signature = %+v, %v", res, err)
	}
}

func TestSignReasonMarksDevelopmentCertificate(t *testing.T) {
	s := newTestSigner(t)
	signed := sign(t, extractPDF(t, 1), s.id, certify.Options{Reason: "Rätt utdraget intygar"})
	res, err := certify.Verify(signed, s.roots)
	if err != nil {
		t.Fatal(err)
	}
	want := "Rätt utdraget intygar (utvecklingscertifikat, ej för skarp användning)"
	if res.Reason != want {
		t.Errorf("reason = %q, want %q", res.Reason, want)
	}
}

func TestSignWithRSAKey(t *testing.T) {
	id, roots, ca := rsaIdentity(t)
	signed := sign(t, extractPDF(t, 1), id, certify.Options{Reason: "Rätt utdraget intygar"})
	res, err := certify.Verify(signed, roots)
	if err != nil || !res.Valid || !res.Trusted || !res.WholeDocument {
		t.Fatalf("Verify = %+v, %v", res, err)
	}
	if strings.Contains(res.Reason, "utvecklingscertifikat") {
		t.Errorf("reason of a non-development signature mentions development: %q", res.Reason)
	}
	path := writeTemp(t, "rsa.pdf", signed)
	qpdfCheck(t, path)
	needTool(t, "pdfsig")
	out, err := run(t, "pdfsig", "-nssdir", "sql:"+nssDB(t, ca), path)
	if err != nil {
		t.Fatalf("pdfsig: %v\n%s", err, out)
	}
	mustContain(t, "pdfsig", out, "Signature is Valid", "Certificate is Trusted", "Total document signed")
}

func TestSignRejectsNonPDF(t *testing.T) {
	s := newTestSigner(t)
	if _, err := certify.Sign(t.Context(), []byte("inte en PDF"), s.id, certify.Options{}); err == nil {
		t.Error("Sign accepted a file that is not a PDF")
	}
	if _, err := certify.Sign(t.Context(), extractPDF(t, 1), certify.Identity{}, certify.Options{}); err == nil {
		t.Error("Sign accepted an empty identity")
	}
}

func BenchmarkSign(b *testing.B) {
	s := newTestSigner(b)
	var pdf []byte
	for n := 50; len(pdf) < 40_000; n += 50 {
		pdf = extractPDF(b, n)
	}
	b.SetBytes(int64(len(pdf)))
	for b.Loop() {
		if _, err := certify.Sign(b.Context(), pdf, s.id, certify.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pdf)), "input-bytes")
}
