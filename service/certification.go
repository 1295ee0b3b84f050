package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/certify"
	"utdrag/compose"
	"utdrag/domain"
	"utdrag/extract"
	"utdrag/render"
	"utdrag/storage"
)

var stockholm = mustLocation("Europe/Stockholm")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

func (s *Server) certificationRoutes(g *gin.RouterGroup) {
	g.POST("/extracts/:id/certification", s.certifyExtract)
	g.GET("/extracts/:id/certified", s.getCertified)
}

// certifyRequest decodes and validates the body of a certification, with
// the further rules of check (nil: none), or answers the problem and
// reports false.
func (s *Server) certifyRequest(c *gin.Context, check func(CertifyRequest) []extract.FieldError) (CertifyRequest, bool) {
	var req CertifyRequest
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(c, decodeBodyError(err))
		return req, false
	}
	req.Normalize()
	errs := req.Validate(s.cfg.Limits)
	if check != nil {
		errs = append(errs, check(req)...)
	}
	if len(errs) > 0 {
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltig bestyrkning",
			"Bestyrkandet saknar uppgifter eller har fel i dem; se errors.", errs...)
		return req, false
	}
	return req, true
}

func (s *Server) certifyExtract(c *gin.Context) {
	req, ok := s.certifyRequest(c, nil)
	if !ok {
		return
	}
	key, keyed := c.Request.Header["Idempotency-Key"]
	if keyed && (len(key) != 1 || !validIdempotencyKey(key[0])) {
		problem(c, http.StatusBadRequest, "header", "Ogiltig begäran", "Idempotency-Key ska vara en nyckel om 1–255 synliga ASCII-tecken.",
			extract.FieldError{Field: "Idempotency-Key", Rule: "format", Message: "1–255 synliga ASCII-tecken, en gång"})
		return
	}
	ctx := c.Request.Context()
	rec, _, err := s.archive.Get(ctx, c.Param("id"))
	if err != nil || !s.visible(c, rec) {
		s.fail(c, orNotFound(err))
		return
	}
	if s.refuseUnadjusted(c, rec, "bestyrkas") {
		return
	}
	for _, r := range req.ToCertify() {
		if !s.mayHave(c, rec, r) {
			return
		}
	}
	out, err := s.Certify(ctx, rec.ID, req, strings.Join(key, ""))
	rec, cert := out.Record, out.Certification
	var verr extract.ValidationError
	switch {
	case errors.As(err, &verr):
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltig bestyrkning",
			"Bestyrkandet får inte plats eller har fel i uppgifterna; se errors. Inget har signerats.", verr...)
		return
	case errors.Is(err, domain.ErrKeyReused):
		problem(c, http.StatusUnprocessableEntity, "idempotency-key-reused", "Nyckeln är redan använd",
			"Idempotency-Key har redan använts för en annan begäran (ett annat utdrag eller andra uppgifter). Använd en ny nyckel för en ny begäran.",
			extract.FieldError{Field: "Idempotency-Key", Rule: "unique", Message: "nyckeln hör till en annan begäran"})
		return
	case errors.Is(err, domain.ErrInProgress):
		c.Header("Retry-After", "2")
		problem(c, http.StatusConflict, "in-progress", "Begäran pågår",
			"En begäran med samma Idempotency-Key bestyrker redan utdraget. Fråga igen om en stund för att få dess svar.")
		return
	}
	if errors.Is(err, errCertified) {
		problem(c, http.StatusConflict, "already-certified", "Redan bestyrkt",
			"Utdraget är redan bestyrkt i den versionen. Begär en ny version (newVersion) för att bestyrka det igen; den tidigare behålls.")
		return
	}
	if errors.Is(err, errCertifiedMeanwhile) {
		problem(c, http.StatusConflict, "already-certified", "Redan bestyrkt",
			"Utdraget bestyrktes samtidigt av någon annan.")
		return
	}
	if err != nil {
		s.failRender(c, err)
		return
	}
	if out.Repeated {
		c.Header("Idempotent-Replayed", "true")
	}
	c.Header("Location", "/v1/extracts/"+rec.ID+"/certified?version="+strconv.Itoa(cert.Version))
	c.JSON(http.StatusCreated, s.view(rec))
}

// certifyAndRecord certifies each rendition of extract id that req asks
// for as its next version and returns the record holding them and the
// first new certification. The record is completed first: a certification
// an interrupted request stored is recorded, and counts. It reports
// errCertified when a rendition asked for is certified and req asks for no
// new version, errCertifiedMeanwhile when another request took a version.
func (s *Server) certifyAndRecord(ctx context.Context, id string, req CertifyRequest) (*archive.Record, *archive.Certification, error) {
	rec, _, err := s.archive.Complete(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range req.ToCertify() {
		if rec.CertifiedAs(r) != nil && !req.NewVersion {
			return nil, nil, errCertified
		}
	}
	first := len(rec.Certifications)
	for _, r := range req.ToCertify() {
		if rec, err = s.certifyOne(ctx, rec, req, r); err != nil {
			return nil, nil, err
		}
	}
	return rec, &rec.Certifications[first], nil
}

// certifyOne certifies rendition r of rec as its next version.
func (s *Server) certifyOne(ctx context.Context, rec *archive.Record, req CertifyRequest, r extract.Rendition) (*archive.Record, error) {
	cert, signed, err := s.certify(ctx, rec, req, r)
	if err != nil {
		return nil, err
	}
	rec, err = s.archive.Certify(ctx, rec.ID, *cert, signed, s.cfg.Retention)
	if errors.Is(err, archive.ErrConflict) {
		return nil, errCertifiedMeanwhile
	}
	if err != nil {
		return nil, err
	}
	s.metrics.certified()
	if n := len(rec.Certifications); n > 0 {
		s.Record(ctx, ExtractEvent(audit.Certify, rec, rec.Certifications[n-1].Version))
	}
	return rec, nil
}

// certify renders rendition r of the extract with the certification filled
// in as its next version and signs it; storing it is the archive's.
func (s *Server) certify(ctx context.Context, rec *archive.Record, req CertifyRequest, r extract.Rendition) (*archive.Certification, []byte, error) {
	reason := "Rätt utdraget intygar"
	if r == extract.Internal && rec.Has(extract.Internal) {
		// The signature says which rendition it seals, so that a version
		// adopted without its description is known for what it is.
		reason += " (" + internalReason + ")"
	}
	return s.signCertification(ctx, rec.ID, len(rec.Certifications)+1, req, reason, r,
		func(id certify.Identity, now time.Time, req CertifyRequest) (*render.Result, error) {
			return s.renderCertified(ctx, rec, s.certificationText(rec, req, id, now), r)
		})
}

// signCertification makes version of a document (what, for errors) with
// certification req, signed by the signer now: it checks the signer's
// own certificate, dates req today unless it has a date, renders the
// document with draw and seals it with reason. Storing it is the
// archive's.
func (s *Server) signCertification(ctx context.Context, what string, version int, req CertifyRequest, reason string, r extract.Rendition,
	draw func(certify.Identity, time.Time, CertifyRequest) (*render.Result, error)) (*archive.Certification, []byte, error) {
	id, err := s.signer.identity(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := s.signer.checkOwn(ctx, id); err != nil {
		return nil, nil, err
	}
	now := time.Now().In(stockholm)
	if req.Date == "" {
		req.Date = now.Format(time.DateOnly)
	}
	res, err := draw(id, now, req)
	if err != nil {
		return nil, nil, err
	}
	sealed, err := s.signer.seal(ctx, res.PDF, id, certify.Options{
		Name: req.Name, Reason: reason, Location: req.Place, Time: now,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("service: signing %s: %w", what, err)
	}
	return &archive.Certification{
		Version: version, Name: req.Name, Title: req.Title, Place: req.Place, Date: req.Date,
		Time: now.UTC().Truncate(time.Second), Certificate: id.Subject(), Fingerprint: id.Fingerprint(),
		Development: id.Development(), Pages: res.Pages, Rendition: r, Seal: sealed.Seal,
	}, sealed.pdf, nil
}

// certificationText is what certification req of rec prints as its next
// version, signed by id at now: the "Rätt utdraget intygar" block, the
// initials in Utdragsbestyrkande and the signature summary.
func (s *Server) certificationText(rec *archive.Record, req CertifyRequest, id certify.Identity, now time.Time) *compose.Certification {
	if req.Date == "" {
		req.Date = now.Format(time.DateOnly)
	}
	return &compose.Certification{
		Name: req.Name, Title: req.Title, Place: req.Place, Date: req.Date,
		Initials: initials(req.Name),
		Summary: []string{
			"Utdraget är bestyrkt elektroniskt och signerat digitalt (PAdES).",
			fmt.Sprintf("Signerat av %s, %s, %s kl. %s.", req.Name, req.Title, now.Format(time.DateOnly), now.Format("15.04")),
			"Certifikat: " + id.Subject(),
		},
		VerifyURL: s.verifyURL(rec.ID, len(rec.Certifications)+1),
	}
}

// renderCertified renders rendition r of rec with cc filled in, and
// refuses (extract.ValidationError) a certification whose text does not
// fit its box: what is signed cannot be changed, so it is checked on the
// very pages that would be signed.
func (s *Server) renderCertified(ctx context.Context, rec *archive.Record, cc *compose.Certification, r extract.Rendition) (*render.Result, error) {
	x, err := s.archive.Source(ctx, rec) // the public copy's marks are gone: it renders as the public rendition
	if err != nil {
		return nil, err
	}
	res, err := s.renderObserved(ctx, x, cc, r)
	if err != nil {
		return nil, err
	}
	var errs extract.ValidationError
	for _, o := range res.Overflows {
		errs = append(errs, extract.FieldError{Field: "name", Rule: "fit",
			Message: fmt.Sprintf("initialerna %s får inte plats i rutan %s; skriv namnet kortare, till exempel utan mellannamn", o.Text, o.Box)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return res, nil
}

// ArchiveOn returns the archive on store as the service keeps it (a
// certified PDF stored without a description is described from its
// signature), for the offline commands.
func ArchiveOn(store storage.Store) *archive.Archive {
	a := archive.New(store)
	a.SetDescriber(describeCertified)
	return a
}

// describeCertified reads what a certified PDF's signature says, for one
// that its writer left without a description.
func describeCertified(pdf []byte) (archive.Certification, error) {
	r, err := certify.Verify(pdf, nil)
	if err != nil {
		return archive.Certification{}, err
	}
	if !r.Signed {
		return archive.Certification{}, errors.New("service: a certified version without a signature")
	}
	at := r.SigningTime.In(stockholm)
	return archive.Certification{
		Name: r.Name, Place: r.Location, Date: at.Format(time.DateOnly), Time: r.SigningTime.UTC(),
		Certificate: r.Signer, Fingerprint: r.SignerFingerprint, Pages: r.Pages,
		Development: strings.Contains(r.Reason, "utvecklingscertifikat"),
		Rendition:   renditionOfReason(r.Reason),
		Seal:        archive.Seal{Level: string(r.Level), RenewBy: r.RenewBy},
	}, nil
}

// verifyURL is the short address printed on a certified extract.
func (s *Server) verifyURL(id string, version int) string {
	return fmt.Sprintf("%s/v/%s/%d", s.cfg.PublicURL, id, version)
}

// initials of a name in clear: "Anna-Karin Öberg" → "AKÖ".
func initials(name string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '-' }) {
		r := []rune(part)
		b.WriteRune(unicode.ToUpper(r[0]))
	}
	return b.String()
}

// internalReason is what the signature reason of a certified internal
// rendition adds.
const internalReason = "intern version med sekretessbelagda uppgifter"

// renditionOfReason reads the rendition a signature reason names.
func renditionOfReason(reason string) extract.Rendition {
	if strings.Contains(reason, internalReason) {
		return extract.Internal
	}
	return extract.Public
}

func (s *Server) getCertified(c *gin.Context) {
	ctx := c.Request.Context()
	rec, _, err := s.archive.Get(ctx, c.Param("id"))
	if err != nil || !s.visible(c, rec) {
		s.fail(c, orNotFound(err))
		return
	}
	var cert archive.Certification
	if v := c.Query("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(rec.Certifications) {
			problem(c, http.StatusNotFound, "not-found", "Hittades inte", "Det finns ingen sådan version.")
			return
		}
		cert = rec.Certifications[n-1]
		if !s.mayHave(c, rec, cert.RenditionOf()) {
			return
		}
	} else {
		r, ok := s.renditionOf(c, rec)
		if !ok {
			return
		}
		cur := rec.CertifiedAs(r)
		if cur == nil {
			problem(c, http.StatusNotFound, "not-certified", "Inte bestyrkt", "Utdragets "+r.Definite()+" version är inte bestyrkt ännu.")
			return
		}
		cert = *cur
	}
	b, err := s.archive.CurrentCertified(ctx, rec, cert.Version)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.servePDF(c, b, cert.CurrentSHA256(), domain.CertifiedFilename(rec, cert))
}

func orNotFound(err error) error {
	if err == nil {
		return archive.ErrNotFound
	}
	return err
}

// decodeBodyError classifies a JSON body that could not be decoded.
func decodeBodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return extract.ValidationError{{Field: typ.Field, Rule: "type", Message: "fel typ"}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return extract.ValidationError{{Field: name, Rule: "unknownField", Message: fmt.Sprintf("okänt fält %q", name)}}
	}
	return &extract.SyntaxError{Msg: err.Error()}
}
