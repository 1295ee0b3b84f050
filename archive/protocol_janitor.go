package archive

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"utdrag/storage"
)

// protocols is the janitor's pass over the protocols: it finishes their
// interrupted certifications and clears what interrupted creates left (a
// folder without a record, markers naming no record) under a claim of the
// protocol's meta.json, once older than the grace period, as for
// extracts. A create reads meta.json before it writes and commits over
// exactly what it read, so it never records a protocol whose objects the
// janitor removed: it starts again.
func (j *janitor) protocols(ctx context.Context) error {
	if err := j.folders(ctx, "protocols/", &j.rep.Protocols, j.protocolFolder); err != nil {
		return err
	}
	for _, prefix := range []string{"protocol-meetings/", "protocol-organisations/"} {
		markers, err := j.a.store.List(ctx, prefix)
		if err != nil {
			return fmt.Errorf("listing %s: %w", prefix, err)
		}
		for _, o := range markers {
			if err := j.tolerate(ctx, j.marker(ctx, o)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (j *janitor) protocolFolder(ctx context.Context, id string, objs []storage.Object) error {
	if _, settled := j.settled(objs); settled {
		return nil
	}
	rec, c, etag, err := j.a.protocolMeta(ctx, id, false)
	switch {
	case err != nil:
		return err
	case rec != nil:
		return j.recordedProtocol(ctx, rec, objs)
	case j.heldElsewhere(c):
		return nil
	}
	return j.orphanProtocol(ctx, id, objs, etag)
}

// recordedProtocol adopts the certified versions stored beyond the record
// and removes the descriptions no longer needed; a thorough pass also
// indexes the checksums of a protocol stored before they were indexed.
func (j *janitor) recordedProtocol(ctx context.Context, rec *ProtocolRecord, objs []storage.Object) error {
	if j.opt.Thorough {
		if err := j.a.indexProtocol(ctx, rec.SHA256, IndexEntry{ID: rec.ID}); err != nil {
			return err
		}
		for _, c := range rec.Certifications {
			if err := j.a.indexProtocol(ctx, c.SHA256, IndexEntry{ID: rec.ID, Version: c.Version}); err != nil {
				return err
			}
		}
	}
	if certifiedBeyond(objs, len(rec.Certifications)) {
		before := len(rec.Certifications)
		done, err := j.a.CompleteProtocol(ctx, rec.ID)
		if err != nil {
			return err
		}
		for _, c := range done.Certifications[before:] {
			j.rep.Adopted = append(j.rep.Adopted, fmt.Sprintf("protocol %s version %d", rec.ID, c.Version))
		}
		rec = done
	}
	return j.tidyIntents(ctx, rec.ID, objs, func(n int, sum string) bool {
		return n <= len(rec.Certifications) && rec.Certifications[n-1].SHA256 == sum
	}, j.a.lookupProtocol, protocolShaKey)
}

// orphanProtocol clears a protocol folder without a record under a claim,
// once all of it is older than the grace period. Certified PDFs and
// objects the archive does not write are kept.
func (j *janitor) orphanProtocol(ctx context.Context, id string, objs []storage.Object, etag string) error {
	return j.clearOrphan(ctx, ProtocolMetaKey(id), id, etag, objs, func(o storage.Object) (bool, error) {
		switch n := name(o); {
		case n == "protocol.pdf":
			return true, j.unindexProtocol(ctx, id, o.Key)
		case n == "protocol.html":
			return true, nil
		case strings.HasSuffix(n, ".json") && strings.HasPrefix(n, "certified-"):
			if v, sum, ok := parseIntentKey(n); ok {
				return true, j.dropEntry(ctx, j.a.lookupProtocol, sum, protocolShaKey(sum), IndexEntry{ID: id, Version: v})
			}
			return true, nil
		}
		return false, nil
	})
}

// marker removes a marker older than the grace period whose protocol has
// no record, under a claim of the protocol's folder.
func (j *janitor) marker(ctx context.Context, o storage.Object) error {
	id := name(o)
	if !validID(id) {
		return nil
	}
	if !j.old(o) {
		j.rep.Young++
		return nil
	}
	rec, c, etag, err := j.a.protocolMeta(ctx, id, true)
	switch {
	case err != nil:
		return err
	case rec != nil:
		return nil
	case j.heldElsewhere(c):
		return nil
	}
	return j.removeClaimed(ctx, ProtocolMetaKey(id), id, etag, o.Key)
}

// unindexProtocol removes the checksum index entry of the protocol PDF at
// key when it names protocol id as created, before the PDF itself.
func (j *janitor) unindexProtocol(ctx context.Context, id, key string) error {
	pdf, _, err := j.a.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", key, err)
	}
	sum := Checksum(pdf)
	if e, err := j.a.lookupProtocol(ctx, sum); err == nil && e.ID == id && e.Version == 0 {
		return j.remove(ctx, protocolShaKey(sum))
	} else if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}
