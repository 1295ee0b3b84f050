package service

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/schema"
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

// ready answers 200 while storage and the index answer, 503 otherwise.
func (s *Server) ready(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "storage not ready", "err", err)
		c.Header("Retry-After", "5")
		problem(c, http.StatusServiceUnavailable, "not-ready", "Inte redo", "Lagringen svarar inte.")
		return
	}
	if err := s.index.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "index not ready", "err", err)
		c.Header("Retry-After", "5")
		problem(c, http.StatusServiceUnavailable, "not-ready", "Inte redo", "Sökindexet svarar inte.")
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}
