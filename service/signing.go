package service

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"utdrag/archive"
	"utdrag/certify"
	"utdrag/storage"
)

// SigningConfig names the organisation's signing certificate and key,
// the timestamp authority, and how long certification may wait for it and
// for the revocation responders. With no certificate configured a
// development certificate is generated once, kept in storage, and every
// signature made with it says so.
type SigningConfig struct {
	CertFile    string // UTDRAG_SIGN_CERT (PEM, leaf first, then issuers)
	KeyFile     string // UTDRAG_SIGN_KEY (PEM)
	P12File     string // UTDRAG_SIGN_P12
	P12Password string // UTDRAG_SIGN_P12_PASSWORD
	// PKCS11 names a key in an HSM or smart-card service, used through
	// its PKCS #11 module (UTDRAG_SIGN_PKCS11_MODULE, _TOKEN, _PIN or
	// _PIN_FILE, _KEY); the certificate chain comes from CertFile, or
	// else from the token. Needs a build with -tags pkcs11.
	PKCS11 certify.PKCS11Config
	TSAURL string // UTDRAG_TSA_URL: RFC 3161 timestamp authority
	// TrustFile holds further trusted roots (PEM), for a timestamp
	// authority under another root than the signing certificate's.
	TrustFile string // UTDRAG_TRUST_ROOTS
	// Timeout bounds the time one certification spends on the timestamp
	// authority and the revocation responders together (default 20s);
	// what they have not answered by then is left out and recorded, and
	// the archive-timestamp job adds it later.
	Timeout time.Duration // UTDRAG_SIGN_TIMEOUT
	// FetchTimeout bounds one request to an OCSP responder, CRL
	// distribution point or CA issuers address (default 5s; it is tried
	// three times).
	FetchTimeout time.Duration // UTDRAG_FETCH_TIMEOUT
}

func signingFromEnv(getenv func(string) string) (SigningConfig, error) {
	c := SigningConfig{
		CertFile:    getenv("UTDRAG_SIGN_CERT"),
		KeyFile:     getenv("UTDRAG_SIGN_KEY"),
		P12File:     getenv("UTDRAG_SIGN_P12"),
		P12Password: getenv("UTDRAG_SIGN_P12_PASSWORD"),
		TSAURL:      getenv("UTDRAG_TSA_URL"),
		TrustFile:   getenv("UTDRAG_TRUST_ROOTS"),
		PKCS11: certify.PKCS11Config{
			Module: getenv("UTDRAG_SIGN_PKCS11_MODULE"), Token: getenv("UTDRAG_SIGN_PKCS11_TOKEN"),
			PIN: getenv("UTDRAG_SIGN_PKCS11_PIN"), Key: getenv("UTDRAG_SIGN_PKCS11_KEY"),
		},
	}
	if f := getenv("UTDRAG_SIGN_PKCS11_PIN_FILE"); f != "" && c.PKCS11.PIN == "" {
		pin, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("UTDRAG_SIGN_PKCS11_PIN_FILE: %w", err)
		}
		c.PKCS11.PIN = strings.TrimRight(string(pin), "\r\n")
	}
	for name, dst := range map[string]*time.Duration{"UTDRAG_SIGN_TIMEOUT": &c.Timeout, "UTDRAG_FETCH_TIMEOUT": &c.FetchTimeout} {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return c, fmt.Errorf("%s=%q: want a positive duration such as 20s", name, v)
			}
			*dst = d
		}
	}
	return c, nil
}

// Defaults of the signing configuration.
const (
	defaultSignTimeout  = 20 * time.Second
	defaultFetchTimeout = 5 * time.Second
)

// devKeyPath is where the development identity is kept in storage.
const devKeyPath = "keys/development-signing.pem"

// signer holds the identity used to sign certified extracts, loaded once
// (a development identity is created on first use).
type signer struct {
	cfg     SigningConfig
	store   storage.Store
	org     string
	fetcher *certify.Fetcher
	extra   []*x509.Certificate // further trusted roots
	log     *slog.Logger

	mu    sync.Mutex
	id    *certify.Identity
	roots *x509.CertPool
	// release closes the PKCS #11 session, when the key is in a token.
	release func() error
}

// close releases what the signer holds open.
func (s *signer) close() error {
	if s.release == nil {
		return nil
	}
	return s.release()
}

func newSigner(cfg SigningConfig, store storage.Store, log *slog.Logger) (*signer, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultSignTimeout
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = defaultFetchTimeout
	}
	s := &signer{cfg: cfg, store: store, org: "Utdrag", log: log,
		fetcher: certify.NewFetcher(certify.FetchOptions{Timeout: cfg.FetchTimeout})}
	if cfg.TrustFile != "" {
		raw, err := os.ReadFile(cfg.TrustFile)
		if err != nil {
			return nil, fmt.Errorf("service: reading UTDRAG_TRUST_ROOTS: %w", err)
		}
		if s.extra, err = certify.ParseCertificates(raw); err != nil {
			return nil, fmt.Errorf("service: reading UTDRAG_TRUST_ROOTS: %w", err)
		}
	}
	switch {
	case cfg.PKCS11.Module != "":
		var chain []byte
		if cfg.CertFile != "" {
			var err error
			if chain, err = os.ReadFile(cfg.CertFile); err != nil {
				return nil, fmt.Errorf("service: reading UTDRAG_SIGN_CERT: %w", err)
			}
		}
		id, release, err := certify.OpenPKCS11(cfg.PKCS11, chain)
		if err != nil {
			return nil, err
		}
		s.release = release
		s.set(id)
	case cfg.P12File != "":
		raw, err := os.ReadFile(cfg.P12File)
		if err != nil {
			return nil, fmt.Errorf("service: reading UTDRAG_SIGN_P12: %w", err)
		}
		id, err := certify.LoadPKCS12(raw, cfg.P12Password)
		if err != nil {
			return nil, err
		}
		s.set(id)
	case cfg.CertFile != "" || cfg.KeyFile != "":
		cert, err := os.ReadFile(cfg.CertFile)
		if err != nil {
			return nil, fmt.Errorf("service: reading UTDRAG_SIGN_CERT: %w", err)
		}
		key, err := os.ReadFile(cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("service: reading UTDRAG_SIGN_KEY: %w", err)
		}
		id, err := certify.LoadPEM(cert, key)
		if err != nil {
			return nil, err
		}
		s.set(id)
	}
	return s, nil
}

func (s *signer) set(id certify.Identity) {
	s.id = &id
	s.roots = x509.NewCertPool()
	s.roots.AddCert(id.Chain[len(id.Chain)-1])
	for _, c := range s.extra {
		s.roots.AddCert(c)
	}
}

// identity returns the signing identity, creating the development one in
// storage on first use. Replicas racing to create it agree on one: the
// write is create-once and the losers read the winner's.
func (s *signer) identity(ctx context.Context) (certify.Identity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.id != nil {
		return *s.id, nil
	}
	raw, _, err := s.store.Get(ctx, devKeyPath)
	if errors.Is(err, storage.ErrNotFound) {
		raw, err = s.createDevelopment(ctx)
	}
	if err != nil {
		return certify.Identity{}, fmt.Errorf("service: loading development signing identity: %w", err)
	}
	id, err := certify.LoadPEM(raw, raw)
	if err != nil {
		return certify.Identity{}, err
	}
	s.set(id)
	return id, nil
}

func (s *signer) createDevelopment(ctx context.Context) ([]byte, error) {
	cert, key, err := certify.NewDevelopment(s.org, time.Now())
	if err != nil {
		return nil, err
	}
	raw := append(cert, key...)
	_, err = s.store.Put(ctx, devKeyPath, raw, storage.PutOptions{ContentType: "application/x-pem-file", IfNoneMatch: true})
	if errors.Is(err, storage.ErrPrecondition) {
		raw, _, err = s.store.Get(ctx, devKeyPath)
	}
	return raw, err
}

// trusted is the pool verification trusts: the root of our own chain.
func (s *signer) trusted(ctx context.Context) (*x509.CertPool, error) {
	if _, err := s.identity(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.roots, nil
}

// errOwnRevoked: the service's own signing certificate is revoked; it
// must not certify until a new one is configured.
var errOwnRevoked = errors.New("service: the signing certificate is revoked")

// checkOwn asks the responders whether the signing certificate is revoked
// before anything is signed with it. A development certificate names no
// responder and is not asked; when no responder answers, certification
// goes on and the missing revocation data is recorded by seal.
func (s *signer) checkOwn(ctx context.Context, id certify.Identity) error {
	if id.Development() || len(id.Chain) < 2 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout/2)
	defer cancel()
	status, at, err := s.fetcher.Status(ctx, id.Leaf(), id.Chain[1])
	if err != nil {
		s.log.WarnContext(ctx, "revocation status of the signing certificate unknown", "error", err)
		return nil
	}
	if status == certify.StatusRevoked {
		return fmt.Errorf("%w (since %s)", errOwnRevoked, at.UTC().Format(time.RFC3339))
	}
	return nil
}

// sealed is a signed PDF and the long-term level it reached.
type sealed struct {
	pdf []byte
	archive.Seal
}

// seal signs pdf and takes it as far towards PAdES B-LTA as the timestamp
// authority and the revocation responders allow within the configured
// time: a signature timestamp (B-T), validation data (B-LT), a document
// timestamp (B-LTA). What fails is left out and said in the seal's
// Missing; only a failure to sign at all is an error.
func (s *signer) seal(ctx context.Context, pdf []byte, id certify.Identity, opt certify.Options) (sealed, error) {
	tsa := s.cfg.TSAURL
	if tsa == "" {
		signed, err := certify.Sign(ctx, pdf, id, opt)
		return sealed{pdf: signed, Seal: archive.Seal{Level: string(certify.LevelBB), Missing: []string{
			"Ingen tidsstämpeltjänst är inställd (UTDRAG_TSA_URL): signeringstiden är signerarens egen uppgift."}}}, err
	}
	budget, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	var missing []string
	opt.TSAURL = tsa
	signed, err := certify.Sign(budget, pdf, id, opt)
	if err != nil && tsa != "" {
		s.log.WarnContext(ctx, "signature timestamp failed; signing without", "tsa", tsa, "error", err)
		missing = append(missing, "Tidsstämpeltjänsten svarade inte; signaturen saknar tidsstämpel ("+err.Error()+").")
		tsa, opt.TSAURL = "", ""
		signed, err = certify.Sign(ctx, pdf, id, opt)
	}
	if err != nil {
		return sealed{}, err
	}
	fetcher := s.fetcher
	if id.Development() {
		fetcher = nil // names no responders
		missing = append(missing, "Utvecklingscertifikatet har inga spärrtjänster: valideringsdata saknas.")
	}
	ext, err := certify.Extend(budget, signed, certify.ExtendOptions{Fetcher: fetcher, TSAURL: tsa})
	if err != nil {
		return sealed{}, err
	}
	return sealed{pdf: ext.PDF, Seal: s.sealOf(ctx, ext, missing)}, nil
}

// sealOf reads the level the extended file reaches and says what it
// lacks.
func (s *signer) sealOf(ctx context.Context, ext certify.Extension, missing []string) archive.Seal {
	for _, err := range ext.Missing {
		s.log.WarnContext(ctx, "validation data missing", "error", err)
	}
	if len(ext.Missing) > 0 {
		missing = append(missing, fmt.Sprintf("Valideringsdata saknas för %d certifikat: OCSP- eller CRL-tjänsten svarade inte (%v).",
			len(ext.Missing), ext.Missing[0]))
	}
	if ext.TimestampErr != nil {
		s.log.WarnContext(ctx, "document timestamp failed", "error", ext.TimestampErr)
		missing = append(missing, "Arkivtidsstämpeln kunde inte läggas till ("+ext.TimestampErr.Error()+").")
	}
	seal := archive.Seal{Missing: missing}
	if res, err := certify.Verify(ext.PDF, nil); err == nil {
		seal.Level, seal.RenewBy = string(res.Level), res.RenewBy
	}
	if seal.Level == string(certify.LevelBLTA) {
		seal.Missing = nil
	}
	return seal
}
