package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"utdrag/archive"
	"utdrag/extract"
	"utdrag/storage"
)

// The protocols are indexed as the extracts are: a row per protocol with
// its record as listing shows it, written after storage (BeginProtocol,
// ProtocolDone), repaired by the reconciler from the marks a crash left,
// and rebuilt from storage (RebuildProtocols, part of Rebuild). Their
// marks share the extracts' table, told apart by protocolMark.

// protocolMark prefixes the id of a protocol in the marks: extract and
// protocol ids are both 24 hex digits.
const protocolMark = "protocol/"

// ProtocolFilter selects protocols. Empty fields match everything.
type ProtocolFilter struct {
	Organisation string // organisation id: a key sees only its own
	// Organ: the organ's name, ignoring case and runs of spaces.
	Organ string
	// PostedBy, an ISO date, keeps the protocols whose anslag was posted
	// on or before it: those the notice board shows.
	PostedBy string
}

// listed is the record as the index keeps it: the protocol's input
// without the paragraphs' text and the attendance, keeping what the
// listing and the notice board read of it (the meeting, the justering,
// the anslag, each paragraph's number and justering).
func listed(rec *archive.ProtocolRecord) *archive.ProtocolRecord {
	out := *rec
	if p := rec.Protocol; p != nil {
		q := &extract.Protocol{Anslag: p.Anslag}
		q.Organisation, q.Organ, q.Meeting, q.Justering = p.Organisation, p.Organ, p.Meeting, p.Justering
		q.Paragraphs = make([]extract.Paragraph, len(p.Paragraphs))
		for i, para := range p.Paragraphs {
			q.Paragraphs[i] = extract.Paragraph{Number: para.Number, ImmediatelyAdjusted: para.ImmediatelyAdjusted}
		}
		out.Protocol = q
	}
	return &out
}

// PutProtocols writes the index rows of protocol records read from
// storage (or just written to it). A protocol the index holds already is
// replaced only by a record with at least as many certifications: a slow
// writer never takes a newer state back.
func (ix *Index) PutProtocols(ctx context.Context, recs ...*archive.ProtocolRecord) error {
	return ix.inTx(ctx, "writing protocols", func(tx *txw) error {
		for _, rec := range recs {
			if err := ix.putProtocol(ctx, tx, rec); err != nil {
				return err
			}
		}
		return nil
	})
}

func (ix *Index) putProtocol(ctx context.Context, tx *txw, rec *archive.ProtocolRecord) error {
	if rec == nil || rec.ID == "" || rec.Protocol == nil {
		return errors.New("a protocol record without id or input")
	}
	raw, err := json.Marshal(listed(rec))
	if err != nil {
		return fmt.Errorf("encoding protocol %s: %w", rec.ID, err)
	}
	posted := ""
	if rec.Protocol.Anslag != nil {
		posted = rec.Protocol.Anslag.Posted
	}
	n := len(rec.Certifications)
	_, err = tx.ExecContext(ctx, ix.d.bind(`INSERT INTO protocols
		(id, organisation, organ_key, meeting_date, created, posted, certifications, record)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET certifications = excluded.certifications, record = excluded.record
		WHERE protocols.certifications <= excluded.certifications`),
		rec.ID, rec.Organisation.ID, foldCase(rec.Organ), rec.MeetingDate, timeText(rec.Created), posted, n, string(raw))
	if err != nil {
		return fmt.Errorf("indexing protocol %s: %w", rec.ID, err)
	}
	return nil
}

// RemoveProtocol drops a protocol from the index (storage no longer
// holds it).
func (ix *Index) RemoveProtocol(ctx context.Context, id string) error {
	return ix.inTx(ctx, "removing protocol "+id, func(tx *txw) error { return ix.removeProtocol(ctx, tx, id) })
}

func (ix *Index) removeProtocol(ctx context.Context, tx *txw, id string) error {
	_, err := tx.ExecContext(ctx, ix.d.bind(`DELETE FROM protocols WHERE id = ?`), id)
	return err
}

// BeginProtocol marks a protocol as about to change in storage, as Begin
// does an extract, and returns the mark's token for ProtocolDone.
func (ix *Index) BeginProtocol(ctx context.Context, id string) (string, error) {
	return ix.Begin(ctx, protocolMark+id)
}

// ProtocolDone writes the protocol record storage now holds and removes
// the mark of BeginProtocol, in one transaction; a nil record (the write
// failed or its outcome is unknown) leaves the mark for the reconciler.
// A failure is logged and counted, not returned, as Done's.
func (ix *Index) ProtocolDone(ctx context.Context, id, token string, rec *archive.ProtocolRecord) {
	if rec == nil {
		return
	}
	ctx, cancel := detached(ctx)
	defer cancel()
	err := ix.inTxLazy(ctx, "indexing protocol "+id, func(tx *txw) error {
		if err := ix.putProtocol(ctx, tx, rec); err != nil {
			return err
		}
		return ix.unmark(ctx, tx, protocolMark+id, token)
	})
	ix.wrote(ctx, protocolMark+id, err)
}

// Protocols lists the protocols f selects, newest meeting first, then
// the newest made first, as the archive orders them. Each record's
// Protocol holds only what listed keeps of the input.
func (ix *Index) Protocols(ctx context.Context, f ProtocolFilter) ([]*archive.ProtocolRecord, error) {
	var where []string
	var args []any
	if f.Organisation != "" {
		where, args = append(where, `organisation = ?`), append(args, f.Organisation)
	}
	if o := foldCase(f.Organ); o != "" {
		where, args = append(where, `organ_key = ?`), append(args, o)
	}
	if f.PostedBy != "" {
		where, args = append(where, `posted <> '' AND posted <= ?`), append(args, f.PostedBy)
	}
	q := `SELECT record FROM protocols`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY meeting_date DESC, created DESC, id`
	done, err := ix.turn(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	rows, err := ix.r.QueryContext(ctx, ix.d.bind(q), args...)
	if err != nil {
		return nil, unavailable("listing protocols", err)
	}
	defer rows.Close()
	out := []*archive.ProtocolRecord{}
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, unavailable("listing protocols", err)
		}
		var rec archive.ProtocolRecord
		if err := json.Unmarshal([]byte(raw), &rec); err != nil {
			return nil, fmt.Errorf("index: decoding a listed protocol: %w", err)
		}
		out = append(out, &rec)
	}
	return out, unavailable("listing protocols", rows.Err())
}

// ProtocolOrganisation returns the organisation as its protocol of the
// newest meeting names it; ok is false when the index holds no protocol
// of it.
func (ix *Index) ProtocolOrganisation(ctx context.Context, id string) (org extract.Organisation, ok bool, err error) {
	var raw string
	err = ix.r.QueryRowContext(ctx, ix.d.bind(`SELECT record FROM protocols WHERE organisation = ?
		ORDER BY meeting_date DESC, created DESC, id LIMIT 1`), id).Scan(&raw)
	if isNoRows(err) {
		return org, false, nil
	}
	if err != nil {
		return org, false, unavailable("reading the organisation of protocols", err)
	}
	var rec archive.ProtocolRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return org, false, fmt.Errorf("index: decoding a listed protocol: %w", err)
	}
	return rec.Organisation, true, nil
}

// readProtocol returns the record storage holds of a protocol (nil when
// there is none), with the certified versions an interrupted
// certification stored beyond it adopted first, as every reader of the
// archive adopts them.
func (s Source) readProtocol(ctx context.Context, id string) (*archive.ProtocolRecord, error) {
	rec, err := s.Archive.CompleteProtocol(ctx, id)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, nil
	}
	return rec, err
}

func (r *Reconciler) repairProtocol(ctx context.Context, m Mark) error {
	id := strings.TrimPrefix(m.ID, protocolMark)
	rec, err := r.Source.readProtocol(ctx, id)
	if err != nil {
		return err
	}
	ix := r.Index
	return ix.inTxLazy(ctx, "reconciling protocol "+id, func(tx *txw) error {
		if rec == nil {
			err = ix.removeProtocol(ctx, tx, id)
		} else {
			err = ix.putProtocol(ctx, tx, rec)
		}
		if err != nil {
			return err
		}
		return ix.unmark(ctx, tx, m.ID, m.Token)
	})
}

// ProtocolRebuildStats says what a rebuild of the protocols did.
type ProtocolRebuildStats struct {
	Protocols int // records read from storage and written
	Removed   int // index rows storage no longer holds
}

// RebuildProtocols brings the protocols of the index in line with
// storage: it lists the protocols in storage, reads their records with
// workers readers at once, writes them, and removes what the index holds
// that storage does not. Rebuild runs it; the reconciler runs it alone on
// an index built before protocols were indexed.
func (ix *Index) RebuildProtocols(ctx context.Context, src Source, workers int) (ProtocolRebuildStats, error) {
	var st ProtocolRebuildStats
	objs, err := src.Archive.Store().List(ctx, "protocols/")
	if err != nil {
		return st, fmt.Errorf("index: listing protocols in storage: %w", err)
	}
	var ids []string
	for _, o := range objs {
		if id, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, "protocols/"), "/meta.json"); ok && !strings.Contains(id, "/") {
			ids = append(ids, id)
		}
	}
	recs := make([]*archive.ProtocolRecord, len(ids))
	errs := make([]error, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for i := range next {
				rec, err := src.Archive.GetProtocol(ctx, ids[i])
				if errors.Is(err, archive.ErrNotFound) {
					err = nil // a folder being cleared, or not a record
				}
				recs[i], errs[i] = rec, err
			}
		})
	}
	for i := range ids {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return st, fmt.Errorf("index: rebuilding protocols: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	var batch []*archive.ProtocolRecord
	for _, rec := range recs {
		if rec != nil {
			batch = append(batch, rec)
		}
	}
	for len(batch) > 0 {
		n := min(len(batch), rebuildBatch)
		err := ix.inTxLazy(ctx, "rebuilding protocols", func(tx *txw) error {
			for _, rec := range batch[:n] {
				if err := ix.putProtocol(ctx, tx, rec); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return st, err
		}
		st.Protocols += n
		batch = batch[n:]
	}
	st.Removed, err = ix.removeMissingProtocols(ctx, src, ids)
	if err != nil {
		return st, err
	}
	return st, ix.setSetting(ctx, "protocols_rebuilt", timeText(ix.now()))
}

// removeMissingProtocols removes the protocols whose id storage did not
// list and still does not hold (one created since the listing stays).
func (ix *Index) removeMissingProtocols(ctx context.Context, src Source, listed []string) (int, error) {
	keep := make(map[string]bool, len(listed))
	for _, id := range listed {
		keep[id] = true
	}
	rows, err := ix.r.QueryContext(ctx, `SELECT id FROM protocols`)
	if err != nil {
		return 0, unavailable("listing indexed protocols", err)
	}
	var gone []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, unavailable("listing indexed protocols", err)
		}
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, unavailable("listing indexed protocols", err)
	}
	removed := 0
	for _, id := range gone {
		_, err := src.Archive.Store().Stat(ctx, archive.ProtocolMetaKey(id))
		if err == nil {
			continue
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return removed, fmt.Errorf("index: checking protocol %s: %w", id, err)
		}
		if err := ix.RemoveProtocol(ctx, id); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}

// ProtocolsRebuilt reports whether the protocols were ever rebuilt from
// storage.
func (ix *Index) ProtocolsRebuilt(ctx context.Context) (bool, error) {
	v, err := ix.setting(ctx, "protocols_rebuilt")
	return v != "", err
}
