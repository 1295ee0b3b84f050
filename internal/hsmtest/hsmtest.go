//go:build pkcs11

// Package hsmtest gives tests a real PKCS #11 token: a SoftHSM 2 token
// (Debian's softhsm2, which make test installs) in a temporary folder,
// made once per test process, and key pairs generated inside it that
// never leave it.
//
// It may import the standard library and crypto11.
package hsmtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ThalesGroup/crypto11"
)

// Module is where Debian's softhsm2 puts its PKCS #11 library.
const Module = "/usr/lib/softhsm/libsofthsm2.so"

// Token names the test token.
type Token struct {
	Module, Label, PIN string
}

var (
	once   sync.Once
	token  Token
	ctx    *crypto11.Context
	errTok error
)

// Open returns the process's token, making it on first use: a SoftHSM
// configuration and token folder under the system's temporary folder
// (SOFTHSM2_CONF is set for the process, before the module is loaded).
func Open(t testing.TB) Token {
	t.Helper()
	once.Do(func() { token, ctx, errTok = initToken() })
	if errTok != nil {
		t.Fatalf("hsmtest: %v", errTok)
	}
	return token
}

func initToken() (Token, *crypto11.Context, error) {
	if _, err := os.Stat(Module); err != nil {
		return Token{}, nil, fmt.Errorf("softhsm2 is not installed (make test installs it): %w", err)
	}
	removeStale()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("utdrag-softhsm-%d", os.Getpid()))
	if err := os.RemoveAll(dir); err != nil {
		return Token{}, nil, err
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.MkdirAll(filepath.Join(dir, "tokens"), 0o700); err != nil {
		return Token{}, nil, err
	}
	body := fmt.Sprintf("directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n", filepath.Join(dir, "tokens"))
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		return Token{}, nil, err
	}
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return Token{}, nil, err
	}
	tok := Token{Module: Module, Label: "utdrag-test", PIN: "24681357"}
	out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", tok.Label,
		"--so-pin", "13572468", "--pin", tok.PIN).CombinedOutput()
	if err != nil {
		return Token{}, nil, fmt.Errorf("softhsm2-util --init-token: %v\n%s", err, out)
	}
	c, err := crypto11.Configure(&crypto11.Config{Path: tok.Module, TokenLabel: tok.Label, Pin: tok.PIN})
	if err != nil {
		return Token{}, nil, fmt.Errorf("opening the token: %w", err)
	}
	return tok, c, nil
}

// removeStale removes the token folders of test processes that have
// ended: a token lives as long as its process, which has no hook to remove
// it at exit.
func removeStale() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "utdrag-softhsm-*"))
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "utdrag-softhsm-"))
		if err != nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); os.IsNotExist(err) {
			_ = os.RemoveAll(d)
		}
	}
}

// NewKey generates an EC P-256 key pair labelled label inside the token
// (crypto11 marks the private key sensitive and not extractable) and
// returns a PEM certificate request for it, signed by the token, for a
// CA to issue a certificate.
func NewKey(t testing.TB, label string) []byte {
	t.Helper()
	Open(t)
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	key, err := ctx.GenerateECDSAKeyPairWithLabel(id, []byte(label), elliptic.P256())
	if err != nil {
		t.Fatalf("hsmtest: generating a key in the token: %v", err)
	}
	if _, ok := key.Public().(*ecdsa.PublicKey); !ok {
		t.Fatalf("hsmtest: the token made a %T", key.Public())
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		Subject: pkix.Name{CommonName: "Region Exempel e-sigill (" + label + ")", Organization: []string{"Region Exempel"}, Country: []string{"SE"}},
	}, key)
	if err != nil {
		t.Fatalf("hsmtest: certificate request signed in the token: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

// Attributes reads the private key's CKA_SENSITIVE and CKA_EXTRACTABLE,
// and whether its value (CKA_VALUE) can be read out: it must not.
func Attributes(t testing.TB, label string) (sensitive, extractable bool, valueErr error) {
	t.Helper()
	Open(t)
	key, err := ctx.FindPrivateKey(nil, []byte(label))
	if err != nil || key == nil {
		t.Fatalf("hsmtest: finding key %q: %v", label, err)
	}
	attrs, err := ctx.GetAttributes(key, []crypto11.AttributeType{crypto11.CkaSensitive, crypto11.CkaExtractable})
	if err != nil {
		t.Fatalf("hsmtest: reading the key's attributes: %v", err)
	}
	_, valueErr = ctx.GetAttribute(key, crypto11.CkaValue)
	return isTrue(attrs[crypto11.CkaSensitive]), isTrue(attrs[crypto11.CkaExtractable]), valueErr
}

func isTrue(a *crypto11.Attribute) bool {
	return a != nil && len(a.Value) == 1 && a.Value[0] != 0
}
