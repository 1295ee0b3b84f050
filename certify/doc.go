// Package certify signs certified protocol extracts and verifies signed ones.
//
// A clerk certifies an extract ("Rätt utdraget intygar") by having the
// service re-render the extract with the certification block filled in; that
// rendering happens elsewhere. The service then calls Sign with the rendered
// PDF and its signing Identity, and stores the returned bytes as the
// certified, immutable version. Verification endpoints call Verify with the
// uploaded or stored PDF and the pool of trusted roots.
//
// Signatures follow PAdES baseline B-B (ETSI EN 319 142-1): an incremental
// update adds a signature field whose dictionary has SubFilter
// ETSI.CAdES.detached, a ByteRange covering the whole file except the
// Contents string, and a detached CMS SignedData with SHA-256 and the
// signing-certificate-v2 attribute. The claimed signing time is the
// dictionary's /M entry; the CMS carries no signing-time attribute, as PAdES
// requires. When Options.TSAURL is set an RFC 3161 timestamp over the
// signature value is added (B-T).
//
// Extend takes a signed file further, each step an incremental update that
// leaves every earlier byte as it was: a Document Security Store (/DSS with
// /Certs, /OCSPs, /CRLs, no VRI) holding the chains of the signer and of
// the timestamp authorities and revocation data for every certificate in
// them, fetched by a Fetcher from the OCSP responders and CRL distribution
// points the certificates name (B-LT); then a document timestamp over the
// whole file (/Type /DocTimeStamp, SubFilter ETSI.RFC3161: B-LTA). Run again
// before the newest timestamp's certificate expires, it adds fresh
// validation data and a new document timestamp (an archive timestamp).
//
// Verify reports, besides the signature itself, what an archivist needs
// (LongTerm): the level the file reaches, the signing time from the
// timestamp, the chain and whether it was valid then, each certificate's
// revocation status as of that time from the data in the file (a
// certificate revoked after the timestamp was good when it signed), the
// document timestamps and when the newest must be renewed.
//
// When no signing certificate is configured the service uses a development
// certificate from NewDevelopment; Sign then says so in the signature's
// reason, and Verify reports it as a problem.
//
// The private key is only used through crypto.Signer, so it may live in an
// HSM. The package writes and reads classic cross-reference tables, which is
// what the PDF renderer produces; files with cross-reference streams are
// refused.
//
// A key may also live in a PKCS #11 token (an HSM): OpenPKCS11, in builds
// with the pkcs11 tag (cgo), signs through ThalesGroup/crypto11.
//
// certify may import the standard library, golang.org/x/crypto (ocsp
// among it), the digitorus pkcs7 and timestamp packages, go-pkcs12 and
// (with the pkcs11 tag) crypto11; nothing else of this module.
package certify
