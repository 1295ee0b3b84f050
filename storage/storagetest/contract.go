package storagetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"utdrag/storage"
)

// clockSlack bounds how far a store's timestamps may be from this process's
// clock (the server may run elsewhere).
const clockSlack = 2 * time.Minute

func put(t *testing.T, s storage.Store, key string, data []byte, opts storage.PutOptions) storage.Object {
	t.Helper()
	obj, err := s.Put(t.Context(), key, data, opts)
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return obj
}

func mustGet(t *testing.T, s storage.Store, key string) ([]byte, storage.Object) {
	t.Helper()
	data, obj, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return data, obj
}

func wantContent(t *testing.T, s storage.Store, key string, want []byte) {
	t.Helper()
	got, _ := mustGet(t, s, key)
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, want %q", key, clip(got), clip(want))
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// sameObject compares what every call must agree on for one version.
func sameObject(t *testing.T, what string, got, want storage.Object) {
	t.Helper()
	if got.Key != want.Key || got.Size != want.Size || got.ETag != want.ETag || got.ContentType != want.ContentType {
		t.Fatalf("%s = %+v, want key, size, etag and type of %+v", what, got, want)
	}
	if !got.RetainUntil.Equal(want.RetainUntil) && got.RetainUntil.Sub(want.RetainUntil).Abs() > time.Second {
		t.Fatalf("%s: RetainUntil %v, want %v", what, got.RetainUntil, want.RetainUntil)
	}
}

func testRoundTrip(t *testing.T, s storage.Store) {
	key := "org/organ/2026-01-31/x1/extract.pdf"
	data := []byte("%PDF-1.7 protokollsutdrag §1")
	obj := put(t, s, key, data, storage.PutOptions{ContentType: "application/pdf"})
	want := storage.Object{Key: key, Size: int64(len(data)), ETag: obj.ETag, ContentType: "application/pdf"}
	if obj.ETag == "" {
		t.Fatal("Put returned an empty ETag")
	}
	sameObject(t, "Put", obj, want)
	if d := time.Since(obj.Modified).Abs(); d > clockSlack {
		t.Errorf("Put: Modified %v is %v from now", obj.Modified, d)
	}
	if !obj.RetainUntil.IsZero() {
		t.Errorf("Put without Retain: RetainUntil %v, want zero", obj.RetainUntil)
	}
	got, gobj := mustGet(t, s, key)
	if !bytes.Equal(got, data) {
		t.Fatalf("Get = %q, want %q", got, data)
	}
	sameObject(t, "Get", gobj, want)
	sobj, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	sameObject(t, "Stat", sobj, want)
	if d := sobj.Modified.Sub(obj.Modified).Abs(); d > 2*time.Second {
		t.Errorf("Stat: Modified %v, Put said %v", sobj.Modified, obj.Modified)
	}
}

func testDefaultContentType(t *testing.T, s storage.Store) {
	put(t, s, "plain", []byte("x"), storage.PutOptions{})
	obj, err := s.Stat(t.Context(), "plain")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if obj.ContentType != "application/octet-stream" {
		t.Fatalf("ContentType = %q, want application/octet-stream", obj.ContentType)
	}
}

func testOverwrite(t *testing.T, s storage.Store) {
	first := put(t, s, "k", []byte("first"), storage.PutOptions{ContentType: "text/plain"})
	second := put(t, s, "k", []byte("second, longer"), storage.PutOptions{ContentType: "application/json"})
	if second.ETag == first.ETag {
		t.Fatalf("ETag unchanged after overwrite with other content: %q", first.ETag)
	}
	wantContent(t, s, "k", []byte("second, longer"))
	obj, err := s.Stat(t.Context(), "k")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	sameObject(t, "Stat after overwrite", obj, second)
}

func testIfNoneMatch(t *testing.T, s storage.Store) {
	opts := storage.PutOptions{IfNoneMatch: true}
	first := put(t, s, "once", []byte("first"), opts)
	_, err := s.Put(t.Context(), "once", []byte("second"), opts)
	wantErr(t, "second create-once Put", err, storage.ErrPrecondition)
	wantContent(t, s, "once", []byte("first"))
	obj, err := s.Stat(t.Context(), "once")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	sameObject(t, "Stat after lost create", obj, first)

	if err := s.Delete(t.Context(), "once"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	put(t, s, "once", []byte("again"), opts)
	wantContent(t, s, "once", []byte("again"))
}

func testIfMatch(t *testing.T, s storage.Store) {
	v1 := put(t, s, "cas", []byte("v1"), storage.PutOptions{})
	v2 := put(t, s, "cas", []byte("v2"), storage.PutOptions{IfMatch: v1.ETag})
	_, err := s.Put(t.Context(), "cas", []byte("v3"), storage.PutOptions{IfMatch: v1.ETag})
	wantErr(t, "Put with stale ETag", err, storage.ErrPrecondition)
	wantContent(t, s, "cas", []byte("v2"))

	_, err = s.Put(t.Context(), "cas", []byte("v3"), storage.PutOptions{IfMatch: "0123456789abcdef"})
	wantErr(t, "Put with made-up ETag", err, storage.ErrPrecondition)
	put(t, s, "cas", []byte("v3"), storage.PutOptions{IfMatch: v2.ETag})
	wantContent(t, s, "cas", []byte("v3"))

	_, err = s.Put(t.Context(), "missing", []byte("x"), storage.PutOptions{IfMatch: v2.ETag})
	wantErr(t, "IfMatch Put on a missing key", err, storage.ErrPrecondition)
	_, err = s.Stat(t.Context(), "missing")
	wantErr(t, "Stat after failed IfMatch Put", err, storage.ErrNotFound)
}

func testCreateOnceRace(t *testing.T, s storage.Store) {
	const writers = 20
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		winners []int
		others  []error
	)
	start := make(chan struct{})
	for i := range writers {
		wg.Go(func() {
			<-start
			_, err := s.Put(t.Context(), "race/once", fmt.Appendf(nil, "writer %d", i), storage.PutOptions{IfNoneMatch: true})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				winners = append(winners, i)
			case !errors.Is(err, storage.ErrPrecondition):
				others = append(others, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if len(others) > 0 {
		t.Fatalf("losers failed with other errors than ErrPrecondition: %v", others)
	}
	if len(winners) != 1 {
		t.Fatalf("%d writers won the create-once race (%v), want exactly 1", len(winners), winners)
	}
	wantContent(t, s, "race/once", fmt.Appendf(nil, "writer %d", winners[0]))
}

// testIfMatchIncrements has writers race read-modify-write on one counter;
// a lost update would show as a final count below the number of increments.
func testIfMatchIncrements(t *testing.T, s storage.Store) {
	const writers, each = 6, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			for range each {
				if err := Increment(t.Context(), s, "race/counter"); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantContent(t, s, "race/counter", []byte(strconv.Itoa(writers*each)))
}

// Increment adds one to the decimal counter at key with compare-and-swap
// writes, retrying lost races. Exported so stores' own tests can race it
// from several processes.
func Increment(ctx context.Context, s storage.Store, key string) error {
	for attempt := 0; attempt < 1000; attempt++ {
		data, obj, err := s.Get(ctx, key)
		opts := storage.PutOptions{IfMatch: obj.ETag}
		switch {
		case errors.Is(err, storage.ErrNotFound):
			data, opts = []byte("0"), storage.PutOptions{IfNoneMatch: true}
		case err != nil:
			return fmt.Errorf("reading counter: %w", err)
		}
		n, err := strconv.Atoi(string(data))
		if err != nil {
			return fmt.Errorf("counter holds %q: %w", data, err)
		}
		_, err = s.Put(ctx, key, []byte(strconv.Itoa(n+1)), opts)
		if err == nil {
			return nil
		}
		if !errors.Is(err, storage.ErrPrecondition) {
			return fmt.Errorf("writing counter: %w", err)
		}
		time.Sleep(time.Duration(rand.IntN(5000)) * time.Microsecond)
	}
	return errors.New("counter: too many lost races")
}

func testListPrefix(t *testing.T, s storage.Store) {
	keys := []string{
		"b", "a/b/2", "a/b/1", "a/bc", "a/b/c/3", "ab", "a/B", "a/b.", "a/ö", "a/z",
	}
	for i, k := range keys {
		put(t, s, k, bytes.Repeat([]byte{'x'}, i+1), storage.PutOptions{ContentType: "text/plain"})
	}
	cases := map[string][]string{
		"":        {"a/B", "a/b.", "a/b/1", "a/b/2", "a/b/c/3", "a/bc", "a/z", "a/ö", "ab", "b"},
		"a":       {"a/B", "a/b.", "a/b/1", "a/b/2", "a/b/c/3", "a/bc", "a/z", "a/ö", "ab"},
		"a/":      {"a/B", "a/b.", "a/b/1", "a/b/2", "a/b/c/3", "a/bc", "a/z", "a/ö"},
		"a/b":     {"a/b.", "a/b/1", "a/b/2", "a/b/c/3", "a/bc"},
		"a/b/":    {"a/b/1", "a/b/2", "a/b/c/3"},
		"a/b.":    {"a/b."},
		"a/b/c/3": {"a/b/c/3"},
		"a/x":     nil,
		"c/":      nil,
	}
	for prefix, want := range cases {
		objs, err := s.List(t.Context(), prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", prefix, err)
		}
		got := make([]string, 0, len(objs))
		for _, o := range objs {
			got = append(got, o.Key)
			i := slices.Index(keys, o.Key)
			if o.Size != int64(i+1) || o.ETag == "" {
				t.Errorf("List(%q): %s has size %d and ETag %q, want size %d and an ETag", prefix, o.Key, o.Size, o.ETag, i+1)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("List(%q) = %q, want %q", prefix, got, want)
		}
	}
	objs, err := s.List(t.Context(), "a/b/1")
	if err != nil || len(objs) != 1 {
		t.Fatalf("List(a/b/1) = %v, %v", objs, err)
	}
	st, err := s.Stat(t.Context(), "a/b/1")
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	sameObject(t, "List entry", objs[0], st)
}

func testListEmpty(t *testing.T, s storage.Store) {
	objs, err := s.List(t.Context(), "")
	if err != nil || len(objs) != 0 {
		t.Fatalf("List on an empty store = %v, %v; want nothing", objs, err)
	}
}

func testNotFound(t *testing.T, s storage.Store) {
	put(t, s, "present/x", []byte("x"), storage.PutOptions{})
	for _, key := range []string{"absent", "present", "present/x/y", "present/y"} {
		_, _, err := s.Get(t.Context(), key)
		wantErr(t, "Get "+key, err, storage.ErrNotFound)
		_, err = s.Stat(t.Context(), key)
		wantErr(t, "Stat "+key, err, storage.ErrNotFound)
		err = s.Delete(t.Context(), key)
		wantErr(t, "Delete "+key, err, storage.ErrNotFound)
	}
}

func testDelete(t *testing.T, s storage.Store) {
	put(t, s, "d/keep", []byte("keep"), storage.PutOptions{})
	put(t, s, "d/gone", []byte("gone"), storage.PutOptions{})
	if err := s.Delete(t.Context(), "d/gone"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, _, err := s.Get(t.Context(), "d/gone")
	wantErr(t, "Get after Delete", err, storage.ErrNotFound)
	objs, err := s.List(t.Context(), "d/")
	if err != nil || len(objs) != 1 || objs[0].Key != "d/keep" {
		t.Fatalf("List after Delete = %v, %v; want only d/keep", objs, err)
	}
	wantErr(t, "second Delete", s.Delete(t.Context(), "d/gone"), storage.ErrNotFound)
	wantContent(t, s, "d/keep", []byte("keep"))
}

func testRetain(t *testing.T, s storage.Store) {
	const key = "certified/extract.pdf"
	data := []byte("%PDF certified")
	before := time.Now()
	obj := put(t, s, key, data, storage.PutOptions{ContentType: "application/pdf", Retain: time.Hour})
	if d := obj.RetainUntil.Sub(before.Add(time.Hour)).Abs(); d > clockSlack {
		t.Fatalf("Put: RetainUntil %v, want about %v", obj.RetainUntil, before.Add(time.Hour))
	}
	st, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	sameObject(t, "Stat of retained object", st, obj)

	_, err = s.Put(t.Context(), key, []byte("forged"), storage.PutOptions{})
	wantErr(t, "overwriting a retained object", err, storage.ErrImmutable)
	_, err = s.Put(t.Context(), key, []byte("forged"), storage.PutOptions{IfMatch: obj.ETag})
	wantErr(t, "IfMatch overwrite of a retained object", err, storage.ErrImmutable)
	_, err = s.Put(t.Context(), key, []byte("forged"), storage.PutOptions{Retain: time.Hour})
	wantErr(t, "second Retain Put (implies IfNoneMatch)", err, storage.ErrPrecondition)
	wantErr(t, "deleting a retained object", s.Delete(t.Context(), key), storage.ErrImmutable)

	got, gobj := mustGet(t, s, key)
	if !bytes.Equal(got, data) {
		t.Fatalf("retained content changed to %q", got)
	}
	sameObject(t, "Get of retained object", gobj, obj)
	objs, err := s.List(t.Context(), "certified/")
	if err != nil || len(objs) != 1 {
		t.Fatalf("List = %v, %v; want the retained object", objs, err)
	}
	sameObject(t, "List entry of retained object", objs[0], obj)
}

func testCancelledWrite(t *testing.T, s storage.Store) {
	put(t, s, "c/old", []byte("old"), storage.PutOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, key := range []string{"c/new", "c/old"} {
		_, err := s.Put(ctx, key, []byte("half-written"), storage.PutOptions{})
		wantErr(t, "Put with a cancelled context", err, context.Canceled)
	}
	_, err := s.Stat(t.Context(), "c/new")
	wantErr(t, "Stat after a cancelled Put", err, storage.ErrNotFound)
	wantContent(t, s, "c/old", []byte("old"))
	objs, err := s.List(t.Context(), "")
	if err != nil || len(objs) != 1 || objs[0].Key != "c/old" {
		t.Fatalf("List after a cancelled Put = %v, %v; want only c/old", objs, err)
	}
}

func testBinary(t *testing.T, s storage.Store) {
	data := make([]byte, 0, 3<<20)
	for i := range 256 * 4 {
		data = append(data, byte(i), '\n', '\r', 0)
	}
	rng := rand.NewChaCha8([32]byte{1, 2, 3})
	tail := make([]byte, 3<<20-len(data))
	_, _ = rng.Read(tail)
	data = append(data, tail...)
	obj := put(t, s, "bin/blob", data, storage.PutOptions{})
	if obj.Size != int64(len(data)) {
		t.Fatalf("Put: Size %d, want %d", obj.Size, len(data))
	}
	wantContent(t, s, "bin/blob", data)
}

func testEmpty(t *testing.T, s storage.Store) {
	obj := put(t, s, "empty", nil, storage.PutOptions{})
	got, gobj := mustGet(t, s, "empty")
	if len(got) != 0 || gobj.Size != 0 || obj.Size != 0 {
		t.Fatalf("empty object: Get %d bytes, Size %d, Put Size %d", len(got), gobj.Size, obj.Size)
	}
}

func testInvalidKeys(t *testing.T, s storage.Store) {
	for _, key := range []string{"", "/etc/passwd", "../escape", "a/../../b", "a//b", "a/"} {
		_, err := s.Put(t.Context(), key, []byte("x"), storage.PutOptions{})
		wantErr(t, "Put "+key, err, storage.ErrInvalidKey)
		_, _, err = s.Get(t.Context(), key)
		wantErr(t, "Get "+key, err, storage.ErrInvalidKey)
		_, err = s.Stat(t.Context(), key)
		wantErr(t, "Stat "+key, err, storage.ErrInvalidKey)
		wantErr(t, "Delete "+key, s.Delete(t.Context(), key), storage.ErrInvalidKey)
	}
	_, err := s.List(t.Context(), "../")
	wantErr(t, "List ../", err, storage.ErrInvalidKey)
	objs, err := s.List(t.Context(), "")
	if err != nil || len(objs) != 0 {
		t.Fatalf("List after rejected Puts = %v, %v; want nothing", objs, err)
	}
}

// testPing: Ping writes to check that the store can write, and leaves
// nothing a List would show.
func testPing(t *testing.T, s storage.Store) {
	for range 3 {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	}
	objs, err := s.List(t.Context(), "")
	if err != nil || len(objs) != 0 {
		t.Fatalf("List after Ping = %v, %v; want nothing", objs, err)
	}
}

// testReadVersion: where Put reports a version, reading by it returns
// that version's bytes after the key was overwritten; Delete removes the
// current version for good. Where it reports none, no version can be read.
func testReadVersion(t *testing.T, s storage.Store) {
	const key = "v/extract.pdf"
	v1 := put(t, s, key, []byte("%PDF recorded"), storage.PutOptions{ContentType: "application/pdf"})
	v2 := put(t, s, key, []byte("forged"), storage.PutOptions{})
	if v1.Version == "" {
		if v2.Version != "" {
			t.Fatalf("first Put reported no version, second %q", v2.Version)
		}
		for _, v := range []string{"1", "null", "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"} {
			_, _, err := s.Read(t.Context(), key, storage.ReadOptions{Version: v})
			wantErr(t, "Read of version "+v+" from a store without versions", err, storage.ErrNotFound)
		}
		got, obj, err := s.Read(t.Context(), key, storage.ReadOptions{})
		if err != nil || string(got) != "forged" || obj.Version != "" {
			t.Fatalf("Read = %q, version %q, %v; want the current object without a version", got, obj.Version, err)
		}
		return
	}
	if v1.Version == v2.Version {
		t.Fatalf("two Puts reported the same version %q", v1.Version)
	}
	readVersion := func(v storage.Object, want string) {
		t.Helper()
		got, obj, err := s.Read(t.Context(), key, storage.ReadOptions{Version: v.Version})
		if err != nil || string(got) != want || obj.Version != v.Version || obj.ETag != v.ETag {
			t.Fatalf("Read of version %s = %q, version %q, ETag %q, %v; want %q, ETag %q", v.Version, got, obj.Version, obj.ETag, err, want, v.ETag)
		}
	}
	readVersion(v1, "%PDF recorded")
	readVersion(v2, "forged")
	_, gobj := mustGet(t, s, key)
	st, err := s.Stat(t.Context(), key)
	if err != nil || gobj.Version != v2.Version || st.Version != v2.Version {
		t.Fatalf("Get and Stat report versions %q and %q (%v), want the current %q", gobj.Version, st.Version, err, v2.Version)
	}
	_, _, err = s.Read(t.Context(), key, storage.ReadOptions{Version: "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd"})
	wantErr(t, "Read of a version never written", err, storage.ErrNotFound)
	_, _, err = s.Read(t.Context(), "v/other", storage.ReadOptions{Version: v1.Version})
	wantErr(t, "Read of another key's version", err, storage.ErrNotFound)

	if err := s.Delete(t.Context(), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, _, err = s.Get(t.Context(), key)
	wantErr(t, "Get after Delete", err, storage.ErrNotFound)
	_, _, err = s.Read(t.Context(), key, storage.ReadOptions{Version: v2.Version})
	wantErr(t, "Read of the version Delete removed", err, storage.ErrNotFound)
	objs, err := s.List(t.Context(), "v/")
	if err != nil || len(objs) != 0 {
		t.Fatalf("List after Delete = %v, %v; want nothing", objs, err)
	}
}

// testReadMaxSize: a read bounded below the object's size fails without
// the content; at its size it succeeds.
func testReadMaxSize(t *testing.T, s storage.Store) {
	data := bytes.Repeat([]byte("0123456789"), 3000)
	obj := put(t, s, "m/big", data, storage.PutOptions{})
	for _, max := range []int64{1, int64(len(data)) - 1} {
		got, _, err := s.Read(t.Context(), "m/big", storage.ReadOptions{MaxSize: max})
		wantErr(t, fmt.Sprintf("Read with MaxSize %d of %d bytes", max, len(data)), err, storage.ErrTooLarge)
		if got != nil {
			t.Fatalf("Read over MaxSize returned %d bytes", len(got))
		}
	}
	got, gobj, err := s.Read(t.Context(), "m/big", storage.ReadOptions{MaxSize: int64(len(data)), Version: obj.Version})
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Read with MaxSize at the size: %d bytes, %v", len(got), err)
	}
	sameObject(t, "Read", gobj, obj)
	_, _, err = s.Read(t.Context(), "m/absent", storage.ReadOptions{MaxSize: 10})
	wantErr(t, "bounded Read of a missing key", err, storage.ErrNotFound)
}

// testVersions: Versions lists what the store holds of a key, newest
// first: every version where it keeps them, the current object where not.
func testVersions(t *testing.T, s storage.Store) {
	const key = "vs/certified-1.pdf"
	vs, err := s.Versions(t.Context(), key)
	if err != nil || len(vs) != 0 {
		t.Fatalf("Versions of a missing key = %v, %v; want none", vs, err)
	}
	put(t, s, "vs/certified-1.pdf.other", []byte("a longer key, not a version"), storage.PutOptions{})
	v1 := put(t, s, key, []byte("first"), storage.PutOptions{ContentType: "application/pdf"})
	time.Sleep(10 * time.Millisecond) // versions apart in time
	v2 := put(t, s, key, []byte("second, longer"), storage.PutOptions{})
	vs, err = s.Versions(t.Context(), key)
	if err != nil {
		t.Fatalf("Versions: %v", err)
	}
	want := []storage.Object{v2, v1}
	if v1.Version == "" {
		want = want[:1]
	}
	if len(vs) != len(want) {
		t.Fatalf("Versions = %+v, want %d", vs, len(want))
	}
	for i, w := range want {
		if vs[i].Key != key || vs[i].Version != w.Version || vs[i].ETag != w.ETag || vs[i].Size != w.Size {
			t.Errorf("version %d = %+v, want %+v", i, vs[i], w)
		}
	}
	if err := s.Delete(t.Context(), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	vs, err = s.Versions(t.Context(), key)
	if err != nil {
		t.Fatalf("Versions after Delete: %v", err)
	}
	for _, v := range vs {
		if v.Version == v2.Version {
			t.Errorf("Versions after Delete lists the version it removed: %+v", vs)
		}
	}
	if v1.Version == "" && len(vs) != 0 {
		t.Errorf("Versions after Delete = %+v, want none on a store without versions", vs)
	}
}
