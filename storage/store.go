// Package storage keeps extracts' bytes: PDFs, metadata documents and
// distribution records. Store is the one contract; fs (local files, the
// embedded default) and s3 (MinIO or any S3-compatible server, through
// minio-go) implement it, and one contract test suite runs against both.
//
// It may import the standard library and minio-go, nothing of this module.
package storage

import (
	"context"
	"errors"
	"time"
)

// Errors a Store returns, wrapped with what was being done. Callers test them
// with errors.Is.
var (
	// ErrNotFound: no object at that key.
	ErrNotFound = errors.New("storage: object not found")
	// ErrPrecondition: a conditional write lost (IfNoneMatch on an existing
	// key, or IfMatch on a changed or missing object).
	ErrPrecondition = errors.New("storage: precondition failed")
	// ErrImmutable: the object is under retention (or the store refuses to
	// overwrite it) and may be neither replaced nor deleted.
	ErrImmutable = errors.New("storage: object is immutable")
	// ErrUnavailable: the backend cannot be reached; the operation may
	// succeed later.
	ErrUnavailable = errors.New("storage: backend unavailable")
	// ErrTooLarge: the object is larger than ReadOptions.MaxSize; none of
	// it was read.
	ErrTooLarge = errors.New("storage: object larger than allowed")
)

// Object describes a stored object.
type Object struct {
	Key         string
	Size        int64
	ETag        string // opaque; pass it back in PutOptions.IfMatch
	ContentType string
	Modified    time.Time
	// RetainUntil is set when the object is under retention.
	RetainUntil time.Time
	// Version names this version of the object where the store keeps
	// versions (an S3 bucket with versioning, which object lock turns on):
	// ReadOptions.Version reads exactly these bytes later, even after the
	// key was overwritten, or deleted by anyone but this store's Delete
	// (an S3 delete marker). Empty where the store keeps only the current
	// object (the file store, S3 without versioning). Put, Get, Read and
	// Stat report it; List may leave it empty.
	Version string
}

// ReadOptions tune a Read. The zero value reads the current object whole.
type ReadOptions struct {
	// Version reads that version of the object (an Object.Version the
	// store reported) instead of the current one; ErrNotFound when the
	// store holds no such version.
	Version string
	// MaxSize, when above zero, refuses an object larger than it with
	// ErrTooLarge before reading its content, so a reader that knows what
	// size to expect never buffers more.
	MaxSize int64
}

// PutOptions tune a write. The zero value is an unconditional overwrite.
type PutOptions struct {
	ContentType string
	// IfNoneMatch makes the write create-once: it fails with ErrPrecondition
	// when an object already exists at the key.
	IfNoneMatch bool
	// IfMatch, when set, makes the write succeed only while the object's
	// current ETag equals it; otherwise ErrPrecondition.
	IfMatch string
	// Retain puts the new object under retention for this long: it can be
	// neither overwritten nor deleted until then (object lock on S3; the
	// file store refuses both). Implies IfNoneMatch.
	Retain time.Duration
}

// Store is an object store with atomic writes: a reader sees either the whole
// new object or none of it, and a failed write leaves nothing a Get, Stat or
// List would show.
type Store interface {
	Put(ctx context.Context, key string, data []byte, opts PutOptions) (Object, error)
	Get(ctx context.Context, key string) ([]byte, Object, error)
	// Read is Get with options: a version, a bound on the size.
	Read(ctx context.Context, key string, opts ReadOptions) ([]byte, Object, error)
	Stat(ctx context.Context, key string) (Object, error)
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Versions lists the versions the store holds of the object at key,
	// newest first, each with its Version, delete markers left out; a store
	// that keeps one version lists the current object, if there is one.
	Versions(ctx context.Context, key string) ([]Object, error)
	// Delete removes the object; ErrNotFound when there is none, ErrImmutable
	// when it is under retention. Where the store keeps versions it removes
	// the version it found current, and only that one: never a version
	// written meanwhile, and no delete marker is left.
	Delete(ctx context.Context, key string) error
	// Ping checks that the backend can take writes now, with a small write
	// of its own that it removes again; readiness probes call it. A store
	// that still answers reads but cannot write fails it.
	Ping(ctx context.Context) error
}
