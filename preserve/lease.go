package preserve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"utdrag/storage"
)

// leaseRecord is the lease object: who holds it and until when.
type leaseRecord struct {
	Holder string    `json:"holder"`
	Until  time.Time `json:"until"`
}

// lease is a time-bounded claim on a job, kept as an object in storage and
// changed only by conditional writes: it is taken when absent or expired,
// and renewed, given back or lost by its holder alone. Two replicas never
// both hold it: the second write on the same ETag fails.
type lease struct {
	store  storage.Store
	key    string
	holder string
	ttl    time.Duration
	now    func() time.Time
	etag   string
}

// errHeld: another holder has the lease.
var errHeld = errors.New("preserve: the lease is held by another replica")

// acquire takes the lease, or reports errHeld.
func (l *lease) acquire(ctx context.Context) error {
	raw, obj, err := l.store.Get(ctx, l.key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return l.write(ctx, storage.PutOptions{IfNoneMatch: true})
	case err != nil:
		return fmt.Errorf("preserve: reading lease %s: %w", l.key, err)
	}
	var cur leaseRecord
	if err := json.Unmarshal(raw, &cur); err == nil && cur.Holder != l.holder && l.now().Before(cur.Until) {
		return fmt.Errorf("%w (%s, until %s)", errHeld, cur.Holder, cur.Until.Format(time.RFC3339))
	}
	return l.write(ctx, storage.PutOptions{IfMatch: obj.ETag})
}

// renew extends the lease held; it fails when it was lost.
func (l *lease) renew(ctx context.Context) error {
	return l.write(ctx, storage.PutOptions{IfMatch: l.etag})
}

// release gives the lease back by letting it expire now.
func (l *lease) release(ctx context.Context) error {
	raw, _ := json.Marshal(leaseRecord{Holder: l.holder, Until: l.now()})
	_, err := l.store.Put(ctx, l.key, raw, storage.PutOptions{ContentType: "application/json", IfMatch: l.etag})
	return err
}

func (l *lease) write(ctx context.Context, opts storage.PutOptions) error {
	raw, _ := json.Marshal(leaseRecord{Holder: l.holder, Until: l.now().Add(l.ttl)})
	opts.ContentType = "application/json"
	obj, err := l.store.Put(ctx, l.key, raw, opts)
	if errors.Is(err, storage.ErrPrecondition) {
		return fmt.Errorf("%w (taken meanwhile)", errHeld)
	}
	if err != nil {
		return fmt.Errorf("preserve: writing lease %s: %w", l.key, err)
	}
	l.etag = obj.ETag
	return nil
}

// keep renews the lease every third of its time until ctx ends; when a
// renewal fails it calls lost and returns.
func (l *lease) keep(ctx context.Context, lost func(error)) {
	tick := time.NewTicker(l.ttl / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := l.renew(ctx); err != nil {
				if ctx.Err() == nil {
					lost(err)
				}
				return
			}
		}
	}
}
