package index

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migration is one step of the schema, the same tables and columns on both
// databases; only types and the full-text machinery differ.
type migration struct {
	version          int
	sqlite, postgres string
}

// migrations, oldest first. Never change one that has shipped: add the
// next version.
var migrations = []migration{{
	version: 1,
	sqlite: `
CREATE TABLE extracts (
	seq             INTEGER PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,
	organisation    TEXT NOT NULL,
	organ           TEXT NOT NULL,
	organ_key       TEXT NOT NULL,
	meeting_date    TEXT NOT NULL,
	first_paragraph INTEGER NOT NULL,
	certified       INTEGER NOT NULL,
	certifications  INTEGER NOT NULL,
	dist_state      INTEGER NOT NULL DEFAULT 0,
	dist_updated    TEXT NOT NULL DEFAULT '',
	created         TEXT NOT NULL,
	record          TEXT NOT NULL,
	distribution    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX extracts_newest ON extracts (meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_org_newest ON extracts (organisation, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_organ_newest ON extracts (organ_key, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_org_organ_newest ON extracts (organisation, organ_key, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_cert_newest ON extracts (certified, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_org_cert_newest ON extracts (organisation, certified, meeting_date DESC, first_paragraph, id);
CREATE TABLE extract_paragraphs (
	number INTEGER NOT NULL,
	seq    INTEGER NOT NULL,
	PRIMARY KEY (number, seq)
) WITHOUT ROWID;
CREATE TABLE extract_cases (
	part  TEXT NOT NULL,
	whole INTEGER NOT NULL,
	seq   INTEGER NOT NULL,
	PRIMARY KEY (part, seq, whole)
) WITHOUT ROWID;
CREATE TABLE organs (
	organisation TEXT NOT NULL,
	organ_key    TEXT NOT NULL,
	PRIMARY KEY (organisation, organ_key)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE extracts_text USING fts5(
	stems, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
);
CREATE TABLE pending (
	id    TEXT PRIMARY KEY,
	token TEXT NOT NULL,
	since INTEGER NOT NULL
);
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);`,
	postgres: `
CREATE TABLE extracts (
	seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id              text COLLATE "C" NOT NULL UNIQUE,
	organisation    text COLLATE "C" NOT NULL,
	organ           text NOT NULL,
	organ_key       text COLLATE "C" NOT NULL,
	meeting_date    text COLLATE "C" NOT NULL,
	first_paragraph integer NOT NULL,
	certified       smallint NOT NULL,
	certifications  integer NOT NULL,
	dist_state      smallint NOT NULL DEFAULT 0,
	dist_updated    text COLLATE "C" NOT NULL DEFAULT '',
	created         text NOT NULL,
	record          text NOT NULL,
	distribution    text NOT NULL DEFAULT '',
	search          tsvector NOT NULL
);
CREATE INDEX extracts_newest ON extracts (meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_org_newest ON extracts (organisation, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_organ_newest ON extracts (organ_key, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_org_organ_newest ON extracts (organisation, organ_key, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_cert_newest ON extracts (certified, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_org_cert_newest ON extracts (organisation, certified, meeting_date DESC, first_paragraph, id);
CREATE INDEX extracts_search ON extracts USING gin (search);
CREATE TABLE extract_paragraphs (
	number integer NOT NULL,
	seq    bigint NOT NULL,
	PRIMARY KEY (number, seq)
);
CREATE TABLE extract_cases (
	part  text COLLATE "C" NOT NULL,
	whole smallint NOT NULL,
	seq   bigint NOT NULL,
	PRIMARY KEY (part, seq, whole)
);
CREATE TABLE organs (
	organisation text COLLATE "C" NOT NULL,
	organ_key    text COLLATE "C" NOT NULL,
	PRIMARY KEY (organisation, organ_key)
);
CREATE TABLE pending (
	id    text PRIMARY KEY,
	token text NOT NULL,
	since bigint NOT NULL
);
CREATE TABLE settings (
	key   text PRIMARY KEY,
	value text NOT NULL
);`,
}, {
	// Searches read GIN's pending list of new entries from start to end
	// until a vacuum merges it: with many writes between vacuums that
	// costs every search milliseconds. Entries go straight into the index.
	version: 2,
	sqlite:  `SELECT 1`,
	postgres: `ALTER INDEX extracts_search SET (fastupdate = off);
SELECT gin_clean_pending_list('extracts_search'::regclass);`,
}, {
	// The SQLite full-text index gains a word per organisation: its
	// content is made anew by a rebuild from storage, which the service
	// starts by itself when the index was never (or is no longer) built.
	version: 3,
	sqlite: `DELETE FROM extracts; DELETE FROM extract_paragraphs; DELETE FROM extract_cases;
DELETE FROM organs; DELETE FROM extracts_text; DELETE FROM settings WHERE key IN ('rebuilt', 'analyzed_rows');`,
	postgres: `SELECT 1`,
}, {
	// The organisation's word (orgToken) in every row's tsvector.
	version: 4,
	sqlite:  `SELECT 1`,
	postgres: `UPDATE extracts SET search = search ||
	array_to_tsvector(ARRAY['0org' || left(encode(sha256(convert_to(organisation, 'UTF8')), 'hex'), 16)]);`,
}, {
	// Whether every paragraph is justerad, for the filter on it: an
	// extract's justering is fixed when it is made, so the rows written
	// before are read from their record once.
	version: 5,
	sqlite: `ALTER TABLE extracts ADD COLUMN adjusted INTEGER NOT NULL DEFAULT 1;
UPDATE extracts SET adjusted = 0 WHERE EXISTS (
	SELECT 1 FROM json_each(extracts.record, '$.justering') WHERE json_extract(value, '$.state') = 'pending');`,
	postgres: `ALTER TABLE extracts ADD COLUMN adjusted smallint NOT NULL DEFAULT 1;
UPDATE extracts SET adjusted = 0 WHERE record::jsonb -> 'justering' @> '[{"state": "pending"}]'::jsonb;`,
}, {
	// The audit trail (package audit), found by extract, meeting, person
	// and action; audit.Log.CatchUp fills it again from storage.
	version:  6,
	sqlite:   auditSchema,
	postgres: auditSchema,
}, {
	// The drafts (ej justerade) are few, and a clerk asks for them: a
	// partial index holds them alone, newest first, and costs nothing to
	// keep for the justerade.
	version:  7,
	sqlite:   `CREATE INDEX extracts_drafts ON extracts (organisation, meeting_date DESC, first_paragraph, id) WHERE adjusted = 0`,
	postgres: `CREATE INDEX extracts_drafts ON extracts (organisation, meeting_date DESC, first_paragraph, id) WHERE adjusted = 0`,
}, {
	// The SQLite full-text index keeps each word also as the
	// organisation's own (ftsText) in place of the organisation's word,
	// and rowids alone (detail=none: a search asks for words, never for
	// phrases). Made anew by a rebuild from storage, as in version 3.
	version: 8,
	sqlite: `DROP TABLE extracts_text;
CREATE VIRTUAL TABLE extracts_text USING fts5(
	stems, content='', contentless_delete=1, detail=none, tokenize='unicode61 remove_diacritics 0'
);
DELETE FROM extracts; DELETE FROM extract_paragraphs; DELETE FROM extract_cases;
DELETE FROM organs; DELETE FROM settings WHERE key IN ('rebuilt', 'analyzed_rows');`,
	// Each lexeme also as the organisation's own (searchVector), in
	// place of the organisation's word.
	postgres: `UPDATE extracts SET search = (SELECT array_to_tsvector(coalesce(array_agg(l), '{}')) || array_to_tsvector(coalesce(array_agg(s || l), '{}'))
	FROM unnest(tsvector_to_array(search)) AS l,
		(SELECT '1' || left(encode(sha256(convert_to(organisation, 'UTF8')), 'hex'), 8) AS s) AS scope
	WHERE l NOT LIKE '0org%');`,
}, {
	// The protocols, one row each with its record as listing shows it
	// (ProtocolRecord without the paragraphs' text), found by
	// organisation, organ and meeting, and by the day their anslag went
	// up (empty: not posted) for the notice board. Filled from storage by
	// RebuildProtocols, which the reconciler starts when it never ran.
	version:  9,
	sqlite:   protocolSchema,
	postgres: protocolSchema,
}, {
	// Each paragraph row names its extract's organisation, so that a
	// search by § within one organisation reads that organisation's rows
	// alone, not every organisation's extracts holding those §. The
	// statistics are made anew (Optimize) for the new index.
	version: 10,
	sqlite: `ALTER TABLE extract_paragraphs ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
UPDATE extract_paragraphs SET organisation = coalesce((SELECT e.organisation FROM extracts e WHERE e.seq = extract_paragraphs.seq), '');
CREATE INDEX extract_paragraphs_org ON extract_paragraphs (organisation, number, seq);
DELETE FROM settings WHERE key = 'analyzed_rows';`,
	postgres: `ALTER TABLE extract_paragraphs ADD COLUMN organisation text COLLATE "C" NOT NULL DEFAULT '';
UPDATE extract_paragraphs p SET organisation = e.organisation FROM extracts e WHERE e.seq = p.seq;
CREATE INDEX extract_paragraphs_org ON extract_paragraphs (organisation, number, seq);
DELETE FROM settings WHERE key = 'analyzed_rows';`,
}}

// protocolSchema is the same on both databases. The columns a listing is
// ordered or bounded by hold fixed-width ISO dates and times and hex ids,
// which sort alike in every collation; the others are compared for
// equality only.
const protocolSchema = `
CREATE TABLE protocols (
	id             TEXT NOT NULL PRIMARY KEY,
	organisation   TEXT NOT NULL,
	organ_key      TEXT NOT NULL,
	meeting_date   TEXT NOT NULL,
	created        TEXT NOT NULL,
	posted         TEXT NOT NULL,
	certifications INTEGER NOT NULL,
	record         TEXT NOT NULL
);
CREATE INDEX protocols_org_newest ON protocols (organisation, meeting_date DESC, created DESC, id);
CREATE INDEX protocols_newest ON protocols (meeting_date DESC, created DESC, id);
CREATE INDEX protocols_org_posted ON protocols (organisation, posted);`

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// migrate applies the migrations not yet applied, in one transaction that
// holds the database's migration lock (an advisory lock on PostgreSQL, the
// write lock on SQLite): replicas starting at once apply each migration
// exactly once, and the others wait and find it done.
func (ix *Index) migrate(ctx context.Context) error {
	tx, err := ix.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("index: starting migration: %w", err)
	}
	defer tx.Rollback()
	if ix.d.postgres {
		// A fixed key: every Utdrag replica on this database takes the same lock.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7412503021)`); err != nil {
			return fmt.Errorf("index: taking the migration lock: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied text NOT NULL)`); err != nil {
		return fmt.Errorf("index: creating schema_migrations: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("index: reading schema version: %w", err)
	}
	if have > SchemaVersion() {
		return fmt.Errorf("index: the database has schema version %d, newer than this build's %d", have, SchemaVersion())
	}
	for _, m := range migrations {
		if m.version <= have {
			continue
		}
		stmt := m.sqlite
		if ix.d.postgres {
			stmt = m.postgres
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("index: applying migration %d: %w", m.version, err)
		}
		if _, err := tx.ExecContext(ctx, ix.d.bind(`INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`),
			m.version, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("index: recording migration %d: %w", m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("index: committing migrations: %w", err)
	}
	return nil
}

// execer is what a statement runs on: the database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
