package certify

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// checkTimestamp reads an RFC 3161 timestamp token from the signer's
// unsigned attributes; when it is valid and over the signature value, its
// time becomes the signing time.
func checkTimestamp(p7 *pkcs7.PKCS7, roots *x509.CertPool, res *Result) {
	if len(p7.Signers) != 1 {
		return
	}
	signer := p7.Signers[0]
	for _, attr := range signer.UnauthenticatedAttributes {
		if !attr.Type.Equal(oidTimeStampToken) {
			continue
		}
		var token asn1.RawValue
		if _, err := asn1.Unmarshal(attr.Value.Bytes, &token); err != nil {
			res.problem("Tidsstämpeln kan inte tolkas.")
			return
		}
		checkToken(token.FullBytes, signer.EncryptedDigest, roots, res)
		return
	}
}

func checkToken(token, signature []byte, roots *x509.CertPool, res *Result) {
	ts, err := timestamp.Parse(token)
	if err != nil || !ts.HashAlgorithm.Available() {
		res.problem("Tidsstämpeln är ogiltig.")
		return
	}
	h := ts.HashAlgorithm.New()
	h.Write(signature)
	if !bytes.Equal(h.Sum(nil), ts.HashedMessage) {
		res.problem("Tidsstämpeln gäller inte den här signaturen.")
		return
	}
	res.SigningTime, res.Timestamped = ts.Time, true
	tp7, err := pkcs7.Parse(token)
	if err != nil || tp7.GetOnlySigner() == nil || roots == nil {
		res.problem("Tidsstämpelns utfärdare har inte kunnat kontrolleras.")
		return
	}
	if err := verifyChain(tp7.GetOnlySigner(), tp7.Certificates, roots); err != nil {
		res.problem("Tidsstämpelns utfärdare är inte betrodd: %v.", err)
	}
}
