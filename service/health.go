package service

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/schema"
)

// Readiness probing: the store's Ping writes, so /readyz (public, and
// asked by every balancer and kubelet) shares one probe among the callers
// of a moment and reuses its outcome for readyFor: however often it is
// asked, a replica probes at most about once a second.
const (
	readyFor     = time.Second
	readyTimeout = 3 * time.Second
)

func (s *Server) healthRoutes(r *gin.Engine) {
	r.GET("/healthz", func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"status": "ok"})
	})
	r.GET("/readyz", s.ready)
	r.GET("/schema/extract.schema.json", func(c *gin.Context) {
		c.Data(http.StatusOK, "application/schema+json", schema.Extract)
	})
}

// ready answers 200 while the store can take writes and the index
// answers, 503 otherwise.
func (s *Server) ready(c *gin.Context) {
	if err := s.readiness.check(c.Request.Context()); err != nil {
		c.Header("Retry-After", "5")
		problem(c, http.StatusServiceUnavailable, "not-ready", "Inte redo",
			"Lagringen kan inte ta emot skrivningar just nu.")
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
	defer cancel()
	if err := s.index.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "index not ready", "err", err)
		c.Header("Retry-After", "5")
		problem(c, http.StatusServiceUnavailable, "not-ready", "Inte redo", "Sökindexet svarar inte.")
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// readiness runs the store's write probe for /readyz, one at a time, and
// keeps its outcome for a while. It logs when readiness changes, not on
// every probe.
type readiness struct {
	probe func(context.Context) error
	log   func(ctx context.Context, ready bool, err error)
	now   func() time.Time

	mu      sync.Mutex
	at      time.Time     // when the last probe ended
	err     error         // its outcome
	probed  bool          // a probe has ended
	running chan struct{} // closed when the probe under way ends
}

// check returns the outcome of a probe that ended less than readyFor ago,
// or of the one under way, or of a new one. The probe runs detached from
// the caller: a caller that goes away does not fail it for the others.
func (r *readiness) check(ctx context.Context) error {
	r.mu.Lock()
	if r.probed && r.now().Sub(r.at) < readyFor {
		defer r.mu.Unlock()
		return r.err
	}
	running := r.running
	if running == nil {
		running = make(chan struct{})
		r.running = running
		go r.run(context.WithoutCancel(ctx), running)
	}
	r.mu.Unlock()
	select {
	case <-running:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *readiness) run(ctx context.Context, done chan struct{}) {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	err := r.probe(ctx)
	r.mu.Lock()
	changed := !r.probed || (err == nil) != (r.err == nil)
	r.at, r.err, r.probed, r.running = r.now(), err, true, nil
	r.mu.Unlock()
	close(done)
	if changed {
		r.log(ctx, err == nil, err)
	}
}

func (s *Server) newReadiness() *readiness {
	return &readiness{
		probe: s.store.Ping,
		now:   time.Now,
		log: func(ctx context.Context, ready bool, err error) {
			if ready {
				s.log.InfoContext(ctx, "ready: storage takes writes")
				return
			}
			s.log.WarnContext(ctx, "not ready: storage cannot take writes", "err", err)
		},
	}
}
