package distribute

import (
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"
	"utdrag/internal/smtptest"

	"utdrag/storage"
)

// A call that crashed while holding the record blocks others until its
// lease expires; then the next call sends what is still pending and
// nothing that was already recorded as sent.
func TestCrashedClaimTakenOverAfterLease(t *testing.T) {
	srv := smtptest.Start(t)
	store := newFSStore(t)
	d := newDistributor(t, store, newSMTPMailer(t, srv.Addr), nil)
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	d.cfg.Now = func() time.Time { return time.Unix(0, now.Load()).UTC() }

	m := seed000(testKey)
	crashed := newRecord(m, d.cfg.Directory.Resolve("region-jh", m.Recipients), testNow)
	crashed.update(seed000Addresses[0], func(del *Delivery) { del.State, del.Attempts = StateSent, 1 })
	crashed.Lease = &Lease{Owner: "crashed", Until: testNow.Add(5 * time.Minute)}
	data, err := json.Marshal(crashed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(testContext(t), testKey, data, storage.PutOptions{IfNoneMatch: true}); err != nil {
		t.Fatal(err)
	}

	rec, err := d.Distribute(testContext(t), m)
	if !errors.Is(err, ErrInProgress) || rec == nil || rec.Counts.MessagesSent != 1 {
		t.Fatalf("Distribute under a live lease: record %v, err %v; want ErrInProgress with the record", rec, err)
	}
	if n := len(srv.Offered()); n != 0 {
		t.Fatalf("sent %d messages under another call's lease", n)
	}

	now.Add(int64(6 * time.Minute))
	rec, err = d.Distribute(testContext(t), m)
	if err != nil || !rec.Done() || rec.Lease != nil {
		t.Fatalf("Distribute after the lease expired: %+v, %v", rec, err)
	}
	got := srv.AcceptedTo()
	if got[seed000Addresses[0]] != 0 || len(got) != 9 {
		t.Errorf("accepted %v, want the 9 addresses not yet sent", got)
	}
}
