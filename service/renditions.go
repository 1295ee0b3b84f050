package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/distribute"
	"utdrag/extract"
)

// An extract with parts marked confidential is kept in two renditions
// (archive/rendition.go): the public one, which every reader of the
// extract may have, and the internal one, which only a key allowed
// confidential content may fetch (auth.Key.Confidential; everyone in open
// mode). The public one is what a request gets unless it asks for
// ?rendition=internal.

// mayReadConfidential reports whether the caller may have an internal
// rendition: its key (or its session's) is allowed confidential content,
// or the service runs open.
func (s *Server) mayReadConfidential(c *gin.Context) bool {
	return s.MayReadConfidential(callerKey(c))
}

// parseRendition reads ?rendition= (public when left out), answering 400
// for another value.
func parseRendition(c *gin.Context) (extract.Rendition, bool) {
	r, ok := extract.ParseRendition(c.Query("rendition"))
	if !ok {
		problem(c, http.StatusBadRequest, "query", "Ogiltig begäran", "rendition måste vara public eller internal.",
			extract.FieldError{Field: "rendition", Rule: "enum", Message: "ange public (offentlig) eller internal (intern)"})
	}
	return r, ok
}

// renditionOf reads the rendition of rec a request asks for, and answers
// when it may not have it: 404 when rec has no such rendition, 403 when
// the caller may not read confidential content.
func (s *Server) renditionOf(c *gin.Context, rec *archive.Record) (extract.Rendition, bool) {
	r, ok := parseRendition(c)
	if !ok {
		return r, false
	}
	return r, s.mayHave(c, rec, r)
}

// mayHave answers 404 or 403 and reports false when the caller may not
// have rendition r of rec.
func (s *Server) mayHave(c *gin.Context, rec *archive.Record, r extract.Rendition) bool {
	switch {
	case !rec.Has(r):
		problem(c, http.StatusNotFound, "no-rendition", "Ingen sådan version",
			"Utdraget har ingen intern version: inget i det är markerat som sekretessbelagt, och den offentliga versionen är hela utdraget.")
		return false
	case r == extract.Internal && !s.mayReadConfidential(c):
		problem(c, http.StatusForbidden, "confidential", "Sekretessbelagda uppgifter",
			"API-nyckeln får inte läsa den interna versionen, som innehåller sekretessbelagda uppgifter. Hämta den offentliga versionen.")
		return false
	}
	return true
}

// putInternal renders the internal rendition of x and adds it, with x
// itself, to the record rec (which holds the public copy) for Create to
// store apart, answering the request when that fails.
func (s *Server) putInternal(c *gin.Context, rec *archive.Record, x *extract.Extract) bool {
	ctx := c.Request.Context()
	res, err := s.renderObserved(ctx, x, nil, extract.Internal)
	if err != nil {
		s.failRender(c, err)
		return false
	}
	page, err := s.render.HTML(res.Document)
	if err != nil {
		s.fail(c, err)
		return false
	}
	rec.AddInternal(res.PDF, page, x.Canonical(), res.Pages)
	return true
}

// attachRenditions gives m the current certified version of each
// rendition its recipients need: the internal one for those the directory
// allows confidential content (when rec has one), the public one for the
// others.
func (s *Server) attachRenditions(ctx context.Context, rec *archive.Record, m *distribute.Message) error {
	need := map[extract.Rendition][]string{}
	for _, r := range s.directory.Resolve(m.Organisation.ID, m.Recipients) {
		if !r.Resolved() {
			continue
		}
		rd := extract.Public
		if r.Confidential && rec.Has(extract.Internal) {
			rd = extract.Internal
		}
		need[rd] = append(need[rd], r.Name)
	}
	for _, rd := range []extract.Rendition{extract.Internal, extract.Public} {
		names, ok := need[rd]
		if !ok && !(rd == extract.Public && len(need) == 0) {
			continue
		}
		cert := rec.CertifiedAs(rd)
		if cert == nil {
			return &renditionsMissing{Rendition: rd, Recipients: names}
		}
		pdf, err := s.archive.CurrentCertified(ctx, rec, cert.Version)
		if err != nil {
			return err
		}
		url := s.verifyURL(rec.ID, cert.Version)
		if rd == extract.Internal {
			m.Internal, m.InternalVerifyURL, m.InternalVersion = pdf, url, cert.Version
			m.InternalFilename = renditionFilename(rec.Filename, rd, true)
		} else {
			m.PDF, m.VerifyURL, m.Version = pdf, url, cert.Version
		}
	}
	return nil
}

// failMissing answers 409 when err is a *renditionsMissing and reports
// whether it did.
func failMissing(c *gin.Context, err error) bool {
	var rm *renditionsMissing
	if !errors.As(err, &rm) {
		return false
	}
	problem(c, http.StatusConflict, "rendition-not-certified", "Version inte bestyrkt",
		fmt.Sprintf("Utdragets %s version är inte bestyrkt, och den ska till %s. Bestyrk den först.",
			rm.Rendition.Definite(), strings.Join(rm.Recipients, ", ")))
	return true
}
