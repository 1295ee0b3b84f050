package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"utdrag/audit"
	"utdrag/index/indextest"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// clock steps a minute at each reading, from a day's last minutes over
// midnight, so events fall on two days.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Minute)
	return c.t
}

func newLog(store storage.Store, c *clock) *audit.Log {
	return audit.New(store, audit.Options{Retain: time.Hour, Now: c.now, Backoff: time.Millisecond})
}

var clerk = audit.Actor{Kind: audit.ActorPerson, Name: "Lena Nordin", Subject: "http://idp/#u1", Organisation: "kommun"}

func events() []audit.Event {
	return []audit.Event{
		{Action: audit.Create, Actor: audit.Actor{Kind: audit.ActorKey, Name: "diariet"}, Address: "10.0.0.5", Extract: "ex1", Organisation: "kommun", Organ: "Kommunstyrelsen", MeetingDate: "2026-11-30"},
		{Action: audit.Login, Actor: clerk, Address: "10.0.0.9", Organisation: "kommun"},
		{Action: audit.Certify, Actor: clerk, Address: "10.0.0.9", Extract: "ex1", Version: 1, Organisation: "kommun", Organ: "Kommunstyrelsen", MeetingDate: "2026-11-30"},
		{Action: audit.Create, Actor: audit.Actor{Kind: audit.ActorKey, Name: "diariet"}, Address: "10.0.0.5", Extract: "ex2", Organisation: "kommun", Organ: "Barn- och utbildningsnämnden", MeetingDate: "2026-11-30"},
		{Action: audit.Distribute, Actor: clerk, Address: "10.0.0.9", Extract: "ex1", Version: 1, Organisation: "kommun", Organ: "Kommunstyrelsen", MeetingDate: "2026-11-30", Detail: "2 mottagare"},
		{Action: audit.LoginFailed, Actor: audit.Actor{Kind: audit.ActorNone}, Address: "192.0.2.1", Detail: "unknown key"},
		{Action: audit.Certify, Actor: clerk, Address: "10.0.0.9", Extract: "ex3", Version: 1, Organisation: "region", Organ: "Regionstyrelsen", MeetingDate: "2026-12-01"},
	}
}

// queriers are where a query is answered: the store itself, or the index
// on either database.
var queriers = map[string]func(t *testing.T) audit.Indexer{
	"scan":     func(*testing.T) audit.Indexer { return nil },
	"sqlite":   func(t *testing.T) audit.Indexer { return indextest.SQLite(t) },
	"postgres": func(t *testing.T) audit.Indexer { return indextest.Postgres(t) },
}

func TestRecordAndQuery(t *testing.T) {
	for name, open := range storagetest.Backends() {
		for qname, querier := range queriers {
			t.Run(name+"/"+qname, func(t *testing.T) { testRecordAndQuery(t, open(t), querier(t)) })
		}
	}
}

func testRecordAndQuery(t *testing.T, store storage.Store, ix audit.Indexer) {
	ctx := t.Context()
	c := &clock{t: time.Date(2026, 12, 6, 23, 55, 0, 0, time.UTC)}
	l := newLog(store, c)
	if ix != nil {
		l.SetIndexer(ix)
	}
	var got []audit.Event
	for _, e := range events() {
		rec, err := l.Record(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
	}
	// Every event is one object under its day, in the order of events.
	objs, err := store.List(ctx, audit.Prefix)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != len(got) {
		t.Fatalf("%d objects for %d events", len(objs), len(got))
	}
	days := map[string]int{}
	for i, o := range objs {
		want, _ := audit.Key(got[i].ID)
		if o.Key != want {
			t.Errorf("object %d is %s, want %s", i, o.Key, want)
		}
		days[strings.Join(strings.Split(o.Key, "/")[1:4], "-")]++
	}
	if days["2026-12-06"] != 4 || days["2026-12-07"] != 3 {
		t.Errorf("events by day: %v, want 4 on 2026-12-06 and 3 on 2026-12-07", days)
	}
	back, err := l.Read(ctx, got[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Action != audit.Certify || back.Actor != clerk || back.Version != 1 || back.Address != "10.0.0.9" || !back.At.Equal(got[2].At) {
		t.Errorf("read back %+v, want %+v", back, got[2])
	}

	check := func(q audit.Query, want ...int) {
		t.Helper()
		evs, err := l.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var ids, wantIDs []string
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
		for _, i := range want {
			wantIDs = append(wantIDs, got[i].ID)
		}
		if strings.Join(ids, " ") != strings.Join(wantIDs, " ") {
			t.Errorf("%+v: got %v, want events %v", q, ids, want)
		}
	}
	check(audit.Query{Extract: "ex1"}, 0, 2, 4)
	check(audit.Query{Organ: "Kommunstyrelsen", MeetingDate: "2026-11-30"}, 0, 2, 4)
	check(audit.Query{MeetingDate: "2026-11-30"}, 0, 2, 3, 4)
	check(audit.Query{Organisation: "region"}, 6)
	check(audit.Query{Actor: "Lena Nordin", Action: audit.Certify}, 2, 6)
	check(audit.Query{Actor: "http://idp/#u1", Action: audit.Login}, 1)
	check(audit.Query{Action: audit.LoginFailed}, 5)
	check(audit.Query{From: got[3].At, To: got[5].At}, 3, 4)
	check(audit.Query{Extract: "ex1", Limit: 2}, 2, 4) // the newest kept
	if latest, ok := ix.(interface {
		AuditLatest(context.Context) (time.Time, error)
	}); ok {
		at, err := latest.AuditLatest(ctx)
		if err != nil || !at.Equal(got[len(got)-1].At) {
			t.Errorf("the newest event indexed: %v, %v; want %v", at, err, got[len(got)-1].At)
		}
	}
}

// TestEventsCannotBeChanged: an event is written create-once and under
// retention, so neither the service nor a second write may replace or
// delete it.
func TestEventsCannotBeChanged(t *testing.T) {
	for name, open := range storagetest.Backends() {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			l := newLog(store, &clock{t: time.Now()})
			e, err := l.Record(ctx, events()[2])
			if err != nil {
				t.Fatal(err)
			}
			key, _ := audit.Key(e.ID)
			if _, err := store.Put(ctx, key, []byte(`{}`), storage.PutOptions{}); err == nil {
				t.Error("an event was overwritten")
			}
			if err := store.Delete(ctx, key); !errors.Is(err, storage.ErrImmutable) {
				t.Errorf("deleting an event: %v, want ErrImmutable", err)
			}
			back, err := l.Read(ctx, e.ID)
			if err != nil || back.ID != e.ID || back.Actor != clerk {
				t.Errorf("after the attempts: %+v, %v", back, err)
			}
		})
	}
}

// flaky fails its first Puts with ErrUnavailable.
type flaky struct {
	storage.Store
	mu    sync.Mutex
	fails int
	puts  int
}

func (f *flaky) Put(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	f.mu.Lock()
	f.puts++
	fail := f.puts <= f.fails
	f.mu.Unlock()
	if fail {
		return storage.Object{}, fmt.Errorf("%w: down", storage.ErrUnavailable)
	}
	return f.Store.Put(ctx, key, data, opts)
}

func TestRecordRetriesThenReports(t *testing.T) {
	ctx := t.Context()
	c := &clock{t: time.Now()}

	f := &flaky{Store: storagetest.FS(t), fails: 3}
	l := audit.New(f, audit.Options{Now: c.now, Tries: 4, Backoff: time.Millisecond})
	e, err := l.Record(ctx, events()[0])
	if err != nil {
		t.Fatalf("three failures then a success: %v", err)
	}
	if _, err := l.Read(ctx, e.ID); err != nil {
		t.Errorf("the retried event is not stored: %v", err)
	}

	f = &flaky{Store: storagetest.FS(t), fails: 4}
	l = audit.New(f, audit.Options{Now: c.now, Tries: 4, Backoff: time.Millisecond})
	if _, err := l.Record(ctx, events()[0]); !errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("four failures: %v, want the store's error", err)
	}
	if f.puts != 4 {
		t.Errorf("%d writes, want 4 tries", f.puts)
	}

	// A cancelled request still records what it did.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	store := storagetest.FS(t)
	l = audit.New(store, audit.Options{Now: c.now})
	if e, err := l.Record(cancelled, events()[1]); err != nil {
		t.Errorf("recording under a cancelled context: %v", err)
	} else if _, err := l.Read(ctx, e.ID); err != nil {
		t.Errorf("not stored: %v", err)
	}
}

func TestRecordRefusesInvalidEvents(t *testing.T) {
	store := storagetest.FS(t)
	l := newLog(store, &clock{t: time.Now()})
	for _, e := range []audit.Event{
		{Action: "delete", Actor: clerk},
		{Action: audit.Certify},
	} {
		if _, err := l.Record(t.Context(), e); !errors.Is(err, audit.ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", e, err)
		}
	}
	if objs, _ := store.List(t.Context(), ""); len(objs) != 0 {
		t.Errorf("invalid events left %d objects", len(objs))
	}
}

func TestKeyRefusesWhatIsNoID(t *testing.T) {
	for _, id := range []string{"", "x", "20261206T235600.000000000Z", "20261206T235600.000000000Z-../../etc", "20261206T235600.000000000Z-ABCDEFGHIJKLM", "2026-12-06-abcdefghijklm"} {
		if k, err := audit.Key(id); err == nil {
			t.Errorf("Key(%q) = %q, want an error", id, k)
		}
	}
	if k, err := audit.Key("20261206T235600.000000001Z-abcdefghijk27"); err != nil || k != "audit/2026/12/06/20261206T235600.000000001Z-abcdefghijk27.json" {
		t.Errorf("Key of a valid id: %q, %v", k, err)
	}
}

// memIndex is an index that keeps events in memory: enough to see that
// Record and CatchUp feed it.
type memIndex struct {
	mu   sync.Mutex
	evs  map[string]audit.Event
	fail bool
}

func (m *memIndex) AddAudit(_ context.Context, evs ...audit.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return errors.New("index down")
	}
	for _, e := range evs {
		m.evs[e.ID] = e
	}
	return nil
}

func (m *memIndex) QueryAudit(_ context.Context, q audit.Query) ([]audit.Event, error) {
	return nil, errors.New("not used")
}

func TestCatchUpAddsWhatTheIndexMissed(t *testing.T) {
	ctx := t.Context()
	c := &clock{t: time.Date(2026, 12, 6, 23, 55, 0, 0, time.UTC)}
	l := newLog(storagetest.FS(t), c)
	ix := &memIndex{evs: map[string]audit.Event{}, fail: true}
	l.SetIndexer(ix)
	var all []audit.Event
	for _, e := range events() {
		rec, err := l.Record(ctx, e) // the index is down: stored all the same
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, rec)
	}
	ix.fail = false
	n, err := l.Repair(ctx) // from the first event the index missed
	if err != nil || n != len(all) {
		t.Fatalf("repair: %d events, %v; want %d", n, err, len(all))
	}
	if n, err := l.Repair(ctx); err != nil || n != 0 {
		t.Errorf("a second repair with nothing missed: %d events, %v", n, err)
	}
	ix.evs = map[string]audit.Event{}
	n, err = l.CatchUp(ctx, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	if err != nil || n != 3 {
		t.Fatalf("catch-up from the second day: %d events, %v; want 3", n, err)
	}
	if _, err := l.CatchUp(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if len(ix.evs) != len(all) {
		t.Errorf("the index holds %d events, want %d", len(ix.evs), len(all))
	}
	for _, e := range all {
		if ix.evs[e.ID].Actor != e.Actor {
			t.Errorf("event %s missing or changed in the index", e.ID)
		}
	}
}

// TestJSONLinesReadBackWithJq: the export is read by jq, a tool that is
// not ours, one event per line.
func TestJSONLinesReadBackWithJq(t *testing.T) {
	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Fatal("jq is missing (scripts/deps.sh installs it)")
	}
	ctx := t.Context()
	l := newLog(storagetest.FS(t), &clock{t: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)})
	for _, e := range events() {
		if _, err := l.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := l.Query(ctx, audit.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := audit.WriteJSONLines(&buf, evs); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, jq, "-c", `select(.action == "certify") | [.actor.name, .extract, .version, .address]`)
	cmd.Stdin = bytes.NewReader(buf.Bytes())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq: %v", err)
	}
	want := `["Lena Nordin","ex1",1,"10.0.0.9"]` + "\n" + `["Lena Nordin","ex3",1,"10.0.0.9"]` + "\n"
	if string(out) != want {
		t.Errorf("jq read:\n%s\nwant:\n%s", out, want)
	}
	sc := bufio.NewScanner(&buf)
	n := 0
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.ID != evs[n].ID {
			t.Errorf("line %d: %v", n+1, err)
		}
		n++
	}
	if n != len(events()) {
		t.Errorf("%d lines, want %d", n, len(events()))
	}
}
