package certify

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"

	"github.com/digitorus/pkcs7"
	"golang.org/x/crypto/ocsp"
)

// ExtendOptions say what Extend may use. With neither set, Extend does
// nothing.
type ExtendOptions struct {
	// Fetcher fetches revocation data and missing issuer certificates;
	// nil: no validation data is added.
	Fetcher *Fetcher
	// TSAURL is the authority of the document timestamp; empty: none is
	// added.
	TSAURL string
}

// Extension is what Extend made.
type Extension struct {
	// PDF is the extended file: the input with zero, one or two
	// incremental updates appended.
	PDF []byte
	// Validation is true when a DSS update with new validation data was
	// appended; Timestamp when a document timestamp was.
	Validation, Timestamp bool
	// Missing says what could not be fetched (an unreachable responder,
	// an unknown issuer); the file then lacks that piece.
	Missing []error
	// TimestampErr is why no document timestamp was added, when one was
	// asked for.
	TimestampErr error
}

// Extend raises a signed PDF towards PAdES B-LTA, as incremental updates
// that leave every earlier byte as it is: a DSS update with the
// certificates and revocation data of the last signature and of the
// timestamps in the file, then a document timestamp over the whole file.
// Revocation data is fetched for every certificate that has none in the
// file yet, and afresh for the chain of the newest timestamp, so that a
// run before that timestamp's certificate expires carries the evidence
// forward. A step that fails is left out and reported in the Extension;
// an error means the file could not be read or has no signature.
func Extend(ctx context.Context, pdf []byte, opt ExtendOptions) (Extension, error) {
	ext := Extension{PDF: pdf}
	m, err := readMaterial(pdf)
	if err != nil {
		return ext, fmt.Errorf("certify: extend: %w", err)
	}
	if opt.Fetcher != nil {
		vd, missing := m.collect(ctx, opt.Fetcher)
		ext.Missing = missing
		// Certificates alone prove nothing the CMS does not: without
		// revocation data no DSS update is worth appending.
		if len(vd.ocsps)+len(vd.crls) > 0 {
			out, err := addDSS(pdf, vd)
			if err != nil {
				return ext, fmt.Errorf("certify: extend: write DSS: %w", err)
			}
			ext.Validation = len(out) != len(pdf)
			ext.PDF = out
		}
	}
	if opt.TSAURL != "" {
		out, err := addDocTimestamp(ctx, ext.PDF, opt.TSAURL)
		if err != nil {
			ext.TimestampErr = err
		} else {
			ext.PDF, ext.Timestamp = out, true
		}
	}
	return ext, nil
}

// material is what a signed file holds for long-term validation.
type material struct {
	doc *document
	// signer is the last signature's certificate; stamps are the TSA
	// certificates of its timestamp and of the document timestamps, in
	// file order, the newest last.
	signer *x509.Certificate
	stamps []*x509.Certificate
	known  []*x509.Certificate // every certificate in the CMS, tokens and DSS
	dss    dssContent
}

var errNotSigned = errors.New("the document has no signature")

// readMaterial reads the last signature, the timestamps and the DSS of pdf.
func readMaterial(pdf []byte) (*material, error) {
	doc, err := readDocument(pdf)
	if err != nil {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	sigs, err := signatures(doc)
	if err != nil {
		return nil, err
	}
	m := &material{doc: doc}
	for _, sig := range sigs {
		p7, err := sigCMS(pdf, sig)
		if err != nil {
			continue
		}
		m.known = append(m.known, p7.Certificates...)
		if sig.docTimestamp() {
			if tsa := p7.GetOnlySigner(); tsa != nil {
				m.stamps = append(m.stamps, tsa)
			}
			continue
		}
		if m.signer = p7.GetOnlySigner(); m.signer == nil {
			continue
		}
		if token := signatureToken(p7); token != nil {
			if tp7, err := pkcs7.Parse(token); err == nil {
				m.known = append(m.known, tp7.Certificates...)
				if tsa := tp7.GetOnlySigner(); tsa != nil {
					m.stamps = append([]*x509.Certificate{tsa}, m.stamps...)
				}
			}
		}
	}
	if m.signer == nil {
		return nil, errNotSigned
	}
	rootRef, err := doc.rootRef()
	if err != nil {
		return nil, err
	}
	catalog, err := doc.dict(rootRef)
	if err != nil {
		return nil, err
	}
	if m.dss, err = readDSS(doc, catalog); err != nil {
		return nil, err
	}
	m.known = append(m.known, m.dss.data.certs...)
	return m, nil
}

// collect fetches what the file lacks: chains and revocation data for the
// signer and every TSA certificate that has none yet, and fresh data for
// the newest timestamp's chain.
func (m *material) collect(ctx context.Context, f *Fetcher) (validationData, []error) {
	var vd validationData
	var missing []error
	var fresh *x509.Certificate
	if len(m.stamps) > 0 {
		fresh = m.stamps[len(m.stamps)-1]
	}
	for _, end := range append([]*x509.Certificate{m.signer}, m.stamps...) {
		if end != fresh && m.covered(end) {
			continue
		}
		got, errs := collectValidation(ctx, f, []*x509.Certificate{end}, m.known)
		for _, c := range got.certs {
			vd.addCert(c)
		}
		for _, o := range got.ocsps {
			if vd.add(o) {
				vd.ocsps = append(vd.ocsps, o)
			}
		}
		for _, c := range got.crls {
			if vd.add(c) {
				vd.crls = append(vd.crls, c)
			}
		}
		missing = append(missing, errs...)
	}
	return vd, missing
}

// covered reports whether the file already holds the chain of end and
// revocation data for each certificate in it but the root.
func (m *material) covered(end *x509.Certificate) bool {
	c := end
	for range maxChain {
		if selfSigned(c) {
			return true
		}
		issuer := issuerIn(c, m.known)
		if issuer == nil || !hasEvidence(m.dss.data, c, issuer) {
			return false
		}
		c = issuer
	}
	return false
}

// hasEvidence reports whether vd holds an OCSP response about c or a CRL
// of its issuer, signed as it should be.
func hasEvidence(vd validationData, c, issuer *x509.Certificate) bool {
	for _, raw := range vd.ocsps {
		if _, err := parseOCSP(raw, c, issuer); err == nil {
			return true
		}
	}
	for _, raw := range vd.crls {
		if _, err := parseCRL(raw, issuer); err == nil {
			return true
		}
	}
	return false
}

// maxSignatures bounds the signatures and document timestamps read from
// one file: each document timestamp is checked against its own revision.
const maxSignatures = 64

// signatures lists the signature fields with a value (the first
// maxSignatures), in the order of their signed ranges.
func signatures(doc *document) ([]*signature, error) {
	rootRef, err := doc.rootRef()
	if err != nil {
		return nil, err
	}
	catalog, err := doc.dict(rootRef)
	if err != nil {
		return nil, err
	}
	acro, err := doc.lookup(catalog, "AcroForm")
	if err != nil {
		return nil, nil
	}
	acroDict, _ := acro.(pdfDict)
	fields, _ := doc.lookup(acroDict, "Fields")
	list, _ := fields.(pdfArray)
	var sigs []*signature
	for _, f := range list {
		if sig := signatureOfField(doc, f); sig != nil {
			sigs = append(sigs, sig)
		}
		if len(sigs) == maxSignatures {
			break
		}
	}
	slices.SortStableFunc(sigs, func(a, b *signature) int { return a.end() - b.end() })
	return sigs, nil
}

// docTimestamp reports whether the dictionary is a document timestamp's.
func (s *signature) docTimestamp() bool {
	t, _ := s.dict.get("Type")
	sub, _ := s.dict.get("SubFilter")
	return t == pdfName("DocTimeStamp") || sub == pdfName("ETSI.RFC3161")
}

// sigCMS returns the parsed CMS of a signature or document timestamp
// whose ByteRange is sound.
func sigCMS(pdf []byte, sig *signature) (*pkcs7.PKCS7, error) {
	var r Result
	cms, ok := signedContents(pdf, sig, &r)
	if !ok {
		return nil, errors.New("unreadable signature value")
	}
	return pkcs7.Parse(cms)
}

// signatureToken returns the RFC 3161 token in the signer's unsigned
// attributes, or nil.
func signatureToken(p7 *pkcs7.PKCS7) []byte {
	if len(p7.Signers) != 1 {
		return nil
	}
	for _, attr := range p7.Signers[0].UnauthenticatedAttributes {
		if attr.Type.Equal(oidTimeStampToken) {
			var token asn1.RawValue
			if _, err := asn1.Unmarshal(attr.Value.Bytes, &token); err == nil {
				return token.FullBytes
			}
		}
	}
	return nil
}

// ocspStatus names an OCSP status.
func ocspStatus(s int) RevocationStatus {
	switch s {
	case ocsp.Good:
		return StatusGood
	case ocsp.Revoked:
		return StatusRevoked
	}
	return StatusUnknown
}
