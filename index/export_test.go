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

// RedoParagraphOrganisations forgets the organisation of every paragraph
// row and fills it again from the extracts as migration 10 does for the
// rows written before it.
func (ix *Index) RedoParagraphOrganisations(ctx context.Context) error {
	m := migrations[9]
	stmt := m.sqlite
	if ix.d.postgres {
		stmt = m.postgres
	}
	stmts := strings.Split(stmt, ";\n")
	if _, err := ix.w.ExecContext(ctx, `UPDATE extract_paragraphs SET organisation = ''`); err != nil {
		return err
	}
	_, err := ix.w.ExecContext(ctx, stmts[1])
	return err
}
