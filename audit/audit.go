// Package audit keeps the audit trail: who did what to which extract,
// when, and from which address. Every event is one immutable object in the
// store, written create-once (and under retention where the store has
// object lock), so the trail can be added to but never changed through the
// service:
//
//	audit/{yyyy}/{mm}/{dd}/{id}.json    one Event; the id begins with the
//	                                    event's time (UTC), so a day's
//	                                    listing is in the order of events
//
// Object storage is the record. An Indexer (the index database) answers
// queries by extract, meeting, person and action; it is written after the
// object and can be filled again from storage (Scan), so an index write
// lost in a crash costs nothing but a catch-up.
//
// It may import storage and the standard library, nothing else of this
// module: the operations that are audited call it, never the reverse.
package audit

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"utdrag/storage"
)

// Action is what was done.
type Action string

// The actions the trail records.
const (
	Create      Action = "create"       // an extract was stored
	Certify     Action = "certify"      // a certified version was signed and stored
	Distribute  Action = "distribute"   // a certified version was sent to its recipients
	Resend      Action = "resend"       // what failed was sent again
	MarkServed  Action = "mark-served"  // a manual recipient was marked as served
	Login       Action = "login"        // a person or key logged in to the clerk pages
	LoginFailed Action = "login-failed" // a login was refused
	Logout      Action = "logout"       // a person or key logged out
)

// Actions are every action, in the order the trail documents them.
var Actions = []Action{Create, Certify, Distribute, Resend, MarkServed, Login, LoginFailed, Logout}

// Valid reports whether a is one of Actions.
func (a Action) Valid() bool { return slices.Contains(Actions, a) }

// Kinds of actor.
const (
	ActorKey    = "key"    // an API key, by its name in the key file
	ActorPerson = "person" // a person logged in through OpenID Connect
	ActorOpen   = "open"   // the service runs without keys (loopback only)
	ActorNone   = "none"   // nobody was recognised (a failed login)
)

// Actor is who acted.
type Actor struct {
	Kind string `json:"kind"`
	// Name is the key's name, or the person's name as the provider gave it.
	Name string `json:"name,omitempty"`
	// Subject is the person's identity at the provider: issuer and subject,
	// "https://idp.example/#1234"; stable when the name changes.
	Subject string `json:"subject,omitempty"`
	// Organisation is the organisation the actor acts for ("*" for all).
	Organisation string `json:"organisation,omitempty"`
}

// Event is one entry of the trail.
type Event struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Action  Action    `json:"action"`
	Actor   Actor     `json:"actor"`
	Address string    `json:"address,omitempty"` // the client's address
	// The extract acted on, its version (a certified version; 0: the
	// extract as created) and where it belongs.
	Extract      string `json:"extract,omitempty"`
	Version      int    `json:"version,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	Organ        string `json:"organ,omitempty"`
	MeetingDate  string `json:"meetingDate,omitempty"`
	// Detail says more in a line: the recipients sent to, the reason a
	// login failed.
	Detail string `json:"detail,omitempty"`
}

// Prefix is the folder of the trail in the store.
const Prefix = "audit/"

// Key is the object key of the event with id.
func Key(id string) (string, error) {
	at, err := idTime(id)
	if err != nil {
		return "", err
	}
	return Prefix + at.Format("2006/01/02") + "/" + id + ".json", nil
}

const idTimeLayout = "20060102T150405.000000000Z"

// newID is the event's time to the nanosecond and 64 random bits: it
// sorts as the events happened, and two replicas never make the same.
func newID(at time.Time) string {
	return at.UTC().Format(idTimeLayout) + "-" + strings.ToLower(rand.Text()[:13])
}

func idTime(id string) (time.Time, error) {
	ts, rest, ok := strings.Cut(id, "-")
	at, err := time.Parse(idTimeLayout, ts)
	if !ok || err != nil || len(rest) != 13 || strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return time.Time{}, fmt.Errorf("audit: %q is not an event id", id)
	}
	return at, nil
}

// Indexer keeps the events where queries find them.
type Indexer interface {
	// AddAudit adds events; an event the index holds already is left as
	// it is.
	AddAudit(ctx context.Context, events ...Event) error
	// QueryAudit answers q, oldest first.
	QueryAudit(ctx context.Context, q Query) ([]Event, error)
}

// Log is the trail in one store.
type Log struct {
	store   storage.Store
	retain  time.Duration
	index   Indexer
	now     func() time.Time
	log     *slog.Logger
	tries   int
	backoff time.Duration
	// missed is the time (Unix nanoseconds) of the oldest event whose
	// index write failed since the last Repair; 0: none.
	missed atomic.Int64
}

// Options tune New.
type Options struct {
	// Retain puts each event under retention this long (object lock on
	// S3; the file store refuses to change it). Zero: create-once only.
	Retain time.Duration
	Now    func() time.Time // the clock (nil: time.Now)
	Logger *slog.Logger
	// Tries bounds the writes of one event (default 4); Backoff is the
	// first wait between them (default 100 ms), doubled after each.
	Tries   int
	Backoff time.Duration
}

// New opens the trail in store.
func New(store storage.Store, o Options) *Log {
	l := &Log{store: store, retain: o.Retain, now: o.Now, log: o.Logger, tries: o.Tries, backoff: o.Backoff}
	if l.now == nil {
		l.now = time.Now
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	if l.tries < 1 {
		l.tries = 4
	}
	if l.backoff <= 0 {
		l.backoff = 100 * time.Millisecond
	}
	return l
}

// SetIndexer makes queries go to ix and every recorded event be added to
// it. Call it before use.
func (l *Log) SetIndexer(ix Indexer) { l.index = ix }

// ErrInvalid: an event without an action or an actor.
var ErrInvalid = errors.New("audit: invalid event")

// Record stores e, stamped with the time and a fresh id, and returns it.
// A store that fails is tried again a few times, with a growing wait, and
// the write runs to its end even when ctx is cancelled: the operation it
// records has happened already. The error, if any, says the event is not
// in the trail; the caller decides what that costs (see the service).
// An index that fails is logged only: Scan and CatchUp read it back.
func (l *Log) Record(ctx context.Context, e Event) (Event, error) {
	if !e.Action.Valid() || e.Actor.Kind == "" {
		return e, fmt.Errorf("%w: action %q, actor %q", ErrInvalid, e.Action, e.Actor.Kind)
	}
	e.At = l.now().UTC()
	e.ID = newID(e.At)
	key, _ := Key(e.ID) // a fresh id is always valid
	raw, err := json.Marshal(e)
	if err != nil {
		return e, fmt.Errorf("audit: encoding event: %w", err)
	}
	ctx = context.WithoutCancel(ctx)
	wait := l.backoff
	for try := 1; ; try++ {
		_, err = l.store.Put(ctx, key, raw, storage.PutOptions{ContentType: "application/json", IfNoneMatch: true, Retain: l.retain})
		if err == nil || errors.Is(err, storage.ErrPrecondition) || try == l.tries {
			break
		}
		l.log.WarnContext(ctx, "audit: storing event failed; trying again", "event", e.ID, "try", try, "err", err)
		time.Sleep(wait)
		wait *= 2
	}
	if errors.Is(err, storage.ErrPrecondition) {
		// Another write with the same 64 random bits in the same
		// nanosecond: not this one's. Never overwrite.
		return e, fmt.Errorf("audit: storing event %s: the key is taken: %w", e.ID, err)
	}
	if err != nil {
		return e, fmt.Errorf("audit: storing event %s: %w", e.ID, err)
	}
	if l.index != nil {
		if err := l.index.AddAudit(ctx, e); err != nil {
			l.log.WarnContext(ctx, "audit: indexing event failed; the next repair adds it", "event", e.ID, "err", err)
			l.missed.CompareAndSwap(0, e.At.UnixNano())
		}
	}
	return e, nil
}

// Read reads the event with id from the store.
func (l *Log) Read(ctx context.Context, id string) (Event, error) {
	key, err := Key(id)
	if err != nil {
		return Event{}, err
	}
	raw, _, err := l.store.Read(ctx, key, storage.ReadOptions{MaxSize: maxEvent})
	if err != nil {
		return Event{}, fmt.Errorf("audit: reading event %s: %w", id, err)
	}
	return decode(key, raw)
}

// maxEvent bounds what is read as one event.
const maxEvent = 64 << 10

func decode(key string, raw []byte) (Event, error) {
	var e Event
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("audit: decoding %s: %w", key, err)
	}
	if want, err := Key(e.ID); err != nil || want != key {
		return e, fmt.Errorf("audit: %s holds event %q, not its own", key, e.ID)
	}
	return e, nil
}

// Scan reads the events stored from day from to day to (inclusive, in
// UTC; zero values: from the first, to the last) in the order they
// happened, and calls fn with each. It reads the store, not the index.
func (l *Log) Scan(ctx context.Context, from, to time.Time, fn func(Event) error) error {
	prefixes := []string{Prefix}
	if !from.IsZero() {
		if to.IsZero() {
			to = l.now()
		}
		prefixes = prefixes[:0]
		for d := day(from); !d.After(day(to)); d = d.AddDate(0, 0, 1) {
			prefixes = append(prefixes, Prefix+d.Format("2006/01/02")+"/")
		}
	}
	for _, p := range prefixes {
		objs, err := l.store.List(ctx, p)
		if err != nil {
			return fmt.Errorf("audit: listing %s: %w", p, err)
		}
		for _, o := range objs {
			if !strings.HasSuffix(o.Key, ".json") {
				continue
			}
			raw, _, err := l.store.Read(ctx, o.Key, storage.ReadOptions{MaxSize: maxEvent})
			if err != nil {
				return fmt.Errorf("audit: reading %s: %w", o.Key, err)
			}
			e, err := decode(o.Key, raw)
			if err != nil {
				return err
			}
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CatchUp adds the events stored since day from to the index: what an
// index write lost in a crash, or a new index, is found again. Without an
// index it does nothing.
func (l *Log) CatchUp(ctx context.Context, from time.Time) (int, error) {
	if l.index == nil {
		return 0, nil
	}
	var batch []Event
	n := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := l.index.AddAudit(ctx, batch...); err != nil {
			return fmt.Errorf("audit: catching up the index: %w", err)
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	err := l.Scan(ctx, from, time.Time{}, func(e Event) error {
		batch = append(batch, e)
		if len(batch) == 200 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, err
}

// Repair adds to the index what its failed writes missed since the last
// Repair, read back from the store; it does nothing when none failed.
func (l *Log) Repair(ctx context.Context) (int, error) {
	from := l.missed.Swap(0)
	if from == 0 {
		return 0, nil
	}
	n, err := l.CatchUp(ctx, time.Unix(0, from))
	if err != nil {
		l.missed.CompareAndSwap(0, from) // try again next time
	}
	return n, err
}

// Query selects events. Zero fields select everything.
type Query struct {
	Extract      string
	Organisation string // the extract's organisation or, for logins, the actor's
	Organ        string
	MeetingDate  string
	Actor        string // the actor's name or subject
	Action       Action
	From, To     time.Time // From ≤ At < To
	// Limit bounds the answer (0: DefaultLimit); the newest events are
	// kept when more match.
	Limit int
}

// DefaultLimit and MaxLimit bound a query's answer.
const (
	DefaultLimit = 1000
	MaxLimit     = 100000
)

// Match reports whether e is selected by q (Limit aside).
func (q Query) Match(e Event) bool {
	switch {
	case q.Extract != "" && e.Extract != q.Extract,
		q.Organisation != "" && e.Organisation != q.Organisation,
		q.Organ != "" && e.Organ != q.Organ,
		q.MeetingDate != "" && e.MeetingDate != q.MeetingDate,
		q.Actor != "" && e.Actor.Name != q.Actor && e.Actor.Subject != q.Actor,
		q.Action != "" && e.Action != q.Action,
		!q.From.IsZero() && e.At.Before(q.From),
		!q.To.IsZero() && !e.At.Before(q.To):
		return false
	}
	return true
}

// Lim is the query's limit with the defaults applied.
func (q Query) Lim() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

// Query answers q, oldest first: from the index when there is one,
// otherwise by reading the days q spans from the store.
func (l *Log) Query(ctx context.Context, q Query) ([]Event, error) {
	if l.index != nil {
		evs, err := l.index.QueryAudit(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("audit: querying the index: %w", err)
		}
		return evs, nil
	}
	var out []Event
	to := q.To
	if !to.IsZero() {
		to = to.Add(-time.Nanosecond)
	}
	err := l.Scan(ctx, q.From, to, func(e Event) error {
		if q.Match(e) {
			out = append(out, e)
			if len(out) > q.Lim() {
				out = out[1:]
			}
		}
		return nil
	})
	return out, err
}

// WriteJSONLines writes events as JSON Lines: one event, one line.
func WriteJSONLines(w io.Writer, events []Event) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("audit: writing event %s: %w", e.ID, err)
		}
	}
	return nil
}

// Who is who acts in a request, and from where.
type Who struct {
	Actor   Actor
	Address string
}

type whoKey struct{}

// WithWho returns ctx carrying who: the operations that ctx reaches record
// their events as done by who.
func WithWho(ctx context.Context, who Who) context.Context {
	return context.WithValue(ctx, whoKey{}, who)
}

// WhoFrom is the Who that ctx carries, and whether it carries one.
func WhoFrom(ctx context.Context) (Who, bool) {
	w, ok := ctx.Value(whoKey{}).(Who)
	return w, ok
}
