//go:build !pkcs11

package certify

import "errors"

// PKCS11Supported reports whether this build can sign with a PKCS #11
// token: not this one, built without cgo (the release build). Build with
// CGO_ENABLED=1 -tags pkcs11 for that (see the README).
const PKCS11Supported = false

// OpenPKCS11 fails in a build without PKCS #11 support.
func OpenPKCS11(cfg PKCS11Config, chainPEM []byte) (Identity, func() error, error) {
	return Identity{}, nil, errors.New("certify: this build of utdrag cannot use PKCS #11 tokens: build it with CGO_ENABLED=1 -tags pkcs11")
}
