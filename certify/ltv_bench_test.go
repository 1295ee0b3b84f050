package certify_test

import (
	"testing"

	"utdrag/certify"
	"utdrag/internal/pkitest"
)

// BenchmarkCertifyLevels measures signing the seed extract to each level
// against the test PKI (scripts/with-pki.sh): B-B (the key alone), B-T (and
// a request to the timestamp authority), B-LTA (and the validation data,
// fetched once and then cached as in the service, and a document
// timestamp). added-bytes is what the level adds to the rendered file.
func BenchmarkCertifyLevels(b *testing.B) {
	p := pkitest.Shared(b)
	id := pkiIdentity(b, p, "")
	pdf := seedPDF(b)
	f := newFetcher()
	for _, level := range []string{"B-B", "B-T", "B-LTA"} {
		b.Run(level, func(b *testing.B) {
			var out []byte
			for b.Loop() {
				opt := certify.Options{Reason: "Rätt utdraget intygar"}
				if level != "B-B" {
					opt.TSAURL = p.TSAURL
				}
				signed, err := certify.Sign(b.Context(), pdf, id, opt)
				if err != nil {
					b.Fatal(err)
				}
				out = signed
				if level == "B-LTA" {
					ext, err := certify.Extend(b.Context(), signed, certify.ExtendOptions{Fetcher: f, TSAURL: p.TSAURL})
					if err != nil || !ext.Timestamp {
						b.Fatal(err, ext.TimestampErr)
					}
					out = ext.PDF
				}
			}
			b.ReportMetric(float64(len(out)-len(pdf)), "added-bytes")
		})
	}
}

// BenchmarkVerifyLTA measures verifying a B-LTA file with its long-term
// report.
func BenchmarkVerifyLTA(b *testing.B) {
	p := pkitest.Shared(b)
	signed := sign(b, seedPDF(b), pkiIdentity(b, p, ""), certify.Options{TSAURL: p.TSAURL})
	ext, err := certify.Extend(b.Context(), signed, certify.ExtendOptions{Fetcher: newFetcher(), TSAURL: p.TSAURL})
	if err != nil {
		b.Fatal(err)
	}
	roots := p.Roots(b)
	b.SetBytes(int64(len(ext.PDF)))
	for b.Loop() {
		if res, err := certify.Verify(ext.PDF, roots); err != nil || res.Level != certify.LevelBLTA {
			b.Fatal(err, res.Level)
		}
	}
}
