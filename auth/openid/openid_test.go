package openid_test

import (
	"errors"
	"net/url"
	"slices"
	"testing"

	"utdrag/auth/openid"
	"utdrag/internal/oidctest"
)

// redirect is the service's return address; the tests read the provider's
// redirect to it instead of serving it.
const redirect = "http://127.0.0.1:8080/logga-in/oidc"

func provider(t *testing.T) (*openid.Provider, oidctest.Provider) {
	t.Helper()
	tp := oidctest.Start(t)
	p, err := openid.New(t.Context(), openid.Config{
		Issuer: tp.Issuer, ClientID: tp.ClientID, ClientSecret: tp.ClientSecret, RedirectURL: redirect,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p, tp
}

func TestLoginThroughTheProvider(t *testing.T) {
	p, tp := provider(t)
	a, authURL := p.Begin("/utdrag/abc")
	u, _ := url.Parse(authURL)
	q := u.Query()
	// Authorisation code with PKCE (S256), state and nonce.
	if q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("state") != a.State || q.Get("nonce") != a.Nonce || q.Get("redirect_uri") != redirect {
		t.Fatalf("authorisation request %s", u.RawQuery)
	}
	if q.Get("code_challenge") == a.Verifier {
		t.Error("the verifier itself was sent")
	}
	back := oidctest.LogIn(t, oidctest.Browser(t), authURL, "lena", oidctest.Password)
	if got := back.Scheme + "://" + back.Host + back.Path; got != redirect {
		t.Fatalf("sent back to %s, want %s", got, redirect)
	}
	per, err := p.Finish(t.Context(), a, back.Query())
	if err != nil {
		t.Fatal(err)
	}
	lena := tp.Users["lena"]
	if per.Name != "Lena Nordin" || per.Title != "Nämndsekreterare" || per.Email != lena.Email ||
		per.Subject != lena.ID || per.Issuer != tp.Issuer || !slices.Equal(per.Groups, lena.Groups) {
		t.Errorf("person %+v, want %+v", per, lena)
	}
	if per.ID() != tp.Issuer+"#"+lena.ID {
		t.Errorf("ID %q", per.ID())
	}
	// The code is spent: the same answer cannot log in again.
	if _, err := p.Finish(t.Context(), a, back.Query()); !errors.Is(err, openid.ErrToken) {
		t.Errorf("the code used twice: %v, want ErrToken", err)
	}
}

func TestLoginRefusesAnotherBrowsersAnswer(t *testing.T) {
	p, _ := provider(t)
	a, authURL := p.Begin("/")
	back := oidctest.LogIn(t, oidctest.Browser(t), authURL, "nils", oidctest.Password)

	// Another attempt (another browser's cookie) with this answer: state differs.
	other, _ := p.Begin("/")
	if _, err := p.Finish(t.Context(), other, back.Query()); !errors.Is(err, openid.ErrAttempt) {
		t.Errorf("another attempt: %v, want ErrAttempt", err)
	}
	// The right state but another verifier: the provider refuses the code (PKCE).
	forged := a
	forged.Verifier = other.Verifier
	if _, err := p.Finish(t.Context(), forged, back.Query()); !errors.Is(err, openid.ErrToken) {
		t.Errorf("another PKCE verifier: %v, want ErrToken", err)
	}
	// No attempt at all.
	if _, err := p.Finish(t.Context(), openid.Attempt{}, back.Query()); !errors.Is(err, openid.ErrAttempt) {
		t.Errorf("no attempt: %v, want ErrAttempt", err)
	}
	// The provider's refusal.
	if _, err := p.Finish(t.Context(), a, url.Values{"error": {"access_denied"}, "state": {a.State}}); !errors.Is(err, openid.ErrDenied) {
		t.Errorf("access_denied: %v, want ErrDenied", err)
	}
}

func TestNonceMustMatch(t *testing.T) {
	p, _ := provider(t)
	a, authURL := p.Begin("/")
	back := oidctest.LogIn(t, oidctest.Browser(t), authURL, "lena", oidctest.Password)
	a.Nonce = "another"
	if _, err := p.Finish(t.Context(), a, back.Query()); !errors.Is(err, openid.ErrToken) {
		t.Errorf("another nonce: %v, want ErrToken", err)
	}
}

func TestDiscoveryRefusesAnotherIssuer(t *testing.T) {
	tp := oidctest.Start(t)
	u, _ := url.Parse(tp.Issuer)
	u.Host = "localhost:" + u.Port() // the same server under another name
	if _, err := openid.New(t.Context(), openid.Config{Issuer: u.String(), ClientID: "x", ClientSecret: "y", RedirectURL: redirect}); err == nil {
		t.Error("a provider that names another issuer was accepted")
	}
}
