// Package clerk is the clerk interface: server-rendered pages in Swedish
// (templates and static files from package web) where a registry's clerks
// search, read, certify and distribute extracts, a meeting at a time or
// one by one, and where anyone may verify one.
//
// The pages are a client of the service's domain operations, not a second
// copy of them: they declare what they need as the interface Domain, which
// service.Server implements with the same methods its API handlers call.
// clerk never imports service, and service never imports clerk. The
// program (cmd/utdrag) joins them: it gives service.New a constructor of
// the pages (service.Deps.Pages), and the server mounts them on its engine
// behind its shared middleware (request log and metrics, recovery from
// panics, the open-mode host guard), so the pages are logged, counted and
// recovered like the API. That direction keeps the imports one-way: the
// API does not depend on its client, and the client depends only on the
// domain's vocabulary (package domain) and the layers below.
//
// It may import domain, archive, audit, auth (and auth/openid), bundle,
// compose (labels), distribute, extract, index, storage (the session
// generations), web, internal/download, internal/pace and gin; never
// service.
package clerk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/auth"
	"utdrag/auth/openid"
	"utdrag/distribute"
	"utdrag/domain"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/storage"
	"utdrag/web"
)

// Domain is what the clerk pages need of the service: the domain
// operations the API's handlers call too, so that each exists once. The
// caller of an operation is the API key the clerk's session stands for:
// nil in open mode (no key file), where everything is allowed.
type Domain interface {
	// Open reports whether the service runs without a key file.
	Open() bool
	LookupKey(secret string) (*auth.Key, bool)
	// Allows reports whether k may use route ("METHOD /v1/…"), the API
	// route a page stands for, under the API's policy.
	Allows(k *auth.Key, route string) bool
	MayReadConfidential(k *auth.Key) bool
	// LoginWait is how long addr must wait before presenting a key again;
	// LoginFailed counts an unknown key from addr (shared with the API).
	LoginWait(addr string) time.Duration
	LoginFailed(addr string)
	FromThisSite(r *http.Request) bool
	ReportMismatch(ctx context.Context, err error)
	// Tag names the key and the extract of a request in its log line.
	Tag(c *gin.Context, keyName, extractID string)
	Logger() *slog.Logger
	// Store is where the sessions' generations are kept.
	Store() storage.Store

	Extract(ctx context.Context, k *auth.Key, id string) (*archive.Record, error)
	Search(ctx context.Context, k *auth.Key, f index.Filter) (index.Page, error)
	// Organs are the organs of the extracts k may see, to choose from.
	Organs(ctx context.Context, k *auth.Key) ([]string, error)
	ExtractPDF(ctx context.Context, rec *archive.Record, r extract.Rendition) ([]byte, error)
	ExtractHTML(ctx context.Context, rec *archive.Record, r extract.Rendition) ([]byte, error)
	HasHTML(ctx context.Context, rec *archive.Record) bool
	CertifiedPDF(ctx context.Context, rec *archive.Record, version int) ([]byte, error)
	Justering(rec *archive.Record) []extract.ParagraphJustering
	CheckAdjusted(rec *archive.Record, verb string) *domain.NotAdjusted

	// CheckCertification normalises req and returns what is wrong with it.
	CheckCertification(req *domain.CertifyRequest) []extract.FieldError
	// PreviewCertification renders what Certify would sign, signing
	// nothing; an extract.ValidationError when req is invalid or does not
	// fit its box.
	PreviewCertification(ctx context.Context, rec *archive.Record, req domain.CertifyRequest) (*domain.CertificationPreview, error)
	// Certify certifies; with an idempotency key a repeated request is
	// answered with the first one's result (Repeated).
	Certify(ctx context.Context, id string, req domain.CertifyRequest, key string) (domain.Certified, error)

	// Meeting lists one meeting's extracts (organ exactly, date); Protocol
	// reads a stored protocol, which names its meeting.
	Meeting(ctx context.Context, k *auth.Key, organ, date string) ([]index.Item, error)
	Protocol(ctx context.Context, k *auth.Key, id string) (*archive.ProtocolRecord, error)

	Message(ctx context.Context, rec *archive.Record) (distribute.Message, error)
	Resolve(org string, names []string) []distribute.Recipient
	Distribute(ctx context.Context, msg distribute.Message) (*distribute.Record, error)
	// Plan is who rec is to go to, resolved against the directory; it can
	// be drawn before rec is certified.
	Plan(ctx context.Context, rec *archive.Record) (distribute.Plan, error)
	// OutboxOnly: no mail server is configured, and messages are only
	// written to the outbox folder.
	OutboxOnly() bool
	// DistributeTo sends the current certified version to the recipients
	// named (all when none); AddRecipient, Correct and MarkServed are the
	// clerk's changes to a distribution (see package distribute).
	DistributeTo(ctx context.Context, msg distribute.Message, names []string) (*distribute.Record, error)
	AddRecipient(ctx context.Context, msg distribute.Message, n distribute.NewRecipient) (*distribute.Record, error)
	Correct(ctx context.Context, msg distribute.Message, ch distribute.AddressChange) (*distribute.Record, error)
	MarkServed(ctx context.Context, msg distribute.Message, m distribute.ServedMark) (*distribute.Record, error)
	// DistributionStatus is nil when the extract has not been distributed.
	DistributionStatus(ctx context.Context, id string) (*distribute.Record, error)

	// Record adds an event to the audit trail, done by whoever ctx
	// carries (audit.WithWho) unless the event names its actor;
	// AuditEvents answers a query for caller k (a key of one organisation
	// sees that organisation's events alone).
	Record(ctx context.Context, e audit.Event) error
	AuditEvents(ctx context.Context, k *auth.Key, q audit.Query) ([]audit.Event, error)
	// PersonKey is what a person whom the OpenID provider puts in groups
	// may do (auth.ErrNoGroup, auth.ErrOrganisations); TitleEditable says
	// whether the people of an organisation may change their title.
	PersonKey(name string, groups []string) (*auth.Key, error)
	TitleEditable(organisation string) bool

	// Verification is public: anyone holding a printed extract may check it.
	VerifySlot(ctx context.Context) (release func(), ok bool)
	Verify(ctx context.Context, sum string) (*domain.Verification, error)
	Issued(ctx context.Context, id string) (*archive.Record, error)
}

// Config is what the pages are configured with.
type Config struct {
	// SessionKey signs the session cookies (at least 32 characters; empty:
	// random at start-up, so sessions end with the process).
	SessionKey string
	// AuthFile is the key file; changing it ends every session.
	AuthFile string
	// PublicURL is the address browsers use; https makes the cookie
	// Secure with the __Host- prefix.
	PublicURL string
	// OpenID is the provider people log in through (nil: API keys only).
	OpenID *openid.Provider
}

// Pages is the clerk interface: server-rendered pages in Swedish over the
// same archive, certification, distribution and verification the API uses.
type Pages struct {
	d        Domain
	cfg      Config
	log      *slog.Logger
	store    storage.Store
	pages    *web.Pages
	sessions *sessions
	// joins bounds the combined PDFs joined at once: joining costs tens
	// of milliseconds and megabytes per extract (see BenchmarkMeeting).
	joins chan struct{}
}

// joinWait is how long a combined PDF waits for a free join before the
// page answers that the service is busy.
const joinWait = 10 * time.Second

// uiPageSize is the number of extracts on one page of search results.
const uiPageSize = 20

// uiFormLimit bounds the body of the interface's forms (the verification
// upload has its own, larger limit).
const uiFormLimit = 64 << 10

// New builds the clerk pages over d; their templates are parsed here,
// once.
func New(d Domain, cfg Config) (*Pages, error) {
	pages, err := web.Parse(template.FuncMap{"plural": distribute.Plural})
	if err != nil {
		return nil, fmt.Errorf("clerk: %w", err)
	}
	sess, err := newSessions(cfg.SessionKey, cfg.AuthFile, 8*time.Hour)
	if err != nil {
		return nil, fmt.Errorf("clerk: %w", err)
	}
	return &Pages{d: d, cfg: cfg, log: d.Logger(), store: d.Store(), pages: pages, sessions: sess,
		joins: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)/2))}, nil
}

// Routes registers the clerk interface on r. Its routes carry their own
// chain: the server's (request log and metrics, recovery, the open-mode
// host guard), then the session (instead of the API's key header) and,
// per route, the same policy as the API route it stands for.
func (u *Pages) Routes(r *gin.Engine, chain ...gin.HandlerFunc) {
	g := r.Group("", chain...)
	g.Use(u.headers(), u.session())
	static := http.FS(web.Static())
	g.GET("/static/:name", func(c *gin.Context) { c.FileFromFS(c.Param("name"), static) })

	g.GET("/logga-in", u.loginPage)
	g.POST("/logga-in", u.formLimit(), u.csrf(), u.login)
	g.POST("/logga-ut", u.formLimit(), u.csrf(), u.logout)
	g.GET("/logga-in/oidc/start", u.openIDStart)
	g.GET("/logga-in/oidc", u.openIDReturn)
	g.GET("/logg", u.allow("GET /v1/extracts"), u.auditPage)
	g.GET("/logg.jsonl", u.allow("GET /v1/extracts"), u.auditExport)

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
	g.GET("/utdrag/:id/bestyrk/forhandsvisning", u.allow("POST /v1/extracts/:id/certification"), u.certifyPreview)

	g.GET("/sammantrade", u.allow("GET /v1/extracts"), u.meeting)
	g.GET("/sammantrade/bestyrk", u.allow("POST /v1/extracts/:id/certification"), u.confirmMeeting)
	g.POST("/sammantrade/bestyrk", u.allow("POST /v1/extracts/:id/certification"), u.formLimit(), u.csrf(), u.certifyMeeting)
	g.POST("/sammantrade/expediera", u.allow("POST /v1/extracts/:id/distribution"), u.formLimit(), u.csrf(), u.distributeMeeting)
	g.GET("/sammantrade/bestyrkta.zip", u.allow("GET /v1/extracts/:id/certified"), u.meetingZip)
	g.GET("/sammantrade/bestyrkta.pdf", u.allow("GET /v1/extracts/:id/certified"), u.meetingPDF)
	g.GET("/utdrag/:id/expediera", u.allow("POST /v1/extracts/:id/distribution"), u.distributePage)
	g.POST("/utdrag/:id/expediera", u.allow("POST /v1/extracts/:id/distribution"), u.formLimit(), u.csrf(), u.distribute)
	g.POST("/utdrag/:id/expediera/mottagare", u.allow("POST /v1/extracts/:id/distribution/recipients"), u.formLimit(), u.csrf(), u.addRecipient)
	g.POST("/utdrag/:id/expediera/ratta", u.allow("POST /v1/extracts/:id/distribution/corrections"), u.formLimit(), u.csrf(), u.correct)
	g.POST("/utdrag/:id/expediera/expedierad", u.allow("POST /v1/extracts/:id/distribution/served"), u.formLimit(), u.csrf(), u.markServed)
}

// page is what every template gets: the layout's fields and the page's own
// data.
type page struct {
	Title string
	Nav   string // "list", "verify" or "login": the current menu item
	User  string // the key's name when logged in
	Open  bool   // no key file: no login
	Clerk bool   // may use the clerk pages
	Admin bool   // may read the whole audit trail
	CSRF  string
	// Search is the address of the clerk's last search ("/" when there is
	// none): the way back to the results from the pages of an extract.
	Search string
	Data   any
}

// render writes a page with status.
func (u *Pages) render(c *gin.Context, status int, name, title, nav string, data any) {
	sess := currentSession(c)
	p := page{
		Title: title, Nav: nav, Open: u.d.Open(), CSRF: u.sessions.csrfToken(sess),
		User: sess.user(), Clerk: u.d.Open() || sess.Key != "", Search: lastSearch(c.Request), Data: data,
		Admin: sess.Key != "" && u.may(c, "GET /v1/audit"),
	}
	var buf bytes.Buffer
	if err := u.pages.Render(&buf, name, p); err != nil {
		u.log.ErrorContext(c.Request.Context(), "rendering page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internt fel: sidan kunde inte visas. Felet är loggat.\n"))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", web.KeepDatesWhole(buf.Bytes()))
}

// errorPage is a page of its own for a request that cannot go on.
type errorPage struct {
	Message, Back, BackLabel string
}

func (u *Pages) errorPage(c *gin.Context, status int, title, message string) {
	back, label := lastSearch(c.Request), "Till sökningen"
	if !currentSession(c).clerk(u.d.Open()) {
		back, label = "/verify", "Kontrollera ett utdrag"
	}
	u.render(c, status, "error", title, "", errorPage{Message: message, Back: back, BackLabel: label})
	c.Abort()
}

// fail shows an error from the layers below as a page: missing things 404,
// an unreachable store or busy renderer 503, the rest 500 without
// internals (and logged).
func (u *Pages) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, archive.ErrMismatch):
		u.d.ReportMismatch(c.Request.Context(), err)
		u.errorPage(c, http.StatusInternalServerError, "Den lagrade filen stämmer inte",
			"Den lagrade filen är inte den som registrerades för utdraget och lämnas därför inte ut. Felet är loggat; kontakta förvaltningen.")
	case errors.Is(err, archive.ErrNotFound), errors.Is(err, storage.ErrNotFound):
		u.errorPage(c, http.StatusNotFound, "Hittades inte", "Det finns inget utdrag med den identiteten, eller så saknar du behörighet att se det.")
	case errors.Is(err, storage.ErrUnavailable):
		c.Header("Retry-After", "5")
		u.errorPage(c, http.StatusServiceUnavailable, "Lagringen svarar inte", "Lagringen kan inte nås just nu. Försök igen om en stund; inget har sparats till hälften.")
	case errors.Is(err, domain.ErrBusy), errors.Is(err, domain.ErrRenderTimeout):
		c.Header("Retry-After", "1")
		u.errorPage(c, http.StatusServiceUnavailable, "Tjänsten är upptagen", "Tjänsten sätter just nu så många utdrag den kan. Försök igen om en stund.")
	default:
		u.log.ErrorContext(c.Request.Context(), "clerk interface request failed", "err", err, "path", c.FullPath())
		u.errorPage(c, http.StatusInternalServerError, "Något gick fel", "Ett oväntat fel inträffade. Felet är loggat; försök igen eller kontakta förvaltningen.")
	}
}

// headers set the interface's security headers: only our own scripts,
// styles and frames, no framing by others, no sniffing.
func (u *Pages) headers() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		c.Next()
	}
}

func (u *Pages) formLimit() gin.HandlerFunc   { return bodyLimit(uiFormLimit) }
func (u *Pages) uploadLimit() gin.HandlerFunc { return bodyLimit(domain.MaxVerifyBody) }

func bodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}
