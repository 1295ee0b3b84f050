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
	"utdrag/certify"
	"utdrag/compose"
	"utdrag/extract"
	"utdrag/render"
)

// A protocol is certified as an extract is: a clerk names herself, the
// protocol is rendered again with the certification closing it, signed
// (PAdES) by the service's signer, and stored as an immutable version.
// Only a justerat protocol is certified; extracts are then verified
// against it (checkAgainstProtocol).

// protocolAdjusted reports whether every paragraph of p is justerad.
func protocolAdjusted(p *extract.Protocol) bool {
	return p.Justering.Date != "" && len(extract.Pending(p.Justerings())) == 0
}

func (s *Server) certifyProtocol(c *gin.Context) {
	req, ok := s.certifyRequest(c, func(req CertifyRequest) []extract.FieldError {
		if len(req.Renditions) > 0 {
			return []extract.FieldError{{Field: "renditions", Rule: "protocol",
				Message: "ett protokoll bestyrks i en version; ange inte renditions"}}
		}
		return nil
	})
	if !ok {
		return
	}
	rec, ok := s.protocolOf(c)
	if !ok || !s.ownOrganisation(c, rec.Organisation.ID) {
		return
	}
	if !protocolAdjusted(rec.Protocol) {
		problem(c, http.StatusConflict, "not-adjusted", "Inte justerat",
			"Protokollet är inte justerat. Ett protokoll bestyrks först när det är justerat; skicka det justerade protokollet på nytt.",
			extract.FieldError{Field: "justering", Rule: "justering", Message: "protokollet är inte justerat"})
		return
	}
	ctx := c.Request.Context()
	id := rec.ID
	token, err := s.index.BeginProtocol(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	rec, err = s.archive.CompleteProtocol(ctx, id)
	if err != nil {
		s.failProtocol(c, err)
		return
	}
	if rec.Certified() != nil && !req.NewVersion {
		s.index.ProtocolDone(ctx, id, token, rec)
		problem(c, http.StatusConflict, "already-certified", "Redan bestyrkt",
			"Protokollet är redan bestyrkt. Begär en ny version (newVersion) för att bestyrka det igen; den tidigare behålls.")
		return
	}
	cert, signed, err := s.signProtocol(c, rec, req)
	if err != nil {
		s.index.ProtocolDone(ctx, id, token, rec) // storage holds rec still
		s.failRender(c, err)
		return
	}
	rec, err = s.archive.CertifyProtocol(ctx, id, *cert, signed, s.cfg.Retention)
	s.index.ProtocolDone(ctx, id, token, rec) // nil on failure: the reconciler reads storage
	if errors.Is(err, archive.ErrConflict) {
		problem(c, http.StatusConflict, "already-certified", "Redan bestyrkt",
			"Protokollet bestyrktes samtidigt av någon annan.")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.certified()
	s.Record(ctx, audit.Event{Action: audit.Certify, Version: cert.Version, Organisation: rec.Organisation.ID,
		Organ: rec.Organ, MeetingDate: rec.MeetingDate, Detail: "protokoll " + rec.ID + " (justerat protokoll)"})
	c.Header("Location", "/v1/protocols/"+rec.ID+"/certified?version="+strconv.Itoa(cert.Version))
	c.JSON(http.StatusCreated, s.protocolView(rec))
}

// signProtocol renders the protocol with the certification closing it as
// its next version and signs it; storing it is the archive's.
func (s *Server) signProtocol(c *gin.Context, rec *archive.ProtocolRecord, req CertifyRequest) (*archive.Certification, []byte, error) {
	ctx := c.Request.Context()
	return s.signCertification(ctx, "protocol "+rec.ID, len(rec.Certifications)+1, req, "Justerat protokoll", extract.Public,
		func(id certify.Identity, now time.Time, req CertifyRequest) (*render.Result, error) {
			cc := &compose.Certification{
				Name: req.Name, Title: req.Title, Place: req.Place, Date: req.Date,
				Summary: []string{
					"Protokollet är justerat, bestyrkt elektroniskt och signerat digitalt (PAdES).",
					fmt.Sprintf("Signerat av %s, %s, %s kl. %s.", req.Name, req.Title, now.Format(time.DateOnly), now.Format("15.04")),
					"Certifikat: " + id.Subject(),
				},
			}
			return s.renderProtocolBounded(ctx, rec.Protocol, cc)
		})
}

// getCertifiedProtocol serves a certified version of a protocol: the
// current one, or ?version=n.
func (s *Server) getCertifiedProtocol(c *gin.Context) {
	rec, ok := s.protocolOf(c)
	if !ok {
		return
	}
	n := len(rec.Certifications)
	if v := c.Query("version"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 || k > len(rec.Certifications) {
			problem(c, http.StatusNotFound, "not-found", "Hittades inte", "Det finns ingen sådan version.")
			return
		}
		n = k
	}
	if n == 0 {
		problem(c, http.StatusNotFound, "not-certified", "Inte bestyrkt", "Protokollet är inte bestyrkt ännu.")
		return
	}
	b, err := s.archive.ProtocolCertified(c.Request.Context(), rec, n)
	if err != nil {
		s.fail(c, err)
		return
	}
	name := strings.TrimSuffix(rec.Filename, ".pdf") + " justerat"
	if n > 1 {
		name += " v" + strconv.Itoa(n)
	}
	s.servePDF(c, b, rec.Certifications[n-1].SHA256, name+".pdf")
}

// verifyProtocol answers for a checksum no extract has: a protocol's PDF,
// as created or as a certified version, whose signature is checked on the
// stored copy; else the file is not genuine.
func (s *Server) verifyProtocol(ctx context.Context, v *Verification) (*Verification, error) {
	rec, entry, err := s.archive.FindProtocol(ctx, v.SHA256)
	if errors.Is(err, archive.ErrNotFound) {
		v.Message = "Filen är inte ett äkta utdrag eller protokoll från tjänsten: ingen utfärdad handling har denna kontrollsumma. Den kan vara ändrad."
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	v.Genuine, v.Document, v.ID, v.Organisation, v.Organ = true, "protocol", rec.ID, rec.Organisation.Name, rec.Organ
	v.MeetingDate, v.Paragraphs = rec.MeetingDate, rec.Paragraphs
	if entry.Version == 0 {
		v.Rendition = extract.Public
		v.Message = "Filen är ett äkta protokoll från tjänsten, men det är inte bestyrkt."
		return v, nil
	}
	cert := rec.Certifications[entry.Version-1] // FindProtocol returns only a version the record holds
	v.Certified, v.Version, v.Certification, v.Rendition = true, cert.Version, &cert, extract.Public
	v.Latest = rec.Certified().Version == cert.Version
	pdf, err := s.archive.ProtocolCertified(ctx, rec, cert.Version)
	if err != nil {
		return nil, err
	}
	v.Message = "Filen är ett äkta, bestyrkt justerat protokoll: bestyrkt av " + joinNonEmpty(cert.Name, cert.Title, cert.Date) + "."
	if err := s.judgeSignature(ctx, v, pdf, "protokollet"); err != nil {
		return nil, err
	}
	return v, nil
}
