package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/compose"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/internal/download"
	"utdrag/render"
)

func (s *Server) extractRoutes(g *gin.RouterGroup) {
	g.POST("/extracts", s.createExtract)
	g.POST("/extracts/preview", s.previewExtract)
	g.GET("/extracts", s.listExtracts)
	g.GET("/extracts/:id", s.getExtract)
	g.GET("/extracts/:id/pdf", s.getPDF)
	g.GET("/extracts/:id/html", s.getHTML)
}

// View is an extract's metadata as the API shows it.
type View struct {
	archive.Summary
	// Adjusted: every paragraph is justerad (or omedelbart justerad), so
	// the extract may be certified and distributed; false for a draft.
	Adjusted       bool                    `json:"adjusted"`
	Certified      bool                    `json:"certified"`
	Certification  *archive.Certification  `json:"certification"`
	Certifications []archive.Certification `json:"certifications"`
	// Renditions are the renditions kept: internal and public for an
	// extract with parts marked confidential, public alone otherwise.
	Renditions []extract.Rendition `json:"renditions"`
	// Source, on an extract taken from a stored protocol, names the
	// protocol and each paragraph's digest there.
	Source *extract.Source   `json:"source,omitempty"`
	Links  map[string]string `json:"links"`
}

func (s *Server) view(r *archive.Record) View {
	base := "/v1/extracts/" + r.ID
	links := map[string]string{"self": base, "pdf": base + "/pdf"}
	if r.HTML {
		links["html"] = base + "/html"
	}
	if r.Certified() != nil {
		links["certified"] = base + "/certified"
		links["verify"] = s.verifyURL(r.ID, r.Certified().Version)
	}
	links["distribution"] = base + "/distribution"
	if r.Has(extract.Internal) {
		links["internalPdf"] = base + "/pdf?rendition=internal"
		links["internalHtml"] = base + "/html?rendition=internal"
	}
	v := View{Summary: r.Summary, Certification: r.Certified(), Certifications: r.Certifications, Links: links,
		Renditions: r.RenditionsKept()}
	v.Justering = s.justering(r)
	v.Adjusted = len(extract.Pending(v.Justering)) == 0
	if v.Certifications == nil {
		v.Certifications = []archive.Certification{}
	}
	v.Certified = v.Certification != nil
	if r.Extract != nil && r.Extract.Source != nil {
		v.Source = r.Extract.Source
		links["protocol"] = "/v1/protocols/" + r.Extract.Source.Protocol
	}
	return v
}

// decode reads and validates the extract of a request.
func (s *Server) decode(c *gin.Context) (*extract.Extract, bool) {
	lim := s.cfg.Limits
	lim.Today = s.today()
	x, err := extract.Decode(c.Request.Body, lim)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	if _, err := s.render.Template(x); err != nil {
		s.fail(c, err)
		return nil, false
	}
	return x, true
}

// renderBounded renders within the render timeout and the bound on
// concurrent renders. The render runs in the request's goroutine under a
// context that ends at the timeout (or when the client leaves); it stops
// there and frees its slot before the answer is written.
func (s *Server) renderBounded(ctx context.Context, x *extract.Extract, cert *compose.Certification, r extract.Rendition) (*render.Result, error) {
	release, ok := s.acquireRender(ctx)
	if !ok {
		return nil, errBusy
	}
	defer release()
	rctx, cancel := context.WithTimeoutCause(ctx, s.cfg.RenderTimeout, errRenderTimeout)
	defer cancel()
	res, err := s.render.RenderWith(rctx, x, cert, render.Options{Rendition: r})
	if err != nil && rctx.Err() != nil {
		if errors.Is(context.Cause(rctx), errRenderTimeout) {
			return nil, errRenderTimeout
		}
		return nil, fmt.Errorf("service: render abandoned: %w", ctx.Err())
	}
	return res, err
}

func (s *Server) createExtract(c *gin.Context) {
	x, ok := s.decode(c)
	if !ok || !s.ownOrganisation(c, x.Organisation.ID) || !s.namedAsConfigured(c, x.Organisation) {
		return
	}
	s.storeExtract(c, x)
}

// storeExtract renders a validated extract and stores it, or answers with
// the identical extract stored already: the create path shared by posted
// extracts and extracts taken from a stored protocol.
func (s *Server) storeExtract(c *gin.Context, x *extract.Extract) {
	t, err := s.render.Template(x)
	if err != nil {
		s.fail(c, err)
		return
	}
	id := x.ID(t.ID())
	c.Set(ctxExtractID, id)
	ctx := c.Request.Context()
	if old, _, err := s.archive.Get(ctx, id); err == nil {
		s.answerExisting(c, old)
		return
	} else if !isNotFound(err) {
		s.fail(c, err)
		return
	}
	res, err := s.renderObserved(ctx, x, nil, extract.Public)
	if err != nil {
		s.failRender(c, err)
		return
	}
	// The record is the public rendition's: made from the masked copy
	// when parts are marked, so nothing it holds or shows is secret.
	pub := res.Extract
	rec := &archive.Record{Extract: pub, Renditions: []extract.Rendition{extract.Public}, Summary: archive.Summary{
		ID: id, Organisation: pub.Organisation, Organ: pub.Organ, MeetingDate: pub.Meeting.Date,
		Paragraphs: pub.Numbers(), CaseNumbers: pub.CaseNumbers(), Titles: titles(pub), Justering: pub.Justerings(),
		Template: res.Template, Filename: compose.Filename(pub), Pages: res.Pages,
	}}
	page, err := s.render.HTML(res.Document)
	if err != nil {
		s.fail(c, err)
		return
	}
	if x.Marked() && !s.putInternal(c, rec, x) {
		return
	}
	stored, created, err := s.archive.Create(ctx, rec, res.PDF, page)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !created {
		s.answerExisting(c, stored)
		return
	}
	s.Record(ctx, ExtractEvent(audit.Create, stored, 0))
	c.Header("Location", "/v1/extracts/"+id)
	c.JSON(http.StatusCreated, s.view(stored))
}

// answerExisting answers a create of an extract that exists already: with
// its record when the caller may read it, otherwise with a receipt that
// holds only what the caller sent and its id, nothing of what happened to
// the extract since (certifications, distribution).
func (s *Server) answerExisting(c *gin.Context, r *archive.Record) {
	c.Header("Location", "/v1/extracts/"+r.ID)
	if !s.mayRead(c) {
		c.JSON(http.StatusOK, Receipt{Summary: r.Summary, Links: map[string]string{"self": "/v1/extracts/" + r.ID}})
		return
	}
	c.JSON(http.StatusOK, s.view(r))
}

// Receipt is the answer to a create of an existing extract for a caller
// that may not read it.
type Receipt struct {
	archive.Summary
	Links map[string]string `json:"links"`
}

func (s *Server) failRender(c *gin.Context, err error) {
	if err == errBusy {
		c.Header("Retry-After", "1")
		problem(c, http.StatusServiceUnavailable, "busy", "Upptagen",
			"Tjänsten sätter redan så många utdrag den kan. Försök igen om en sekund.")
		return
	}
	s.fail(c, err)
}

func (s *Server) previewExtract(c *gin.Context) {
	x, ok := s.decode(c)
	if !ok || !s.ownOrganisation(c, x.Organisation.ID) || !s.namedAsConfigured(c, x.Organisation) {
		return
	}
	r, ok := parseRendition(c)
	if !ok {
		return
	}
	res, err := s.renderObserved(c.Request.Context(), x, nil, r)
	if err != nil {
		s.failRender(c, err)
		return
	}
	c.Header("Content-Disposition", download.Disposition("inline", renditionFilename(compose.Filename(x), res.Rendition, x.Marked())))
	c.Data(http.StatusOK, "application/pdf", res.PDF)
}

// apiSorts are the listing's sorts by their names in the API.
var apiSorts = map[string]index.Sort{
	"newest": index.Newest, "oldest": index.Oldest,
	"paragraph": index.ParagraphAsc, "paragraph-desc": index.ParagraphDesc,
	"organ": index.OrganAsc, "organ-desc": index.OrganDesc,
}

// listExtracts answers from the index; it never lists the object store.
func (s *Server) listExtracts(c *gin.Context) {
	f := index.Filter{
		MeetingDate: c.Query("meetingDate"),
		From:        c.Query("from"),
		To:          c.Query("to"),
		Text:        c.Query("q"),
	}
	f.Organ, f.OrganMatch = wildcard(c.Query("organ"))
	f.CaseNumber, f.CaseMatch = wildcard(c.Query("caseNumber"))
	var errs []extract.FieldError
	if p := c.Query("paragraph"); p != "" {
		from, to, err := index.ParseParagraphs(p)
		if err != nil {
			errs = append(errs, extract.FieldError{Field: "paragraph", Rule: "format", Message: err.Error()})
		}
		f.Paragraph, f.ParagraphTo = from, to
	}
	for name, v := range map[string]string{"meetingDate": f.MeetingDate, "from": f.From, "to": f.To} {
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			errs = append(errs, extract.FieldError{Field: name, Rule: "format", Message: "ogiltigt datum: använd formen ÅÅÅÅ-MM-DD"})
		}
	}
	for name, dst := range map[string]**bool{"certified": &f.Certified, "distributed": &f.Distributed, "adjusted": &f.Adjusted} {
		if v := c.Query(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, extract.FieldError{Field: name, Rule: "type", Message: "ange true eller false"})
			}
			*dst = &b
		}
	}
	if sort, ok := apiSorts[c.DefaultQuery("sort", "newest")]; ok {
		f.Sort = sort
	} else {
		errs = append(errs, extract.FieldError{Field: "sort", Rule: "enum",
			Message: "sort måste vara newest, oldest, paragraph, paragraph-desc, organ eller organ-desc"})
	}
	limit, offset, perr := paging(c)
	errs = append(errs, perr...)
	if len(errs) > 0 {
		problem(c, http.StatusBadRequest, "query", "Ogiltig sökning", "En eller flera sökparametrar är felaktiga.", errs...)
		return
	}
	f.Limit, f.Offset = limit, offset
	page, err := s.Search(c.Request.Context(), callerKey(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]View, len(page.Items))
	for i, it := range page.Items {
		items[i] = s.view(it.Record)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": page.Total, "totalCapped": page.TotalCapped, "limit": limit, "offset": offset})
}

// wildcard reads a name or case number filter: exact, ignoring case;
// "text*" matches from the start; "*text" (or "*text*") matches a part:
// anywhere in an organ's name, from the start of any part of a case number.
func wildcard(v string) (string, index.Match) {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, "*"):
		return strings.Trim(v, "*"), index.Partial
	case strings.HasSuffix(v, "*"):
		return strings.TrimRight(v, "*"), index.Prefix
	}
	return v, index.Exact
}

func paging(c *gin.Context) (limit, offset int, errs []extract.FieldError) {
	limit, offset = 50, 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > index.MaxLimit {
			errs = append(errs, extract.FieldError{Field: "limit", Rule: "range", Message: "limit måste vara 1–500"})
		}
		limit = n
	}
	if v := c.Query("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > index.MaxOffset {
			errs = append(errs, extract.FieldError{Field: "offset", Rule: "range", Message: "offset måste vara 0–10000; smalna av sökningen för att nå längre"})
		}
		offset = n
	}
	return limit, offset, errs
}

func (s *Server) getExtract(c *gin.Context) {
	c.Set(ctxExtractID, c.Param("id"))
	rec, err := s.Extract(c.Request.Context(), callerKey(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.view(rec))
}

func (s *Server) getPDF(c *gin.Context) {
	ctx := c.Request.Context()
	rec, err := s.Extract(ctx, callerKey(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	r, ok := s.renditionOf(c, rec)
	if !ok {
		return
	}
	b, err := s.ExtractPDF(ctx, rec, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	if r == extract.Internal {
		s.servePDF(c, b, rec.Internal.SHA256, renditionFilename(rec.Filename, r, true))
		return
	}
	s.servePDF(c, b, rec.SHA256, rec.Filename)
}

func (s *Server) getHTML(c *gin.Context) {
	ctx := c.Request.Context()
	rec, err := s.Extract(ctx, callerKey(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	r, ok := s.renditionOf(c, rec)
	if !ok {
		return
	}
	b, err := s.ExtractHTML(ctx, rec, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b)
}

// servePDF answers with a PDF, its checksum as ETag (304 when it matches)
// and a readable Swedish filename.
func (s *Server) servePDF(c *gin.Context, b []byte, sum, filename string) {
	download.PDF(c.Writer, c.Request, b, sum, filename)
}

func titles(x *extract.Extract) []string {
	out := make([]string, len(x.Paragraphs))
	for i, p := range x.Paragraphs {
		out[i] = p.Title
	}
	return out
}
