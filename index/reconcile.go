package index

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// Reconciler brings the index up to date with storage after a write whose
// index update never came (a crash, a database outage, a storage answer
// that came too late): every Every it reads again from storage the
// extracts marked longer than Grace ago and writes what it finds. The lag
// of the index behind storage is bounded by Grace plus Every while the
// database and storage answer. Several replicas may each run one: the
// writes are idempotent.
type Reconciler struct {
	Index  *Index
	Source Source
	// Grace is how long a mark may belong to a request still running
	// (default one minute: longer than a request's storage and render
	// timeouts).
	Grace time.Duration
	// Every is the time between passes (default 15 s).
	Every time.Duration
	Log   *slog.Logger
	// Observe, when set, is told after each pass how old the oldest mark
	// is (zero: none) and how many extracts the pass repaired.
	Observe func(lag time.Duration, repaired int)
}

// optimizeEvery is how often Run refreshes the planner's statistics.
const optimizeEvery = time.Hour

func (r *Reconciler) defaults() {
	if r.Grace <= 0 {
		r.Grace = time.Minute
	}
	if r.Every <= 0 {
		r.Every = 15 * time.Second
	}
	if r.Log == nil {
		r.Log = slog.Default()
	}
}

// Run rebuilds the index first when it has never been built whole (a new
// database beside an archive that has extracts), or its protocols alone
// when they never were (an index built before they were indexed), then
// passes every Every until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	r.defaults()
	if t, err := r.Index.Rebuilt(ctx); err == nil && t.IsZero() {
		r.Log.InfoContext(ctx, "index: rebuilding from storage (never built)")
		st, err := r.Index.Rebuild(ctx, r.Source, 8, nil)
		if err != nil {
			r.Log.ErrorContext(ctx, "index: rebuild failed; the next start tries again", "err", err)
		} else {
			r.Log.InfoContext(ctx, "index: rebuilt", "records", st.Records, "protocols", st.Protocols, "removed", st.Removed, "duration", st.Duration.String())
		}
	} else if done, err := r.Index.ProtocolsRebuilt(ctx); err == nil && !done {
		r.Log.InfoContext(ctx, "index: indexing the protocols from storage (never indexed)")
		st, err := r.Index.RebuildProtocols(ctx, r.Source, 8)
		if err != nil {
			r.Log.ErrorContext(ctx, "index: indexing the protocols failed; the next start tries again", "err", err)
		} else {
			r.Log.InfoContext(ctx, "index: protocols indexed", "protocols", st.Protocols, "removed", st.Removed)
		}
	}
	tick := time.NewTicker(r.Every)
	defer tick.Stop()
	var optimized time.Time
	for {
		if _, err := r.Pass(ctx); err != nil && ctx.Err() == nil {
			r.Log.WarnContext(ctx, "index: reconciliation pass failed", "err", err)
		}
		if time.Since(optimized) > optimizeEvery {
			optimized = time.Now()
			if err := r.Index.Optimize(ctx); err != nil && ctx.Err() == nil {
				r.Log.WarnContext(ctx, "index: refreshing planner statistics failed", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Pass repairs the marks older than Grace and reports how many it
// repaired. An extract storage cannot be read now keeps its mark for the
// next pass.
func (r *Reconciler) Pass(ctx context.Context) (int, error) {
	r.defaults()
	repaired := 0
	var firstErr error
	for {
		marks, err := r.Index.Marks(ctx, r.Grace, 200)
		if err != nil {
			return repaired, err
		}
		progress := 0
		for _, m := range marks {
			if err := r.repair(ctx, m); err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			repaired++
			progress++
		}
		if len(marks) < 200 || progress == 0 {
			break
		}
	}
	if r.Observe != nil {
		lag := time.Duration(0)
		if oldest, err := r.Index.Oldest(ctx); err == nil && !oldest.IsZero() {
			lag = r.Index.now().Sub(oldest)
		}
		r.Observe(lag, repaired)
	}
	return repaired, firstErr
}

func (r *Reconciler) repair(ctx context.Context, m Mark) error {
	if strings.HasPrefix(m.ID, protocolMark) {
		return r.repairProtocol(ctx, m)
	}
	rec, dist, err := r.Source.read(ctx, m.ID)
	if err != nil {
		return err
	}
	ix := r.Index
	return ix.inTxLazy(ctx, "reconciling "+m.ID, func(tx *txw) error {
		if rec == nil {
			if err := ix.remove(ctx, tx, m.ID); err != nil {
				return err
			}
		} else {
			if err := ix.putOrgans(ctx, tx, rec); err != nil {
				return err
			}
			if err := ix.put(ctx, tx, rec); err != nil {
				return err
			}
			if dist != nil {
				if err := ix.setDistribution(ctx, tx, m.ID, dist); err != nil {
					return err
				}
			}
		}
		return ix.unmark(ctx, tx, m.ID, m.Token)
	})
}
