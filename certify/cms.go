package certify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

var (
	oidData                 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidContentType          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	oidTimeStampToken       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidSHA256               = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidECDSAWithSHA256      = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidRSAEncryption        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
)

var (
	tagContext0 = cbasn1.Tag(0).ContextSpecific().Constructed()
	tagContext1 = cbasn1.Tag(1).ContextSpecific().Constructed()
	tagContext4 = cbasn1.Tag(4).ContextSpecific().Constructed()
)

// timestamper returns an RFC 3161 TimeStampToken over a signature value.
type timestamper func(ctx context.Context, signature []byte) ([]byte, error)

// signCMS makes a detached CMS SignedData over content with the PAdES
// baseline signed attributes: content type, message digest and
// signing-certificate-v2. There is no signing-time attribute: PAdES puts
// the claimed time in the signature dictionary.
func signCMS(ctx context.Context, content [][]byte, id Identity, tsa timestamper) ([]byte, error) {
	h := sha256.New()
	for _, part := range content {
		h.Write(part)
	}
	attrs, err := signedAttributes(h.Sum(nil), id.Leaf())
	if err != nil {
		return nil, fmt.Errorf("encode signed attributes: %w", err)
	}
	sum := sha256.Sum256(derSet(cbasn1.SET, attrs))
	signature, err := id.Key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sign attributes: %w", err)
	}
	var unsigned [][]byte
	if tsa != nil {
		token, err := tsa(ctx, signature)
		if err != nil {
			return nil, fmt.Errorf("timestamp signature: %w", err)
		}
		unsigned = append(unsigned, attribute(oidTimeStampToken, token))
	}
	sigAlg, err := signatureAlgorithm(id.Key.Public())
	if err != nil {
		return nil, err
	}
	return encodeSignedData(id.Chain, attrs, unsigned, sigAlg, signature)
}

// signatureAlgorithm names the CMS signature algorithm for a public key.
func signatureAlgorithm(pub crypto.PublicKey) (func(*cryptobyte.Builder), error) {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return algorithm(oidECDSAWithSHA256, false), nil
	case *rsa.PublicKey:
		return algorithm(oidRSAEncryption, true), nil
	}
	return nil, fmt.Errorf("unsupported key type %T", pub)
}

// algorithm writes an AlgorithmIdentifier, with NULL parameters if asked.
func algorithm(oid asn1.ObjectIdentifier, null bool) func(*cryptobyte.Builder) {
	return func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oid)
			if null {
				b.AddASN1NULL()
			}
		})
	}
}

func signedAttributes(digest []byte, leaf *x509.Certificate) ([][]byte, error) {
	contentType, err := asn1.Marshal(oidData)
	if err != nil {
		return nil, err
	}
	messageDigest, err := asn1.Marshal(digest)
	if err != nil {
		return nil, err
	}
	signingCert, err := signingCertificateV2(leaf)
	if err != nil {
		return nil, err
	}
	return [][]byte{
		attribute(oidContentType, contentType),
		attribute(oidMessageDigest, messageDigest),
		attribute(oidSigningCertificateV2, signingCert),
	}, nil
}

// signingCertificateV2 encodes SigningCertificateV2 (RFC 5035) with one
// ESSCertIDv2: the SHA-256 (the default, so not written) of the leaf and its
// issuer and serial number.
func signingCertificateV2(leaf *x509.Certificate) ([]byte, error) {
	sum := sha256.Sum256(leaf.Raw)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1OctetString(sum[:])
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(tagContext4, func(b *cryptobyte.Builder) {
							b.AddBytes(leaf.RawIssuer)
						})
					})
					b.AddASN1BigInt(leaf.SerialNumber)
				})
			})
		})
	})
	return b.Bytes()
}

// attribute encodes an Attribute with a single DER value.
func attribute(oid asn1.ObjectIdentifier, value []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oid)
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(value) })
	})
	return b.BytesOrPanic()
}

// derSet encodes a SET OF with the given tag, elements in DER order.
func derSet(tag cbasn1.Tag, elems [][]byte) []byte {
	sorted := slices.Clone(elems)
	slices.SortFunc(sorted, bytes.Compare)
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, e := range sorted {
			b.AddBytes(e)
		}
	})
	return b.BytesOrPanic()
}

func encodeSignedData(chain []*x509.Certificate, attrs, unsigned [][]byte, sigAlg func(*cryptobyte.Builder), signature []byte) ([]byte, error) {
	leaf := chain[0]
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(tagContext0, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, algorithm(oidSHA256, false))
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidData)
				})
				b.AddASN1(tagContext0, func(b *cryptobyte.Builder) {
					for _, c := range chain {
						b.AddBytes(c.Raw)
					}
				})
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1Int64(1)
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(leaf.RawIssuer)
							b.AddASN1BigInt(leaf.SerialNumber)
						})
						algorithm(oidSHA256, false)(b)
						b.AddBytes(derSet(tagContext0, attrs))
						sigAlg(b)
						b.AddASN1OctetString(signature)
						if len(unsigned) > 0 {
							b.AddBytes(derSet(tagContext1, unsigned))
						}
					})
				})
			})
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("encode CMS: %w", err)
	}
	return der, nil
}
