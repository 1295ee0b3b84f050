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
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/certify"
	"utdrag/extract"
)

// Verification answers whether a PDF is a genuine extract from this service.
type Verification struct {
	Genuine bool   `json:"genuine"`
	SHA256  string `json:"sha256"`
	// Message says the verdict in Swedish for a reader.
	Message      string   `json:"message"`
	ID           string   `json:"id,omitempty"`
	Organisation string   `json:"organisation,omitempty"`
	Organ        string   `json:"organ,omitempty"`
	MeetingDate  string   `json:"meetingDate,omitempty"`
	Paragraphs   []int    `json:"paragraphs,omitempty"`
	CaseNumbers  []string `json:"caseNumbers,omitempty"`
	Titles       []string `json:"titles,omitempty"`
	Certified    bool     `json:"certified"`
	// Rendition is which rendition the file is: internal (with secret
	// text) or public.
	Rendition extract.Rendition `json:"rendition,omitempty"`
	Version   int               `json:"version,omitempty"`
	// Revision is the revision of the certified version the file is:
	// 0 as signed, k after the k-th archive-timestamp run.
	Revision      int                    `json:"revision,omitempty"`
	Latest        bool                   `json:"latest,omitempty"` // the newest certified version
	Certification *archive.Certification `json:"certification,omitempty"`
	Signature     *SignatureCheck        `json:"signature,omitempty"`
	// Protocol compares the extract with the stored protocol of its
	// meeting, paragraph by paragraph; absent when none is stored.
	Protocol *ProtocolCheck `json:"protocol,omitempty"`
}

// SignatureCheck is what the digital signature check found, with what an
// archivist needs to judge it decades later, from the file alone.
type SignatureCheck struct {
	Valid         bool      `json:"valid"`
	WholeDocument bool      `json:"wholeDocument"`
	Trusted       bool      `json:"trusted"`
	Signer        string    `json:"signer"`
	Fingerprint   string    `json:"fingerprint"`
	SigningTime   time.Time `json:"signingTime"`
	Reason        string    `json:"reason"`
	Problems      []string  `json:"problems"`
	// Level is the PAdES baseline level: B-B, B-T, B-LT or B-LTA.
	Level string `json:"level"`
	// Timestamped: signingTime comes from a timestamp, not the signer.
	Timestamped bool `json:"timestamped"`
	// ValidationAppended: what was appended after signing is validation
	// data and archive timestamps only.
	ValidationAppended bool `json:"validationAppended"`
	// ValidAtSigningTime: a valid signature whose chain was valid and
	// trusted, and not revoked, at signingTime.
	ValidAtSigningTime  bool `json:"validAtSigningTime"`
	ChainValidAtSigning bool `json:"chainValidAtSigning"`
	// RevokedBeforeSigning: a certificate of the chain was revoked by
	// signingTime; the signature does not hold.
	RevokedBeforeSigning bool `json:"revokedBeforeSigning"`
	// Chain is the signer's chain, leaf first.
	Chain []ChainCertificate `json:"chain"`
	// Revocation is each certificate's status as of signingTime, from the
	// validation data in the file.
	Revocation []RevocationStatus `json:"revocation"`
	// ArchiveTimestamps are the document timestamps, oldest first.
	ArchiveTimestamps []ArchiveTimestamp `json:"archiveTimestamps"`
	// LastArchiveTimestamp is the newest valid one's time.
	LastArchiveTimestamp time.Time `json:"lastArchiveTimestamp,omitzero"`
	// RenewBy: a new archive timestamp must be added before this, when
	// the newest timestamp's certificate chain expires.
	RenewBy time.Time `json:"renewBy,omitzero"`
}

// ChainCertificate is one certificate of a signer's chain.
type ChainCertificate struct {
	Subject     string    `json:"subject"`
	Issuer      string    `json:"issuer"`
	Serial      string    `json:"serial"`
	NotBefore   time.Time `json:"notBefore"`
	NotAfter    time.Time `json:"notAfter"`
	Fingerprint string    `json:"fingerprint"`
}

// RevocationStatus is a certificate's status as of the signing time:
// "good" (revokedAt set when it was revoked later), "revoked" or
// "unknown".
type RevocationStatus struct {
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	Source    string    `json:"source,omitempty"` // OCSP or CRL
	Issued    time.Time `json:"issued,omitzero"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
}

// ArchiveTimestamp is one document timestamp.
type ArchiveTimestamp struct {
	Time    time.Time `json:"time"`
	TSA     string    `json:"tsa"`
	Valid   bool      `json:"valid"`
	Trusted bool      `json:"trusted"`
	Expires time.Time `json:"expires"`
}

// maxVerifyBody bounds a verification upload. The upload is hashed as it
// arrives and never held, so the bound is on time and bandwidth, not
// memory.
const maxVerifyBody = 50 << 20

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
	n, err = copyYielding(h, r)
	if err != nil {
		return "", n, fmt.Errorf("service: reading the file to verify: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// maxHashRate bounds how fast one upload is read and hashed, in bytes a
// second: far above what a client sends over a real network, far below
// what a loopback or data-centre client can. An upload that would go
// faster waits between chunks, so that the slots together use a bounded
// share of the processors and the goroutines hashing never keep the
// scheduler from the network (health checks, other requests) for long.
const maxHashRate = 64 << 20

// copyYielding is io.Copy paced to maxHashRate: once it is more than a
// few milliseconds ahead, it sleeps them off.
func copyYielding(dst io.Writer, src io.Reader) (int64, error) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	start := time.Now()
	var n int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			dst.Write(buf[:k]) // a hash.Hash never fails
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if ahead := time.Duration(float64(n)/maxHashRate*float64(time.Second)) - time.Since(start); ahead > 5*time.Millisecond {
			time.Sleep(ahead)
		}
	}
}

// copyBuffers are copyYielding's buffers, shared across uploads.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// verify looks a checksum up. A checksum the service issued names a file
// byte for byte equal to the stored copy, so the signature is checked on
// that copy: an uploaded file is never parsed, only hashed.
func (s *Server) verify(ctx context.Context, sum string) (*Verification, error) {
	v := &Verification{SHA256: sum}
	rec, entry, err := s.archive.Find(ctx, sum)
	if errors.Is(err, archive.ErrNotFound) {
		v.Message = "Filen är inte ett äkta utdrag från tjänsten: ingen utfärdad handling har denna kontrollsumma. Den kan vara ändrad."
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	v.Genuine, v.ID, v.Organisation, v.Organ = true, rec.ID, rec.Organisation.Name, rec.Organ
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
	v.Signature, err = s.checkSignature(ctx, pdf)
	if err != nil {
		return nil, err
	}
	v.Rendition = cert.RenditionOf()
	v.Message = "Filen är ett äkta, bestyrkt utdrag: bestyrkt av " + joinNonEmpty(cert.Name, cert.Title, cert.Date) + "."
	if v.Rendition == extract.Internal {
		v.Message = "Filen är ett äkta, bestyrkt utdrag i den interna versionen, som innehåller sekretessbelagda uppgifter: bestyrkt av " + joinNonEmpty(cert.Name, cert.Title, cert.Date) + "."
	}
	switch {
	case !v.Signature.Valid:
		v.Genuine = false
		v.Message = "Filens digitala signatur är inte giltig."
	case v.Signature.RevokedBeforeSigning:
		v.Genuine = false
		v.Message = "Signeringscertifikatet var återkallat när utdraget signerades: signaturen gäller inte."
	}
	return v, nil
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
