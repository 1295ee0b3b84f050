package index

// Exported for the external tests.
var (
	Stem      = stem
	Words     = words
	CaseParts = caseParts
	OrgToken  = orgToken
)
