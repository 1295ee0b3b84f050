package clerk

import (
	"context"
	"errors"
	"testing"
	"time"

	"utdrag/domain"
)

// TestJoinsAreBounded: with every join taken a combined PDF answers busy
// after its wait instead of joining beside the others, and a released
// join serves the next one.
func TestJoinsAreBounded(t *testing.T) {
	u := &Pages{joins: make(chan struct{}, 1)}
	release, err := u.acquireJoin(context.Background(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := u.acquireJoin(context.Background(), 50*time.Millisecond); !errors.Is(err, domain.ErrBusy) {
		t.Fatalf("second join while the only one is taken: %v, want busy", err)
	}
	if waited := time.Since(start); waited < 50*time.Millisecond {
		t.Errorf("busy after %v, before its wait of 50ms", waited)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := u.acquireJoin(ctx, time.Second); !errors.Is(err, context.Canceled) {
		t.Errorf("join for a request gone: %v, want canceled", err)
	}
	release()
	again, err := u.acquireJoin(context.Background(), 50*time.Millisecond)
	if err != nil {
		t.Fatalf("join after release: %v", err)
	}
	again()
}
