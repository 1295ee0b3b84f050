package service

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/distribute"
	"utdrag/storage"
	"utdrag/web"
)

// ui is the clerk interface: server-rendered pages in Swedish over the same
// archive, certification, distribution and verification the API uses.
type ui struct {
	s     *Server
	pages *web.Pages
	// dir resolves "Expedieras till" before sending, as the distributor
	// will when it sends.
	dir      *distribute.Directory
	sessions *sessions
}

// uiPageSize is the number of extracts on one page of search results.
const uiPageSize = 20

// uiFormLimit bounds the body of the interface's forms (the verification
// upload has its own, larger limit).
const uiFormLimit = 64 << 10

func newUI(s *Server) (*ui, error) {
	pages, err := web.Parse(template.FuncMap{})
	if err != nil {
		return nil, fmt.Errorf("service: clerk interface: %w", err)
	}
	sess, err := newSessions(s.cfg.SessionKey, s.cfg.AuthFile, 8*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("service: clerk interface: %w", err)
	}
	return &ui{s: s, pages: pages, dir: s.directory, sessions: sess}, nil
}

// uiRoutes registers the clerk interface. Its routes carry their own chain:
// request log and metrics, recovery, the session (instead of the API's key
// header) and, per route, the same policy as the API route it stands for.
func (s *Server) uiRoutes(r *gin.Engine) {
	u := s.ui
	g := r.Group("", s.observe(), s.recoverProblems(), s.guardOpenHost(), u.headers(), u.session())
	static := http.FS(web.Static())
	g.GET("/static/:name", func(c *gin.Context) { c.FileFromFS(c.Param("name"), static) })

	g.GET("/logga-in", u.loginPage)
	g.POST("/logga-in", u.formLimit(), u.csrf(), u.login)
	g.POST("/logga-ut", u.formLimit(), u.csrf(), u.logout)

	// Verification is public: anyone holding a printed extract may check it.
	g.GET("/verify", u.verifyPage)
	g.POST("/verify", u.uploadLimit(), u.sameSite(), u.verifyUpload)
	g.GET("/v/:id/:version", u.verifyShort)

	g.GET("/", u.allow("GET /v1/extracts"), u.list)
	g.GET("/utdrag/:id", u.allow("GET /v1/extracts/:id"), u.show)
	g.GET("/utdrag/:id/pdf", u.allow("GET /v1/extracts/:id/pdf"), u.pdf)
	g.GET("/utdrag/:id/bestyrkt", u.allow("GET /v1/extracts/:id/certified"), u.certifiedPDF)
	g.GET("/utdrag/:id/html", u.allow("GET /v1/extracts/:id/html"), u.html)
	g.GET("/utdrag/:id/bestyrk", u.allow("POST /v1/extracts/:id/certification"), u.certifyForm)
	g.POST("/utdrag/:id/bestyrk", u.allow("POST /v1/extracts/:id/certification"), u.formLimit(), u.csrf(), u.certify)
	g.GET("/utdrag/:id/expediera", u.allow("POST /v1/extracts/:id/distribution"), u.distributePage)
	g.POST("/utdrag/:id/expediera", u.allow("POST /v1/extracts/:id/distribution"), u.formLimit(), u.csrf(), u.distribute)
}

// page is what every template gets: the layout's fields and the page's own
// data.
type page struct {
	Title string
	Nav   string // "list", "verify" or "login": the current menu item
	User  string // the key's name when logged in
	Open  bool   // no key file: no login
	Clerk bool   // may use the clerk pages
	CSRF  string
	Data  any
}

// render writes a page with status.
func (u *ui) render(c *gin.Context, status int, name, title, nav string, data any) {
	sess := currentSession(c)
	p := page{
		Title: title, Nav: nav, Open: u.s.keys == nil, CSRF: u.sessions.csrfToken(sess),
		User: sess.Key, Clerk: u.s.keys == nil || sess.Key != "", Data: data,
	}
	var buf bytes.Buffer
	if err := u.pages.Render(&buf, name, p); err != nil {
		u.s.log.ErrorContext(c.Request.Context(), "rendering page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internt fel: sidan kunde inte visas. Felet är loggat.\n"))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage is a page of its own for a request that cannot go on.
type errorPage struct {
	Message, Back, BackLabel string
}

func (u *ui) errorPage(c *gin.Context, status int, title, message string) {
	back, label := "/", "Till sökningen"
	if !currentSession(c).clerk(u.s.keys == nil) {
		back, label = "/verify", "Kontrollera ett utdrag"
	}
	u.render(c, status, "error", title, "", errorPage{Message: message, Back: back, BackLabel: label})
	c.Abort()
}

// fail shows an error from the layers below as a page: missing things 404,
// an unreachable store or busy renderer 503, the rest 500 without
// internals (and logged).
func (u *ui) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, archive.ErrMismatch):
		u.s.mismatch(c.Request.Context(), err)
		u.errorPage(c, http.StatusInternalServerError, "Den lagrade filen stämmer inte",
			"Den lagrade filen är inte den som registrerades för utdraget och lämnas därför inte ut. Felet är loggat; kontakta förvaltningen.")
	case errors.Is(err, archive.ErrNotFound), errors.Is(err, storage.ErrNotFound):
		u.errorPage(c, http.StatusNotFound, "Hittades inte", "Det finns inget utdrag med den identiteten, eller så saknar du behörighet att se det.")
	case errors.Is(err, storage.ErrUnavailable):
		c.Header("Retry-After", "5")
		u.errorPage(c, http.StatusServiceUnavailable, "Lagringen svarar inte", "Lagringen kan inte nås just nu. Försök igen om en stund; inget har sparats till hälften.")
	case errors.Is(err, errBusy), errors.Is(err, errRenderTimeout):
		c.Header("Retry-After", "1")
		u.errorPage(c, http.StatusServiceUnavailable, "Tjänsten är upptagen", "Tjänsten sätter just nu så många utdrag den kan. Försök igen om en stund.")
	default:
		u.s.log.ErrorContext(c.Request.Context(), "clerk interface request failed", "err", err, "path", c.FullPath())
		u.errorPage(c, http.StatusInternalServerError, "Något gick fel", "Ett oväntat fel inträffade. Felet är loggat; försök igen eller kontakta förvaltningen.")
	}
}

// headers set the interface's security headers: only our own scripts,
// styles and frames, no framing by others, no sniffing.
func (u *ui) headers() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

func (u *ui) formLimit() gin.HandlerFunc   { return bodyLimit(uiFormLimit) }
func (u *ui) uploadLimit() gin.HandlerFunc { return bodyLimit(maxVerifyBody) }

func bodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}
