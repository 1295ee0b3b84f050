// Package service is Utdrag's HTTP API (Gin): routes, problem+json errors,
// limits and the wiring of rendering, storage, certification and
// distribution. Handlers are thin: parse, call the layers below, answer.
//
// It may import every package of the module.
package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
	"utdrag/anslag"
	"utdrag/templates"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/auth"
	"utdrag/distribute"
	"utdrag/index"
	"utdrag/openapi"
	"utdrag/render"
	"utdrag/storage"
)

// Server is the HTTP service.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   storage.Store
	archive *archive.Archive
	render  *render.Engine
	renders *slots // bound concurrent renders
	// verifies bound concurrent verification uploads, each hashed as it
	// arrives: the slot is taken before the body is read.
	verifies *slots
	handler  http.Handler

	signer      *signer
	distributor *distribute.Distributor
	directory   *distribute.Directory // the recipients the distributor resolves
	pages       Pages                 // the clerk interface, served beside the API

	keys      *auth.Keys // nil: open mode (loopback only)
	failures  *failures  // unknown keys by client address
	metrics   *metrics
	readiness *readiness
	now       func() time.Time   // the clock that says which justering days have come
	calendar  *anslag.Calendar   // the days of a protocol's anslag and appeal
	appeals   *templates.Appeals // the appeal instructions' texts, per organisation

	index        *index.Index // what listing and search query
	indexMetrics *indexMetrics

	audit         *audit.Log   // the audit trail (audit.go)
	auditIndex    *index.Index // where the trail is queried
	auditFailures prometheus.Counter
}

// Deps are what the server is built from; main builds them once.
type Deps struct {
	Store  storage.Store
	Render *render.Engine
	// Index is the index database listing and search query (main opens
	// it from UTDRAG_INDEX); the server keeps it up to date.
	Index *index.Index
	// Indexer, when set, is told of the archive's record writes in
	// place of Index (bench/load compares creates with and without the
	// index write).
	Indexer archive.Indexer
	Logger  *slog.Logger
	// Mailer replaces the one configured by UTDRAG_SMTP_ADDR (tests).
	Mailer distribute.Mailer
	// MailBackoff is the first wait before retrying a temporary SMTP
	// failure (zero: the distributor's default).
	MailBackoff time.Duration
	// Now is the clock (nil: time.Now): today in Sweden decides whether
	// a justering day has come.
	Now func() time.Time
	// Pages builds the web pages served beside the API (the clerk
	// interface, package clerk) once the server exists: they call the
	// server's domain operations (operations.go). nil: the API alone.
	Pages func(*Server) (Pages, error)
}

// Pages are web pages served by the same engine as the API. They are
// given as a value built by the caller, not imported: service is the API,
// and the clerk pages are its client (they import the domain's
// vocabulary, never service), so main, which knows both, joins them.
type Pages interface {
	// Routes registers the pages on r, each behind chain: the request
	// log and metrics, recovery from panics, the open-mode host guard.
	Routes(r *gin.Engine, chain ...gin.HandlerFunc)
}

// New builds the server and its routes.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Store == nil || d.Render == nil || d.Index == nil {
		return nil, errors.New("service: store, render engine and index are required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		log:     d.Logger,
		store:   d.Store,
		archive: archive.New(d.Store),
		render:  d.Render,
		renders: newSlots(cfg.MaxRenders, cfg.RenderWait),

		verifies: newSlots(cfg.MaxVerifies, cfg.VerifyWait),
		failures: newFailures(),
		now:      d.Now,
		calendar: anslag.NewCalendar(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.operate(&d); err != nil {
		return nil, err
	}
	s.archive.SetDescriber(describeCertified)
	s.useIndex(d.Index, d.Indexer)
	s.useAudit(d.Index)
	var err error
	if s.signer, err = newSigner(cfg.Signing, d.Store, d.Logger); err != nil {
		return nil, err
	}
	if s.appeals, err = loadAppeals(cfg.Mail.Appeals); err != nil {
		return nil, err
	}
	if s.distributor, s.directory, err = newDistributor(cfg.Mail, d.Store, d, func(st distribute.State) {
		s.metrics.message(string(st))
	}); err != nil {
		return nil, err
	}
	if d.Pages != nil {
		if s.pages, err = d.Pages(s); err != nil {
			return nil, err
		}
	}
	if s.handler, err = s.routes(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler is the service's http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() (*gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	// The client's address is the connection's peer, or what a trusted
	// proxy says it is; it counts failed keys (see failures).
	if err := r.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("service: UTDRAG_TRUSTED_PROXIES: %w", err)
	}
	if s.pages != nil {
		// Before r.Use: the pages bring their own chain, with their
		// session in place of the key header, behind the same request
		// log, recovery and open-mode host guard as the API.
		s.pages.Routes(r, s.observe(), s.recoverProblems(), s.guardOpenHost())
	}
	r.Use(s.observe(), s.recoverProblems(), s.guardOpenHost(), s.limitBody(), s.guardCrossSite(), s.access())
	r.NoRoute(func(c *gin.Context) {
		problem(c, http.StatusNotFound, "not-found", "Hittades inte", "Adressen finns inte.")
	})
	r.NoMethod(func(c *gin.Context) {
		problem(c, http.StatusMethodNotAllowed, "method-not-allowed", "Metoden stöds inte", "")
	})
	r.HandleMethodNotAllowed = true
	s.healthRoutes(r)
	s.metricsRoute(r)
	r.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openapi.Document) })
	v1 := r.Group("/v1")
	s.extractRoutes(v1)
	s.certificationRoutes(v1)
	s.verifyRoutes(v1)
	s.distributionRoutes(v1)
	s.protocolRoutes(r, v1)
	s.auditRoutes(v1)
	return r, nil
}

// recoverProblems turns a panic into a 500 problem: no panic reaches a
// client.
func (s *Server) recoverProblems() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(c.Request.Context(), "panic in handler", "panic", fmt.Sprint(v), "path", c.FullPath())
				problem(c, http.StatusInternalServerError, "internal", "Internt fel",
					"Ett oväntat fel inträffade. Felet är loggat.")
			}
		}()
		c.Next()
	}
}

// limitBody bounds the request body by the limit of the route it matched.
func (s *Server) limitBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.bodyLimit(c.Request.Method, c.FullPath()))
		}
		c.Next()
	}
}

// bodyLimit is the largest body a route of the API accepts: the
// verification upload its own (a certified PDF is often larger than any
// JSON input, and it is hashed as it arrives, never held), every other
// route UTDRAG_MAX_BODY.
func (s *Server) bodyLimit(method, route string) int64 {
	if method == http.MethodPost && route == "/v1/verify" {
		return maxVerifyBody
	}
	return s.cfg.MaxBody
}

// slots bound how many requests do one kind of work at once. A request
// waits a short, bounded time for a slot, then is turned away with 503 and
// Retry-After instead of queueing without bound.
type slots struct {
	ch   chan struct{}
	wait time.Duration
}

func newSlots(n int, wait time.Duration) *slots {
	return &slots{ch: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot, waiting at most the slots' wait for one, or
// reports false.
func (sl *slots) acquire(ctx context.Context) (release func(), ok bool) {
	release = func() { <-sl.ch }
	select {
	case sl.ch <- struct{}{}:
		return release, true
	default:
	}
	if sl.wait <= 0 {
		return nil, false
	}
	wait := time.NewTimer(sl.wait)
	defer wait.Stop()
	select {
	case sl.ch <- struct{}{}:
		return release, true
	case <-wait.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}

// acquireRender takes a render slot (see slots.acquire).
func (s *Server) acquireRender(ctx context.Context) (release func(), ok bool) {
	return s.renders.acquire(ctx)
}

// Run serves until ctx is cancelled, then shuts down gracefully: in-flight
// requests finish, new connections are refused.
func (s *Server) Run(ctx context.Context) error {
	srv := &http.Server{
		Addr:              s.cfg.Addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// Keys, cookies and request ids are short; nothing needs more.
		MaxHeaderBytes: 16 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	go s.reconciler().Run(ctx) // until shutdown
	go s.archiveLoop(ctx)      // until shutdown
	go s.auditLoop(ctx)        // until shutdown
	s.log.Info("utdrag listening", "addr", s.cfg.Addr, "storage", s.cfg.Storage)
	select {
	case err := <-errc:
		return fmt.Errorf("service: serving %s: %w", s.cfg.Addr, err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.log.Info("utdrag shutting down")
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("service: shutting down: %w", err)
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, archive.ErrNotFound) }
