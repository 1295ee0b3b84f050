package clerk

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/auth"
)

// The clerk's session lives in one cookie, signed with HMAC-SHA-256: any
// replica with the same UTDRAG_SESSION_KEY, key file and store accepts it;
// the store keeps only each key's session generation, which logging out
// moves on (see generations.go). The cookie holds the key's name, roles and
// organisation as the key file gave them at login, never the key itself.
// The signing key is derived from UTDRAG_SESSION_KEY (or random bytes at
// start-up) and the key file's checksum: changing the key file, to revoke
// a key, ends every session.
const (
	sessionCookie = "utdrag_session"
	ctxSession    = "ui_session"
)

// session is what the cookie carries. A session without Key is anonymous:
// it only ties the CSRF token of the public forms to one browser.
type session struct {
	ID    string      `json:"sid"`
	Key   string      `json:"key,omitempty"`
	Roles []auth.Role `json:"roles,omitempty"`
	Org   string      `json:"org,omitempty"`
	// Confidential: the key may read internal renditions.
	Confidential bool  `json:"conf,omitempty"`
	Gen          int64 `json:"gen,omitempty"` // the key's session generation at login
	Expires      int64 `json:"exp"`
	// A person logged in through the OpenID provider: issuer#subject (Key
	// is "person:" and this), the name and title the provider gave, and
	// whether the organisation lets them change the title. For a key's
	// session, Name and Title are what its clerk last certified with.
	Person        string `json:"person,omitempty"`
	Name          string `json:"name,omitempty"`
	Title         string `json:"title,omitempty"`
	TitleEditable bool   `json:"te,omitempty"`
}

// user is how the page names who is logged in.
func (s session) user() string {
	if s.Person != "" {
		return s.Name
	}
	return s.Key
}

// clerk reports whether the session may open the clerk pages at all; the
// policy decides per page.
func (s session) clerk(open bool) bool { return open || s.Key != "" }

// key is the session's API key as the policy sees it.
func (s session) key() *auth.Key {
	return &auth.Key{Name: s.Key, Roles: s.Roles, Organisation: s.Org, Confidential: s.Confidential}
}

type sessions struct {
	mac []byte
	ttl time.Duration
	now func() time.Time
}

// newSessions derives the signing key from secret (random when empty) and
// the key file's content.
func newSessions(secret, keyFile string, ttl time.Duration) (*sessions, error) {
	base := make([]byte, 32)
	switch {
	case secret == "":
		if _, err := rand.Read(base); err != nil {
			return nil, fmt.Errorf("session key: %w", err)
		}
	case len(secret) < 32:
		return nil, errors.New("UTDRAG_SESSION_KEY must be at least 32 characters")
	default:
		sum := sha256.Sum256([]byte(secret))
		base = sum[:]
	}
	bound := "open"
	if keyFile != "" {
		raw, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("reading key file for sessions: %w", err)
		}
		sum := sha256.Sum256(raw)
		bound = hex.EncodeToString(sum[:])
	}
	m := hmac.New(sha256.New, base)
	m.Write([]byte("utdrag session\x00" + bound))
	return &sessions{mac: m.Sum(nil), ttl: ttl, now: time.Now}, nil
}

func (ss *sessions) sign(purpose string, data []byte) []byte {
	m := hmac.New(sha256.New, ss.mac)
	m.Write([]byte(purpose + "\x00"))
	m.Write(data)
	return m.Sum(nil)
}

var b64 = base64.RawURLEncoding

func (ss *sessions) encode(s session) string {
	payload, _ := json.Marshal(s) // plain strings and numbers: cannot fail
	return b64.EncodeToString(payload) + "." + b64.EncodeToString(ss.sign("cookie", payload))
}

// decode checks the signature and the expiry.
func (ss *sessions) decode(v string) (session, bool) {
	var s session
	p, sig, ok := strings.Cut(v, ".")
	if !ok {
		return s, false
	}
	payload, err1 := b64.DecodeString(p)
	mac, err2 := b64.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, ss.sign("cookie", payload)) {
		return s, false
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || s.ID == "" || ss.now().Unix() >= s.Expires {
		return session{}, false
	}
	return s, true
}

func (ss *sessions) anonymous() session {
	return session{ID: rand.Text(), Expires: ss.now().Add(ss.ttl).Unix()}
}

// login starts a new session for key: a fresh id, so a token seen before
// login is worthless after it.
func (ss *sessions) login(key *auth.Key) session {
	s := ss.anonymous()
	s.Key, s.Roles, s.Org, s.Confidential = key.Name, key.Roles, key.Organisation, key.Confidential
	return s
}

// csrfToken is the token every form of the session carries: a MAC of the
// session id, so it cannot be made without the server's key nor used with
// another browser's cookie.
func (ss *sessions) csrfToken(s session) string {
	return b64.EncodeToString(ss.sign("csrf", []byte(s.ID)))
}

func (ss *sessions) validCSRF(s session, token string) bool {
	got, err := b64.DecodeString(token)
	return err == nil && s.ID != "" && hmac.Equal(got, ss.sign("csrf", []byte(s.ID)))
}

// secure reports whether the browser reaches the service over HTTPS: the
// request came over TLS, or the public URL is https (TLS ends at a proxy).
func (u *Pages) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(u.cfg.PublicURL, "https://")
}

// cookieName is the session cookie's name: over HTTPS with the __Host-
// prefix, which browsers accept only from this host, Secure, for path /
// and without Domain, so no other host under the same domain and no plain
// HTTP page can set or replace it.
func (u *Pages) cookieName(r *http.Request) string {
	if u.secure(r) {
		return "__Host-" + sessionCookie
	}
	return sessionCookie
}

// session reads the cookie, or starts an anonymous session. A logged-in
// session whose key has logged out since (see generations.go) is
// anonymous again.
func (u *Pages) session() gin.HandlerFunc {
	return func(c *gin.Context) {
		var sess session
		ok := false
		if ck, err := c.Request.Cookie(u.cookieName(c.Request)); err == nil {
			sess, ok = u.sessions.decode(ck.Value)
		}
		if ok && sess.Key != "" && c.FullPath() != "/static/:name" {
			gen, _, err := u.generation(c.Request.Context(), sess.Key)
			if err != nil {
				u.fail(c, err)
				return
			}
			ok = gen == sess.Gen
		}
		if !ok {
			sess = u.sessions.anonymous()
			u.setSession(c, sess)
		}
		c.Set(ctxSession, sess)
		u.withWho(c, sess)
		c.Next()
	}
}

func currentSession(c *gin.Context) session {
	s, _ := c.Get(ctxSession)
	sess, _ := s.(session)
	return sess
}

func (u *Pages) setSession(c *gin.Context, s session) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: u.cookieName(c.Request), Value: u.sessions.encode(s), Path: "/",
		MaxAge: int(u.sessions.ttl / time.Second), HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: u.secure(c.Request),
	})
	c.Set(ctxSession, s)
}

// allow lets the request through when the session's key may use route, the
// API route the page stands for, under the API's policy; it also sets the
// caller's scope, so visible() and the listing see what the API would.
// Without a key file (open mode) everything is allowed, as in the API.
func (u *Pages) allow(route string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if u.d.Open() {
			c.Next()
			return
		}
		sess := currentSession(c)
		if sess.Key == "" {
			if c.Request.Method == http.MethodGet {
				c.Redirect(http.StatusSeeOther, "/logga-in?next="+url.QueryEscape(c.Request.URL.RequestURI()))
				c.Abort()
				return
			}
			u.errorPage(c, http.StatusUnauthorized, "Inloggning krävs", "Du är inte inloggad, eller så har inloggningen gått ut. Logga in och försök igen.")
			return
		}
		key := sess.key()
		u.d.Tag(c, key.Name, "")
		if !u.d.Allows(key, route) {
			u.errorPage(c, http.StatusForbidden, "Åtkomst nekas", "Din API-nyckel saknar behörighet för den här åtgärden.")
			return
		}
		c.Next()
	}
}

// may reports whether the caller may use route: always in open mode,
// otherwise as the policy says for the session's key.
func (u *Pages) may(c *gin.Context, route string) bool {
	if u.d.Open() {
		return true
	}
	sess := currentSession(c)
	return sess.Key != "" && u.d.Allows(sess.key(), route)
}

// csrf accepts a form only from a page of this site (as far as the
// browser says: Sec-Fetch-Site, Origin with its scheme, or Referer) and
// with the session's token.
func (u *Pages) csrf() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !u.d.FromThisSite(c.Request) || !u.sessions.validCSRF(currentSession(c), c.PostForm("csrf")) {
			u.refuseForm(c)
			return
		}
		c.Next()
	}
}

// sameSite is csrf's first half, for a form whose token comes with its
// body (the verification upload reads it from the body's first part).
func (u *Pages) sameSite() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !u.d.FromThisSite(c.Request) {
			u.refuseForm(c)
			return
		}
		c.Next()
	}
}

func (u *Pages) refuseForm(c *gin.Context) {
	u.errorPage(c, http.StatusForbidden, "Formuläret gick inte att skicka",
		"Sidan var för gammal eller kom från en annan webbplats. Gå tillbaka, ladda om sidan och försök igen.")
}

// localPath keeps a redirect target on this site: it reads p as a browser
// would read it in a Location header (tabs and line breaks dropped,
// backslashes as slashes, leading control characters and spaces
// ignored), resolves it against this site, and returns the path and query
// of the result, or "/" when the browser would leave the site.
func localPath(p string) string {
	p = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\r' || r == '\n':
			return -1
		case r == '\\':
			return '/'
		}
		return r
	}, p)
	p = strings.TrimLeftFunc(p, func(r rune) bool { return r <= ' ' })
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return "/"
	}
	ref, err := url.Parse(p)
	if err != nil || ref.Scheme != "" || ref.Host != "" || ref.Opaque != "" {
		return "/"
	}
	self := &url.URL{Scheme: "http", Host: "self.invalid"}
	to := self.ResolveReference(ref)
	if to.Host != self.Host || strings.HasPrefix(to.EscapedPath(), "//") ||
		strings.ContainsFunc(to.RequestURI(), func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "/"
	}
	return to.RequestURI()
}

type loginView struct {
	Next, Error string
	Hours       int
	// OpenID: people may log in through the organisation's provider.
	OpenID bool
}

func (u *Pages) loginPage(c *gin.Context) {
	next := localPath(c.Query("next"))
	if u.d.Open() || currentSession(c).Key != "" {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	u.render(c, http.StatusOK, "login", "Logga in", "login", loginView{Next: next, Hours: int(u.sessions.ttl.Hours()), OpenID: u.cfg.OpenID != nil})
}

func (u *Pages) login(c *gin.Context) {
	next := localPath(c.PostForm("next"))
	if u.d.Open() {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	v := loginView{Next: next, Hours: int(u.sessions.ttl.Hours()), OpenID: u.cfg.OpenID != nil}
	if wait := u.d.LoginWait(c.ClientIP()); wait > 0 {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		v.Error = "För många felaktiga nycklar har skickats från din adress. Vänta en stund och försök igen."
		u.render(c, http.StatusTooManyRequests, "login", "Logga in", "login", v)
		return
	}
	key, ok := u.d.LookupKey(strings.TrimSpace(c.PostForm("key")))
	if !ok {
		u.d.LoginFailed(c.ClientIP())
	}
	switch {
	case !ok:
		u.loginFailed(c, audit.Actor{Kind: audit.ActorNone}, "okänd eller återkallad nyckel")
		v.Error = "Nyckeln är okänd eller återkallad. Kontrollera att du har klistrat in hela nyckeln."
		u.render(c, http.StatusUnauthorized, "login", "Logga in", "login", v)
		return
	case !key.Has(auth.Clerk):
		u.loginFailed(c, keyActor(key), "nyckeln saknar rollen "+roleName(auth.Clerk))
		v.Error = "Nyckeln saknar behörighet för handläggarsidorna: den behöver rollen " + roleName(auth.Clerk) + " eller " + roleName(auth.Admin) + "."
		u.render(c, http.StatusForbidden, "login", "Logga in", "login", v)
		return
	}
	gen, _, err := u.generation(c.Request.Context(), key.Name)
	if err != nil {
		u.fail(c, err)
		return
	}
	sess := u.sessions.login(key)
	sess.Gen = gen
	if !u.recordLogin(c, sess) {
		return
	}
	u.setSession(c, sess)
	u.d.Tag(c, key.Name, "")
	u.log.InfoContext(c.Request.Context(), "clerk logged in", "key", key.Name)
	c.Redirect(http.StatusSeeOther, next)
}

// logout ends every session of the key, this one and any copy of its
// cookie, on every replica.
func (u *Pages) logout(c *gin.Context) {
	if sess := currentSession(c); sess.Key != "" {
		if err := u.endSessions(c.Request.Context(), sess.Key); err != nil {
			u.fail(c, err)
			return
		}
		u.d.Record(c.Request.Context(), audit.Event{Action: audit.Logout, Actor: actorOf(sess), Organisation: sess.Org})
		u.log.InfoContext(c.Request.Context(), "clerk logged out: the key's sessions are ended", "key", sess.Key)
	}
	u.setSession(c, u.sessions.anonymous())
	c.Redirect(http.StatusSeeOther, "/logga-in")
}

// caller is the API key the session stands for: nil in open mode and
// before login.
func (u *Pages) caller(c *gin.Context) *auth.Key {
	sess := currentSession(c)
	if u.d.Open() || sess.Key == "" {
		return nil
	}
	return sess.key()
}

// refuseUnadjusted shows the clerk why rec may not be certified or
// distributed (verb) yet, and reports whether it did.
func (u *Pages) refuseUnadjusted(c *gin.Context, rec *archive.Record, verb string) bool {
	na := u.d.CheckAdjusted(rec, verb)
	if na == nil {
		return false
	}
	u.errorPage(c, http.StatusConflict, "Inte justerat", na.Detail)
	return true
}
