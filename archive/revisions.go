package archive

import (
	"context"
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

// CertifiedRevision returns revision k of certified version n (k 0: as
// signed).
func (a *Archive) CertifiedRevision(ctx context.Context, id string, n, k int) ([]byte, error) {
	if k == 0 {
		return a.Certified(ctx, id, n)
	}
	return a.blob(ctx, CertifiedRevisionKey(id, n, k))
}

// CurrentCertified returns the newest revision of certified version n.
func (a *Archive) CurrentCertified(ctx context.Context, id string, c *Certification) ([]byte, error) {
	k := 0
	if r := c.Current(); r != nil {
		k = r.Revision
	}
	return a.CertifiedRevision(ctx, id, c.Version, k)
}

// PutCertifiedRevision stores revision k of certified version n, immutable
// for retain and written once: when two writers race for one revision,
// the loser gets storage.ErrPrecondition. It indexes the checksum.
func (a *Archive) PutCertifiedRevision(ctx context.Context, id string, n, k int, pdf []byte, retain time.Duration) error {
	opts := storage.PutOptions{ContentType: "application/pdf", IfNoneMatch: true, Retain: retain}
	if _, err := a.store.Put(ctx, CertifiedRevisionKey(id, n, k), pdf, opts); err != nil {
		return fmt.Errorf("archive: writing revision %d of certified version %d of %s: %w", k, n, id, err)
	}
	return a.index(ctx, Checksum(pdf), IndexEntry{ID: id, Version: n, Revision: k})
}
