// Package oidctest is the test side of scripts/with-oidc.sh: the provider
// it started, its users, and a browser's steps through the provider's
// login page.
//
// It may import the standard library and testing.
package oidctest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"strings"
	"testing"
)

// The environment scripts/with-oidc.sh sets.
const (
	EnvIssuer = "UTDRAG_TEST_OIDC_ISSUER"
	EnvClient = "UTDRAG_TEST_OIDC_CLIENT_ID"
	EnvSecret = "UTDRAG_TEST_OIDC_CLIENT_SECRET"
	EnvUsers  = "UTDRAG_TEST_OIDC_USERS"
)

// Password is every test user's password.
const Password = "utdrag-test"

// Provider is the test provider.
type Provider struct {
	Issuer, ClientID, ClientSecret string
	Users                          map[string]User // by username
}

// User is a test user as the users file holds it.
type User struct {
	ID, Username, FirstName, LastName, Email, Title string
	Groups                                          []string
}

// Name is the user's name as the provider gives it.
func (u User) Name() string { return u.FirstName + " " + u.LastName }

// Start returns the provider scripts/with-oidc.sh started. Without it the
// test fails in CI (CI is set), where a test that needs the provider must
// never be skipped, and is skipped elsewhere.
func Start(t testing.TB) Provider {
	t.Helper()
	p := Provider{Issuer: os.Getenv(EnvIssuer), ClientID: os.Getenv(EnvClient), ClientSecret: os.Getenv(EnvSecret)}
	users := os.Getenv(EnvUsers)
	if p.Issuer == "" || p.ClientID == "" || p.ClientSecret == "" || users == "" {
		msg := "oidctest: no test OpenID provider (" + EnvIssuer + " unset); run `make test` or scripts/with-oidc.sh go test ./..."
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	raw, err := os.ReadFile(users)
	if err != nil {
		t.Fatalf("oidctest: %v", err)
	}
	byID := map[string]User{}
	if err := json.Unmarshal(raw, &byID); err != nil {
		t.Fatalf("oidctest: reading %s: %v", users, err)
	}
	p.Users = map[string]User{}
	for _, u := range byID {
		p.Users[u.Username] = u
	}
	return p
}

// Browser is a client with cookies that does not follow redirects, so a
// test sees each step.
func Browser(t testing.TB) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// LogIn takes a browser from the provider's authorisation address (where
// the service sent it) through the provider's login page with username
// and password, and returns where the provider sends it back: the
// service's redirect address with the code and state.
func LogIn(t testing.TB, b *http.Client, authURL, username, password string) *url.URL {
	t.Helper()
	loc := authURL
	for range 10 {
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatalf("oidctest: %q: %v", loc, err)
		}
		var resp *http.Response
		if id := u.Query().Get("authRequestID"); strings.HasSuffix(u.Path, "/login/username") && id != "" {
			// The login page: its form posts id, username and password.
			form := url.Values{"id": {id}, "username": {username}, "password": {password}}
			resp, err = b.PostForm(u.ResolveReference(&url.URL{Path: "/login/username"}).String(), form)
		} else {
			resp, err = b.Get(loc)
		}
		if err != nil {
			t.Fatalf("oidctest: %v", err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		next := resp.Header.Get("Location")
		if resp.StatusCode/100 != 3 || next == "" {
			t.Fatalf("oidctest: %s answered %d without a redirect: %s", loc, resp.StatusCode, body)
		}
		to, err := resp.Request.URL.Parse(next)
		if err != nil {
			t.Fatalf("oidctest: redirect %q: %v", next, err)
		}
		if !strings.HasPrefix(to.String(), strings.TrimSuffix(issuerOf(authURL), "/")) {
			return to // back to the service
		}
		loc = to.String()
	}
	t.Fatal(fmt.Sprintf("oidctest: too many redirects from %s", authURL))
	return nil
}

func issuerOf(authURL string) string {
	u, _ := url.Parse(authURL)
	return u.Scheme + "://" + u.Host + "/"
}
