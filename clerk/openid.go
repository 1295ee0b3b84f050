package clerk

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/audit"
	"utdrag/auth"
	"utdrag/auth/openid"
)

// Personal login through the OpenID provider (package openid): the start
// keeps the attempt (state, nonce, PKCE verifier, the page to return to)
// in a cookie of its own, signed like the session, for ten minutes and for
// the return path alone; the return checks it, lets the provider's answer
// be checked, maps the person's groups to roles and an organisation, and
// starts a session of its own for the person ("person:" + issuer#subject),
// which logging out ends everywhere like a key's.

const attemptCookie = "utdrag_oidc"

// attemptPath is the return address's path: the attempt cookie is sent
// there only.
const attemptPath = "/logga-in/oidc"

func (u *Pages) attemptCookieName(r *http.Request) string {
	if u.secure(r) {
		return "__Secure-" + attemptCookie
	}
	return attemptCookie
}

func (u *Pages) setAttempt(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: u.attemptCookieName(c.Request), Value: value, Path: attemptPath, MaxAge: maxAge,
		// Lax: the provider sends the browser back with a top-level GET
		// from its own site, which a Strict cookie would not go with.
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: u.secure(c.Request),
	})
}

func (u *Pages) encodeAttempt(a openid.Attempt) string {
	raw, _ := json.Marshal(a) // strings and a number: cannot fail
	return b64.EncodeToString(raw) + "." + b64.EncodeToString(u.sessions.sign("oidc", raw))
}

func (u *Pages) decodeAttempt(v string) (openid.Attempt, bool) {
	var a openid.Attempt
	p, sig, ok := strings.Cut(v, ".")
	if !ok {
		return a, false
	}
	raw, err1 := b64.DecodeString(p)
	mac, err2 := b64.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, u.sessions.sign("oidc", raw)) {
		return a, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return a, dec.Decode(&a) == nil
}

// openIDStart sends the browser to the provider.
func (u *Pages) openIDStart(c *gin.Context) {
	if u.cfg.OpenID == nil || u.d.Open() {
		u.errorPage(c, http.StatusNotFound, "Hittades inte", "Inloggning med organisationens konto är inte påslagen i den här tjänsten.")
		return
	}
	a, to := u.cfg.OpenID.Begin(localPath(c.Query("next")))
	u.setAttempt(c, u.encodeAttempt(a), int(openid.AttemptTTL/time.Second))
	c.Header("Cache-Control", "no-store")
	c.Redirect(http.StatusSeeOther, to)
}

// openIDReturn finishes the login the provider sends the browser back
// from.
func (u *Pages) openIDReturn(c *gin.Context) {
	if u.cfg.OpenID == nil || u.d.Open() {
		u.errorPage(c, http.StatusNotFound, "Hittades inte", "Inloggning med organisationens konto är inte påslagen i den här tjänsten.")
		return
	}
	var a openid.Attempt
	if ck, err := c.Request.Cookie(u.attemptCookieName(c.Request)); err == nil {
		a, _ = u.decodeAttempt(ck.Value)
	}
	u.setAttempt(c, "", -1) // an attempt is used once, whatever comes of it
	ctx := c.Request.Context()
	per, err := u.cfg.OpenID.Finish(ctx, a, c.Request.URL.Query())
	if err != nil {
		u.log.WarnContext(ctx, "clerk: personal login refused", "err", err)
		u.loginFailed(c, audit.Actor{Kind: audit.ActorNone}, "inloggningen hos identitetsleverantören: "+err.Error())
		msg := "Inloggningen kunde inte slutföras. Börja om från inloggningssidan."
		switch {
		case errors.Is(err, openid.ErrDenied):
			msg = "Identitetsleverantören avbröt inloggningen. Börja om från inloggningssidan."
		case errors.Is(err, openid.ErrAttempt):
			msg = "Inloggningen hörde inte till den här webbläsaren eller tog för lång tid. Börja om från inloggningssidan."
		}
		u.errorPage(c, http.StatusUnauthorized, "Inloggningen misslyckades", msg)
		return
	}
	key, err := u.d.PersonKey("person:"+per.ID(), per.Groups)
	actor := audit.Actor{Kind: audit.ActorPerson, Name: per.Name, Subject: per.ID()}
	if err == nil && !key.Has(auth.Clerk) {
		err = auth.ErrNoGroup
	}
	if err != nil {
		msg := "Ditt konto har ingen behörighet i Utdrag. Be förvaltningen lägga dig i en grupp för registratorer."
		if errors.Is(err, auth.ErrOrganisations) {
			msg = "Dina grupper hör till olika organisationer, så det går inte att avgöra vilken du arbetar för. Be förvaltningen rätta grupperna."
		}
		u.loginFailed(c, actor, "grupperna ger ingen behörighet: "+strings.Join(per.Groups, ", "))
		u.errorPage(c, http.StatusForbidden, "Ingen behörighet", msg)
		return
	}
	gen, _, err := u.generation(ctx, key.Name)
	if err != nil {
		u.fail(c, err)
		return
	}
	sess := u.sessions.login(key)
	sess.Gen, sess.Person, sess.Name, sess.Title = gen, per.ID(), per.Name, per.Title
	sess.TitleEditable = u.d.TitleEditable(key.Organisation)
	if titleEditable(sess) {
		// A title the person chose before wins over the provider's.
		if t, err := u.rememberedTitle(ctx, sess.Person); err != nil {
			u.log.WarnContext(ctx, "clerk: the remembered title is not read", "err", err)
		} else if t != "" {
			sess.Title = t
		}
	}
	if !u.recordLogin(c, sess) {
		return
	}
	u.setSession(c, sess)
	u.d.Tag(c, key.Name, "")
	u.log.InfoContext(ctx, "clerk logged in through the OpenID provider", "person", per.ID())
	c.Redirect(http.StatusSeeOther, localPath(a.Next))
}
