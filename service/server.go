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

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/auth"
	"utdrag/distribute"
	"utdrag/openapi"
	"utdrag/render"
	"utdrag/storage"
)

var errRenderTimeout = errors.New("service: render timed out")

// Server is the HTTP service.
type Server struct {
	cfg     Config
	log     *slog.Logger
	store   storage.Store
	archive *archive.Archive
	render  *render.Engine
	renders chan struct{} // semaphore bounding concurrent renders
	handler http.Handler

	signer      *signer
	distributor *distribute.Distributor
	directory   *distribute.Directory // the recipients the distributor resolves
	ui          *ui

	keys    *auth.Keys // nil: open mode (loopback only)
	metrics *metrics
}

// Deps are what the server is built from; main builds them once.
type Deps struct {
	Store  storage.Store
	Render *render.Engine
	Logger *slog.Logger
	// Mailer replaces the one configured by UTDRAG_SMTP_ADDR (tests).
	Mailer distribute.Mailer
	// MailBackoff is the first wait before retrying a temporary SMTP
	// failure (zero: the distributor's default).
	MailBackoff time.Duration
}

// New builds the server and its routes.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Store == nil || d.Render == nil {
		return nil, errors.New("service: store and render engine are required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if cfg.MaxRenders < 1 {
		cfg.MaxRenders = 1
	}
	s := &Server{
		cfg:     cfg,
		log:     d.Logger,
		store:   d.Store,
		archive: archive.New(d.Store),
		render:  d.Render,
		renders: make(chan struct{}, cfg.MaxRenders),
	}
	if err := s.operate(&d); err != nil {
		return nil, err
	}
	s.archive.SetDescriber(describeCertified)
	var err error
	if s.signer, err = newSigner(cfg.Signing, d.Store); err != nil {
		return nil, err
	}
	if s.distributor, s.directory, err = newDistributor(cfg.Mail, d.Store, d, func(st distribute.State) {
		s.metrics.message(string(st))
	}); err != nil {
		return nil, err
	}
	if s.ui, err = newUI(s); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// Handler is the service's http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	s.uiRoutes(r) // before r.Use: the clerk pages bring their own chain, with the session in place of the key header
	r.Use(s.observe(), s.recoverProblems(), s.limitBody(), s.access())
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
	return r
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

func (s *Server) limitBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil && s.cfg.MaxBody > 0 {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBody)
		}
		c.Next()
	}
}

// acquireRender takes a render slot, waiting at most RenderWait for one,
// or reports false: the caller answers 503 instead of queueing without
// bound.
func (s *Server) acquireRender(ctx context.Context) (release func(), ok bool) {
	release = func() { <-s.renders }
	select {
	case s.renders <- struct{}{}:
		return release, true
	default:
	}
	if s.cfg.RenderWait <= 0 {
		return nil, false
	}
	wait := time.NewTimer(s.cfg.RenderWait)
	defer wait.Stop()
	select {
	case s.renders <- struct{}{}:
		return release, true
	case <-wait.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
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
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
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

var errBusy = errors.New("service: all render slots busy")

func isNotFound(err error) bool { return errors.Is(err, archive.ErrNotFound) }
