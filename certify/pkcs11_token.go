//go:build pkcs11

package certify

import (
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/ThalesGroup/crypto11"
)

// PKCS11Supported reports whether this build can sign with a PKCS #11
// token. It needs cgo (the module is a C library loaded at run time), so
// it is built with -tags pkcs11; the static release build is not.
const PKCS11Supported = true

// OpenPKCS11 logs in to the token and finds the key pair labelled
// cfg.Key. The certificates are chainPEM (leaf first, then issuers) when
// given, else the certificate the token holds under the key's label. Every
// signature is a call into the token. release logs out and releases the
// module.
func OpenPKCS11(cfg PKCS11Config, chainPEM []byte) (id Identity, release func() error, err error) {
	if cfg.Module == "" || cfg.Token == "" || cfg.Key == "" {
		return Identity{}, nil, errors.New("certify: PKCS #11: the module, token label and key label are all needed")
	}
	ctx, err := crypto11.Configure(&crypto11.Config{Path: cfg.Module, TokenLabel: cfg.Token, Pin: cfg.PIN})
	if err != nil {
		return Identity{}, nil, fmt.Errorf("certify: PKCS #11: opening token %q with %s: %w", cfg.Token, cfg.Module, err)
	}
	defer func() {
		if err != nil {
			_ = ctx.Close()
		}
	}()
	key, err := ctx.FindKeyPair(nil, []byte(cfg.Key))
	if err != nil {
		return Identity{}, nil, fmt.Errorf("certify: PKCS #11: finding key %q: %w", cfg.Key, err)
	}
	if key == nil {
		return Identity{}, nil, fmt.Errorf("certify: PKCS #11: token %q holds no key pair labelled %q", cfg.Token, cfg.Key)
	}
	var certs []*x509.Certificate
	if len(chainPEM) > 0 {
		if certs, err = parseCertificates(chainPEM); err != nil {
			return Identity{}, nil, fmt.Errorf("certify: PKCS #11: reading the certificates: %w", err)
		}
	} else {
		c, err := ctx.FindCertificate(nil, []byte(cfg.Key), nil)
		if err != nil || c == nil {
			return Identity{}, nil, fmt.Errorf("certify: PKCS #11: no certificate given and none labelled %q in the token: %v", cfg.Key, err)
		}
		certs = []*x509.Certificate{c}
	}
	id, err = newIdentity(key, certs)
	if err != nil {
		return Identity{}, nil, err
	}
	return id, ctx.Close, nil
}
