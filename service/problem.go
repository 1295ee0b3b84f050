package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/storage"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string               `json:"type"`
	Title    string               `json:"title"`
	Status   int                  `json:"status"`
	Detail   string               `json:"detail,omitempty"`
	Instance string               `json:"instance,omitempty"`
	Errors   []extract.FieldError `json:"errors,omitempty"`
	// ErrorCount is the number of broken rules when Errors lists only the
	// first maxProblemErrors of them.
	ErrorCount int `json:"errorCount,omitempty"`
}

const problemBase = "https://utdrag.example/problems/"

// maxProblemErrors bounds the errors one problem document lists, so that
// a body of many small mistakes cannot make an answer many times its size.
const maxProblemErrors = 100

// problem writes a problem+json response and stops the handler chain.
func problem(c *gin.Context, status int, kind, title, detail string, errs ...extract.FieldError) {
	count := 0
	if len(errs) > maxProblemErrors {
		count = len(errs)
		errs = errs[:maxProblemErrors]
		detail += fmt.Sprintf(" Här visas de första %d av %d fel.", maxProblemErrors, count)
	}
	p := Problem{
		Type:     problemBase + kind,
		Title:    title,
		Status:   status,
		Detail:   detail,
		Instance: c.Request.URL.Path,
		Errors:   errs,

		ErrorCount: count,
	}
	c.Header("Content-Type", "application/problem+json; charset=utf-8")
	c.AbortWithStatusJSON(status, p)
}

// mismatch logs and counts a stored file that differs from its record.
func (s *Server) mismatch(ctx context.Context, err error) {
	s.metrics.mismatches.WithLabelValues("refused").Inc()
	s.log.ErrorContext(ctx, "stored file differs from its record; not served", "err", err)
}

// recovered logs and counts a stored file that differed from its record
// while another version held the recorded bytes, which were served.
func (s *Server) recovered(ctx context.Context, err error) {
	s.metrics.mismatches.WithLabelValues("recovered").Inc()
	s.log.WarnContext(ctx, "stored file differs from its record; served the version that is as recorded", "err", err)
}

// fail maps an error from the layers below to the right problem: invalid
// input 4xx, missing things 404, an unreachable store 503, the rest 500
// without internals.
func (s *Server) fail(c *gin.Context, err error) {
	var syn *extract.SyntaxError
	var verr extract.ValidationError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		problem(c, http.StatusRequestEntityTooLarge, "too-large", "För stor begäran",
			"Begärans innehåll är större än tillåtet.")
	case errors.As(err, &syn):
		problem(c, http.StatusBadRequest, "malformed-json", "Felaktig JSON", syn.Msg)
	case errors.As(err, &verr):
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltigt utdrag",
			"Utdraget bryter mot en eller flera regler; se errors.", verr...)
	case errors.Is(err, archive.ErrMismatch):
		s.mismatch(c.Request.Context(), err)
		problem(c, http.StatusInternalServerError, "stored-file-mismatch", "Den lagrade filen stämmer inte",
			"Den lagrade filen är inte den som registrerades för utdraget (kontrollsumman skiljer sig, eller filen saknas) och lämnas därför inte ut. Felet är loggat.")
	case errors.Is(err, archive.ErrNotFound), errors.Is(err, storage.ErrNotFound):
		problem(c, http.StatusNotFound, "not-found", "Hittades inte", "Det finns inget utdrag med den identiteten.")
	case errors.Is(err, index.ErrUnavailable):
		c.Header("Retry-After", "5")
		problem(c, http.StatusServiceUnavailable, "index-unavailable", "Sökindexet svarar inte",
			"Sökindexet kan inte nås just nu. Försök igen om en stund; inget har sparats till hälften.")
	case errors.Is(err, storage.ErrUnavailable):
		c.Header("Retry-After", "5")
		problem(c, http.StatusServiceUnavailable, "storage-unavailable", "Lagringen svarar inte",
			"Lagringen kan inte nås just nu. Försök igen om en stund; inget har sparats till hälften.")
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The client went away: nothing to log as a fault, and nobody reads
		// the answer.
		s.log.InfoContext(c.Request.Context(), "request abandoned by the client", "path", c.FullPath())
		problem(c, http.StatusServiceUnavailable, "abandoned", "Begäran avbröts", "Begäran avbröts innan den var klar.")
	case errors.Is(err, errOwnRevoked):
		s.log.ErrorContext(c.Request.Context(), "certification refused: the signing certificate is revoked", "error", err)
		problem(c, http.StatusServiceUnavailable, "signing-certificate-revoked", "Signeringscertifikatet är återkallat",
			"Tjänstens signeringscertifikat är återkallat enligt sin utfärdare. Inget har bestyrkts; ett nytt certifikat måste installeras.")
	case errors.Is(err, errRenderTimeout):
		c.Header("Retry-After", "5")
		problem(c, http.StatusServiceUnavailable, "render-timeout", "Sättningen tog för lång tid",
			"Utdraget kunde inte sättas inom tidsgränsen.")
	default:
		s.log.ErrorContext(c.Request.Context(), "request failed", "err", err, "path", c.FullPath())
		problem(c, http.StatusInternalServerError, "internal", "Internt fel",
			"Ett oväntat fel inträffade. Felet är loggat.")
	}
}
