package service

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/auth"
	"utdrag/compose"
	"utdrag/distribute"
	"utdrag/domain"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/storage"
)

// The domain operations, exported for the clerk pages (package clerk),
// which call them through an interface of their own. The API's handlers
// call the same methods, so that an operation exists once. The caller is
// the API key a request acts for: nil in open mode (no key file), where
// everything is allowed.

// callerKey is the key the request presented (nil in open mode and on public
// routes).
func callerKey(c *gin.Context) *auth.Key {
	v, _ := c.Get(ctxKey)
	k, _ := v.(*auth.Key)
	return k
}

// Open reports whether the service runs without a key file: loopback
// only, and every caller may do everything.
func (s *Server) Open() bool { return s.keys == nil }

// LookupKey finds the key with this secret.
func (s *Server) LookupKey(secret string) (*auth.Key, bool) {
	if s.keys == nil {
		return nil, false
	}
	return s.keys.Lookup(secret)
}

// Allows reports whether k may use route ("METHOD /v1/…") under the
// API's policy; always in open mode.
func (s *Server) Allows(k *auth.Key, route string) bool {
	return s.keys == nil || (k != nil && policy.Allows(k, route))
}

// MayReadConfidential reports whether k may have an internal rendition:
// it is allowed confidential content, or the service runs open.
func (s *Server) MayReadConfidential(k *auth.Key) bool {
	return s.keys == nil || (k != nil && k.Confidential)
}

// LoginWait is how long addr must wait before it may present a key again
// (zero: now); LoginFailed counts an unknown key from addr. The API's key
// header and the clerk's login form share the count.
func (s *Server) LoginWait(addr string) time.Duration { return s.failures.wait(addr) }

// LoginFailed counts one unknown key presented by addr.
func (s *Server) LoginFailed(addr string) { s.failures.fail(addr) }

// FromThisSite reports whether a browser says r comes from a page of this
// site (Sec-Fetch-Site, Origin or Referer).
func (s *Server) FromThisSite(r *http.Request) bool { return s.fromThisSite(r) }

// ReportMismatch logs and counts a stored file that differs from its
// record and was therefore not served.
func (s *Server) ReportMismatch(ctx context.Context, err error) { s.mismatch(ctx, err) }

// Tag names the key and the extract of a request in its log line.
func (s *Server) Tag(c *gin.Context, keyName, extractID string) {
	if keyName != "" {
		c.Set(ctxKeyName, keyName)
	}
	if extractID != "" {
		c.Set(ctxExtractID, extractID)
	}
}

// Logger is the service's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// Store is the service's store, behind its timeout, breaker and metrics.
func (s *Server) Store() storage.Store { return s.store }

// sees reports whether k may see rec: every extract in open mode or with
// a key for all organisations, its own organisation's otherwise.
func (s *Server) sees(k *auth.Key, rec *archive.Record) bool {
	if s.keys == nil {
		return true
	}
	if k == nil {
		return false
	}
	sc := k.Scope()
	return sc == "" || rec.Organisation.ID == sc
}

// scopeOf is the organisation whose extracts k sees; "" for all.
func (s *Server) scopeOf(k *auth.Key) string {
	if s.keys == nil || k == nil {
		return ""
	}
	return k.Scope()
}

// Extract reads extract id for k: archive.ErrNotFound when there is none
// or it belongs to an organisation k does not see, so ids reveal nothing.
func (s *Server) Extract(ctx context.Context, k *auth.Key, id string) (*archive.Record, error) {
	rec, _, err := s.archive.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.sees(k, rec) {
		return nil, archive.ErrNotFound
	}
	return rec, nil
}

// Issued reads extract id for verification, which is public: anyone
// holding a printed extract may check it.
func (s *Server) Issued(ctx context.Context, id string) (*archive.Record, error) {
	rec, _, err := s.archive.Get(ctx, id)
	return rec, err
}

// Search lists the extracts f asks for from the index, within what k
// sees.
func (s *Server) Search(ctx context.Context, k *auth.Key, f index.Filter) (index.Page, error) {
	f.Organisation = s.scopeOf(k)
	return s.index.List(ctx, f)
}

// Organs lists the organs of the extracts k may see.
func (s *Server) Organs(ctx context.Context, k *auth.Key) ([]string, error) {
	return s.index.Organs(ctx, s.scopeOf(k))
}

// ExtractPDF reads rendition r of rec as issued.
func (s *Server) ExtractPDF(ctx context.Context, rec *archive.Record, r extract.Rendition) ([]byte, error) {
	if r == extract.Internal {
		return s.archive.InternalPDF(ctx, rec)
	}
	return s.archive.PDF(ctx, rec)
}

// ExtractHTML reads the accessible HTML rendition r of rec.
func (s *Server) ExtractHTML(ctx context.Context, rec *archive.Record, r extract.Rendition) ([]byte, error) {
	if r == extract.Internal {
		return s.archive.InternalHTML(ctx, rec)
	}
	return s.archive.HTML(ctx, rec)
}

// HasHTML reports whether an HTML rendition of rec is stored (extracts
// stored before there were any have none).
func (s *Server) HasHTML(ctx context.Context, rec *archive.Record) bool {
	_, err := s.store.Stat(ctx, archive.HTMLKey(rec.ID))
	return err == nil
}

// CertifiedPDF reads certified version n of rec as it stands now (with
// the archive timestamps added since).
func (s *Server) CertifiedPDF(ctx context.Context, rec *archive.Record, n int) ([]byte, error) {
	return s.archive.CurrentCertified(ctx, rec, n)
}

// Justering tells where each paragraph of rec stands today.
func (s *Server) Justering(rec *archive.Record) []extract.ParagraphJustering { return s.justering(rec) }

// CheckAdjusted is the refusal to certify or distribute (verb) rec before
// every paragraph is justerad, or nil.
func (s *Server) CheckAdjusted(rec *archive.Record, verb string) *domain.NotAdjusted {
	return s.checkAdjusted(rec, verb)
}

// CheckCertification normalises req and returns what is wrong with it.
func (s *Server) CheckCertification(req *domain.CertifyRequest) []extract.FieldError {
	req.Normalize()
	return req.Validate(s.cfg.Limits)
}

// PreviewCertification renders what certifying rec as req asks would
// produce, signing nothing: the public rendition when req certifies it,
// with the block filled in as the next version. It returns an
// extract.ValidationError when req is invalid or its text does not fit
// its box, as Certify would.
func (s *Server) PreviewCertification(ctx context.Context, rec *archive.Record, req domain.CertifyRequest) (*domain.CertificationPreview, error) {
	req.Normalize()
	if errs := req.Validate(s.cfg.Limits); len(errs) > 0 {
		return nil, extract.ValidationError(errs)
	}
	id, err := s.signer.identity(ctx)
	if err != nil {
		return nil, err
	}
	rs := req.ToCertify()
	r := rs[len(rs)-1] // the public one when asked for: internal comes first
	cc := s.certificationText(rec, req, id, time.Now().In(stockholm))
	res, err := s.renderCertified(ctx, rec, cc, r)
	if err != nil {
		return nil, err
	}
	p := &domain.CertificationPreview{PDF: res.PDF, Pages: res.Pages, Rendition: r, Initials: res.Document.Header.Boxes[1].Content,
		Version: len(rec.Certifications) + 1}
	for _, b := range res.Document.Blocks {
		if sig, ok := b.(compose.Signatures); ok && len(sig.Signers) > 0 {
			last := sig.Signers[len(sig.Signers)-1] // the certification is the block's last signer
			p.Role, p.Name, p.Title, p.Place, p.Date = last.Role, last.Name, last.Title, last.Place, last.Date
		}
	}
	return p, nil
}

// Message builds the distribution of rec: a *domain.RenditionsMissing
// when a rendition a recipient needs is not certified.
func (s *Server) Message(ctx context.Context, rec *archive.Record) (distribute.Message, error) {
	return s.message(ctx, rec)
}

// Resolve looks the names under "Expedieras till" up in the recipient
// directory of organisation org, as the distributor will when it sends.
func (s *Server) Resolve(org string, names []string) []distribute.Recipient {
	return s.directory.Resolve(org, names)
}

// Distribute sends msg to every recipient that has not yet received it.
func (s *Server) Distribute(ctx context.Context, msg distribute.Message) (*distribute.Record, error) {
	return s.distribute(ctx, msg)
}

// DistributionStatus reads the distribution record of extract id; nil
// when it has not been distributed.
func (s *Server) DistributionStatus(ctx context.Context, id string) (*distribute.Record, error) {
	r, err := s.distributor.Status(ctx, archive.DistributionKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return r, err
}

// VerifySlot takes one of the bounded verification slots, waiting a
// while; ok is false when none came free.
func (s *Server) VerifySlot(ctx context.Context) (release func(), ok bool) {
	return s.verifies.acquire(ctx)
}

// Verify tells whether the file with checksum sum is a genuine extract,
// and checks the stored copy's signature.
func (s *Server) Verify(ctx context.Context, sum string) (*domain.Verification, error) {
	return s.verify(ctx, sum)
}

// Meeting lists the extracts of one meeting of an organ (its name exactly,
// ignoring case) on date, in paragraph order, within what k sees; at most
// index.MaxLimit of them.
func (s *Server) Meeting(ctx context.Context, k *auth.Key, organ, date string) ([]index.Item, error) {
	page, err := s.Search(ctx, k, index.Filter{Organ: organ, OrganMatch: index.Exact, MeetingDate: date, Limit: index.MaxLimit})
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// Protocol reads stored protocol id for k: archive.ErrProtocolNotFound
// when there is none or it belongs to an organisation k does not see.
func (s *Server) Protocol(ctx context.Context, k *auth.Key, id string) (*archive.ProtocolRecord, error) {
	rec, err := s.archive.GetProtocol(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.keys != nil && (k == nil || (k.Scope() != "" && rec.Organisation.ID != k.Scope())) {
		return nil, archive.ErrProtocolNotFound
	}
	return rec, nil
}
