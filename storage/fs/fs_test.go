package fs_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"utdrag/storage"
	"utdrag/storage/fs"
	"utdrag/storage/storagetest"
)

func newStore(t *testing.T) *fs.Store {
	t.Helper()
	s, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store { return newStore(t) })
}

func TestETagIsSHA256(t *testing.T) {
	s := newStore(t)
	data := []byte("protokollsutdrag")
	obj, err := s.Put(t.Context(), "k", data, storage.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]); obj.ETag != want {
		t.Fatalf("ETag = %s, want %s", obj.ETag, want)
	}
}

// Keys that differ only by the suffixes the layout adds must not collide.
func TestLayoutSuffixesDoNotCollide(t *testing.T) {
	s := newStore(t)
	keys := []string{"a", "a/b", "a.dir", "a.dir/b", "a.obj", "a.obj/b.obj", "b.dir.obj"}
	for _, k := range keys {
		if _, err := s.Put(t.Context(), k, []byte(k), storage.PutOptions{IfNoneMatch: true}); err != nil {
			t.Fatalf("Put(%q): %v", k, err)
		}
	}
	for _, k := range keys {
		got, _, err := s.Get(t.Context(), k)
		if err != nil || string(got) != k {
			t.Fatalf("Get(%q) = %q, %v", k, got, err)
		}
	}
	objs, err := s.List(t.Context(), "")
	if err != nil || len(objs) != len(keys) {
		t.Fatalf("List = %d objects, %v; want %d", len(objs), err, len(keys))
	}
}

func TestStrayFilesAreInvisible(t *testing.T) {
	dir := t.TempDir()
	s, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), "a/real", []byte("x"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	stray := []string{"tmp/put-123", "objects/a.dir/put-456", "objects/a.dir/real"}
	for _, p := range stray {
		if err := os.WriteFile(filepath.Join(dir, p), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := s.List(t.Context(), "")
	if err != nil || len(objs) != 1 || objs[0].Key != "a/real" {
		t.Fatalf("List = %v, %v; want only a/real", objs, err)
	}
}

func TestNewRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := fs.New(dir); err != nil {
		t.Fatal(err)
	}
	stale, fresh := filepath.Join(dir, "tmp", "put-stale"), filepath.Join(dir, "tmp", "put-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.New(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file still there: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file (a write in progress) removed: %v", err)
	}
}

func TestRetainedFileIsReadOnly(t *testing.T) {
	dir := t.TempDir()
	s, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), "c/cert.pdf", []byte("x"), storage.PutOptions{Retain: time.Hour}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "objects", "c.dir", "cert.pdf.obj"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o222 != 0 {
		t.Fatalf("retained file mode %v, want read-only", fi.Mode())
	}
}

func TestRetentionExpires(t *testing.T) {
	s := newStore(t)
	if _, err := s.Put(t.Context(), "k", []byte("x"), storage.PutOptions{Retain: 50 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(t.Context(), "k"); !errors.Is(err, storage.ErrImmutable) {
		t.Fatalf("Delete under retention: %v, want ErrImmutable", err)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := s.Put(t.Context(), "k", []byte("y"), storage.PutOptions{}); err != nil {
		t.Fatalf("overwrite after retention: %v", err)
	}
	if err := s.Delete(t.Context(), "k"); err != nil {
		t.Fatalf("Delete after retention: %v", err)
	}
}

func TestPingFailsWithoutFolder(t *testing.T) {
	dir := t.TempDir()
	s, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Ping on a removed folder: %v, want ErrUnavailable", err)
	}
}

const (
	childDirEnv = "UTDRAG_FS_TEST_CHILD_DIR"
	childRuns   = 15
)

// TestProcessesShareLocks runs compare-and-swap increments from several
// processes at once; without a lock shared between processes, updates get
// lost or two creates both win.
func TestProcessesShareLocks(t *testing.T) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		incrementIn(t, dir)
		return
	}
	dir := t.TempDir()
	const procs = 3
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*bytes.Buffer, procs)
	for i := range cmds {
		outs[i] = new(bytes.Buffer)
		cmds[i] = exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestProcessesShareLocks$", "-test.count=1")
		cmds[i].Env = append(os.Environ(), childDirEnv+"="+dir)
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	s, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Get(t.Context(), "counter")
	if err != nil {
		t.Fatal(err)
	}
	if want := strconv.Itoa(procs * childRuns); string(got) != want {
		t.Fatalf("counter = %s, want %s", got, want)
	}
}

func incrementIn(t *testing.T, dir string) {
	s, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range childRuns {
		if err := storagetest.Increment(t.Context(), s, "counter"); err != nil {
			t.Fatal(fmt.Errorf("increment %d: %w", i, err))
		}
	}
}
