// Package fs is the storage.Store on local files, the embedded default for
// development and single-host installs.
//
// Under the store's folder, objects/ holds one file per object (a JSON
// header line, then the content), tmp/ holds writes in progress and locks/
// the lock files that serialise writers to a key across processes. A write
// goes to a synced temp file that is then renamed (or, for create-once,
// hard-linked) into place, so readers see the old object or the new one,
// never a part. Files and folders it makes are the owner's only (0600,
// retained objects 0400, folders 0700). It works on Unix file systems with
// flock and hard links.
//
// It may import the standard library and storage.
package fs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"utdrag/storage"
)

const defaultContentType = "application/octet-stream"

// staleTemp is the age after which New removes a temp file as the leftover
// of a crashed write.
const staleTemp = time.Hour

// Store keeps objects as files below one folder.
type Store struct {
	objects, tmp, locks string
}

var _ storage.Store = (*Store)(nil)

// New opens the store in dir, creating the folder if needed.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, errors.New("fs: no folder given")
	}
	s := &Store{
		objects: filepath.Join(dir, "objects"),
		tmp:     filepath.Join(dir, "tmp"),
		locks:   filepath.Join(dir, "locks"),
	}
	for _, d := range []string{s.objects, s.tmp, s.locks} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("fs: creating %s: %w", d, err)
		}
	}
	if err := s.removeStaleTemp(); err != nil {
		return nil, fmt.Errorf("fs: cleaning %s: %w", s.tmp, err)
	}
	return s, nil
}

// Put writes the object atomically; see storage.PutOptions for conditions.
func (s *Store) Put(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	if err := storage.ValidateKey(key); err != nil {
		return storage.Object{}, fmt.Errorf("fs: writing: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return storage.Object{}, fmt.Errorf("fs: writing %s: %w", key, err)
	}
	obj, err := s.put(ctx, key, data, opts)
	if err != nil {
		return storage.Object{}, fmt.Errorf("fs: writing %s: %w", key, err)
	}
	return obj, nil
}

func (s *Store) put(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	h := header{Version: headerVersion, ContentType: opts.ContentType}
	if h.ContentType == "" {
		h.ContentType = defaultContentType
	}
	sum := sha256.Sum256(data)
	h.ETag = hex.EncodeToString(sum[:])
	if opts.Retain > 0 {
		h.RetainUntil = time.Now().Add(opts.Retain).UTC()
		opts.IfNoneMatch = true
	}
	// Write before locking, so the lock is held only for checks and rename.
	tmp, err := s.writeTemp(h, data)
	if err != nil {
		return storage.Object{}, err
	}
	defer os.Remove(tmp)

	unlock, err := s.lockKey(ctx, key)
	if err != nil {
		return storage.Object{}, err
	}
	defer unlock()
	path := objectPath(s.objects, key)
	if err := checkPut(path, key, opts); err != nil {
		return storage.Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return storage.Object{}, err
	}
	if err := commit(tmp, path, opts.IfNoneMatch); err != nil {
		return storage.Object{}, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return storage.Object{}, err
	}
	return describe(key, h, int64(len(data)), fi.ModTime()), nil
}

// checkPut decides, under the key's lock, whether a write may replace what
// is at path.
func checkPut(path, key string, opts storage.PutOptions) error {
	cur, err := readHeader(path, key)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	switch {
	case opts.IfNoneMatch && exists:
		return fmt.Errorf("%w: object exists", storage.ErrPrecondition)
	case opts.IfMatch != "" && !exists:
		return fmt.Errorf("%w: no object to match", storage.ErrPrecondition)
	case opts.IfMatch != "" && cur.ETag != opts.IfMatch:
		return fmt.Errorf("%w: ETag is %s", storage.ErrPrecondition, cur.ETag)
	case exists && retained(cur):
		return fmt.Errorf("%w: retained until %s", storage.ErrImmutable, cur.RetainUntil.Format(time.RFC3339))
	}
	return nil
}

func retained(obj storage.Object) bool {
	return time.Now().Before(obj.RetainUntil)
}

// writeTemp writes header and data to a synced file in tmp and returns its
// path. Objects are readable by the service's user only (the store holds
// the development signing key beside the documents); retained ones are
// read-only on disk too, as a guard against edits by hand.
func (s *Store) writeTemp(h header, data []byte) (string, error) {
	line, err := encodeHeader(h)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(s.tmp, "put-*")
	if err != nil {
		return "", err
	}
	mode := os.FileMode(0o600)
	if !h.RetainUntil.IsZero() {
		mode = 0o400
	}
	_, err = f.Write(line)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// commit moves the temp file into place. A create links rather than
// renames, since link refuses to replace an existing file: even a writer
// that ignored the lock could not overwrite.
func commit(tmp, path string, create bool) error {
	dir := filepath.Dir(path)
	if err := mkdirAll(dir); err != nil {
		return err
	}
	if create {
		if err := os.Link(tmp, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("%w: object exists", storage.ErrPrecondition)
			}
			return err
		}
	} else if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// mkdirAll creates dir and its missing parents, syncing each parent so the
// new entries survive a crash.
func mkdirAll(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if err := mkdirAll(parent); err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Get reads the whole object.
func (s *Store) Get(ctx context.Context, key string) ([]byte, storage.Object, error) {
	return s.Read(ctx, key, storage.ReadOptions{})
}

// Read reads the whole object. The file store keeps no versions: a read of
// any version finds none.
func (s *Store) Read(ctx context.Context, key string, opts storage.ReadOptions) ([]byte, storage.Object, error) {
	if err := s.checkRead(ctx, key); err != nil {
		return nil, storage.Object{}, fmt.Errorf("fs: reading: %w", err)
	}
	if opts.Version != "" {
		return nil, storage.Object{}, fmt.Errorf("fs: reading %s version %q: %w: the file store keeps no versions", key, opts.Version, storage.ErrNotFound)
	}
	data, obj, err := s.read(key, opts.MaxSize)
	if err != nil {
		return nil, storage.Object{}, fmt.Errorf("fs: reading %s: %w", key, err)
	}
	return data, obj, nil
}

func (s *Store) read(key string, maxSize int64) ([]byte, storage.Object, error) {
	f, err := os.Open(objectPath(s.objects, key))
	if err != nil {
		return nil, storage.Object{}, notFound(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, storage.Object{}, err
	}
	// The header is at most maxHeaderLen: a file longer than that beyond
	// the bound holds too much content, and is not read.
	if maxSize > 0 && fi.Size() > maxSize+maxHeaderLen {
		return nil, storage.Object{}, fmt.Errorf("%w: more than %d bytes", storage.ErrTooLarge, maxSize)
	}
	raw := make([]byte, fi.Size())
	if _, err := f.ReadAt(raw, 0); err != nil {
		return nil, storage.Object{}, err
	}
	h, data, err := splitFile(raw)
	if err != nil {
		return nil, storage.Object{}, err
	}
	if maxSize > 0 && int64(len(data)) > maxSize {
		return nil, storage.Object{}, fmt.Errorf("%w: %d bytes, at most %d", storage.ErrTooLarge, len(data), maxSize)
	}
	return data, describe(key, h, int64(len(data)), fi.ModTime()), nil
}

// Stat describes the object without reading its content.
func (s *Store) Stat(ctx context.Context, key string) (storage.Object, error) {
	if err := s.checkRead(ctx, key); err != nil {
		return storage.Object{}, fmt.Errorf("fs: stat: %w", err)
	}
	obj, err := readHeader(objectPath(s.objects, key), key)
	if err != nil {
		return storage.Object{}, fmt.Errorf("fs: stat %s: %w", key, notFound(err))
	}
	return obj, nil
}

func (s *Store) checkRead(ctx context.Context, key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return err
	}
	return ctx.Err()
}

// notFound turns a missing file into storage.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", storage.ErrNotFound, err)
	}
	return err
}

// List walks only the folder named by the prefix's complete segments.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	if err := storage.ValidatePrefix(prefix); err != nil {
		return nil, fmt.Errorf("fs: listing: %w", err)
	}
	var objs []storage.Object
	err := filepath.WalkDir(dirPath(s.objects, prefix), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile, or no such prefix
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		obj, ok, err := s.listed(path, prefix)
		if ok {
			objs = append(objs, obj)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("fs: listing %q: %w", prefix, err)
	}
	slices.SortFunc(objs, func(a, b storage.Object) int { return strings.Compare(a.Key, b.Key) })
	return objs, nil
}

// listed describes the file at path if it is an object under prefix.
func (s *Store) listed(path, prefix string) (storage.Object, bool, error) {
	rel, err := filepath.Rel(s.objects, path)
	if err != nil {
		return storage.Object{}, false, err
	}
	key, ok := keyOf(rel)
	if !ok || !strings.HasPrefix(key, prefix) {
		return storage.Object{}, false, nil
	}
	obj, err := readHeader(path, key)
	if errors.Is(err, fs.ErrNotExist) {
		return storage.Object{}, false, nil // deleted since the walk saw it
	}
	return obj, err == nil, err
}

// Versions lists the current object alone: the file store keeps no other.
func (s *Store) Versions(ctx context.Context, key string) ([]storage.Object, error) {
	obj, err := s.Stat(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []storage.Object{obj}, nil
}

// Delete removes the object unless it is under retention.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.checkRead(ctx, key); err != nil {
		return fmt.Errorf("fs: deleting: %w", err)
	}
	if err := s.delete(ctx, key); err != nil {
		return fmt.Errorf("fs: deleting %s: %w", key, err)
	}
	return nil
}

func (s *Store) delete(ctx context.Context, key string) error {
	unlock, err := s.lockKey(ctx, key)
	if err != nil {
		return err
	}
	defer unlock()
	path := objectPath(s.objects, key)
	cur, err := readHeader(path, key)
	if err != nil {
		return notFound(err)
	}
	if retained(cur) {
		return fmt.Errorf("%w: retained until %s", storage.ErrImmutable, cur.RetainUntil.Format(time.RFC3339))
	}
	if err := os.Remove(path); err != nil {
		return notFound(err)
	}
	// Empty folders are left behind: removing them would race with writers
	// creating files in them.
	return syncDir(filepath.Dir(path))
}

// Ping checks that the store can still write to its folder.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fs: ping: %w", err)
	}
	f, err := os.CreateTemp(s.tmp, "ping-*")
	if err != nil {
		return fmt.Errorf("fs: ping: %w: %w", storage.ErrUnavailable, err)
	}
	f.Close()
	if err := os.Remove(f.Name()); err != nil {
		return fmt.Errorf("fs: ping: %w: %w", storage.ErrUnavailable, err)
	}
	if _, err := os.Stat(s.objects); err != nil {
		return fmt.Errorf("fs: ping: %w: %w", storage.ErrUnavailable, err)
	}
	return nil
}

// removeStaleTemp deletes temp files that a crashed write left behind.
func (s *Store) removeStaleTemp() error {
	entries, err := os.ReadDir(s.tmp)
	if err != nil {
		return err
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || time.Since(fi.ModTime()) < staleTemp {
			continue
		}
		if err := os.Remove(filepath.Join(s.tmp, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
