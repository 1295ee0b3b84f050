package certify

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"
)

// Fetcher fetches what long-term validation needs from the addresses the
// certificates name: OCSP responses from their responders, CRLs from their
// distribution points, missing issuer certificates from their CA issuers
// address. Every request is bounded in time and retried; answers are kept
// for as long as they are valid (an OCSP response or CRL until its next
// update, a certificate for good), so that certifying many extracts asks
// the responder once per certificate and period. A Fetcher is safe for
// concurrent use.
type Fetcher struct {
	client   *http.Client
	attempts int
	wait     time.Duration
	now      func() time.Time

	mu    sync.Mutex
	cache map[string]fetched
}

type fetched struct {
	data  []byte
	until time.Time
}

// FetchOptions tune a Fetcher; zero fields take the defaults.
type FetchOptions struct {
	// Timeout bounds one request (default 5s).
	Timeout time.Duration
	// Attempts is how often a failed request is tried (default 3).
	Attempts int
	// Wait is the pause before the second attempt, doubled for each
	// further one (default 200ms).
	Wait time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Bounds of what a Fetcher keeps and reads.
const (
	maxCached          = 4096
	maxRevocationBytes = 16 << 20
	// unboundedOCSP is how long an OCSP response without a next update
	// is kept.
	unboundedOCSP = 5 * time.Minute
)

// NewFetcher returns a Fetcher.
func NewFetcher(opt FetchOptions) *Fetcher {
	if opt.Timeout <= 0 {
		opt.Timeout = 5 * time.Second
	}
	if opt.Attempts <= 0 {
		opt.Attempts = 3
	}
	if opt.Wait <= 0 {
		opt.Wait = 200 * time.Millisecond
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Fetcher{
		client:   &http.Client{Timeout: opt.Timeout},
		attempts: opt.Attempts,
		wait:     opt.Wait,
		now:      opt.Now,
		cache:    map[string]fetched{},
	}
}

// RevocationStatus is what a responder or CRL says of a certificate.
type RevocationStatus string

// The revocation statuses.
const (
	StatusGood    RevocationStatus = "good"
	StatusRevoked RevocationStatus = "revoked"
	StatusUnknown RevocationStatus = "unknown"
)

// Status asks the certificate's OCSP responder, else its CRL, whether it
// is revoked now. Certification calls it for its own certificate before it
// signs. An error means neither answered.
func (f *Fetcher) Status(ctx context.Context, cert, issuer *x509.Certificate) (RevocationStatus, time.Time, error) {
	ev, err := f.evidence(ctx, cert, issuer)
	if err != nil {
		return StatusUnknown, time.Time{}, err
	}
	return ev.status, ev.revokedAt, nil
}

// evidence is one OCSP response or CRL about one certificate.
type evidence struct {
	ocsp      []byte // DER OCSPResponse, or
	crl       []byte // DER CertificateList
	responder *x509.Certificate
	status    RevocationStatus
	revokedAt time.Time
}

// evidence fetches the OCSP response for cert, falling back to its CRL.
func (f *Fetcher) evidence(ctx context.Context, cert, issuer *x509.Certificate) (evidence, error) {
	var errs []error
	if len(cert.OCSPServer) > 0 {
		raw, resp, err := f.OCSP(ctx, cert, issuer)
		if err == nil {
			ev := evidence{ocsp: raw, responder: resp.Certificate, status: StatusUnknown}
			switch resp.Status {
			case ocsp.Good:
				ev.status = StatusGood
			case ocsp.Revoked:
				ev.status, ev.revokedAt = StatusRevoked, resp.RevokedAt
			}
			if ev.status != StatusUnknown {
				return ev, nil
			}
			err = errors.New("the responder does not know the certificate")
		}
		errs = append(errs, err)
	}
	if len(cert.CRLDistributionPoints) > 0 {
		raw, list, err := f.CRL(ctx, cert, issuer)
		if err == nil {
			ev := evidence{crl: raw, status: StatusGood}
			for _, e := range list.RevokedCertificateEntries {
				if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
					ev.status, ev.revokedAt = StatusRevoked, e.RevocationTime
				}
			}
			return ev, nil
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return evidence{}, fmt.Errorf("certificate %q names no OCSP responder and no CRL", cert.Subject.CommonName)
	}
	return evidence{}, fmt.Errorf("revocation status of %q: %w", cert.Subject.CommonName, errors.Join(errs...))
}

// OCSP returns a current OCSP response for cert from the responders it
// names, checked: signed by the issuer or by a responder the issuer
// authorised.
func (f *Fetcher) OCSP(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, *ocsp.Response, error) {
	key := "ocsp:" + fingerprint(cert)
	if raw, ok := f.fetched(key); ok {
		if resp, err := parseOCSP(raw, cert, issuer); err == nil {
			return raw, resp, nil
		}
	}
	req, err := ocsp.CreateRequest(cert, issuer, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("make OCSP request: %w", err)
	}
	var errs []error
	for _, url := range cert.OCSPServer {
		raw, err := f.fetch(ctx, http.MethodPost, url, "application/ocsp-request", req)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		resp, err := parseOCSP(raw, cert, issuer)
		if err != nil {
			errs = append(errs, fmt.Errorf("OCSP response from %s: %w", url, err))
			continue
		}
		if now := f.now(); resp.ThisUpdate.After(now.Add(5*time.Minute)) || (!resp.NextUpdate.IsZero() && resp.NextUpdate.Before(now)) {
			errs = append(errs, fmt.Errorf("OCSP response from %s is not current", url))
			continue
		}
		until := resp.NextUpdate
		if until.IsZero() {
			until = f.now().Add(unboundedOCSP)
		}
		f.keep(key, raw, minTime(until, cert.NotAfter))
		return raw, resp, nil
	}
	return nil, nil, errors.Join(errs...)
}

// parseOCSP parses an OCSP response about cert and checks who signed it.
func parseOCSP(raw []byte, cert, issuer *x509.Certificate) (*ocsp.Response, error) {
	resp, err := ocsp.ParseResponseForCert(raw, cert, issuer)
	if err != nil {
		return nil, err
	}
	if r := resp.Certificate; r != nil && !r.Equal(issuer) && !slices.Contains(r.ExtKeyUsage, x509.ExtKeyUsageOCSPSigning) {
		return nil, errors.New("the responder certificate is not authorised to sign OCSP responses")
	}
	return resp, nil
}

// CRL returns a current CRL from the distribution points cert names,
// checked: issued and signed by issuer.
func (f *Fetcher) CRL(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, *x509.RevocationList, error) {
	var errs []error
	for _, url := range cert.CRLDistributionPoints {
		key := "crl:" + url
		raw, ok := f.fetched(key)
		if !ok {
			var err error
			if raw, err = f.fetch(ctx, http.MethodGet, url, "", nil); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		list, err := parseCRL(raw, issuer)
		if err != nil {
			errs = append(errs, fmt.Errorf("CRL from %s: %w", url, err))
			continue
		}
		if now := f.now(); !list.NextUpdate.IsZero() && list.NextUpdate.Before(now) {
			errs = append(errs, fmt.Errorf("CRL from %s is out of date", url))
			continue
		}
		if !ok {
			until := list.NextUpdate
			if until.IsZero() {
				until = f.now().Add(unboundedOCSP)
			}
			f.keep(key, raw, until)
		}
		return raw, list, nil
	}
	return nil, nil, errors.Join(errs...)
}

func parseCRL(raw []byte, issuer *x509.Certificate) (*x509.RevocationList, error) {
	list, err := x509.ParseRevocationList(raw)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(list.RawIssuer, issuer.RawSubject) {
		return nil, errors.New("issued by another CA")
	}
	if err := list.CheckSignatureFrom(issuer); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return list, nil
}

// Issuer fetches the issuer of cert from the CA issuers address it names.
func (f *Fetcher) Issuer(ctx context.Context, cert *x509.Certificate) (*x509.Certificate, error) {
	var errs []error
	for _, url := range cert.IssuingCertificateURL {
		key := "cert:" + url
		raw, ok := f.fetched(key)
		if !ok {
			var err error
			if raw, err = f.fetch(ctx, http.MethodGet, url, "", nil); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			if certs, perr := parseCertificates(raw); perr == nil && len(certs) == 1 {
				c, err = certs[0], nil
			}
		}
		if err != nil || cert.CheckSignatureFrom(c) != nil {
			errs = append(errs, fmt.Errorf("%s does not hold the issuer", url))
			continue
		}
		f.keep(key, raw, c.NotAfter)
		return c, nil
	}
	if len(errs) == 0 {
		return nil, fmt.Errorf("certificate %q names no CA issuers address", cert.Subject.CommonName)
	}
	return nil, errors.Join(errs...)
}

// fetch makes one HTTP request, retried on failure, and returns the body.
func (f *Fetcher) fetch(ctx context.Context, method, url, contentType string, body []byte) ([]byte, error) {
	var err error
	wait := f.wait
	for attempt := range f.attempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("%s %s: %w (after: %v)", method, url, ctx.Err(), err)
			case <-time.After(wait):
			}
			wait *= 2
		}
		var b []byte
		if b, err = f.fetchOnce(ctx, method, url, contentType, body); err == nil {
			return b, nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, err
}

func (f *Fetcher) fetchOnce(ctx context.Context, method, url, contentType string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRevocationBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, url, err)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("%s %s: %s", method, url, resp.Status)
	case len(b) > maxRevocationBytes:
		return nil, fmt.Errorf("%s %s: answer larger than %d bytes", method, url, maxRevocationBytes)
	case len(b) == 0:
		return nil, fmt.Errorf("%s %s: empty answer", method, url)
	}
	return b, nil
}

func (f *Fetcher) fetched(key string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.cache[key]
	if !ok || !f.now().Before(c.until) {
		return nil, false
	}
	return c.data, true
}

// keep remembers data until until; when the cache is full, expired
// entries go first, then arbitrary ones.
func (f *Fetcher) keep(key string, data []byte, until time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if !now.Before(until) {
		return
	}
	if len(f.cache) >= maxCached {
		for k, c := range f.cache {
			if !now.Before(c.until) {
				delete(f.cache, k)
			}
		}
		for k := range f.cache {
			if len(f.cache) < maxCached {
				break
			}
			delete(f.cache, k)
		}
	}
	f.cache[key] = fetched{data: data, until: until}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
