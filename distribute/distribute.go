package distribute

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"utdrag/storage"
)

// ErrInProgress: another Distribute call holds the extract's record. The
// record returned with it shows how far that call has come.
var ErrInProgress = errors.New("distribute: distribution already in progress")

// Config assembles a Distributor. Store, Directory and Mailer are required.
type Config struct {
	Store     storage.Store
	Directory *Directory
	Mailer    Mailer
	Logger    *slog.Logger // nil: slog.Default()
	// MaxAttempts per address and call for temporary failures (4xx,
	// connection trouble); zero means 3.
	MaxAttempts int
	// Backoff is the wait before the second attempt; it doubles for each
	// further one. Zero means 2 s.
	Backoff time.Duration
	Now     func() time.Time // nil: time.Now
	// LeaseTTL is how long a claim on a record lasts without being renewed.
	// It is renewed before every attempt, so it must exceed one SMTP
	// transaction; a call that sleeps past it finds the record taken over at
	// its next write and stops. It is also how long a crashed call blocks
	// the extract. Zero means 5 min.
	LeaseTTL time.Duration
	// OnResult, when set, is called after each attempt with its outcome:
	// StateSent, StateSaved (outbox), StateFailed, StateDeferred for a
	// temporary failure, or StatePending when the caller gave up.
	OnResult func(State)
}

// Distributor sends extracts to their recipients. It keeps no state of its
// own between calls: the records in the Store are the truth, so any number
// of replicas may share them.
type Distributor struct {
	cfg Config
	log *slog.Logger
}

// New checks cfg and fills in its defaults.
func New(cfg Config) (*Distributor, error) {
	if cfg.Store == nil || cfg.Directory == nil || cfg.Mailer == nil {
		return nil, errors.New("distribute: Store, Directory and Mailer are required")
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = 2 * time.Second
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Distributor{cfg: cfg, log: cfg.Logger.With("component", "distribute")}, nil
}

// OutboxOnly reports whether messages are only written to the outbox
// folder (no mail server is configured): nothing reaches a recipient.
func (d *Distributor) OutboxOnly() bool { return outboxOnly(d.cfg.Mailer) }

// Status reads the distribution record at key. A missing record is
// storage.ErrNotFound.
func (d *Distributor) Status(ctx context.Context, key string) (*Record, error) {
	rec, _, err := d.load(ctx, key)
	return rec, err
}

// DistributeAll distributes msgs one after the other and reports each
// outcome to progress (which may be nil). A failed extract does not stop
// the others; a cancelled ctx does.
func (d *Distributor) DistributeAll(ctx context.Context, msgs []Message, progress func(i int, rec *Record, err error)) {
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			report(progress, i, nil, fmt.Errorf("distribute: extract %s not attempted: %w", m.ExtractID, err))
			continue
		}
		rec, err := d.Distribute(ctx, m)
		report(progress, i, rec, err)
	}
}

func report(progress func(int, *Record, error), i int, rec *Record, err error) {
	if progress != nil {
		progress(i, rec, err)
	}
}

// Distribute sends m to every recipient: each address that has not yet
// received the current certified version of its rendition gets it, and
// what failed temporarily is tried again. It is DistributeTo for all.
func (d *Distributor) Distribute(ctx context.Context, m Message) (*Record, error) {
	return d.DistributeTo(ctx, m, nil)
}

// DistributeTo sends m to the recipients named (as in the record; all when
// names is empty) and returns the updated record. A recipient that got an
// earlier certified version gets the current one, the earlier message kept
// in the record; one that has it already gets nothing; an address still
// waiting or failed temporarily is tried again. Addresses refused for good
// (5xx) are not sent again: they wait for a correction (Correct). Manual
// recipients and unresolved names are recorded, not sent. An error means
// the call itself could not go on (storage, cancellation, ErrInProgress,
// or a name the record does not hold: ErrUnknownRecipient); the record,
// when there is one, is returned with it.
func (d *Distributor) DistributeTo(ctx context.Context, m Message, names []string) (*Record, error) {
	return d.do(ctx, m, func(rec *Record) (bool, func(string) bool, error) {
		chosen, err := rec.choose(names)
		if err != nil {
			return false, nil, err
		}
		changed := rec.upgrade(m, chosen)
		var only func(string) bool
		if len(names) > 0 {
			only = rec.addressesOf(chosen)
		}
		return changed, only, nil
	})
}

// change alters a record a call has read; it reports whether it changed
// anything, and which addresses the call is to send (nil: all still to
// be sent). An error stops the call before anything is written.
type change func(rec *Record) (changed bool, only func(address string) bool, err error)

// do reads or creates the record, applies f, takes the lease with a
// conditional write and sends what is left to send: of two calls racing
// for the same record exactly one wins, the other gets ErrInProgress. A
// record with nothing to do is returned unclaimed.
func (d *Distributor) do(ctx context.Context, m Message, f change) (*Record, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	owner := newOwner()
	var rec *Record
	for range 3 {
		var etag string
		var err error
		rec, etag, err = d.load(ctx, m.RecordKey)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			rec = newRecord(m, d.cfg.Directory.Resolve(m.Organisation.ID, m.Recipients), d.cfg.Now())
		case err != nil:
			return nil, err
		case rec.leasedBy(owner, d.cfg.Now()):
			return rec, fmt.Errorf("%w: %s (until %s)", ErrInProgress, m.RecordKey, rec.Lease.Until.Format(time.RFC3339))
		}
		before := rec.Counts
		if etag != "" {
			rec.resolveAgain(m, d.cfg.Directory)
		}
		changed, only, err := f(rec)
		if err != nil {
			return rec, err
		}
		changed = rec.current(m) || changed || rec.Counts != before
		todo := rec.pendingAddresses(only)
		if etag != "" && !changed && len(todo) == 0 {
			return rec, nil
		}
		r := &run{d: d, m: m, rec: rec, owner: owner}
		r.rec.Lease = &Lease{Owner: owner}
		err = r.write(ctx, storage.PutOptions{IfNoneMatch: etag == "", IfMatch: etag})
		if errors.Is(err, storage.ErrPrecondition) {
			continue // another call got there first; read what it wrote
		}
		if err != nil {
			return nil, err
		}
		return r.send(ctx, todo)
	}
	rec, _, _ = d.load(ctx, m.RecordKey)
	return rec, fmt.Errorf("%w: %s keeps changing", ErrInProgress, m.RecordKey)
}

// send delivers to each target and releases the lease.
func (r *run) send(ctx context.Context, todo []target) (*Record, error) {
	for _, t := range todo {
		if err := r.deliver(ctx, t); err != nil {
			if !errors.Is(err, ErrInProgress) {
				_ = r.release(ctx) // best effort; the lease expires anyway
			}
			return r.rec, err
		}
	}
	return r.rec, r.release(ctx)
}

// run is one call that holds the lease on a record.
type run struct {
	d     *Distributor
	m     Message
	rec   *Record
	etag  string // of the record as last written
	owner string
}

// leasedBy reports whether someone other than owner holds a live lease.
func (r *Record) leasedBy(owner string, now time.Time) bool {
	return r.Lease != nil && r.Lease.Owner != owner && now.Before(r.Lease.Until)
}

// save writes the record if it is still as this run last wrote it,
// renewing the lease. A lost race means another call took over the record
// (our lease had expired): stop with ErrInProgress.
func (r *run) save(ctx context.Context) error {
	err := r.write(ctx, storage.PutOptions{IfMatch: r.etag})
	if errors.Is(err, storage.ErrPrecondition) {
		return fmt.Errorf("%w: %s was taken over by another call", ErrInProgress, r.m.RecordKey)
	}
	return err
}

func (r *run) write(ctx context.Context, opts storage.PutOptions) error {
	now := r.d.cfg.Now()
	r.rec.Updated = now
	if r.rec.Lease != nil {
		r.rec.Lease.Until = now.Add(r.d.cfg.LeaseTTL)
	}
	data, err := json.MarshalIndent(r.rec, "", "  ")
	if err != nil {
		return fmt.Errorf("distribute: encoding record %s: %w", r.m.RecordKey, err)
	}
	opts.ContentType = "application/json"
	obj, err := r.d.cfg.Store.Put(ctx, r.m.RecordKey, data, opts)
	if err != nil {
		return fmt.Errorf("distribute: writing record %s: %w", r.m.RecordKey, err)
	}
	r.etag = obj.ETag
	return nil
}

// release drops the lease so the next call need not wait for it to expire.
// It runs even when ctx is cancelled.
func (r *run) release(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	r.rec.Lease = nil
	return r.save(ctx)
}

// load reads the record. A read can meet a concurrent write (the S3 store
// then reports ErrPrecondition): it is tried again.
func (d *Distributor) load(ctx context.Context, key string) (*Record, string, error) {
	data, obj, err := d.cfg.Store.Get(ctx, key)
	for i := 0; i < 3 && errors.Is(err, storage.ErrPrecondition); i++ {
		data, obj, err = d.cfg.Store.Get(ctx, key)
	}
	if err != nil {
		return nil, "", fmt.Errorf("distribute: reading record %s: %w", key, err)
	}
	var rec Record
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, "", fmt.Errorf("distribute: decoding record %s: %w", key, err)
	}
	return &rec, obj.ETag, nil
}

func newOwner() string {
	return rand.Text()
}
