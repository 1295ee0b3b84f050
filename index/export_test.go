package index

import "context"

// Exported for the external tests.
var (
	Stem      = stem
	Words     = words
	CaseParts = caseParts
	OrgScope  = orgScope
)

// OpenAt opens an index with its schema brought up to version v only, as
// an older build left it. Not for parallel tests.
func OpenAt(ctx context.Context, rawURL string, v int) (*Index, error) {
	all := migrations
	migrations = migrations[:v]
	defer func() { migrations = all }()
	return Open(ctx, rawURL, Options{})
}

// Exec runs a statement on the index's database.
func (ix *Index) Exec(ctx context.Context, q string, args ...any) error {
	_, err := ix.w.ExecContext(ctx, q, args...)
	return err
}
