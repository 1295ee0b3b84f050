package index

import (
	"context"
	"strings"
)

// Exported for the external tests.
var (
	Stem      = stem
	Words     = words
	CaseParts = caseParts
	OrgToken  = orgToken
)

// RedoAdjusted forgets which rows are drafts and works it out again from
// their records as migration 5 does for the rows written before it.
func (ix *Index) RedoAdjusted(ctx context.Context) error {
	m := migrations[4]
	stmt := m.sqlite
	if ix.d.postgres {
		stmt = m.postgres
	}
	_, backfill, _ := strings.Cut(stmt, ";\n")
	if _, err := ix.w.ExecContext(ctx, `UPDATE extracts SET adjusted = 1`); err != nil {
		return err
	}
	_, err := ix.w.ExecContext(ctx, backfill)
	return err
}
