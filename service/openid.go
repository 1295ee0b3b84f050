package service

import (
	"errors"
	"strings"

	"utdrag/auth/openid"
)

// OpenIDReturnPath is where the provider sends the browser back (the
// clerk pages serve it); register PublicURL + this path with the provider.
const OpenIDReturnPath = "/logga-in/oidc"

// openIDFromEnv reads the personal login's provider: UTDRAG_OIDC_ISSUER,
// UTDRAG_OIDC_CLIENT_ID, UTDRAG_OIDC_CLIENT_SECRET (all three, or none:
// API keys only), UTDRAG_OIDC_SCOPES (space-separated, besides openid),
// UTDRAG_OIDC_GROUPS_CLAIM and UTDRAG_OIDC_TITLE_CLAIM.
func openIDFromEnv(getenv func(string) string, publicURL, authFile string) (openid.Config, error) {
	c := openid.Config{
		Issuer:       strings.TrimSpace(getenv("UTDRAG_OIDC_ISSUER")),
		ClientID:     strings.TrimSpace(getenv("UTDRAG_OIDC_CLIENT_ID")),
		ClientSecret: strings.TrimSpace(getenv("UTDRAG_OIDC_CLIENT_SECRET")),
		GroupsClaim:  strings.TrimSpace(getenv("UTDRAG_OIDC_GROUPS_CLAIM")),
		TitleClaim:   strings.TrimSpace(getenv("UTDRAG_OIDC_TITLE_CLAIM")),
		RedirectURL:  publicURL + OpenIDReturnPath,
	}
	if v := getenv("UTDRAG_OIDC_SCOPES"); strings.TrimSpace(v) != "" {
		c.Scopes = strings.Fields(v)
	}
	set := 0
	for _, v := range []string{c.Issuer, c.ClientID, c.ClientSecret} {
		if v != "" {
			set++
		}
	}
	switch {
	case set == 0:
		return openid.Config{}, nil
	case set < 3:
		return c, errors.New("UTDRAG_OIDC_ISSUER, UTDRAG_OIDC_CLIENT_ID and UTDRAG_OIDC_CLIENT_SECRET: set all three for personal login, or none")
	case authFile == "":
		return c, errors.New("UTDRAG_OIDC_ISSUER needs UTDRAG_AUTH_FILE: its groups map people's groups to roles and organisations")
	}
	return c, nil
}
