package index

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"utdrag/audit"
)

// auditSchema is the same on both databases. The id sorts as the events
// happened (see audit.Event), so it orders the answers.
const auditSchema = `CREATE TABLE audit_events (
	id text PRIMARY KEY,
	at_ns bigint NOT NULL,
	action text NOT NULL,
	actor_name text NOT NULL,
	actor_subject text NOT NULL,
	organisation text NOT NULL,
	extract_id text NOT NULL,
	organ text NOT NULL,
	meeting_date text NOT NULL,
	event text NOT NULL
);
CREATE INDEX audit_events_extract ON audit_events (extract_id, id);
CREATE INDEX audit_events_meeting ON audit_events (meeting_date, organ, id);
CREATE INDEX audit_events_at ON audit_events (at_ns);`

// AddAudit adds events to the index; one it holds already stays as it is.
func (ix *Index) AddAudit(ctx context.Context, events ...audit.Event) error {
	return ix.inTx(ctx, "writing audit events", func(tx *txw) error {
		for _, e := range events {
			raw, err := json.Marshal(e)
			if err != nil {
				return fmt.Errorf("encoding audit event %s: %w", e.ID, err)
			}
			if _, err := tx.ExecContext(ctx, ix.d.bind(`INSERT INTO audit_events
				(id, at_ns, action, actor_name, actor_subject, organisation, extract_id, organ, meeting_date, event)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
				e.ID, e.At.UnixNano(), string(e.Action), e.Actor.Name, e.Actor.Subject, e.Organisation,
				e.Extract, e.Organ, e.MeetingDate, string(raw)); err != nil {
				return err
			}
		}
		return nil
	})
}

// QueryAudit answers q, oldest first; when more events match than q's
// limit, the newest are kept.
func (ix *Index) QueryAudit(ctx context.Context, q audit.Query) ([]audit.Event, error) {
	var where []string
	var args []any
	eq := func(col, v string) {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	eq("extract_id", q.Extract)
	eq("organisation", q.Organisation)
	eq("organ", q.Organ)
	eq("meeting_date", q.MeetingDate)
	eq("action", string(q.Action))
	if q.Actor != "" {
		where = append(where, "(actor_name = ? OR actor_subject = ?)")
		args = append(args, q.Actor, q.Actor)
	}
	if !q.From.IsZero() {
		where = append(where, "at_ns >= ?")
		args = append(args, q.From.UnixNano())
	}
	if !q.To.IsZero() {
		where = append(where, "at_ns < ?")
		args = append(args, q.To.UnixNano())
	}
	sql := `SELECT event FROM audit_events`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY id DESC LIMIT ?"
	rows, err := ix.r.QueryContext(ctx, ix.d.bind(sql), append(args, q.Lim())...)
	if err != nil {
		return nil, unavailable("querying audit events", err)
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, unavailable("reading audit events", err)
		}
		var e audit.Event
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return nil, fmt.Errorf("index: decoding audit event: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("reading audit events", err)
	}
	slices.Reverse(out)
	return out, nil
}

// AuditLatest is the time of the newest event the index holds (zero: none).
func (ix *Index) AuditLatest(ctx context.Context) (time.Time, error) {
	var ns sql.NullInt64
	if err := ix.r.QueryRowContext(ctx, `SELECT max(at_ns) FROM audit_events`).Scan(&ns); err != nil {
		return time.Time{}, unavailable("reading the newest audit event", err)
	}
	if !ns.Valid {
		return time.Time{}, nil
	}
	return time.Unix(0, ns.Int64).UTC(), nil
}
