package certify

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/digitorus/pkcs7"
)

// Result is what Verify found out about the last signature in a PDF.
type Result struct {
	// Signed is true when the document has a signature field with a value.
	Signed bool
	// Valid is true when the CMS signature matches the bytes it covers and
	// those bytes are the whole revision except the signature's Contents.
	Valid bool
	// WholeDocument is true when nothing was appended after the signed
	// revision.
	WholeDocument bool
	// Signer is the signing certificate's subject.
	Signer string
	// SignerFingerprint is the hex SHA-256 of the signing certificate.
	SignerFingerprint string
	// SigningTime comes from a valid timestamp token when there is one, else
	// from the signer's claim in the signature dictionary.
	SigningTime time.Time
	// Trusted is true when the signing certificate chains to one of the
	// roots given to Verify.
	Trusted bool
	Reason  string
	// Name and Location are the signature dictionary's claims of who
	// signed and where.
	Name, Location string
	// Pages is the page count the document's page tree states.
	Pages int
	// LongTerm is what the file holds for validation in the long term.
	LongTerm
	// Problems explains, in Swedish, everything that keeps the signature
	// from being fully trustworthy.
	Problems []string
}

func (r *Result) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// signature is a signature dictionary located in a file.
type signature struct {
	dict      pdfDict
	byteRange [4]int
}

// Verify checks the last signature in pdf. roots are the trusted issuers;
// with nil roots no certificate is trusted. An error means the file could
// not be read as a PDF; every other finding is in the Result.
func Verify(pdf []byte, roots *x509.CertPool) (Result, error) {
	doc, err := readDocument(pdf)
	if err != nil {
		return Result{}, fmt.Errorf("certify: verify: read PDF: %w", err)
	}
	sig, err := lastSignature(doc)
	if err != nil {
		return Result{}, fmt.Errorf("certify: verify: find signature: %w", err)
	}
	if sig == nil {
		return Result{Problems: []string{"Dokumentet är inte undertecknat."}}, nil
	}
	res := Result{Signed: true, Pages: pageCount(doc)}
	res.Reason = textValue(sig.dict, "Reason")
	res.Name, res.Location = textValue(sig.dict, "Name"), textValue(sig.dict, "Location")
	res.SigningTime = dateValue(sig.dict, "M")
	if sub, _ := sig.dict.get("SubFilter"); sub != pdfName("ETSI.CAdES.detached") {
		res.problem("Signaturen är inte en PAdES-signatur (SubFilter %v).", sub)
	}
	cms, ok := signedContents(pdf, sig, &res)
	if !ok {
		return res, nil
	}
	if !res.WholeDocument {
		res.ValidationAppended = checkAppended(pdf, sig.end()) == nil
		if !res.ValidationAppended {
			res.problem("Dokumentet har ändrats eller kompletterats efter att det undertecknades.")
		}
	}
	checkCMS(pdf, sig, cms, roots, &res)
	checkLongTerm(pdf, sig, roots, &res)
	return res, nil
}

// lastSignature finds the signature field whose signed range reaches
// furthest into the file, or nil when there is none.
func lastSignature(doc *document) (*signature, error) {
	sigs, err := signatures(doc)
	if err != nil {
		return nil, err
	}
	// A field skipped for want of budget might have been the last one.
	if err := doc.budget.err(); err != nil {
		return nil, err
	}
	var last *signature
	for _, sig := range sigs { // in the order of their signed ranges
		if !sig.docTimestamp() {
			last = sig
		}
	}
	return last, nil
}

func signatureOfField(doc *document, field any) *signature {
	f, err := doc.dict(field)
	if err != nil {
		return nil
	}
	if ft, _ := f.get("FT"); ft != pdfName("Sig") {
		return nil
	}
	v, ok := f.get("V")
	if !ok {
		return nil
	}
	dict, err := doc.dict(v)
	if err != nil {
		return nil
	}
	sig := &signature{dict: dict}
	br, _ := dict.get("ByteRange")
	arr, _ := br.(pdfArray)
	if len(arr) != 4 {
		return sig
	}
	for i, x := range arr {
		n, _ := x.(int64)
		sig.byteRange[i] = int(n)
	}
	return sig
}

func (s *signature) end() int { return s.byteRange[2] + s.byteRange[3] }

// signedContents checks that the ByteRange leaves out exactly the Contents
// hex string and returns the CMS from it.
func signedContents(pdf []byte, sig *signature, res *Result) ([]byte, bool) {
	a, gapStart, gapEnd, tail := sig.byteRange[0], sig.byteRange[1], sig.byteRange[2], sig.byteRange[3]
	if a != 0 || gapStart <= 0 || gapEnd <= gapStart+1 || tail < 0 || gapEnd+tail > len(pdf) ||
		pdf[gapStart] != '<' || pdf[gapEnd-1] != '>' {
		res.problem("Signaturens ByteRange är ogiltig: den täcker inte filen utom signaturvärdet.")
		return nil, false
	}
	res.WholeDocument = gapEnd+tail == len(pdf)
	raw := pdf[gapStart+1 : gapEnd-1]
	cms := make([]byte, hex.DecodedLen(len(raw)))
	if _, err := hex.Decode(cms, raw); err != nil || len(raw)%2 != 0 {
		res.problem("Signaturvärdet är inte en giltig hexadecimal sträng.")
		return nil, false
	}
	contents, _ := sig.dict.get("Contents")
	if c, _ := contents.([]byte); !bytes.Equal(c, cms) {
		res.problem("Signaturens Contents ligger inte där ByteRange anger.")
		return nil, false
	}
	return trimPadding(cms, res)
}

// trimPadding removes the zeros after the DER-encoded CMS.
func trimPadding(cms []byte, res *Result) ([]byte, bool) {
	var outer asn1.RawValue
	rest, err := asn1.Unmarshal(cms, &outer)
	if err != nil || len(bytes.Trim(rest, "\x00")) != 0 {
		res.problem("Signaturvärdet är inte en giltig CMS-struktur.")
		return nil, false
	}
	return cms[:len(cms)-len(rest)], true
}

// checkCMS verifies the CMS over the covered bytes and fills in the signer.
func checkCMS(pdf []byte, sig *signature, cms []byte, roots *x509.CertPool, res *Result) {
	p7, err := pkcs7.Parse(cms)
	if err != nil {
		res.problem("Signaturvärdet kan inte tolkas: %v.", err)
		return
	}
	br := sig.byteRange
	p7.Content = append(append([]byte(nil), pdf[:br[1]]...), pdf[br[2]:br[2]+br[3]]...)
	leaf := p7.GetOnlySigner()
	if leaf == nil {
		res.problem("Signaturen har inte exakt en undertecknare med certifikat.")
		return
	}
	res.Signer = leaf.Subject.String()
	res.SignerFingerprint = fingerprint(leaf)
	if err := p7.Verify(); err != nil {
		res.problem("Signaturen stämmer inte med dokumentets innehåll: dokumentet har ändrats efter undertecknandet.")
	} else {
		res.Valid = true
	}
	checkAttributes(p7, leaf, res)
	checkTimestamp(p7, roots, res)
	checkTrust(p7, leaf, roots, res)
}

func checkAttributes(p7 *pkcs7.PKCS7, leaf *x509.Certificate, res *Result) {
	var signingTime time.Time
	if p7.UnmarshalSignedAttribute(oidSigningTime, &signingTime) == nil {
		res.problem("Signaturen har attributet signing-time, vilket PAdES inte tillåter.")
	}
	var certs asn1.RawValue
	if err := p7.UnmarshalSignedAttribute(oidSigningCertificateV2, &certs); err != nil {
		res.problem("Signaturen saknar attributet signing-certificate-v2 som PAdES kräver.")
		return
	}
	if !certHashMatches(certs.FullBytes, leaf) {
		res.problem("Attributet signing-certificate-v2 pekar inte på signeringscertifikatet.")
	}
	if leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		res.problem("Signeringscertifikatet är inte avsett för underskrifter.")
	}
	if isDevelopment(leaf) {
		res.problem("Signaturen är gjord med ett utvecklingscertifikat och gäller inte för skarp användning.")
	}
}

// certHashMatches checks the first ESSCertIDv2 (hash algorithm SHA-256, the
// default) against the certificate.
func certHashMatches(der []byte, leaf *x509.Certificate) bool {
	var sc struct {
		Certs []struct {
			Hash asn1.RawValue
			Rest []asn1.RawValue `asn1:"optional"`
		}
		Policies asn1.RawValue `asn1:"optional"`
	}
	if _, err := asn1.Unmarshal(der, &sc); err != nil || len(sc.Certs) == 0 {
		return false
	}
	id := sc.Certs[0]
	hash := id.Hash
	if hash.Tag == asn1.TagSequence { // an explicit hashAlgorithm
		var alg struct{ Algorithm asn1.ObjectIdentifier }
		if _, err := asn1.Unmarshal(hash.FullBytes, &alg); err != nil || !alg.Algorithm.Equal(oidSHA256) || len(id.Rest) == 0 {
			return false
		}
		hash = id.Rest[0]
	}
	sum := sha256.Sum256(leaf.Raw)
	return hash.Tag == asn1.TagOctetString && bytes.Equal(hash.Bytes, sum[:])
}

func checkTrust(p7 *pkcs7.PKCS7, leaf *x509.Certificate, roots *x509.CertPool, res *Result) {
	if roots == nil {
		res.problem("Signeringscertifikatet har inte kontrollerats mot några betrodda utfärdare.")
		return
	}
	if err := verifyChain(leaf, p7.Certificates, roots); err != nil {
		res.problem("Signeringscertifikatet är inte utfärdat av en betrodd utfärdare: %v.", err)
		return
	}
	res.Trusted = true
}

func verifyChain(leaf *x509.Certificate, certs []*x509.Certificate, roots *x509.CertPool) error {
	inter := x509.NewCertPool()
	for _, c := range certs {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err
}
