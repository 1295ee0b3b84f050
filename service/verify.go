package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/certify"
	"utdrag/domain"
	"utdrag/extract"
	"utdrag/internal/pace"
)

const maxVerifyBody = domain.MaxVerifyBody

func (s *Server) verifyRoutes(g *gin.RouterGroup) {
	g.GET("/verify/:sha256", s.verifyChecksum)
	g.POST("/verify", s.verifyUpload)
}

func (s *Server) verifyChecksum(c *gin.Context) {
	sum := strings.ToLower(c.Param("sha256"))
	v, err := s.verify(c.Request.Context(), sum)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !v.Genuine {
		c.JSON(http.StatusNotFound, v)
		return
	}
	c.JSON(http.StatusOK, v)
}

// verifyUpload checks a PDF sent as the body: it takes a verification
// slot before reading anything, hashes the body as it arrives, and looks
// the checksum up.
func (s *Server) verifyUpload(c *gin.Context) {
	release, ok := s.verifies.acquire(c.Request.Context())
	if !ok {
		c.Header("Retry-After", "1")
		problem(c, http.StatusServiceUnavailable, "busy", "Upptagen",
			"Tjänsten kontrollerar redan så många filer den kan. Försök igen om en sekund.")
		return
	}
	defer release()
	sum, n, err := hashStream(c.Request.Body)
	if err != nil {
		s.fail(c, err)
		return
	}
	if n == 0 {
		problem(c, http.StatusBadRequest, "empty", "Ingen fil", "Skicka PDF-filen som begärans innehåll.")
		return
	}
	v, err := s.verify(c.Request.Context(), sum)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// hashStream reads r to its end and returns its SHA-256 and length,
// holding no more of it than one buffer.
func hashStream(r io.Reader) (sum string, n int64, err error) {
	h := sha256.New()
	n, err = pace.Copy(h, r)
	if err != nil {
		return "", n, fmt.Errorf("service: reading the file to verify: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// verify looks a checksum up. A checksum the service issued names a file
// byte for byte equal to the stored copy, so the signature is checked on
// that copy: an uploaded file is never parsed, only hashed.
func (s *Server) verify(ctx context.Context, sum string) (*Verification, error) {
	v := &Verification{SHA256: sum}
	rec, entry, err := s.archive.Find(ctx, sum)
	if errors.Is(err, archive.ErrNotFound) {
		return s.verifyProtocol(ctx, v)
	}
	if err != nil {
		return nil, err
	}
	v.Genuine, v.Document, v.ID, v.Organisation, v.Organ = true, "extract", rec.ID, rec.Organisation.Name, rec.Organ
	v.MeetingDate, v.Paragraphs, v.CaseNumbers, v.Titles = rec.MeetingDate, rec.Paragraphs, rec.CaseNumbers, rec.Titles
	if v.Protocol, err = s.checkAgainstProtocol(ctx, rec); err != nil {
		return nil, err
	}
	if entry.Version == 0 {
		v.Rendition = extract.Public
		v.Message = "Filen är ett äkta utdrag från tjänsten, men den är inte bestyrkt."
		if entry.Rendition == extract.Internal {
			v.Rendition = extract.Internal
			v.Message = "Filen är ett äkta utdrag från tjänsten, i den interna versionen med sekretessbelagda uppgifter, men den är inte bestyrkt."
		}
		return v, nil
	}
	cert := rec.Certifications[entry.Version-1] // Find returns only a version the record holds
	v.Certified, v.Version, v.Revision, v.Certification = true, cert.Version, entry.Revision, &cert
	v.Latest = rec.CertifiedAs(cert.RenditionOf()).Version == cert.Version // the newest of its rendition
	pdf, err := s.archive.CertifiedRevision(ctx, rec, entry.Version, entry.Revision)
	if err != nil {
		return nil, err
	}
	v.Rendition = cert.RenditionOf()
	v.Message = "Filen är ett äkta, bestyrkt utdrag: bestyrkt av " + joinNonEmpty(cert.Name, cert.Title, cert.Date) + "."
	if v.Rendition == extract.Internal {
		v.Message = "Filen är ett äkta, bestyrkt utdrag i den interna versionen, som innehåller sekretessbelagda uppgifter: bestyrkt av " + joinNonEmpty(cert.Name, cert.Title, cert.Date) + "."
	}
	if err := s.judgeSignature(ctx, v, pdf, "utdraget"); err != nil {
		return nil, err
	}
	return v, nil
}

// judgeSignature checks the signature of pdf, the certified file v found,
// into v: one that is not valid, or whose certificate was revoked before
// signing, makes the file not genuine and says so in place of v's
// message. what names the document ("utdraget").
func (s *Server) judgeSignature(ctx context.Context, v *Verification, pdf []byte, what string) error {
	var err error
	if v.Signature, err = s.checkSignature(ctx, pdf); err != nil {
		return err
	}
	switch {
	case !v.Signature.Valid:
		v.Genuine = false
		v.Message = "Filens digitala signatur är inte giltig."
	case v.Signature.RevokedBeforeSigning:
		v.Genuine = false
		v.Message = "Signeringscertifikatet var återkallat när " + what + " signerades: signaturen gäller inte."
	}
	return nil
}

func (s *Server) checkSignature(ctx context.Context, pdf []byte) (*SignatureCheck, error) {
	roots, err := s.signer.trusted(ctx)
	if err != nil {
		return nil, err
	}
	r, err := certify.Verify(pdf, roots)
	if err != nil {
		return &SignatureCheck{Problems: []string{"Filen kunde inte läsas som PDF."}}, nil
	}
	problems := r.Problems
	if problems == nil {
		problems = []string{}
	}
	sc := &SignatureCheck{
		Valid: r.Valid, WholeDocument: r.WholeDocument, Trusted: r.Trusted, Signer: r.Signer,
		Fingerprint: r.SignerFingerprint, SigningTime: r.SigningTime, Reason: r.Reason, Problems: problems,
		Level: string(r.Level), Timestamped: r.Timestamped, ValidationAppended: r.ValidationAppended,
		ValidAtSigningTime: r.ValidAtSigningTime, ChainValidAtSigning: r.ChainValidAtSigning, RenewBy: r.RenewBy,
		RevokedBeforeSigning: r.RevokedBeforeSigning,
		Chain:                []ChainCertificate{}, Revocation: []RevocationStatus{}, ArchiveTimestamps: []ArchiveTimestamp{},
	}
	for _, c := range r.Chain {
		sc.Chain = append(sc.Chain, ChainCertificate{Subject: c.Subject, Issuer: c.Issuer, Serial: c.Serial,
			NotBefore: c.NotBefore, NotAfter: c.NotAfter, Fingerprint: c.Fingerprint})
	}
	for _, rv := range r.Revocation {
		sc.Revocation = append(sc.Revocation, RevocationStatus{Subject: rv.Subject, Status: string(rv.Status),
			Source: rv.Source, Issued: rv.Issued, RevokedAt: rv.RevokedAt})
	}
	for _, ts := range r.DocumentTimestamps {
		sc.ArchiveTimestamps = append(sc.ArchiveTimestamps, ArchiveTimestamp{Time: ts.Time, TSA: ts.TSA,
			Valid: ts.Valid, Trusted: ts.Trusted, Expires: ts.Expires})
		if ts.Valid {
			sc.LastArchiveTimestamp = ts.Time
		}
	}
	return sc, nil
}

// joinNonEmpty joins the parts that are not empty with commas (a
// certification recovered from its signature has no title).
func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}
