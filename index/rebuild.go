package index

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"utdrag/archive"
	"utdrag/distribute"
	"utdrag/storage"
)

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Source is where the index is rebuilt from: the archive on its store.
type Source struct {
	Archive *archive.Archive
}

// read returns what storage holds of one extract: its record (nil when
// there is none) and its distribution record (nil when there is none).
func (s Source) read(ctx context.Context, id string) (*archive.Record, *distribute.Record, error) {
	rec, _, err := s.Archive.Get(ctx, id)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	raw, _, err := s.Archive.Store().Get(ctx, archive.DistributionKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return rec, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("index: reading distribution of %s: %w", id, err)
	}
	var d distribute.Record
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, nil, fmt.Errorf("index: decoding distribution of %s: %w", id, err)
	}
	return rec, &d, nil
}

// RebuildStats says what a rebuild did.
type RebuildStats struct {
	Records   int // records read from storage and written
	Protocols int // protocol records read from storage and written
	Removed   int // index rows (extracts and protocols) storage no longer holds
	Duration  time.Duration
}

// rebuildBatch is how many records one index transaction writes.
const rebuildBatch = 500

// Rebuild brings the whole index in line with storage: it lists the
// extracts in storage, reads every record and distribution record with
// workers readers at once, writes them in batches, and removes what the
// index holds that storage does not; then the protocols the same way
// (RebuildProtocols). The service may run meanwhile: the writes never
// take a newer state back.
func (ix *Index) Rebuild(ctx context.Context, src Source, workers int, progress func(done int)) (RebuildStats, error) {
	start := time.Now()
	var st RebuildStats
	objs, err := src.Archive.Store().List(ctx, "extracts/")
	if err != nil {
		return st, fmt.Errorf("index: listing storage: %w", err)
	}
	var ids []string
	hasDist := map[string]bool{}
	for _, o := range objs {
		rest := strings.TrimPrefix(o.Key, "extracts/")
		id, name, ok := strings.Cut(rest, "/")
		if !ok {
			continue
		}
		switch name {
		case "meta.json":
			ids = append(ids, id)
		case "distribution.json":
			hasDist[id] = true
		}
	}
	objs = nil
	type result struct {
		rec  *archive.Record
		dist *distribute.Record
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan string)
	results := make(chan result, 2*rebuildBatch)
	errc := make(chan error, 1)
	fail := func(err error) {
		select {
		case errc <- err:
		default:
		}
		cancel()
	}
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for id := range next {
				var r result
				var err error
				if hasDist[id] {
					r.rec, r.dist, err = src.read(ctx, id)
				} else {
					r.rec, _, err = src.Archive.Get(ctx, id)
					if errors.Is(err, archive.ErrNotFound) {
						err = nil
					}
				}
				if err != nil {
					fail(fmt.Errorf("index: rebuilding %s: %w", id, err))
					return
				}
				if r.rec != nil {
					select {
					case results <- r:
					case <-ctx.Done():
						return
					}
				}
			}
		})
	}
	go func() {
		defer close(next)
		for _, id := range ids {
			select {
			case next <- id:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	var batch []result
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := ix.inTxLazy(ctx, "rebuilding", func(tx *txw) error {
			recs := make([]*archive.Record, len(batch))
			for i, r := range batch {
				recs[i] = r.rec
			}
			if err := ix.putOrgans(ctx, tx, recs...); err != nil {
				return err
			}
			for _, r := range batch {
				if err := ix.put(ctx, tx, r.rec); err != nil {
					return err
				}
				if r.dist != nil {
					if err := ix.setDistribution(ctx, tx, r.rec.ID, r.dist); err != nil {
						return err
					}
				}
			}
			return nil
		})
		st.Records += len(batch)
		batch = batch[:0]
		if progress != nil {
			progress(st.Records)
		}
		return err
	}
	for r := range results {
		batch = append(batch, r)
		if len(batch) == rebuildBatch {
			if err := flush(); err != nil {
				fail(err)
				break
			}
		}
	}
	for range results {
	}
	select {
	case err := <-errc:
		return st, err
	default:
	}
	if err := flush(); err != nil {
		return st, err
	}
	removed, err := ix.removeMissing(ctx, src, ids)
	st.Removed = removed
	if err != nil {
		st.Duration = time.Since(start)
		return st, err
	}
	pst, err := ix.RebuildProtocols(ctx, src, workers)
	st.Protocols, st.Removed = pst.Protocols, st.Removed+pst.Removed
	st.Duration = time.Since(start)
	if err != nil {
		return st, err
	}
	if err := ix.Optimize(ctx); err != nil {
		return st, err
	}
	return st, ix.setSetting(ctx, "rebuilt", timeText(time.Now()))
}

// removeMissing removes the index rows whose id storage did not list and
// still does not hold (one created since the listing stays).
func (ix *Index) removeMissing(ctx context.Context, src Source, listed []string) (int, error) {
	keep := make(map[string]bool, len(listed))
	for _, id := range listed {
		keep[id] = true
	}
	removed, after := 0, ""
	for {
		ids, err := ix.IDs(ctx, after, 5000)
		if err != nil || len(ids) == 0 {
			return removed, err
		}
		after = ids[len(ids)-1]
		for _, id := range ids {
			if keep[id] {
				continue
			}
			_, err := src.Archive.Store().Stat(ctx, archive.MetaKey(id))
			if err == nil {
				continue
			}
			if !errors.Is(err, storage.ErrNotFound) {
				return removed, fmt.Errorf("index: checking %s: %w", id, err)
			}
			if err := ix.Remove(ctx, id); err != nil {
				return removed, err
			}
			removed++
		}
	}
}

// Rebuilt reports when the index was last rebuilt whole (zero: never).
func (ix *Index) Rebuilt(ctx context.Context) (time.Time, error) {
	v, err := ix.setting(ctx, "rebuilt")
	if err != nil || v == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("index: reading rebuild time %q: %w", v, err)
	}
	return t, nil
}

func (ix *Index) setting(ctx context.Context, key string) (string, error) {
	var v string
	err := ix.r.QueryRowContext(ctx, ix.d.bind(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if isNoRows(err) {
		return "", nil
	}
	return v, unavailable("reading setting "+key, err)
}

func (ix *Index) setSetting(ctx context.Context, key, value string) error {
	return ix.inTx(ctx, "writing setting "+key, func(tx *txw) error {
		_, err := tx.ExecContext(ctx, ix.d.bind(`INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
		return err
	})
}
