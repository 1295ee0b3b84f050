package service

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/unicode/norm"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/auth"
	"utdrag/extract"
)

// Keys of the caller's identity in the gin context.
const (
	ctxKeyName = "auth_key"   // the key's name (never the key)
	ctxKey     = "auth_entry" // the *auth.Key of the caller, for the policy
	ctxScope   = "auth_scope" // the organisation the caller sees; "" for all
)

// policy says which roles besides admin may use each route, keyed by
// method and route pattern. A route missing here is for admin only; public
// routes are listed in publicRoute instead.
var policy = auth.Policy{
	"POST /v1/extracts":                              {auth.System},
	"POST /v1/extracts/preview":                      {auth.System},
	"GET /v1/extracts":                               {auth.Clerk},
	"GET /v1/extracts/:id":                           {auth.Clerk},
	"GET /v1/extracts/:id/pdf":                       {auth.Clerk},
	"GET /v1/extracts/:id/html":                      {auth.Clerk},
	"POST /v1/extracts/:id/certification":            {auth.Clerk},
	"GET /v1/extracts/:id/certified":                 {auth.Clerk},
	"POST /v1/extracts/:id/distribution":             {auth.Clerk},
	"GET /v1/extracts/:id/distribution":              {auth.Clerk},
	"GET /v1/extracts/:id/distribution/plan":         {auth.Clerk},
	"POST /v1/extracts/:id/distribution/recipients":  {auth.Clerk},
	"POST /v1/extracts/:id/distribution/corrections": {auth.Clerk},
	"POST /v1/extracts/:id/distribution/served":      {auth.Clerk},
	"POST /v1/distributions":                         {auth.Clerk},
	"POST /v1/protocols":                             {auth.System},
	"GET /v1/protocols":                              {auth.Clerk},
	"GET /v1/protocols/:id":                          {auth.Clerk},
	"GET /v1/protocols/:id/pdf":                      {auth.Clerk},
	"POST /v1/protocols/:id/extracts":                {auth.System, auth.Clerk},
	"POST /v1/protocols/:id/certification":           {auth.Clerk},
	"GET /v1/protocols/:id/certified":                {auth.Clerk},
}

// publicRoute reports whether a route pattern needs no key: operations,
// the API's descriptions, verification, which anyone holding a printed
// extract may use, and the organisations' notice boards.
func publicRoute(route string) bool {
	switch route {
	case "/healthz", "/readyz", "/metrics", "/openapi.json":
		return true
	}
	for _, prefix := range []string{"/schema/", "/v1/verify", "/verify", "/anslagstavla/"} {
		if strings.HasPrefix(route, prefix) {
			return true
		}
	}
	return false
}

// loadKeys reads the key file, or, without one, allows the open mode only
// on a loopback address.
func loadKeys(cfg Config, log interface{ Warn(string, ...any) }) (*auth.Keys, error) {
	if cfg.AuthFile == "" {
		if !loopback(cfg.Addr) {
			return nil, fmt.Errorf("service: refusing to listen on %s without UTDRAG_AUTH_FILE: "+
				"without API keys the service may only listen on a loopback address", cfg.Addr)
		}
		log.Warn("no UTDRAG_AUTH_FILE: the API is open to every local process (allowed on a loopback address only)",
			"addr", cfg.Addr)
		return nil, nil
	}
	keys, err := auth.Load(cfg.AuthFile)
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	return keys, nil
}

func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// access checks the caller's key against the policy. Without keys (open
// mode) and on public or unknown routes it lets everything through.
func (s *Server) access() gin.HandlerFunc {
	return func(c *gin.Context) {
		route := c.FullPath()
		if s.keys == nil {
			withWho(c, audit.Actor{Kind: audit.ActorOpen})
		}
		if s.keys == nil || route == "" || publicRoute(route) {
			c.Next()
			return
		}
		secret, given := presentedKey(c.Request)
		if given && s.tooManyFailures(c, nil) {
			return
		}
		key, ok := s.keys.Lookup(secret)
		if !ok {
			if given {
				s.failures.fail(c.ClientIP())
			}
			unauthorized(c, given)
			return
		}
		c.Set(ctxKeyName, key.Name)
		c.Set(ctxKey, key)
		c.Set(ctxScope, key.Scope())
		withWho(c, KeyActor(key))
		if !policy.Allows(key, c.Request.Method+" "+route) {
			problem(c, http.StatusForbidden, "forbidden", "Åtkomst nekas",
				"API-nyckeln saknar behörighet för den här åtgärden.")
			return
		}
		c.Next()
	}
}

// presentedKey takes the key from "Authorization: Bearer KEY" or X-API-Key.
func presentedKey(r *http.Request) (key string, given bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(rest), true
		}
	}
	key = strings.TrimSpace(r.Header.Get("X-API-Key"))
	return key, key != ""
}

func unauthorized(c *gin.Context, given bool) {
	if !given {
		c.Header("WWW-Authenticate", `Bearer realm="utdrag"`)
		problem(c, http.StatusUnauthorized, "unauthorized", "Inloggning krävs",
			"Ange en API-nyckel i Authorization: Bearer … eller i X-API-Key.")
		return
	}
	c.Header("WWW-Authenticate", `Bearer realm="utdrag", error="invalid_token"`)
	problem(c, http.StatusUnauthorized, "unauthorized", "Ogiltig API-nyckel",
		"API-nyckeln är okänd eller återkallad.")
}

// scope is the organisation whose extracts the caller may see: its key's
// organisation, or "" for all (open mode, or a key for organisation "*").
func scope(c *gin.Context) string { return c.GetString(ctxScope) }

// visible reports whether the caller may see rec; handlers answer 404, not
// 403, for an extract of another organisation, so ids reveal nothing.
func (s *Server) visible(c *gin.Context, rec *archive.Record) bool {
	return s.sees(callerKey(c), rec)
}

// mayRead reports whether the caller may read an extract's record (it has
// already been scoped to the caller's organisation): always in open mode,
// otherwise as the policy says for GET /v1/extracts/:id.
func (s *Server) mayRead(c *gin.Context) bool {
	if s.keys == nil {
		return true
	}
	key, ok := c.Get(ctxKey)
	k, _ := key.(*auth.Key)
	return ok && k != nil && policy.Allows(k, "GET /v1/extracts/:id")
}

// ownOrganisation answers 403 and reports false when a scoped caller sends
// an extract of another organisation.
func (s *Server) ownOrganisation(c *gin.Context, organisation string) bool {
	if sc := scope(c); sc != "" && organisation != sc {
		problem(c, http.StatusForbidden, "forbidden-organisation", "Fel organisation",
			"API-nyckeln gäller en annan organisation än utdragets.")
		return false
	}
	return true
}

// namedAsConfigured answers 422 and reports false when an extract names
// an organisation the key file does not know, or names it otherwise than
// the key file does: the name is printed on the extract and shown by
// every verification, so a key may not choose it. Without a key file
// (open mode, loopback only) every name is the caller's.
func (s *Server) namedAsConfigured(c *gin.Context, org extract.Organisation) bool {
	if s.keys == nil {
		return true
	}
	name, ok := s.keys.OrganisationName(org.ID)
	switch {
	case !ok:
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltigt utdrag", "Utdraget bryter mot en eller flera regler; se errors.",
			extract.FieldError{Field: "organisation.id", Rule: "enum", Message: "organisationen finns inte bland tjänstens organisationer"})
		return false
	case norm.NFC.String(name) != org.Name:
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltigt utdrag", "Utdraget bryter mot en eller flera regler; se errors.",
			extract.FieldError{Field: "organisation.name", Rule: "const", Message: fmt.Sprintf("organisationen heter %q i tjänsten", name)})
		return false
	}
	return true
}

// operate prepares what operations need before the routes are built: the
// keys (or the open mode), the metrics, and the store behind a timeout and
// the metrics, which everything after it uses.
func (s *Server) operate(d *Deps) error {
	if s.log == nil {
		return errors.New("service: no logger")
	}
	keys, err := loadKeys(s.cfg, s.log)
	if err != nil {
		return err
	}
	s.keys = keys
	s.cfg.Limits = withDefaults(s.cfg.Limits)
	if s.cfg.Limits.Drawable == nil && s.render != nil {
		s.cfg.Limits.Drawable = s.render.Drawable
	}
	s.metrics = newMetrics()
	d.Store = s.metrics.instrument(d.Store, s.cfg.StorageTimeout, s.cfg.Breaker)
	s.store = d.Store
	s.archive = archive.New(d.Store)
	s.archive.SetRecovered(s.recovered)
	s.readiness = s.newReadiness()
	return nil
}

// withDefaults fills the limits left zero from extract.DefaultLimits.
func withDefaults(l extract.Limits) extract.Limits {
	d := extract.DefaultLimits
	if l.MaxParagraphs > 0 {
		d.MaxParagraphs = l.MaxParagraphs
	}
	if l.MaxText > 0 {
		d.MaxText = l.MaxText
	}
	if l.MaxItems > 0 {
		d.MaxItems = l.MaxItems
	}
	d.Drawable = l.Drawable
	return d
}
