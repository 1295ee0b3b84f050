package archive

import (
	"context"
	"errors"
	"fmt"

	"utdrag/storage"
)

// ErrMismatch: an object a record points at is not what the record says
// (another checksum or size), or is gone. Such bytes are never served.
var ErrMismatch = errors.New("archive: stored object differs from its record")

// PDF returns the uncertified PDF exactly as rec recorded it.
func (a *Archive) PDF(ctx context.Context, rec *Record) ([]byte, error) {
	return a.recorded(ctx, rec, PDFKey(rec.ID), rec.SHA256, rec.Bytes)
}

// Certified returns certified version n of rec exactly as rec recorded it;
// ErrNotFound when rec has no such version.
func (a *Archive) Certified(ctx context.Context, rec *Record, n int) ([]byte, error) {
	if n < 1 || n > len(rec.Certifications) {
		return nil, fmt.Errorf("%w: %s has no certified version %d", ErrNotFound, rec.ID, n)
	}
	c := rec.Certifications[n-1]
	return a.recorded(ctx, rec, CertifiedKey(rec.ID, c.Version), c.SHA256, c.Bytes)
}

// HTML returns the HTML rendition of an extract.
func (a *Archive) HTML(ctx context.Context, rec *Record) ([]byte, error) {
	b, _, err := a.store.Get(ctx, HTMLKey(rec.ID))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("archive: reading %s: %w", HTMLKey(rec.ID), err)
	}
	return b, nil
}

// recorded reads the object at key as rec pinned it, no larger than the
// size recorded, and checks it against the recorded checksum before anyone
// sees a byte. A PDF is at most a few megabytes, so holding it whole costs
// little and lets a mismatch still become an error answer, where a check
// at the end of a stream could only cut the connection after the wrong
// bytes had gone out.
//
// The pinned version is read where there is one (S3 with versioning): a
// later overwrite or delete of the key changes nothing. Without one (the
// file store, S3 without versioning, records written before versions were
// pinned), or when the store no longer knows it (a bucket copied to
// another, where versions get new IDs), the current object is read and
// the checksum alone decides.
func (a *Archive) recorded(ctx context.Context, rec *Record, key, sum string, size int) ([]byte, error) {
	version := rec.Versions[key]
	b, _, err := a.store.Read(ctx, key, storage.ReadOptions{Version: version, MaxSize: int64(size)})
	if version != "" && errors.Is(err, storage.ErrNotFound) {
		version = "current, pinned " + version + " not found"
		b, _, err = a.store.Read(ctx, key, storage.ReadOptions{MaxSize: int64(size)})
	}
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, mismatch(key, version, "missing")
	case errors.Is(err, storage.ErrTooLarge):
		return nil, mismatch(key, version, fmt.Sprintf("larger than the %d bytes recorded", size))
	case err != nil:
		return nil, fmt.Errorf("archive: reading %s: %w", key, err)
	}
	if got := Checksum(b); got != sum || len(b) != size {
		return nil, mismatch(key, version, fmt.Sprintf("%d bytes with SHA-256 %s, recorded %d bytes with %s", len(b), got, size, sum))
	}
	return b, nil
}

func mismatch(key, version, what string) error {
	if version == "" {
		version = "current"
	}
	return fmt.Errorf("%w: %s (version %s): %s", ErrMismatch, key, version, what)
}
