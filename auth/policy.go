package auth

// Policy maps a route, "METHOD /pattern" (the pattern as the router
// registered it, e.g. "GET /v1/extracts/:id"), to the roles besides Admin
// that may use it. A route missing from the policy is for Admin only, so a
// new route is closed until someone opens it.
type Policy map[string][]Role

// Allows reports whether key may use route.
func (p Policy) Allows(key *Key, route string) bool {
	return key.Has(p[route]...)
}
