package preserve

import (
	"errors"
	"sync"
	"testing"
	"time"

	"utdrag/storage/storagetest"
)

// TestLeaseIsHeldByOneAtATime: a held lease refuses others until it
// expires; then another takes it, and the old holder can no longer renew
// it. Of many taking it at once, one succeeds.
func TestLeaseIsHeldByOneAtATime(t *testing.T) {
	store := storagetest.FS(t)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	mk := func(holder string) *lease {
		return &lease{store: store, key: LeaseKey, holder: holder, ttl: time.Minute, now: clock}
	}
	ctx := t.Context()
	a, b := mk("a"), mk("b")
	if err := a.acquire(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.acquire(ctx); !errors.Is(err, errHeld) {
		t.Fatalf("b took a held lease: %v", err)
	}
	if err := a.renew(ctx); err != nil {
		t.Fatalf("a could not renew its lease: %v", err)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if err := b.acquire(ctx); err != nil {
		t.Fatalf("b could not take an expired lease: %v", err)
	}
	if err := a.renew(ctx); err == nil {
		t.Fatal("a renewed a lease b had taken over")
	}
	if err := b.release(ctx); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	var won, lost sync.Map
	for i := range 8 {
		l := mk(string(rune('c' + i)))
		wg.Go(func() {
			if err := l.acquire(ctx); err == nil {
				won.Store(l.holder, true)
			} else if errors.Is(err, errHeld) {
				lost.Store(l.holder, true)
			} else {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	n := 0
	won.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("%d replicas took the lease at once, want 1", n)
	}
}
