package certify

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// validationData is what a Document Security Store (ETSI EN 319 142-1,
// 5.4) holds: certificates, OCSP responses and CRLs, each DER. There is no
// VRI dictionary: it is optional, and validators look the data up by the
// certificates themselves.
type validationData struct {
	certs []*x509.Certificate
	ocsps [][]byte
	crls  [][]byte
	seen  map[[32]byte]bool
}

func (v *validationData) add(der []byte) bool {
	if v.seen == nil {
		v.seen = map[[32]byte]bool{}
	}
	sum := sha256.Sum256(der)
	if v.seen[sum] {
		return false
	}
	v.seen[sum] = true
	return true
}

func (v *validationData) addCert(c *x509.Certificate) {
	if c != nil && v.add(c.Raw) {
		v.certs = append(v.certs, c)
	}
}

func (v *validationData) addEvidence(ev evidence) {
	switch {
	case ev.ocsp != nil && v.add(ev.ocsp):
		v.ocsps = append(v.ocsps, ev.ocsp)
	case ev.crl != nil && v.add(ev.crl):
		v.crls = append(v.crls, ev.crl)
	}
	v.addCert(ev.responder)
}

func (v *validationData) empty() bool {
	return len(v.certs)+len(v.ocsps)+len(v.crls) == 0
}

// maxChain bounds the certificates above one end certificate.
const maxChain = 8

// collectValidation gathers, for each end certificate (a signer's, a
// TSA's), its chain up to a self-signed root and revocation data for every
// certificate in it but the root. known are the certificates at hand (in
// the CMS, the tokens, the DSS); missing issuers are fetched. It returns
// what it found and, for each piece it could not get, why.
func collectValidation(ctx context.Context, f *Fetcher, ends, known []*x509.Certificate) (validationData, []error) {
	var vd validationData
	var errs []error
	done := map[string]bool{}
	for _, c := range ends {
		for range maxChain {
			vd.addCert(c)
			if selfSigned(c) || done[fingerprint(c)] {
				break
			}
			done[fingerprint(c)] = true
			issuer := issuerIn(c, known)
			if issuer == nil {
				var err error
				if issuer, err = f.Issuer(ctx, c); err != nil {
					errs = append(errs, fmt.Errorf("issuer of %q: %w", c.Subject.CommonName, err))
					break
				}
				known = append(known, issuer)
			}
			ev, err := f.evidence(ctx, c, issuer)
			if err != nil {
				errs = append(errs, err)
			} else {
				vd.addEvidence(ev)
			}
			c = issuer
		}
	}
	return vd, errs
}

// issuerIn finds the certificate in certs that issued c.
func issuerIn(c *x509.Certificate, certs []*x509.Certificate) *x509.Certificate {
	for _, k := range certs {
		if bytes.Equal(c.RawIssuer, k.RawSubject) && c.CheckSignatureFrom(k) == nil {
			return k
		}
	}
	return nil
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil
}

// dssContent is the validation data a document's DSS holds already, and
// the references to it.
type dssContent struct {
	data               validationData
	certs, ocsps, crls []pdfRef
	other              pdfDict // entries other than the three arrays
}

// readDSS reads the catalog's /DSS, if any.
func readDSS(doc *document, catalog pdfDict) (dssContent, error) {
	var d dssContent
	v, ok := catalog.get("DSS")
	if !ok {
		return d, nil
	}
	dict, err := doc.dict(v)
	if err != nil {
		return d, fmt.Errorf("read DSS: %w", err)
	}
	read := map[pdfRef]bool{}
	for _, e := range dict {
		var refs *[]pdfRef
		switch e.key {
		case "Certs":
			refs = &d.certs
		case "OCSPs":
			refs = &d.ocsps
		case "CRLs":
			refs = &d.crls
		default:
			if e.key != "Type" {
				d.other = append(d.other, e)
			}
			continue
		}
		arr, err := doc.resolve(e.val)
		if err != nil {
			return d, fmt.Errorf("read DSS /%s: %w", e.key, err)
		}
		list, _ := arr.(pdfArray)
		for _, item := range list {
			ref, ok := item.(pdfRef)
			if !ok {
				return d, fmt.Errorf("DSS /%s holds a direct object", e.key)
			}
			*refs = append(*refs, ref)
			if read[ref] {
				continue // listed again: its data is in already
			}
			read[ref] = true
			data, err := doc.streamData(ref)
			if err != nil {
				return d, fmt.Errorf("read DSS /%s %s: %w", e.key, ref, err)
			}
			d.data.add(data)
			switch e.key {
			case "Certs":
				if c, err := x509.ParseCertificate(data); err == nil {
					d.data.certs = append(d.data.certs, c)
				}
			case "OCSPs":
				d.data.ocsps = append(d.data.ocsps, data)
			case "CRLs":
				d.data.crls = append(d.data.crls, data)
			}
		}
	}
	return d, nil
}

// addDSS appends an incremental update that adds vd to the document's
// DSS (making one when there is none): new streams, a new DSS dictionary
// listing the old and new ones, and a catalog revision pointing at it.
// What the DSS holds already is not added twice; when nothing is new, pdf
// is returned unchanged.
func addDSS(pdf []byte, vd validationData) ([]byte, error) {
	doc, err := readDocument(pdf)
	if err != nil {
		return nil, err
	}
	rootRef, err := doc.rootRef()
	if err != nil {
		return nil, err
	}
	catalog, err := doc.dict(rootRef)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	old, err := readDSS(doc, catalog)
	if err != nil {
		return nil, err
	}
	var fresh validationData
	fresh.seen = old.data.seen
	for _, c := range vd.certs {
		fresh.addCert(c)
	}
	for _, o := range vd.ocsps {
		if fresh.add(o) {
			fresh.ocsps = append(fresh.ocsps, o)
		}
	}
	for _, c := range vd.crls {
		if fresh.add(c) {
			fresh.crls = append(fresh.crls, c)
		}
	}
	if fresh.empty() {
		return pdf, nil
	}
	a, err := newAppender(doc, 4096)
	if err != nil {
		return nil, err
	}
	certs, ocsps, crls := old.certs, old.ocsps, old.crls
	for _, c := range fresh.certs {
		certs = append(certs, a.stream(c.Raw))
	}
	for _, o := range fresh.ocsps {
		ocsps = append(ocsps, a.stream(o))
	}
	for _, c := range fresh.crls {
		crls = append(crls, a.stream(c))
	}
	var b bytes.Buffer
	b.WriteString("<< /Type /DSS")
	for _, e := range []struct {
		key  string
		refs []pdfRef
	}{{"Certs", certs}, {"OCSPs", ocsps}, {"CRLs", crls}} {
		if len(e.refs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n/%s [", e.key)
		for i, r := range e.refs {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(r.String())
		}
		b.WriteByte(']')
	}
	for _, e := range old.other {
		fmt.Fprintf(&b, "\n/%s %s", encodeName(e.key), e.raw)
	}
	b.WriteString("\n>>")
	dssNum := a.alloc()
	a.object(dssNum, b.String())
	a.catalog(rootRef, catalog, [2]string{"DSS", pdfRef{num: dssNum}.String()})
	return a.finish(), nil
}

// maxStream bounds a stream read from a DSS.
const maxStream = 32 << 20

// maxInflated bounds what the streams of one document may inflate to, all
// together: a stream listed again is read from the cache, and small
// compressed streams cannot add up to gigabytes.
const maxInflated = 64 << 20

// streamData reads the data of the stream object ref, unfiltered or
// FlateDecode, once, charging the document's budget.
func (d *document) streamData(ref pdfRef) ([]byte, error) {
	if data, ok := d.streams[ref.num]; ok {
		return data, nil
	}
	data, err := d.readStream(ref)
	if err != nil {
		return nil, err
	}
	if d.streams == nil {
		d.streams = map[int][]byte{}
	}
	d.streams[ref.num] = data
	return data, nil
}

func (d *document) readStream(ref pdfRef) ([]byte, error) {
	off, ok := d.offsets[ref.num]
	if !ok || off < 0 || off >= len(d.src) {
		return nil, fmt.Errorf("object %s not found", ref)
	}
	var dict pdfDict
	var start int
	err := d.read(off, func(l *lexer) error {
		l.skipSpace()
		num, err1 := strconv.Atoi(l.word())
		l.skipSpace()
		_, err2 := strconv.Atoi(l.word())
		if err1 != nil || err2 != nil || num != ref.num || !l.keyword("obj") {
			return fmt.Errorf("object %s: no object header", ref)
		}
		v, err := l.value()
		if err != nil {
			return err
		}
		var ok bool
		if dict, ok = v.(pdfDict); !ok || !l.keyword("stream") {
			return fmt.Errorf("object %s is not a stream", ref)
		}
		if l.pos < len(d.src) && d.src[l.pos] == '\r' {
			l.pos++
		}
		if l.pos < len(d.src) && d.src[l.pos] == '\n' {
			l.pos++
		}
		start = l.pos
		return nil
	})
	if err != nil {
		return nil, err
	}
	lv, err := d.lookup(dict, "Length")
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", ref, err)
	}
	n, ok := lv.(int64)
	if !ok || n < 0 || n > maxStream || int(n) > len(d.src)-start {
		return nil, fmt.Errorf("object %s: invalid /Length", ref)
	}
	if err := d.budget.scan(int(n)); err != nil {
		return nil, err
	}
	data := d.src[start : start+int(n)]
	filter, _ := d.lookup(dict, "Filter")
	if arr, ok := filter.(pdfArray); ok && len(arr) == 1 {
		filter = arr[0]
	}
	switch filter {
	case nil:
		return data, nil
	case pdfName("FlateDecode"):
		r, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("object %s: %w", ref, err)
		}
		limit := min(maxStream, maxInflated-d.inflated)
		out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
		d.inflated += len(out)
		if len(out) > limit {
			d.budget.spent = true
			return nil, fmt.Errorf("object %s: inflate: %w", ref, errBudget)
		}
		if err != nil {
			return nil, fmt.Errorf("object %s: inflate: %v", ref, err)
		}
		return out, nil
	}
	return nil, errors.New("unsupported stream filter")
}
