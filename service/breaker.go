package service

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"utdrag/storage"
)

// Defaults of the storage breaker (Config.Breaker).
const (
	defaultBreakerFailures = 5
	defaultBreakerOpen     = 3 * time.Second
)

// errBreakerOpen: the store failed so often in a row that operations are
// failed at once for a while instead of each waiting for its timeout.
var errBreakerOpen = errors.New("service: storage known to be down")

// BreakerConfig tunes the storage breaker.
type BreakerConfig struct {
	// Failures is how many storage operations in a row must find the store
	// unavailable (timed out, refused, answered 5xx) before the breaker
	// opens; below 1 the breaker is off.
	Failures int // UTDRAG_BREAKER_FAILURES
	// Open is how long it then fails operations at once, before it lets
	// one through as a trial: success closes it, failure opens it again.
	Open time.Duration // UTDRAG_BREAKER_OPEN
}

// breaker is a circuit breaker over one side (reads or writes) of the
// store. Closed, it lets everything through and counts consecutive
// failures; open, it fails every operation at once with ErrUnavailable;
// when the open period ends it is half-open: the next operation goes
// through as the one trial while the others still fail at once. Any
// success closes it.
type breaker struct {
	cfg     BreakerConfig
	now     func() time.Time
	changed func(open bool) // told when it opens and when it closes

	mu          sync.Mutex
	consecutive int
	openUntil   time.Time // zero while closed
	trial       bool      // the half-open trial is under way
}

func newBreaker(cfg BreakerConfig, changed func(open bool)) *breaker {
	if changed == nil {
		changed = func(bool) {}
	}
	return &breaker{cfg: cfg, now: time.Now, changed: changed}
}

// allow reports whether an operation may go to the store. When it may,
// done must be called with the operation's error.
func (b *breaker) allow() (done func(error), err error) {
	if b == nil || b.cfg.Failures < 1 {
		return func(error) {}, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.openUntil.IsZero() {
		return func(err error) { b.record(err, false) }, nil
	}
	if wait := b.openUntil.Sub(b.now()); wait > 0 || b.trial {
		return nil, fmt.Errorf("%w: %w (%d failures in a row; next try in %s)",
			storage.ErrUnavailable, errBreakerOpen, b.consecutive, max(wait, 0).Round(time.Millisecond))
	}
	b.trial = true
	return func(err error) { b.record(err, true) }, nil
}

// record takes the outcome of an operation allow let through.
func (b *breaker) record(err error, trial bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if trial {
		b.trial = false
	}
	switch {
	case !errors.Is(err, storage.ErrUnavailable):
		if err != nil && !answered(err) {
			return // cancelled by the client: says nothing of the store
		}
		b.consecutive = 0
		if !b.openUntil.IsZero() {
			b.openUntil = time.Time{}
			b.changed(false)
		}
	case trial:
		b.consecutive++
		b.openUntil = b.now().Add(b.cfg.Open)
	case b.openUntil.IsZero():
		b.consecutive++
		if b.consecutive >= b.cfg.Failures {
			b.openUntil = b.now().Add(b.cfg.Open)
			b.changed(true)
		}
	}
}

// reset closes the breaker: another check found the store working.
func (b *breaker) reset() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.consecutive = 0
	if !b.openUntil.IsZero() {
		b.openUntil = time.Time{}
		b.changed(false)
	}
}

// answered reports whether err is the store's answer (it was reached), not
// the caller giving up.
func answered(err error) bool {
	return !errors.Is(err, context.Canceled)
}
