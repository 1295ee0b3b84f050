package service

import (
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// What a page of another site can make a browser send is decided here,
// once, for the API and the clerk pages alike: the origin the service
// answers under, whether a request's Origin, Referer and Sec-Fetch-Site
// name it, and, in open mode, whether the Host is one the service may be
// reached under at all (a page that rebinds its own name to 127.0.0.1 would
// otherwise be same-origin with the service).

// ownOrigin is the origin a browser sees the service under for r: the
// public URL's when r came through its host, otherwise r's own Host under
// the scheme r came over.
func (s *Server) ownOrigin(r *http.Request) string {
	if pub, err := url.Parse(s.cfg.PublicURL); err == nil && pub.Host != "" && strings.EqualFold(pub.Host, r.Host) {
		return canonicalOrigin(pub.Scheme, pub.Host)
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return canonicalOrigin(scheme, r.Host)
}

// canonicalOrigin writes scheme://host in lower case, without the
// scheme's default port.
func canonicalOrigin(scheme, host string) string {
	scheme, host = strings.ToLower(scheme), strings.ToLower(host)
	if h, port, err := net.SplitHostPort(host); err == nil &&
		(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
		if strings.Contains(h, ":") {
			host = "[" + h + "]"
		}
	}
	return scheme + "://" + host
}

// originOf is the origin of an absolute URL, or "" when it has none.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return canonicalOrigin(u.Scheme, u.Host)
}

// fromThisSite reports whether a browser says r comes from a page of this
// site. A cross-site Sec-Fetch-Site, an Origin of another scheme, host or
// port (or "null"), or, without Origin, a Referer of another origin, each
// say no. A request naming no origin at all (not from a browser, or one
// that sends neither header) is not refused here: the CSRF token, or the
// content type in open mode, decides.
func (s *Server) fromThisSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	}
	own := s.ownOrigin(r)
	if o, ok := r.Header["Origin"]; ok {
		return len(o) == 1 && originOf(o[0]) == own
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		return originOf(ref) == own
	}
	return true
}

// knownHost reports whether r names a host the service may be reached
// under in open mode: a loopback name or address, or the public URL's.
func (s *Server) knownHost(r *http.Request) bool {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	pub, err := url.Parse(s.cfg.PublicURL)
	return err == nil && strings.EqualFold(pub.Hostname(), host)
}

// guardOpenHost refuses, in open mode, a request for a host name the
// service is not reached under: in open mode anything that reaches the
// port may act, so a page of another site must not reach it by rebinding
// its own name to the loopback address.
func (s *Server) guardOpenHost() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.keys == nil && !s.knownHost(c.Request) {
			problem(c, http.StatusForbidden, "unknown-host", "Okänt värdnamn",
				"Tjänsten körs utan API-nycklar och svarar bara under sitt eget namn (localhost eller UTDRAG_PUBLIC_URL).")
			return
		}
		c.Next()
	}
}

// guardCrossSite refuses a request that changes something when a browser
// says it comes from another site; in open mode, where no key stands in
// the way, it also asks for a JSON body, which no page of another site
// can send without the service's consent (a CORS preflight it never
// grants). Public routes and reads pass.
func (s *Server) guardCrossSite() gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		route := c.FullPath()
		if safeMethod(r.Method) || route == "" || publicRoute(route) {
			c.Next()
			return
		}
		if !s.fromThisSite(r) {
			problem(c, http.StatusForbidden, "cross-site", "Begäran från en annan webbplats",
				"Begäran kom från en sida på en annan webbplats och avvisas.")
			return
		}
		if s.keys == nil {
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				problem(c, http.StatusUnsupportedMediaType, "unsupported-media-type", "Fel innehållstyp",
					"Skicka Content-Type: application/json. Utan API-nycklar kräver tjänsten det av varje begäran som ändrar något.")
				return
			}
		}
		c.Next()
	}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
