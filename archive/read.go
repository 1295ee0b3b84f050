package archive

import (
	"context"
	"errors"
	"fmt"

	"utdrag/storage"
)

// ErrMismatch: an object a record points at is not what the record says
// (another checksum or size), or is gone, and no version the store holds
// is. Such bytes are never served.
var ErrMismatch = errors.New("archive: stored object differs from its record")

// maxSearch bounds the versions of one object read in search of its
// recorded bytes.
const maxSearch = 16

// SetRecovered makes the archive tell f when it served a PDF's recorded
// bytes from another version than the pinned or current one, because that
// one differed from the record or was gone: the PDF was served, but
// someone changed what is stored.
func (a *Archive) SetRecovered(f func(ctx context.Context, err error)) { a.recovered = f }

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

// maxHTML bounds the HTML rendition read for a record that holds its
// checksum but not its size.
const maxHTML = 16 << 20

// HTML returns the HTML rendition of an extract: as recorded where the
// record holds its checksum; as stored for records from before it did.
func (a *Archive) HTML(ctx context.Context, rec *Record) ([]byte, error) {
	if rec.HTMLSHA256 != "" {
		return a.recorded(ctx, rec, HTMLKey(rec.ID), rec.HTMLSHA256, -1)
	}
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
// pinned) the current object is read and the checksum decides. When what
// was read differs or is gone, the other versions the store holds, newest
// first, are searched for one of the recorded size and checksum (a bucket
// copied elsewhere gives versions new IDs; a record without a pin has the
// genuine version under an overwrite or a delete marker); one that matches
// is served, and reported to SetRecovered's function. A size below zero
// is not known: the read is then bounded by maxHTML.
func (a *Archive) recorded(ctx context.Context, rec *Record, key, sum string, size int) ([]byte, error) {
	pinned := rec.Versions[key]
	b, err := a.read(ctx, key, pinned, sum, size)
	if err == nil || !errors.Is(err, ErrMismatch) {
		return b, err
	}
	b, found, serr := a.search(ctx, key, pinned, sum, size)
	if serr != nil {
		return nil, serr
	}
	if b == nil {
		return nil, err
	}
	if a.recovered != nil {
		a.recovered(ctx, fmt.Errorf("%w; served version %s, which is as recorded", err, found))
	}
	return b, nil
}

// read reads one version of key ("": the current one) and checks it.
func (a *Archive) read(ctx context.Context, key, version, sum string, size int) ([]byte, error) {
	limit := int64(size)
	if size < 0 {
		limit = maxHTML
	}
	b, _, err := a.store.Read(ctx, key, storage.ReadOptions{Version: version, MaxSize: limit})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, mismatch(key, version, "missing")
	case errors.Is(err, storage.ErrTooLarge):
		return nil, mismatch(key, version, fmt.Sprintf("larger than the %d bytes allowed", limit))
	case err != nil:
		return nil, fmt.Errorf("archive: reading %s: %w", key, err)
	}
	if got := Checksum(b); got != sum || size >= 0 && len(b) != size {
		return nil, mismatch(key, version, fmt.Sprintf("%d bytes with SHA-256 %s, recorded %d bytes with %s", len(b), got, size, sum))
	}
	return b, nil
}

// search reads, newest first, the versions of key of the recorded size
// other than tried, and returns the first as recorded with its version;
// nil when none is.
func (a *Archive) search(ctx context.Context, key, tried, sum string, size int) ([]byte, string, error) {
	vs, err := a.store.Versions(ctx, key)
	if err != nil {
		return nil, "", fmt.Errorf("archive: listing versions of %s: %w", key, err)
	}
	read := 0
	for _, v := range vs {
		if v.Version == tried || size >= 0 && v.Size != int64(size) {
			continue
		}
		if read++; read > maxSearch {
			break
		}
		b, err := a.read(ctx, key, v.Version, sum, size)
		switch {
		case err == nil:
			return b, versionName(v.Version), nil
		case !errors.Is(err, ErrMismatch):
			return nil, "", err
		}
	}
	return nil, "", nil
}

func mismatch(key, version, what string) error {
	return fmt.Errorf("%w: %s (version %s): %s", ErrMismatch, key, versionName(version), what)
}

func versionName(v string) string {
	if v == "" {
		return "current"
	}
	return v
}
