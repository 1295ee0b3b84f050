package certify

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// developmentUnit is the organizational unit that marks certificates made by
// NewDevelopment. No real certificate authority issues it to an organisation.
const developmentUnit = "Utdrag utvecklingscertifikat – ej för skarp användning"

// Identity is a signer: a certificate chain, leaf first, and the key of the
// leaf. The key is only used through crypto.Signer.
type Identity struct {
	Chain []*x509.Certificate
	Key   crypto.Signer
}

// LoadPEM reads an identity from PEM: one or more CERTIFICATE blocks (the
// leaf and its issuers) and a private key in PKCS #8, PKCS #1 or SEC 1 form.
func LoadPEM(certPEM, keyPEM []byte) (Identity, error) {
	certs, err := parseCertificates(certPEM)
	if err != nil {
		return Identity{}, fmt.Errorf("certify: load PEM certificates: %w", err)
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return Identity{}, fmt.Errorf("certify: load PEM key: %w", err)
	}
	return newIdentity(key, certs)
}

// LoadPKCS12 reads an identity from a PKCS #12 (.p12, .pfx) file.
func LoadPKCS12(data []byte, password string) (Identity, error) {
	key, leaf, cas, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return Identity{}, fmt.Errorf("certify: load PKCS #12: %w", err)
	}
	return newIdentity(key, append([]*x509.Certificate{leaf}, cas...))
}

// newIdentity checks that the key belongs to one of the certificates and puts
// that certificate first.
func newIdentity(key any, certs []*x509.Certificate) (Identity, error) {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return Identity{}, fmt.Errorf("certify: key of type %T cannot sign", key)
	}
	switch signer.Public().(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		return Identity{}, fmt.Errorf("certify: unsupported key type %T", signer.Public())
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok {
		return Identity{}, errors.New("certify: key cannot be compared with a certificate")
	}
	i := slices.IndexFunc(certs, func(c *x509.Certificate) bool { return pub.Equal(c.PublicKey) })
	if i < 0 {
		return Identity{}, errors.New("certify: no certificate matches the private key")
	}
	chain := append([]*x509.Certificate{certs[i]}, slices.Delete(slices.Clone(certs), i, i+1)...)
	return Identity{Chain: chain, Key: signer}, nil
}

// ParseCertificates reads the CERTIFICATE blocks of PEM data.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	certs, err := parseCertificates(data)
	if err != nil {
		return nil, fmt.Errorf("certify: read certificates: %w", err)
	}
	return certs, nil
}

func parseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, errors.New("no CERTIFICATE block")
	}
	return certs, nil
}

func parsePrivateKey(data []byte) (any, error) {
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			return nil, errors.New("no private key block")
		}
		switch block.Type {
		case "PRIVATE KEY":
			return x509.ParsePKCS8PrivateKey(block.Bytes)
		case "RSA PRIVATE KEY":
			return x509.ParsePKCS1PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			return x509.ParseECPrivateKey(block.Bytes)
		}
	}
}

// Leaf returns the signing certificate, or nil for an empty identity.
func (id Identity) Leaf() *x509.Certificate {
	if len(id.Chain) == 0 {
		return nil
	}
	return id.Chain[0]
}

// Development reports whether the identity is a development certificate made
// by NewDevelopment.
func (id Identity) Development() bool {
	return isDevelopment(id.Leaf())
}

func isDevelopment(c *x509.Certificate) bool {
	return c != nil && slices.Contains(c.Subject.OrganizationalUnit, developmentUnit)
}

// Fingerprint is the hex SHA-256 of the leaf certificate's DER encoding.
func (id Identity) Fingerprint() string {
	if id.Leaf() == nil {
		return ""
	}
	return fingerprint(id.Leaf())
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// Subject is the leaf certificate's subject as a readable distinguished name.
func (id Identity) Subject() string {
	if id.Leaf() == nil {
		return ""
	}
	return id.Leaf().Subject.String()
}

// NewDevelopment makes a self-signed development CA and a signing certificate
// issued by it, valid for ten years from now. certPEM holds the signing
// certificate followed by the CA certificate; keyPEM holds the signing key
// (PKCS #8). The CA key is discarded. Use only where no real certificate is
// configured: signatures made with it say so.
func NewDevelopment(org string, now time.Time) (certPEM, keyPEM []byte, err error) {
	if org == "" {
		return nil, nil, errors.New("certify: development certificate needs an organisation")
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("certify: generate development CA key: %w", err)
	}
	ca, err := createCertificate(developmentCA(org, now), nil, caKey, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("certify: create development CA: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("certify: generate development signing key: %w", err)
	}
	leaf, err := createCertificate(developmentLeaf(org, now), ca, key, caKey)
	if err != nil {
		return nil, nil, fmt.Errorf("certify: create development certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("certify: encode development key: %w", err)
	}
	var certs bytes.Buffer
	for _, c := range []*x509.Certificate{leaf, ca} {
		if err := pem.Encode(&certs, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}); err != nil {
			return nil, nil, fmt.Errorf("certify: encode development certificate: %w", err)
		}
	}
	return certs.Bytes(), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}), nil
}

func developmentCA(org string, now time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject: pkix.Name{
			CommonName:         org + " – utvecklings-CA",
			Organization:       []string{org},
			OrganizationalUnit: []string{developmentUnit},
			Country:            []string{"SE"},
		},
		NotBefore:             now.Add(-5 * time.Minute),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
}

func developmentLeaf(org string, now time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject: pkix.Name{
			CommonName:         org + " – utvecklingscertifikat",
			Organization:       []string{org},
			OrganizationalUnit: []string{developmentUnit},
			Country:            []string{"SE"},
		},
		NotBefore:             now.Add(-5 * time.Minute),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
}

// createCertificate signs template with issuerKey; a nil parent makes it
// self-signed.
func createCertificate(template, parent *x509.Certificate, key, issuerKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	template.SerialNumber = serial
	if parent == nil {
		parent = template
	}
	der, err := x509.CreateCertificate(rand.Reader, template, parent, key.Public(), issuerKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}
