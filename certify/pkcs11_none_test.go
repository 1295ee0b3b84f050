//go:build !pkcs11

package certify_test

import (
	"strings"
	"testing"

	"utdrag/certify"
)

// TestPKCS11NeedsTheBuildTag: the static build says how to get PKCS #11
// rather than failing obscurely.
func TestPKCS11NeedsTheBuildTag(t *testing.T) {
	if certify.PKCS11Supported {
		t.Fatal("a build without the pkcs11 tag claims PKCS #11 support")
	}
	_, _, err := certify.OpenPKCS11(certify.PKCS11Config{Module: "/usr/lib/softhsm/libsofthsm2.so", Token: "t", Key: "k"}, nil)
	if err == nil || !strings.Contains(err.Error(), "-tags pkcs11") {
		t.Errorf("OpenPKCS11 without the tag: %v", err)
	}
}
