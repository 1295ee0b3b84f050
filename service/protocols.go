package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"utdrag/anslag"
	"utdrag/archive"
	"utdrag/audit"
	"utdrag/compose"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/render"
	"utdrag/schema"
)

// The whole protocol of a meeting: created once from its input, stored
// beside the extracts, and the source extracts are taken from. An extract
// taken through POST /v1/protocols/{id}/extracts is made of the stored
// protocol's paragraphs, so it cannot differ from it; verification
// compares any extract's paragraphs with the stored protocol of its
// meeting by their digests.

func (s *Server) protocolRoutes(r *gin.Engine, g *gin.RouterGroup) {
	r.GET("/schema/protocol.schema.json", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/schema+json", schema.Protocol)
	})
	g.POST("/protocols", s.createProtocol)
	g.GET("/protocols", s.listProtocols)
	g.GET("/protocols/:id", s.getProtocol)
	g.GET("/protocols/:id/pdf", s.getProtocolPDF)
	g.POST("/protocols/:id/extracts", s.createProtocolExtract)
	g.POST("/protocols/:id/certification", s.certifyProtocol)
	g.GET("/protocols/:id/certified", s.getCertifiedProtocol)
	s.noticeBoardRoutes(r)
}

// ProtocolView is a protocol's metadata as the API shows it.
type ProtocolView struct {
	ID           string               `json:"id"`
	Organisation extract.Organisation `json:"organisation"`
	Organ        string               `json:"organ"`
	MeetingDate  string               `json:"meetingDate"`
	Paragraphs   []int                `json:"paragraphs"`
	// Digests are each paragraph's digest: what an extract of the
	// paragraph is compared by.
	Digests  []extract.ParagraphDigest `json:"digests"`
	Template string                    `json:"template"`
	Filename string                    `json:"filename"`
	Pages    int                       `json:"pages"`
	Bytes    int                       `json:"bytes"`
	SHA256   string                    `json:"sha256"`
	Created  string                    `json:"created"`
	// Adjusted: the protocol is justerat.
	Adjusted bool `json:"adjusted"`
	// Certified: a certified (justerat, signed) version is stored;
	// Certification is the current one, Certifications all, oldest first.
	Certified      bool                    `json:"certified"`
	Certification  *archive.Certification  `json:"certification"`
	Certifications []archive.Certification `json:"certifications"`
	// Anslag is the notice of the justering with the dates that follow
	// from it; null while the protocol is not posted.
	Anslag *anslag.Notice    `json:"anslag"`
	Links  map[string]string `json:"links"`
}

func (s *Server) protocolView(r *archive.ProtocolRecord) ProtocolView {
	base := "/v1/protocols/" + r.ID
	v := ProtocolView{ID: r.ID, Organisation: r.Organisation, Organ: r.Organ, MeetingDate: r.MeetingDate,
		Paragraphs: r.Paragraphs, Digests: r.Digests, Template: r.Template, Filename: r.Filename,
		Pages: r.Pages, Bytes: r.Bytes, SHA256: r.SHA256, Created: r.Created.Format("2006-01-02T15:04:05Z07:00"),
		Adjusted:       r.Protocol.Justering.Date != "" && len(extract.Pending(r.Protocol.Justerings())) == 0,
		Certifications: r.Certifications,
		Links:          map[string]string{"self": base, "pdf": base + "/pdf", "extracts": base + "/extracts"}}
	if v.Certifications == nil {
		v.Certifications = []archive.Certification{}
	}
	if c := r.Certified(); c != nil {
		v.Certified, v.Certification = true, c
		v.Links["certified"] = base + "/certified"
	}
	if n, ok, err := r.Protocol.Notice(s.calendar); err == nil && ok {
		v.Anslag = &n
	}
	return v
}

// decodeProtocol reads and validates the protocol of a request.
func (s *Server) decodeProtocol(c *gin.Context) (*extract.Protocol, bool) {
	lim := s.cfg.Limits
	lim.Today = s.today()
	p, err := extract.DecodeProtocol(c.Request.Body, lim, s.calendar)
	if err != nil {
		s.failProtocol(c, err)
		return nil, false
	}
	if _, err := s.render.Template(&p.Extract); err != nil {
		s.failProtocol(c, err)
		return nil, false
	}
	if p.Marked() {
		s.failProtocol(c, extract.ValidationError{{Field: "paragraphs", Rule: "confidential",
			Message: "protokoll med sekretessmarkerade delar kan inte tas emot ännu"}})
		return nil, false
	}
	return p, true
}

// failProtocol is fail in the words of a protocol.
func (s *Server) failProtocol(c *gin.Context, err error) {
	var verr extract.ValidationError
	switch {
	case errors.As(err, &verr):
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltigt protokoll",
			"Protokollet bryter mot en eller flera regler; se errors.", verr...)
	case errors.Is(err, archive.ErrProtocolNotFound):
		problem(c, http.StatusNotFound, "not-found", "Hittades inte", "Det finns inget protokoll med den identiteten.")
	default:
		s.fail(c, err)
	}
}

// renderProtocolBounded renders a protocol as renderBounded renders an
// extract: within the render timeout and the bound on concurrent renders.
func (s *Server) renderProtocolBounded(ctx context.Context, p *extract.Protocol, cert *compose.Certification) (*render.Result, error) {
	release, ok := s.acquireRender(ctx)
	if !ok {
		return nil, errBusy
	}
	defer release()
	rctx, cancel := context.WithTimeoutCause(ctx, s.cfg.RenderTimeout, errRenderTimeout)
	defer cancel()
	var notice *anslag.Notice
	if n, ok, err := p.Notice(s.calendar); err != nil {
		return nil, err
	} else if ok {
		notice = &n
	}
	res, err := s.render.RenderProtocol(rctx, p, notice, cert, render.Options{})
	if err != nil && rctx.Err() != nil {
		if errors.Is(context.Cause(rctx), errRenderTimeout) {
			return nil, errRenderTimeout
		}
		return nil, fmt.Errorf("service: protocol render abandoned: %w", ctx.Err())
	}
	return res, err
}

// protocolFilename is the readable Swedish name of a protocol's PDF:
// "Protokoll Kommunstyrelsen 2025-03-11 §§ 44–57.pdf".
func protocolFilename(p *extract.Protocol) string {
	return strings.Replace(compose.Filename(&p.Extract), "Protokollsutdrag", "Protokoll", 1)
}

func (s *Server) createProtocol(c *gin.Context) {
	p, ok := s.decodeProtocol(c)
	if !ok || !s.ownOrganisation(c, p.Organisation.ID) || !s.namedAsConfigured(c, p.Organisation) {
		return
	}
	t, _ := s.render.Template(&p.Extract)
	id := p.ID(t.ID())
	ctx := c.Request.Context()
	if old, err := s.archive.GetProtocol(ctx, id); err == nil {
		s.answerProtocol(c, http.StatusOK, old)
		return
	} else if !errors.Is(err, archive.ErrNotFound) {
		s.fail(c, err)
		return
	}
	res, err := s.renderProtocolBounded(ctx, p, nil)
	if err != nil {
		s.failRender(c, err)
		return
	}
	page, err := s.render.HTML(res.Document)
	if err != nil {
		s.fail(c, err)
		return
	}
	rec := &archive.ProtocolRecord{ID: id, Organisation: p.Organisation, Organ: p.Organ, MeetingDate: p.Meeting.Date,
		Paragraphs: p.Numbers(), Digests: p.Digests(), Template: res.Template, Filename: protocolFilename(p),
		Pages: res.Pages, Protocol: p}
	token, err := s.index.BeginProtocol(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	stored, created, err := s.archive.CreateProtocol(ctx, rec, res.PDF, page)
	s.index.ProtocolDone(ctx, id, token, stored)
	if err != nil {
		s.fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		s.Record(ctx, audit.Event{Action: audit.Create, Organisation: stored.Organisation.ID,
			Organ: stored.Organ, MeetingDate: stored.MeetingDate, Detail: "protokoll " + stored.ID})
	}
	s.answerProtocol(c, status, stored)
}

// answerProtocol answers with a protocol's metadata, or, to a caller that
// may not read it (a key that may only create), with its id and links.
func (s *Server) answerProtocol(c *gin.Context, status int, r *archive.ProtocolRecord) {
	c.Header("Location", "/v1/protocols/"+r.ID)
	if !s.mayRead(c) {
		c.JSON(status, gin.H{"id": r.ID, "links": map[string]string{"self": "/v1/protocols/" + r.ID}})
		return
	}
	c.JSON(status, s.protocolView(r))
}

// protocolOf reads the protocol the route names, as the caller may see it.
func (s *Server) protocolOf(c *gin.Context) (*archive.ProtocolRecord, bool) {
	rec, err := s.archive.GetProtocol(c.Request.Context(), c.Param("id"))
	if err == nil && scope(c) != "" && rec.Organisation.ID != scope(c) {
		err = archive.ErrProtocolNotFound
	}
	if err != nil {
		s.failProtocol(c, err)
		return nil, false
	}
	return rec, true
}

func (s *Server) getProtocol(c *gin.Context) {
	if rec, ok := s.protocolOf(c); ok {
		c.JSON(http.StatusOK, s.protocolView(rec))
	}
}

func (s *Server) getProtocolPDF(c *gin.Context) {
	rec, ok := s.protocolOf(c)
	if !ok {
		return
	}
	b, err := s.archive.ProtocolPDF(c.Request.Context(), rec)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.servePDF(c, b, rec.SHA256, rec.Filename)
}

// listProtocols lists the protocols the caller may see, newest meeting
// first, as the index holds them.
func (s *Server) listProtocols(c *gin.Context) {
	recs, err := s.index.Protocols(c.Request.Context(), index.ProtocolFilter{Organisation: scope(c), Organ: c.Query("organ")})
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]ProtocolView, len(recs))
	for i, r := range recs {
		items[i] = s.protocolView(r)
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": len(items)})
}

// ProtocolExtractRequest names the paragraphs of an extract taken from a
// stored protocol.
type ProtocolExtractRequest struct {
	Paragraphs []int `json:"paragraphs"`
}

// createProtocolExtract makes an extract of the stored protocol's
// paragraphs and stores it as POST /v1/extracts would: idempotent, the
// same answers.
func (s *Server) createProtocolExtract(c *gin.Context) {
	rec, ok := s.protocolOf(c)
	if !ok || !s.ownOrganisation(c, rec.Organisation.ID) {
		return
	}
	var req ProtocolExtractRequest
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(c.Request.Body); err != nil {
		s.fail(c, fmt.Errorf("service: reading the request: %w", err))
		return
	}
	dec := json.NewDecoder(&buf)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		problem(c, http.StatusBadRequest, "malformed-json", "Felaktig JSON",
			`Skicka {"paragraphs": [paragrafnummer, …]}.`,
			extract.FieldError{Field: "paragraphs", Rule: "type", Message: "en lista med paragrafnummer väntades"})
		return
	}
	x, err := extract.FromProtocol(rec.Protocol, rec.ID, req.Paragraphs)
	if err != nil {
		var verr extract.ValidationError
		if errors.As(err, &verr) {
			problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltigt urval",
				"Paragraferna finns inte i protokollet eller anges två gånger; se errors.", verr...)
			return
		}
		s.fail(c, err)
		return
	}
	s.storeExtract(c, x)
}

// checkAgainstProtocol compares the paragraphs of an extract's record
// with the stored protocol of its meeting (organisation, organ, date):
// the certified (justerat) one when there is one — the one the extract
// was taken from if that is certified, else the newest certified — and
// otherwise the one it was taken from, or else the newest stored. nil
// when no protocol of the meeting is stored.
func (s *Server) checkAgainstProtocol(ctx context.Context, rec *archive.Record) (*ProtocolCheck, error) {
	x := rec.Extract
	if x == nil {
		return nil, nil
	}
	ps, err := s.archive.ProtocolsOfMeeting(ctx, x.Organisation.ID, x.Organ, x.Meeting.Date)
	if err != nil {
		return nil, err
	}
	var source *archive.ProtocolRecord
	if x.Source != nil {
		for _, p := range ps {
			if p.ID == x.Source.Protocol {
				source = p
			}
		}
		if source == nil {
			p, err := s.archive.ProtocolHead(ctx, x.Source.Protocol)
			if err != nil && !errors.Is(err, archive.ErrNotFound) {
				return nil, err
			}
			source = p
		}
	}
	prot := source
	if prot == nil || prot.Certified() == nil {
		for _, p := range ps {
			if p.Certified() != nil {
				prot = p
				break
			}
		}
	}
	if prot == nil && len(ps) > 0 {
		prot = ps[0]
	}
	if prot == nil {
		return nil, nil
	}
	pc := &ProtocolCheck{Agrees: true, Protocol: prot.ID, Organ: prot.Organ, MeetingDate: prot.MeetingDate,
		TakenFrom: x.Source != nil && x.Source.Protocol == prot.ID, Paragraphs: []ParagraphCheck{}}
	var differ []string
	for i := range x.Paragraphs {
		d := x.Paragraphs[i].Digest()
		pd, _ := prot.Digest(x.Paragraphs[i].Number)
		ok := pd != "" && pd == d
		pc.Paragraphs = append(pc.Paragraphs, ParagraphCheck{Number: x.Paragraphs[i].Number, Agrees: ok, Digest: d, ProtocolDigest: pd})
		if !ok {
			pc.Agrees = false
			differ = append(differ, fmt.Sprintf("§ %d", x.Paragraphs[i].Number))
		}
	}
	which := fmt.Sprintf("protokollet från %s %s (id %s), som ännu inte är bestyrkt", prot.Organ, prot.MeetingDate, prot.ID)
	if c := prot.Certified(); c != nil {
		pc.Certified, pc.Version = true, c.Version
		which = fmt.Sprintf("det justerade protokollet från %s %s (id %s), bestyrkt version %d av %s",
			prot.Organ, prot.MeetingDate, prot.ID, c.Version, joinNonEmpty(c.Name, c.Date))
	}
	if pc.Agrees {
		pc.Message = "Utdraget överensstämmer med " + which + "."
	} else {
		pc.Message = "Utdraget överensstämmer inte med " + which + ": " + strings.Join(differ, ", ") + " skiljer sig från protokollets lydelse."
	}
	return pc, nil
}
