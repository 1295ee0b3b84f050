package index

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"utdrag/archive"
	"utdrag/distribute"
	"utdrag/extract"
)

// Distribution is what the index keeps of an extract's distribution
// record: enough to show and filter on it without reading the record.
type Distribution struct {
	Updated    time.Time         `json:"updated"`
	LeaseUntil time.Time         `json:"leaseUntil,omitzero"`
	Counts     distribute.Counts `json:"counts"`
}

// Done reports whether nothing is left to send.
func (d *Distribution) Done() bool { return d != nil && d.Counts.Pending == 0 }

func summarise(r *distribute.Record) *Distribution {
	d := &Distribution{Updated: r.Updated, Counts: r.Counts}
	if r.Lease != nil {
		d.LeaseUntil = r.Lease.Until
	}
	return d
}

// Distribution states as the index stores them (dist_state).
const (
	distNone    = 0
	distPending = 1 // a record exists with addresses still to send
	distDone    = 2 // nothing left to send
)

// Put writes the index rows of records read from storage (or just written
// to it). A record the index holds already is replaced only by one with at
// least as many certifications: a slow writer never takes a newer state
// back. The extract's content (paragraphs, case numbers, text) is fixed by
// its id and written once.
func (ix *Index) Put(ctx context.Context, recs ...*archive.Record) error {
	return ix.inTx(ctx, "writing records", func(tx *txw) error {
		if err := ix.putOrgans(ctx, tx, recs...); err != nil {
			return err
		}
		for _, rec := range recs {
			if err := ix.put(ctx, tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func (ix *Index) inTx(ctx context.Context, what string, f func(tx *txw) error) error {
	return ix.transact(ctx, what, false, f)
}

// inTxLazy is inTx for writes that a mark, or storage, can repeat: on
// PostgreSQL the commit does not wait for its log to reach the disk. A
// crash of the database may lose the last of them, never a mark made
// before them (a durable commit flushes every earlier one), so the
// reconciler repairs what was lost.
func (ix *Index) inTxLazy(ctx context.Context, what string, f func(tx *txw) error) error {
	return ix.transact(ctx, what, true, f)
}

func (ix *Index) transact(ctx context.Context, what string, lazy bool, f func(tx *txw) error) error {
	tx, err := ix.w.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(what, err)
	}
	if lazy && ix.d.postgres {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit TO off`); err != nil {
			tx.Rollback()
			return unavailable(what, err)
		}
	}
	w := &txw{tx: tx, direct: ix.d.postgres}
	defer w.close()
	if err := f(w); err != nil {
		tx.Rollback()
		return unavailable(what, err)
	}
	return unavailable(what, tx.Commit())
}

// txw is a write transaction that prepares each statement once: a batch
// of records runs the same few statements many times. On PostgreSQL the
// driver keeps each connection's statements prepared by itself, and an
// explicit preparation would only add round trips to every transaction.
type txw struct {
	tx     *sql.Tx
	direct bool // run statements as they are (PostgreSQL)
	stmts  map[string]*sql.Stmt
}

func (w *txw) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	w.stmts[q] = st
	return st, nil
}

// ExecContext runs a statement without arguments, or on PostgreSQL,
// directly, others prepared.
func (w *txw) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if len(args) == 0 || w.direct {
		return w.tx.ExecContext(ctx, q, args...)
	}
	st, err := w.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// scanRow runs a query (prepared but on PostgreSQL) and scans its one row
// (sql.ErrNoRows when there is none).
func (w *txw) scanRow(ctx context.Context, q string, args []any, dest ...any) error {
	if w.direct {
		return w.tx.QueryRowContext(ctx, q, args...).Scan(dest...)
	}
	st, err := w.stmt(ctx, q)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

func (w *txw) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

func (ix *Index) put(ctx context.Context, tx *txw, rec *archive.Record) error {
	if rec == nil || rec.ID == "" {
		return errors.New("a record without id")
	}
	shown := *rec
	shown.Extract = nil
	raw, err := json.Marshal(&shown)
	if err != nil {
		return fmt.Errorf("encoding record %s: %w", rec.ID, err)
	}
	certified := 0
	if rec.Certified() != nil {
		certified = 1
	}
	first := 0
	if len(rec.Paragraphs) > 0 {
		first = rec.Paragraphs[0]
	}
	organKey := foldCase(rec.Organ)
	adjusted := boolInt(len(extract.Pending(rec.Justering)) == 0)
	cols := `id, organisation, organ, organ_key, meeting_date, first_paragraph, certified, certifications, created, record, adjusted`
	vals := `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`
	args := []any{rec.ID, rec.Organisation.ID, rec.Organ, organKey, rec.MeetingDate, first,
		certified, len(rec.Certifications), timeText(rec.Created), string(raw), adjusted}
	text := searchText(rec)
	if ix.d.postgres {
		cols += `, search`
		vals += `, ` + searchVector
		args = append(args, orgScope(rec.Organisation.ID), foldText(text))
	}
	var seq int64
	err = tx.scanRow(ctx, ix.d.bind(`INSERT INTO extracts (`+cols+`) VALUES (`+vals+`)
		ON CONFLICT (id) DO NOTHING RETURNING seq`), args, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, ix.d.bind(`UPDATE extracts SET certified = ?, certifications = ?, record = ?
			WHERE id = ? AND certifications <= ?`), certified, len(rec.Certifications), string(raw), rec.ID, len(rec.Certifications))
		if err != nil {
			return fmt.Errorf("updating %s: %w", rec.ID, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("inserting %s: %w", rec.ID, err)
	}
	return ix.putFindable(ctx, tx, seq, rec, organKey, text)
}

// putFindable writes what an extract is found by: paragraphs, case
// numbers, organ, text.
func (ix *Index) putFindable(ctx context.Context, tx *txw, seq int64, rec *archive.Record, organKey, text string) error {
	for _, n := range rec.Paragraphs {
		if _, err := tx.ExecContext(ctx, ix.d.bind(`INSERT INTO extract_paragraphs (number, seq, organisation) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`), n, seq, rec.Organisation.ID); err != nil {
			return fmt.Errorf("indexing paragraphs of %s: %w", rec.ID, err)
		}
	}
	for _, cn := range rec.CaseNumbers {
		for i, part := range caseParts(cn) {
			whole := 0
			if i == 0 {
				whole = 1
			}
			if _, err := tx.ExecContext(ctx, ix.d.bind(`INSERT INTO extract_cases (part, whole, seq) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`), part, whole, seq); err != nil {
				return fmt.Errorf("indexing case numbers of %s: %w", rec.ID, err)
			}
		}
	}
	if !ix.d.postgres {
		if _, err := tx.ExecContext(ctx, `INSERT INTO extracts_text (rowid, stems) VALUES (?, ?)`, seq,
			ftsText(rec.Organisation.ID, text)); err != nil {
			return fmt.Errorf("indexing text of %s: %w", rec.ID, err)
		}
	}
	return nil
}

// putOrgans records the organs of records, each once, in one order:
// transactions that write several records take their locks in the same
// order, so that two of them never wait on each other on PostgreSQL.
// Every transaction that writes records calls it first.
func (ix *Index) putOrgans(ctx context.Context, tx *txw, recs ...*archive.Record) error {
	type key struct{ org, organ string }
	seen := map[key]bool{}
	var keys []key
	for _, r := range recs {
		if r == nil {
			continue
		}
		k := key{r.Organisation.ID, foldCase(r.Organ)}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(strings.Compare(a.org, b.org), strings.Compare(a.organ, b.organ)) })
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, ix.d.bind(`INSERT INTO organs (organisation, organ_key) VALUES (?, ?)
			ON CONFLICT DO NOTHING`), k.org, k.organ); err != nil {
			return fmt.Errorf("indexing organ %s: %w", k.organ, err)
		}
	}
	return nil
}

// searchVector is what PostgreSQL's full-text index keeps of an extract,
// from two arguments, the organisation's scope (orgScope) and the text:
// its lexemes twice, alone and as the organisation's own, as ftsText does
// on SQLite, so that a search within one organisation reads only that
// organisation's entries of each word.
const searchVector = `(SELECT v || array_to_tsvector(ARRAY(SELECT ?::text || l FROM unnest(tsvector_to_array(v)) AS l))
	FROM to_tsvector('swedish', ?) AS v)`

// foldText is the text PostgreSQL's to_tsvector reads: lower case already,
// so that the result does not depend on the database's locale.
func foldText(s string) string { return joinWords(words(s)) }

func joinWords(ws []string) string {
	n := 0
	for _, w := range ws {
		n += len(w) + 1
	}
	b := make([]byte, 0, n)
	for i, w := range ws {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	return string(b)
}

// SetDistribution records an extract's distribution state. An older state
// than the one held (by its Updated time) is ignored; an extract the index
// does not hold yet is left alone (Put, then SetDistribution).
func (ix *Index) SetDistribution(ctx context.Context, id string, r *distribute.Record) error {
	if r == nil {
		return nil
	}
	return ix.inTx(ctx, "writing distribution of "+id, func(tx *txw) error {
		return ix.setDistribution(ctx, tx, id, r)
	})
}

func (ix *Index) setDistribution(ctx context.Context, tx *txw, id string, r *distribute.Record) error {
	d := summarise(r)
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	state := distPending
	if d.Done() {
		state = distDone
	}
	updated := timeText(r.Updated)
	_, err = tx.ExecContext(ctx, ix.d.bind(`UPDATE extracts SET dist_state = ?, dist_updated = ?, distribution = ?
		WHERE id = ? AND dist_updated <= ?`), state, updated, string(raw), id, updated)
	return err
}

// Remove drops an extract from the index (storage no longer holds it).
func (ix *Index) Remove(ctx context.Context, id string) error {
	return ix.inTx(ctx, "removing "+id, func(tx *txw) error { return ix.remove(ctx, tx, id) })
}

func (ix *Index) remove(ctx context.Context, tx *txw, id string) error {
	var seq int64
	err := tx.scanRow(ctx, ix.d.bind(`DELETE FROM extracts WHERE id = ? RETURNING seq`), []any{id}, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM extract_paragraphs WHERE seq = ?`, `DELETE FROM extract_cases WHERE seq = ?`} {
		if _, err := tx.ExecContext(ctx, ix.d.bind(q), seq); err != nil {
			return err
		}
	}
	if !ix.d.postgres {
		if _, err := tx.ExecContext(ctx, `DELETE FROM extracts_text WHERE rowid = ?`, seq); err != nil {
			return err
		}
	}
	return nil
}

// Begin marks an extract as about to change in storage and returns the
// mark's token for Done. Several writers may hold marks on one extract;
// the mark keeps the time of the oldest. Without the mark nothing may be
// written: it is how the reconciler learns of a write whose index update
// never came.
func (ix *Index) Begin(ctx context.Context, id string) (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("index: making a token: %w", err)
	}
	token := hex.EncodeToString(b)
	err := ix.inTx(ctx, "marking "+id, func(tx *txw) error {
		_, err := tx.ExecContext(ctx, ix.d.bind(`INSERT INTO pending (id, token, since) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET token = excluded.token`), id, token, ix.now().UnixMilli())
		return err
	})
	return token, err
}

// Done writes the record that storage now holds and removes the mark of
// Begin, in one transaction; a nil record (the write failed or its outcome
// is unknown) leaves the mark for the reconciler. A failure is logged, not
// returned: storage holds the truth, and the mark makes the reconciler
// repair the index.
func (ix *Index) Done(ctx context.Context, id, token string, rec *archive.Record) {
	if rec == nil {
		return
	}
	ctx, cancel := detached(ctx)
	defer cancel()
	err := ix.inTxLazy(ctx, "indexing "+id, func(tx *txw) error {
		if err := ix.putOrgans(ctx, tx, rec); err != nil {
			return err
		}
		if err := ix.put(ctx, tx, rec); err != nil {
			return err
		}
		return ix.unmark(ctx, tx, id, token)
	})
	ix.wrote(ctx, id, err)
}

// DistributionDone records a distribution state and removes the mark of
// Begin, like Done.
func (ix *Index) DistributionDone(ctx context.Context, id, token string, r *distribute.Record) {
	if r == nil {
		return
	}
	ctx, cancel := detached(ctx)
	defer cancel()
	err := ix.inTxLazy(ctx, "indexing distribution of "+id, func(tx *txw) error {
		if err := ix.setDistribution(ctx, tx, id, r); err != nil {
			return err
		}
		return ix.unmark(ctx, tx, id, token)
	})
	ix.wrote(ctx, id, err)
}

// detached keeps an index write going when the request that made the
// storage write ends (its client went away): storage has the change, and
// the index should have it too. It is bounded all the same.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

func (ix *Index) wrote(ctx context.Context, id string, err error) {
	if err == nil {
		return
	}
	ix.log.WarnContext(ctx, "index write failed; the reconciler will repair it", "extract_id", id, "err", err)
	if ix.onWriteError != nil {
		ix.onWriteError()
	}
}

// unmark removes a mark if nobody has marked the extract since token.
func (ix *Index) unmark(ctx context.Context, tx *txw, id, token string) error {
	_, err := tx.ExecContext(ctx, ix.d.bind(`DELETE FROM pending WHERE id = ? AND token = ?`), id, token)
	return err
}

// Mark is an extract that may have changed in storage without the index
// knowing.
type Mark struct {
	ID, Token string
	Since     time.Time
}

// Marks returns up to limit marks older than age, oldest first.
func (ix *Index) Marks(ctx context.Context, age time.Duration, limit int) ([]Mark, error) {
	rows, err := ix.r.QueryContext(ctx, ix.d.bind(`SELECT id, token, since FROM pending WHERE since <= ? ORDER BY since LIMIT ?`),
		ix.now().Add(-age).UnixMilli(), limit)
	if err != nil {
		return nil, unavailable("reading marks", err)
	}
	defer rows.Close()
	var out []Mark
	for rows.Next() {
		var m Mark
		var since int64
		if err := rows.Scan(&m.ID, &m.Token, &since); err != nil {
			return nil, unavailable("reading marks", err)
		}
		m.Since = time.UnixMilli(since)
		out = append(out, m)
	}
	return out, unavailable("reading marks", rows.Err())
}

// Oldest is the time of the oldest mark, zero when there is none: the
// index may lag storage by as much as the time since.
func (ix *Index) Oldest(ctx context.Context) (time.Time, error) {
	var since sql.NullInt64
	if err := ix.r.QueryRowContext(ctx, `SELECT min(since) FROM pending`).Scan(&since); err != nil {
		return time.Time{}, unavailable("reading marks", err)
	}
	if !since.Valid {
		return time.Time{}, nil
	}
	return time.UnixMilli(since.Int64), nil
}
