package service

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
)

// Keys of values handlers leave in the gin context for the request log.
const (
	ctxRequestID = "request_id"
	ctxExtractID = "extract_id" // set by handlers once the extract is known
)

// headerRequestID carries the request id in and out.
const headerRequestID = "X-Request-Id"

// observe gives every request an id (the caller's X-Request-Id when it is
// sane, else a new one), echoes it in the response, and after the request
// writes one log line and the request metrics. The line holds the route
// pattern and the method's label, never the query, the body or anything
// else of unbounded size the caller chose, so no document content is
// logged and no caller can grow the log line or the metrics.
func (s *Server) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		id := c.GetHeader(headerRequestID)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		c.Set(ctxRequestID, id)
		c.Header(headerRequestID, id)
		c.Next()
		d := time.Since(start)
		s.metrics.request(c.FullPath(), c.Request.Method, c.Writer.Status(), d)
		s.logRequest(c, id, d)
	}
}

func (s *Server) logRequest(c *gin.Context, id string, d time.Duration) {
	status := c.Writer.Status()
	attrs := []slog.Attr{
		slog.String("request_id", id),
		slog.String("method", methodLabel(c.Request.Method)),
		slog.String("route", c.FullPath()),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
	}
	if x := c.GetString(ctxExtractID); x != "" {
		attrs = append(attrs, slog.String("extract_id", x))
	}
	if k := c.GetString(ctxKeyName); k != "" {
		attrs = append(attrs, slog.String("key", k))
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// saneRequestID accepts ids of up to 128 characters from a safe alphabet,
// so a caller cannot forge log lines or flood the log.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '.' || r == ':'
		if !ok {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported systems
	return hex.EncodeToString(b)
}
