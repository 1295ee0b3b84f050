package index

import (
	"context"
	"database/sql"
)

// Organs lists the organs of an organisation's indexed extracts (every
// organisation's when it is empty), each once by its folded name, in the
// spelling of its newest extract, ordered by that name: what a search
// form offers to choose from.
func (ix *Index) Organs(ctx context.Context, organisation string) ([]string, error) {
	q := `SELECT (SELECT e.organ FROM extracts e WHERE e.organisation = o.organisation AND e.organ_key = o.organ_key
		ORDER BY e.meeting_date DESC LIMIT 1) FROM organs o`
	var args []any
	if organisation != "" {
		q += ` WHERE o.organisation = ?`
		args = append(args, organisation)
	}
	q += ` ORDER BY o.organ_key`
	rows, err := ix.r.QueryContext(ctx, ix.d.bind(q), args...)
	if err != nil {
		return nil, unavailable("listing organs", err)
	}
	defer rows.Close()
	var out []string
	seen := map[string]bool{}
	for rows.Next() {
		var name sql.NullString
		if err := rows.Scan(&name); err != nil {
			return nil, unavailable("listing organs", err)
		}
		// An organ whose extracts are all gone has no name; the same organ
		// in two organisations is offered once.
		if k := foldCase(name.String); name.Valid && !seen[k] {
			seen[k] = true
			out = append(out, name.String)
		}
	}
	return out, unavailable("listing organs", rows.Err())
}
