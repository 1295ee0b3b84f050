package certify

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
	"golang.org/x/crypto/ocsp"
)

// Level is a PAdES baseline level (ETSI EN 319 142-1, 6).
type Level string

// The levels, each including the one before.
const (
	// LevelBB: a valid signature.
	LevelBB Level = "B-B"
	// LevelBT: and a valid timestamp over it, proving when it existed.
	LevelBT Level = "B-T"
	// LevelBLT: and, in the file's DSS, the certificates and revocation
	// data for the signer's chain and the timestamp authority's.
	LevelBLT Level = "B-LT"
	// LevelBLTA: and a document timestamp over all of that.
	LevelBLTA Level = "B-LTA"
)

// LongTerm is what Verify found for validating the signature long after it
// was made, from the file alone: its level, the chain and revocation
// status as of the signing time, and the archive timestamps.
type LongTerm struct {
	// Level is the PAdES baseline level the file reaches; empty when the
	// signature is not valid.
	Level Level
	// Timestamped is true when SigningTime comes from a valid timestamp
	// rather than the signer's claim: the signature's own, or else the
	// first document timestamp after it (which proves the signature
	// existed then, ETSI EN 319 142-1, 5.3).
	Timestamped bool
	// ValidationAppended is true when everything appended after the
	// signed revision is validation data (DSS) and document timestamps:
	// the document is as it was signed.
	ValidationAppended bool
	// Chain is the signer's certificate chain, leaf first.
	Chain []CertificateInfo
	// ChainValidAtSigning is true when the chain leads to a trusted root
	// with every certificate within its validity at SigningTime.
	ChainValidAtSigning bool
	// Revocation is the status, as of SigningTime, of each certificate
	// of the signer's chain and of the signature timestamp's chain but the
	// roots, from the validation data in the file.
	Revocation []RevocationInfo
	// RevokedBeforeSigning is true when a certificate of the signer's
	// chain had been revoked at SigningTime.
	RevokedBeforeSigning bool
	// ValidAtSigningTime is true when the signature is valid, its chain
	// was valid and trusted at SigningTime and nothing in it was revoked
	// by then.
	ValidAtSigningTime bool
	// DocumentTimestamps are the archive timestamps, oldest first.
	DocumentTimestamps []DocumentTimestamp
	// RenewBy is when the newest timestamp can no longer be validated:
	// the earliest expiry in its authority's chain. A new document
	// timestamp must be added before then.
	RenewBy time.Time
}

// CertificateInfo describes a certificate for a reader.
type CertificateInfo struct {
	Subject     string
	Issuer      string
	Serial      string
	NotBefore   time.Time
	NotAfter    time.Time
	Fingerprint string
}

// RevocationInfo is a certificate's revocation status as of the signing
// time. A certificate revoked after it has StatusGood and RevokedAt set.
type RevocationInfo struct {
	Subject string
	Status  RevocationStatus
	// Source is "OCSP" or "CRL"; Issued is the response's or list's time.
	Source    string
	Issued    time.Time
	RevokedAt time.Time
}

// DocumentTimestamp is one archive timestamp (Type DocTimeStamp).
type DocumentTimestamp struct {
	Time time.Time
	TSA  string
	// Valid: the token is intact and over the bytes its ByteRange names.
	Valid bool
	// Trusted: the authority's chain leads to a trusted root at Time.
	Trusted bool
	// CoversValidation: the file it stamps holds a DSS.
	CoversValidation bool
	// Expires is the earliest expiry in the authority's chain.
	Expires time.Time
	tsa     *x509.Certificate
}

func infoOf(c *x509.Certificate) CertificateInfo {
	return CertificateInfo{
		Subject: c.Subject.String(), Issuer: c.Issuer.String(), Serial: hex.EncodeToString(c.SerialNumber.Bytes()),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, Fingerprint: fingerprint(c),
	}
}

// checkLongTerm fills in res.LongTerm for the signature sig of pdf, whose
// CMS checkCMS has verified.
func checkLongTerm(pdf []byte, sig *signature, roots *x509.CertPool, res *Result) {
	m, err := readMaterial(pdf)
	if err != nil {
		return
	}
	p7, err := sigCMS(pdf, sig)
	if err != nil {
		return
	}
	leaf := p7.GetOnlySigner()
	if leaf == nil {
		return
	}
	known := m.known
	var tsa *x509.Certificate
	if token := signatureToken(p7); token != nil && res.Timestamped {
		if tp7, err := pkcs7.Parse(token); err == nil {
			tsa = signerIn(tp7, known)
		}
	}
	res.DocumentTimestamps = documentTimestamps(pdf, m, roots)
	// Without a timestamp of its own, the first document timestamp
	// dates the signature; archive timestamps are those after it.
	archiveFrom := 0
	if !res.Timestamped {
		for i, ts := range res.DocumentTimestamps {
			if ts.Valid {
				res.SigningTime, res.Timestamped, tsa, archiveFrom = ts.Time, true, ts.tsa, i+1
				break
			}
		}
	}
	at := res.SigningTime

	chain, trusted := chainAt(leaf, known, roots, at)
	for _, c := range chain {
		res.Chain = append(res.Chain, infoOf(c))
	}
	res.ChainValidAtSigning = trusted
	res.Revocation = revocationAt(chain, m.dss.data, at)
	for _, r := range res.Revocation {
		if r.Status == StatusRevoked {
			res.RevokedBeforeSigning = true
			res.problem("Certifikatet %s var återkallat %s, före undertecknandet %s.", r.Subject,
				r.RevokedAt.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
		}
	}
	var tsaChain []*x509.Certificate
	if tsa != nil {
		tsaChain, _ = chainAt(tsa, known, nil, at)
		res.Revocation = append(res.Revocation, revocationAt(tsaChain, m.dss.data, at)...)
	}
	res.ValidAtSigningTime = res.Valid && trusted && !res.RevokedBeforeSigning

	res.Level = level(res, m, chain, tsaChain, res.DocumentTimestamps[archiveFrom:])
	res.RenewBy = renewBy(res, tsaChain, m)
}

// level is the PAdES baseline level the verified signature reaches.
func level(res *Result, m *material, chain, tsaChain []*x509.Certificate, archive []DocumentTimestamp) Level {
	switch {
	case !res.Valid:
		return ""
	case !res.Timestamped:
		return LevelBB
	case !complete(chain, m.dss.data) || !complete(tsaChain, m.dss.data):
		return LevelBT
	}
	for _, ts := range archive {
		if ts.Valid && ts.CoversValidation {
			return LevelBLTA
		}
	}
	return LevelBLT
}

// complete reports whether vd holds revocation data for every certificate
// of chain but a self-signed root, and the chain reaches one.
func complete(chain []*x509.Certificate, vd validationData) bool {
	if len(chain) == 0 || !selfSigned(chain[len(chain)-1]) {
		return false
	}
	for i, c := range chain[:len(chain)-1] {
		if !hasEvidence(vd, c, chain[i+1]) {
			return false
		}
	}
	return true
}

// renewBy is the earliest expiry in the chain of the newest valid
// timestamp: the document timestamps', else the signature's.
func renewBy(res *Result, tsaChain []*x509.Certificate, m *material) time.Time {
	for i := len(res.DocumentTimestamps) - 1; i >= 0; i-- {
		if ts := res.DocumentTimestamps[i]; ts.Valid {
			return ts.Expires
		}
	}
	return earliestExpiry(tsaChain)
}

func earliestExpiry(chain []*x509.Certificate) time.Time {
	var t time.Time
	for _, c := range chain {
		if t.IsZero() || c.NotAfter.Before(t) {
			t = c.NotAfter
		}
	}
	return t
}

// chainAt builds the chain of leaf from certs: verified against roots at
// time at when roots are given (trusted reports whether that succeeded),
// else, and when verification fails, by issuer links up to a self-signed
// certificate.
func chainAt(leaf *x509.Certificate, certs []*x509.Certificate, roots *x509.CertPool, at time.Time) ([]*x509.Certificate, bool) {
	if roots != nil {
		inter := x509.NewCertPool()
		for _, c := range certs {
			inter.AddCert(c)
		}
		chains, err := leaf.Verify(x509.VerifyOptions{
			Roots: roots, Intermediates: inter, CurrentTime: at,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		if err == nil && len(chains) > 0 {
			return chains[0], true
		}
	}
	chain := []*x509.Certificate{leaf}
	for c := leaf; len(chain) <= maxChain && !selfSigned(c); {
		if c = issuerIn(c, certs); c == nil {
			break
		}
		chain = append(chain, c)
	}
	return chain, false
}

// signerIn returns the signing certificate of a CMS, looked for in its
// own certificates, then in certs.
func signerIn(p7 *pkcs7.PKCS7, certs []*x509.Certificate) *x509.Certificate {
	if c := p7.GetOnlySigner(); c != nil {
		return c
	}
	if len(p7.Signers) != 1 {
		return nil
	}
	ias := p7.Signers[0].IssuerAndSerialNumber
	for _, c := range certs {
		if c.SerialNumber.Cmp(ias.SerialNumber) == 0 && bytes.Equal(c.RawIssuer, ias.IssuerName.FullBytes) {
			return c
		}
	}
	return nil
}

// revocationAt evaluates each certificate of chain but a self-signed root
// against the OCSP responses and CRLs in vd, as of time at.
func revocationAt(chain []*x509.Certificate, vd validationData, at time.Time) []RevocationInfo {
	var out []RevocationInfo
	for i, c := range chain {
		if i+1 >= len(chain) {
			if !selfSigned(c) {
				out = append(out, RevocationInfo{Subject: c.Subject.String(), Status: StatusUnknown})
			}
			break
		}
		out = append(out, statusAt(c, chain[i+1], vd, at))
	}
	return out
}

// statusAt is what the evidence in vd says of c at time at. Evidence of a
// revocation at or before at wins; else evidence current at at, or issued
// after it, that c was good (or was revoked only later).
func statusAt(c, issuer *x509.Certificate, vd validationData, at time.Time) RevocationInfo {
	best := RevocationInfo{Subject: c.Subject.String(), Status: StatusUnknown}
	consider := func(r RevocationInfo, thisUpdate, nextUpdate time.Time) {
		if r.Status == StatusRevoked && !r.RevokedAt.After(at) {
			best = r
			return
		}
		if best.Status == StatusRevoked {
			return
		}
		applicable := !thisUpdate.Before(at) || nextUpdate.IsZero() || !nextUpdate.Before(at)
		if thisUpdate.After(at.Add(-maxEvidenceAge)) && applicable && (best.Status == StatusUnknown || r.Issued.After(best.Issued)) {
			r.Status = StatusGood // revoked only after at, if at all
			best = r
		}
	}
	for _, raw := range vd.ocsps {
		resp, err := parseOCSP(raw, c, issuer)
		if err != nil || resp.Status == ocsp.Unknown {
			continue
		}
		r := RevocationInfo{Subject: best.Subject, Status: ocspStatus(resp.Status), Source: "OCSP", Issued: resp.ProducedAt}
		if resp.Status == ocsp.Revoked {
			r.RevokedAt = resp.RevokedAt
		}
		consider(r, resp.ThisUpdate, resp.NextUpdate)
	}
	for _, raw := range vd.crls {
		list, err := parseCRL(raw, issuer)
		if err != nil {
			continue
		}
		r := RevocationInfo{Subject: best.Subject, Status: StatusGood, Source: "CRL", Issued: list.ThisUpdate}
		for _, e := range list.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(c.SerialNumber) == 0 {
				r.Status, r.RevokedAt = StatusRevoked, e.RevocationTime
			}
		}
		consider(r, list.ThisUpdate, list.NextUpdate)
	}
	return best
}

// maxEvidenceAge is how long before the signing time revocation evidence
// may have been issued and still speak for it, when it names no next
// update.
const maxEvidenceAge = 7 * 24 * time.Hour

// documentTimestamps checks every document timestamp in pdf.
func documentTimestamps(pdf []byte, m *material, roots *x509.CertPool) []DocumentTimestamp {
	sigs, err := signatures(m.doc)
	if err != nil {
		return nil
	}
	var out []DocumentTimestamp
	for _, sig := range sigs {
		if !sig.docTimestamp() {
			continue
		}
		out = append(out, checkDocTimestamp(pdf, sig, m, roots))
	}
	return out
}

func checkDocTimestamp(pdf []byte, sig *signature, m *material, roots *x509.CertPool) DocumentTimestamp {
	var ts DocumentTimestamp
	var scratch Result
	token, ok := signedContents(pdf, sig, &scratch)
	if !ok {
		return ts
	}
	p7, err := pkcs7.Parse(token)
	if err != nil {
		return ts
	}
	tsa := signerIn(p7, m.known)
	if tsa == nil {
		return ts
	}
	ts.TSA, ts.tsa = tsa.Subject.String(), tsa
	if p7.GetOnlySigner() == nil {
		p7.Certificates = append(p7.Certificates, tsa)
	}
	info, err := timestamp.Parse(token)
	if err != nil || p7.Verify() != nil || !info.HashAlgorithm.Available() {
		return ts
	}
	ts.Time = info.Time
	br := sig.byteRange
	h := info.HashAlgorithm.New()
	h.Write(pdf[:br[1]])
	h.Write(pdf[br[2] : br[2]+br[3]])
	ts.Valid = bytes.Equal(h.Sum(nil), info.HashedMessage) && timestampingKey(tsa)
	chain, trusted := chainAt(tsa, append(m.known, p7.Certificates...), roots, info.Time)
	ts.Trusted = trusted && ts.Valid
	ts.Expires = earliestExpiry(chain)
	ts.CoversValidation = holdsDSS(pdf[:br[1]])
	return ts
}

// timestampingKey reports whether c may sign timestamps.
func timestampingKey(c *x509.Certificate) bool {
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageTimeStamping {
			return true
		}
	}
	return false
}

// holdsDSS reports whether the revision that ends before a document
// timestamp's signature dictionary has a DSS.
func holdsDSS(prefix []byte) bool {
	// The document timestamp's own update starts after the previous
	// %%EOF; the revision before it is everything up to there.
	end := bytes.LastIndex(prefix, []byte("%%EOF"))
	if end < 0 {
		return false
	}
	doc, err := readDocument(prefix[:end+len("%%EOF")])
	if err != nil {
		return false
	}
	rootRef, err := doc.rootRef()
	if err != nil {
		return false
	}
	catalog, err := doc.dict(rootRef)
	if err != nil {
		return false
	}
	_, ok := catalog.get("DSS")
	return ok
}

var errNotExtended = errors.New("the document was changed after it was signed")

// checkAppended reports whether everything after the signed revision
// (which ends at end) only adds validation data and signature fields: new
// objects, and catalog revisions that differ only in /DSS and in /AcroForm
// fields added.
func checkAppended(pdf []byte, end int) error {
	before, err := readDocument(pdf[:end])
	if err != nil {
		return err
	}
	after, err := readDocument(pdf)
	if err != nil {
		return err
	}
	rootBefore, err1 := before.rootRef()
	rootAfter, err2 := after.rootRef()
	if err1 != nil || err2 != nil || rootBefore != rootAfter {
		return errNotExtended
	}
	for num, off := range after.offsets {
		old, existed := before.offsets[num]
		switch {
		case existed && off == old: // unchanged
		case num == rootAfter.num: // the catalog, compared below
		case !existed || old < 0: // a new object
		default:
			return errNotExtended
		}
	}
	oldCat, err1 := before.dict(rootBefore)
	newCat, err2 := after.dict(rootAfter)
	if err1 != nil || err2 != nil {
		return errNotExtended
	}
	for _, e := range oldCat {
		if e.key == "DSS" || e.key == "AcroForm" {
			continue
		}
		if v, ok := rawOf(newCat, e.key); !ok || !bytes.Equal(v, e.raw) {
			return errNotExtended
		}
	}
	for _, e := range newCat {
		if _, ok := oldCat.get(e.key); !ok && e.key != "DSS" && e.key != "AcroForm" {
			return errNotExtended
		}
	}
	return checkAddedFields(before, after, oldCat, newCat)
}

func rawOf(d pdfDict, key string) ([]byte, bool) {
	for _, e := range d {
		if e.key == key {
			return e.raw, true
		}
	}
	return nil, false
}

// checkAddedFields requires the new AcroForm to keep every old field and
// add only signature fields whose value is a signature or document
// timestamp.
func checkAddedFields(before, after *document, oldCat, newCat pdfDict) error {
	oldFields, err := existingFields(before, oldCat)
	if err != nil {
		return errNotExtended
	}
	newFields, err := existingFields(after, newCat)
	if err != nil {
		return errNotExtended
	}
	old := map[pdfRef]bool{}
	for _, r := range oldFields.refs {
		old[r] = true
	}
	for _, r := range newFields.refs {
		if old[r] {
			delete(old, r)
			continue
		}
		if _, existed := before.offsets[r.num]; existed && before.offsets[r.num] >= 0 {
			return errNotExtended
		}
		if sig := signatureOfField(after, r); sig == nil {
			return errNotExtended
		}
	}
	if len(old) > 0 {
		return errNotExtended
	}
	return nil
}
