package service

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"utdrag/certify"
	"utdrag/storage"
)

// SigningConfig names the organisation's signing certificate and key.
// With none configured a development certificate is generated once, kept
// in storage, and every signature made with it says so.
type SigningConfig struct {
	CertFile    string // UTDRAG_SIGN_CERT (PEM, leaf first, then issuers)
	KeyFile     string // UTDRAG_SIGN_KEY (PEM)
	P12File     string // UTDRAG_SIGN_P12
	P12Password string // UTDRAG_SIGN_P12_PASSWORD
	TSAURL      string // UTDRAG_TSA_URL: RFC 3161 timestamp authority
}

func signingFromEnv(getenv func(string) string) SigningConfig {
	return SigningConfig{
		CertFile:    getenv("UTDRAG_SIGN_CERT"),
		KeyFile:     getenv("UTDRAG_SIGN_KEY"),
		P12File:     getenv("UTDRAG_SIGN_P12"),
		P12Password: getenv("UTDRAG_SIGN_P12_PASSWORD"),
		TSAURL:      getenv("UTDRAG_TSA_URL"),
	}
}

// devKeyPath is where the development identity is kept in storage.
const devKeyPath = "keys/development-signing.pem"

// signer holds the identity used to sign certified extracts, loaded once
// (a development identity is created on first use).
type signer struct {
	cfg   SigningConfig
	store storage.Store
	org   string

	mu    sync.Mutex
	id    *certify.Identity
	roots *x509.CertPool
}

func newSigner(cfg SigningConfig, store storage.Store) (*signer, error) {
	s := &signer{cfg: cfg, store: store, org: "Utdrag"}
	switch {
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
