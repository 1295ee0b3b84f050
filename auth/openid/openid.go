// Package openid logs people in through an OpenID Connect provider: the
// authorisation code flow with PKCE (S256), a state that ties the answer
// to the browser that asked and a nonce that ties the ID token to this
// login; the ID token is verified with the provider's published keys. The
// person's name, title and groups come from the ID token, completed by
// the userinfo endpoint.
//
// The caller keeps an Attempt between the redirect to the provider and
// the return (the clerk pages keep it in a signed, short-lived cookie);
// nothing is kept in the process, so any replica can finish a login.
//
// It may import the standard library, golang.org/x/oauth2 and
// github.com/coreos/go-oidc, nothing of this module.
package openid

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config names the provider and this service's registration with it.
type Config struct {
	Issuer       string // UTDRAG_OIDC_ISSUER
	ClientID     string // UTDRAG_OIDC_CLIENT_ID
	ClientSecret string // UTDRAG_OIDC_CLIENT_SECRET
	// RedirectURL is where the provider sends the browser back: the
	// service's public URL + /logga-in/oidc.
	RedirectURL string
	// Scopes are asked for besides openid (default: profile, email).
	Scopes []string // UTDRAG_OIDC_SCOPES
	// GroupsClaim names the claim that lists the person's groups or roles
	// (default "groups"; "roles" for some providers).
	GroupsClaim string // UTDRAG_OIDC_GROUPS_CLAIM
	// TitleClaim names the claim with the person's title (default
	// "title"; "jobTitle" for some providers).
	TitleClaim string // UTDRAG_OIDC_TITLE_CLAIM
	// HTTPClient talks to the provider (nil: a client with a 10 s timeout).
	HTTPClient *http.Client
}

// Provider is one OpenID provider, discovered.
type Provider struct {
	cfg      Config
	provider *gooidc.Provider
	oauth    oauth2.Config
	verifier *gooidc.IDTokenVerifier
	now      func() time.Time
}

// AttemptTTL bounds how long a person may take at the provider.
const AttemptTTL = 10 * time.Minute

// New discovers the provider at cfg.Issuer (its
// /.well-known/openid-configuration); the issuer it names must be
// cfg.Issuer exactly.
func New(ctx context.Context, cfg Config) (*Provider, error) {
	switch {
	case cfg.Issuer == "" || cfg.ClientID == "" || cfg.ClientSecret == "":
		return nil, errors.New("openid: the issuer, the client id and the client secret are required")
	case cfg.RedirectURL == "":
		return nil, errors.New("openid: no redirect address")
	}
	if cfg.Scopes == nil {
		cfg.Scopes = []string{"profile", "email"}
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if cfg.TitleClaim == "" {
		cfg.TitleClaim = "title"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	p, err := gooidc.NewProvider(gooidc.ClientContext(ctx, cfg.HTTPClient), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("openid: discovering %s: %w", cfg.Issuer, err)
	}
	return &Provider{
		cfg:      cfg,
		provider: p,
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: append([]string{gooidc.ScopeOpenID}, cfg.Scopes...),
		},
		verifier: p.Verifier(&gooidc.Config{ClientID: cfg.ClientID}),
		now:      time.Now,
	}, nil
}

// Issuer is the provider's issuer.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// Attempt is one login between the redirect to the provider and the
// return: what the return is checked against. It holds secrets (the PKCE
// verifier): keep it where only this browser and the server can read it,
// signed, never in a URL.
type Attempt struct {
	State    string `json:"state"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
	Next     string `json:"next"` // the page to go to after logging in
	Expires  int64  `json:"exp"`
}

// Begin starts a login that returns to next: the attempt to keep and the
// provider's address to send the browser to.
func (p *Provider) Begin(next string) (Attempt, string) {
	a := Attempt{
		State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(),
		Next: next, Expires: p.now().Add(AttemptTTL).Unix(),
	}
	u := p.oauth.AuthCodeURL(a.State, gooidc.Nonce(a.Nonce), oauth2.S256ChallengeOption(a.Verifier))
	return a, u
}

// Person is who logged in.
type Person struct {
	Issuer  string   `json:"iss"`
	Subject string   `json:"sub"`
	Name    string   `json:"name"`
	Email   string   `json:"email,omitempty"`
	Title   string   `json:"title,omitempty"`
	Groups  []string `json:"groups,omitempty"`
}

// ID is the person's identity across name changes: issuer and subject.
func (p Person) ID() string { return p.Issuer + "#" + p.Subject }

// Errors of Finish. Each is wrapped with what the provider said, if
// anything; the person sees a message by its kind.
var (
	// ErrDenied: the provider answered with an error (the person
	// cancelled, or may not use this client).
	ErrDenied = errors.New("openid: the provider refused the login")
	// ErrAttempt: the answer does not belong to this browser's attempt
	// (another state, none, or an attempt that expired).
	ErrAttempt = errors.New("openid: the answer does not match the login begun in this browser")
	// ErrToken: the code could not be exchanged, or the ID token is not
	// valid (signature, issuer, audience, expiry, nonce).
	ErrToken = errors.New("openid: the provider's token was not accepted")
)

// Finish checks the provider's answer (the query of the redirect back)
// against the attempt, exchanges the code with the PKCE verifier, verifies
// the ID token, and reads who logged in.
func (p *Provider) Finish(ctx context.Context, a Attempt, q url.Values) (Person, error) {
	if e := q.Get("error"); e != "" {
		return Person{}, fmt.Errorf("%w: %s %s", ErrDenied, e, q.Get("error_description"))
	}
	if a.State == "" || q.Get("state") != a.State || p.now().Unix() >= a.Expires {
		return Person{}, ErrAttempt
	}
	code := q.Get("code")
	if code == "" {
		return Person{}, fmt.Errorf("%w: no code", ErrToken)
	}
	ctx = gooidc.ClientContext(ctx, p.cfg.HTTPClient)
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(a.Verifier))
	if err != nil {
		return Person{}, fmt.Errorf("%w: exchanging the code: %v", ErrToken, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Person{}, fmt.Errorf("%w: no ID token", ErrToken)
	}
	id, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return Person{}, fmt.Errorf("%w: %v", ErrToken, err)
	}
	if id.Nonce != a.Nonce {
		return Person{}, fmt.Errorf("%w: the nonce differs", ErrToken)
	}
	claims := map[string]any{}
	if err := id.Claims(&claims); err != nil {
		return Person{}, fmt.Errorf("%w: reading claims: %v", ErrToken, err)
	}
	// The userinfo endpoint completes what the ID token leaves out (many
	// providers put the profile there only); the ID token's subject must
	// be the same person.
	if info, err := p.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		more := map[string]any{}
		if err := info.Claims(&more); err == nil && info.Subject == id.Subject {
			for k, v := range more {
				if _, has := claims[k]; !has {
					claims[k] = v
				}
			}
		}
	}
	return p.person(id.Issuer, id.Subject, claims), nil
}

func (p *Provider) person(iss, sub string, c map[string]any) Person {
	str := func(k string) string { s, _ := c[k].(string); return strings.TrimSpace(s) }
	per := Person{Issuer: iss, Subject: sub, Email: str("email"), Title: str(p.cfg.TitleClaim)}
	per.Name = str("name")
	if per.Name == "" {
		per.Name = strings.TrimSpace(str("given_name") + " " + str("family_name"))
	}
	for _, k := range []string{"preferred_username", "email"} {
		if per.Name == "" {
			per.Name = str(k)
		}
	}
	if per.Name == "" {
		per.Name = sub
	}
	switch g := c[p.cfg.GroupsClaim].(type) {
	case []any:
		for _, v := range g {
			if s, ok := v.(string); ok {
				per.Groups = append(per.Groups, s)
			}
		}
	case string: // a provider that sends one group as a string
		per.Groups = strings.Fields(g)
	}
	return per
}
