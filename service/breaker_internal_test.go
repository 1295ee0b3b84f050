package service

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"utdrag/storage"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

var errDown = fmt.Errorf("%w: timed out", storage.ErrUnavailable)

func TestBreaker(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var changes []bool
	b := newBreaker(BreakerConfig{Failures: 3, Open: 2 * time.Second}, func(open bool) { changes = append(changes, open) })
	b.now = c.now
	run := func(err error) error {
		t.Helper()
		done, rejected := b.allow()
		if rejected != nil {
			return rejected
		}
		done(err)
		return nil
	}
	mustPass := func(what string, err error) {
		t.Helper()
		if rejected := run(err); rejected != nil {
			t.Fatalf("%s: rejected: %v", what, rejected)
		}
	}
	mustReject := func(what string) {
		t.Helper()
		err := run(nil)
		if !errors.Is(err, storage.ErrUnavailable) || !errors.Is(err, errBreakerOpen) {
			t.Fatalf("%s: %v, want a fast ErrUnavailable", what, err)
		}
	}

	// Failures apart from each other, or answers (not found, lost
	// conditions), keep it closed.
	mustPass("failure 1", errDown)
	mustPass("failure 2", errDown)
	mustPass("not found", fmt.Errorf("x: %w", storage.ErrNotFound))
	mustPass("failure 1 again", errDown)
	mustPass("failure 2 again", errDown)
	mustPass("cancelled by the client", context.Canceled) // neither resets nor counts
	mustPass("failure 3 opens it", errDown)
	if len(changes) != 1 || !changes[0] {
		t.Fatalf("changes %v, want [true]", changes)
	}
	mustReject("open")
	c.advance(1999 * time.Millisecond)
	mustReject("still open")

	// Half-open: one trial at a time; the others are still refused.
	c.advance(time.Millisecond)
	done, err := b.allow()
	if err != nil {
		t.Fatalf("trial refused: %v", err)
	}
	mustReject("during the trial")
	done(errDown)
	mustReject("the trial failed: open again")
	c.advance(2 * time.Second)
	done, err = b.allow()
	if err != nil {
		t.Fatalf("second trial refused: %v", err)
	}
	done(context.Canceled) // the trial's caller left: a new trial may go
	done, err = b.allow()
	if err != nil {
		t.Fatalf("trial after a cancelled one refused: %v", err)
	}
	done(nil)
	if len(changes) != 2 || changes[1] {
		t.Fatalf("changes %v, want [true false]", changes)
	}
	mustPass("closed again", nil)
	mustPass("one failure after closing", errDown)
	mustPass("another", errDown)
	mustPass("a success resets the count", nil)
	mustPass("failure 1", errDown)
	mustPass("failure 2", errDown)
	mustPass("failure 3", errDown)
	mustReject("open after three in a row")
	b.reset()
	mustPass("reset closes it", nil)

	off := newBreaker(BreakerConfig{}, nil)
	for range 10 {
		done, err := off.allow()
		if err != nil {
			t.Fatal("a breaker with Failures 0 refused")
		}
		done(errDown)
	}
}
