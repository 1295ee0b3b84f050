package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"utdrag/extract"
	"utdrag/storage"
)

// IndexEntry is what a checksum points at.
type IndexEntry struct {
	ID      string `json:"id"`
	Version int    `json:"version"` // 0: the uncertified extract; n: certified version n
	// Revision is the revision of certified version n (0: as signed).
	Revision int `json:"revision,omitempty"`
	// Rendition is, for version 0, the rendition with this checksum
	// (empty: the public one); a certified version's is in its record.
	Rendition extract.Rendition `json:"rendition,omitempty"`
}

// Lookup reads the checksum index entry of sum as it is stored. Find is
// what readers want: an entry alone proves nothing.
func (a *Archive) Lookup(ctx context.Context, sum string) (IndexEntry, error) {
	var e IndexEntry
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return e, ErrNotFound
	}
	raw, _, err := a.store.Get(ctx, shaKey(sum))
	if errors.Is(err, storage.ErrNotFound) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("archive: looking up %s: %w", sum, err)
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return e, fmt.Errorf("archive: decoding index %s: %w", sum, err)
	}
	return e, nil
}

// Find returns the record that holds checksum sum, and which of its PDFs
// has it: Version 0 for the extract as first stored, n for certified
// version n, with Revision k for its revision k. ErrNotFound unless a
// record holds the checksum. A certified version the index names beyond
// the record (its Certify was interrupted) is adopted first.
func (a *Archive) Find(ctx context.Context, sum string) (*Record, IndexEntry, error) {
	e, err := a.Lookup(ctx, sum)
	if err != nil {
		return nil, e, err
	}
	rec, _, err := a.Get(ctx, e.ID)
	if err != nil {
		return nil, e, err
	}
	if e.Version > len(rec.Certifications) {
		if rec, _, err = a.Complete(ctx, e.ID); err != nil {
			return nil, e, err
		}
	}
	if !holds(rec, e, sum) {
		return nil, e, ErrNotFound
	}
	return rec, e, nil
}

// holds reports whether the PDF e names in rec has checksum sum.
func holds(rec *Record, e IndexEntry, sum string) bool {
	n, k := e.Version, e.Revision
	switch {
	case n == 0 && e.Rendition == extract.Internal:
		return k == 0 && rec.Internal != nil && rec.Internal.SHA256 == sum
	case n == 0:
		return k == 0 && rec.SHA256 == sum
	case n < 0 || n > len(rec.Certifications) || k < 0:
		return false
	}
	c := rec.Certifications[n-1]
	if k == 0 {
		return c.Version == n && c.SHA256 == sum
	}
	return k <= len(c.Revisions) && c.Revisions[k-1].Revision == k && c.Revisions[k-1].SHA256 == sum
}
