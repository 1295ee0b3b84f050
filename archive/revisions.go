package archive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"utdrag/storage"
)

// Seal is what a certified file reached as a long-term signature: its
// PAdES baseline level, why it is not at B-LTA yet, and by when a new
// archive timestamp must be added.
type Seal struct {
	// Level is B-B, B-T, B-LT or B-LTA; empty for records from before
	// levels were recorded.
	Level string `json:"level,omitempty"`
	// Missing says, in Swedish, what the file lacks for B-LTA and why
	// (a timestamp authority that did not answer, …).
	Missing []string `json:"missing,omitempty"`
	// RenewBy is when the newest timestamp's certificate chain expires.
	RenewBy time.Time `json:"renewBy,omitzero"`
}

// Revision is a later revision of a certified version: the file before it
// with validation data and an archive timestamp appended, every earlier
// byte unchanged, kept as an object of its own.
type Revision struct {
	Revision int       `json:"revision"` // 1, 2, …
	Time     time.Time `json:"time"`
	SHA256   string    `json:"sha256"`
	Bytes    int       `json:"bytes"`
	Seal
}

// CertifiedRevisionKey is where revision k of certified version n is kept.
func CertifiedRevisionKey(id string, n, k int) string {
	return fmt.Sprintf("%scertified-%d-r%d.pdf", dir(id), n, k)
}

// Current is the newest revision of the certification, or nil when it is
// as signed.
func (c *Certification) Current() *Revision {
	if len(c.Revisions) == 0 {
		return nil
	}
	return &c.Revisions[len(c.Revisions)-1]
}

// CurrentSeal is the seal of the newest revision.
func (c *Certification) CurrentSeal() Seal {
	if r := c.Current(); r != nil {
		return r.Seal
	}
	return c.Seal
}

// CurrentSHA256 is the checksum of the newest revision.
func (c *Certification) CurrentSHA256() string {
	if r := c.Current(); r != nil {
		return r.SHA256
	}
	return c.SHA256
}

// CertifiedRevision returns revision k of certified version n of rec (k
// 0: as signed), exactly as rec recorded it.
func (a *Archive) CertifiedRevision(ctx context.Context, rec *Record, n, k int) ([]byte, error) {
	if k == 0 {
		return a.Certified(ctx, rec, n)
	}
	if n < 1 || n > len(rec.Certifications) || k < 1 || k > len(rec.Certifications[n-1].Revisions) {
		return nil, fmt.Errorf("%w: %s has no revision %d of certified version %d", ErrNotFound, rec.ID, k, n)
	}
	r := rec.Certifications[n-1].Revisions[k-1]
	return a.recorded(ctx, rec, CertifiedRevisionKey(rec.ID, n, k), r.SHA256, r.Bytes)
}

// CurrentCertified returns the newest revision of certified version n of
// rec.
func (a *Archive) CurrentCertified(ctx context.Context, rec *Record, n int) ([]byte, error) {
	if n < 1 || n > len(rec.Certifications) {
		return nil, fmt.Errorf("%w: %s has no certified version %d", ErrNotFound, rec.ID, n)
	}
	return a.CertifiedRevision(ctx, rec, n, len(rec.Certifications[n-1].Revisions))
}

// PutCertifiedRevision stores revision k of certified version n of rec,
// immutable for retain and written once: when two writers race for one
// revision, the loser gets storage.ErrPrecondition. It pins the object's
// version in rec (which the caller then records) and indexes the checksum.
func (a *Archive) PutCertifiedRevision(ctx context.Context, rec *Record, n, k int, pdf []byte, retain time.Duration) error {
	opts := storage.PutOptions{ContentType: "application/pdf", IfNoneMatch: true, Retain: retain}
	obj, err := a.store.Put(ctx, CertifiedRevisionKey(rec.ID, n, k), pdf, opts)
	if err != nil {
		return fmt.Errorf("archive: writing revision %d of certified version %d of %s: %w", k, n, rec.ID, err)
	}
	rec.pin(obj)
	return a.index(ctx, Checksum(pdf), IndexEntry{ID: rec.ID, Version: n, Revision: k})
}

// UnrecordedRevision reads revision k of certified version n of extract id
// as stored, for a writer that stored it and stopped before recording it:
// the caller must check it before adopting it. It pins the version read in
// rec.
func (a *Archive) UnrecordedRevision(ctx context.Context, rec *Record, n, k int) ([]byte, error) {
	key := CertifiedRevisionKey(rec.ID, n, k)
	b, obj, err := a.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("archive: reading %s: %w", key, err)
	}
	rec.pin(obj)
	return b, nil
}
