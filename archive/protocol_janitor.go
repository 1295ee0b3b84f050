package archive

import (
	"context"
	"errors"
	"fmt"
	"sort"
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
	objs, err := j.a.store.List(ctx, "protocols/")
	if err != nil {
		return fmt.Errorf("listing protocols: %w", err)
	}
	folders := map[string][]storage.Object{}
	for _, o := range objs {
		id, _, ok := strings.Cut(strings.TrimPrefix(o.Key, "protocols/"), "/")
		if ok && validID(id) {
			folders[id] = append(folders[id], o)
		}
	}
	ids := make([]string, 0, len(folders))
	for id := range folders {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		j.rep.Protocols++
		if err := j.protocolFolder(ctx, id, folders[id]); err != nil {
			if fatal(ctx, err) {
				return err
			}
			j.rep.Errors = append(j.rep.Errors, err.Error())
		}
	}
	for _, prefix := range []string{"protocol-meetings/", "protocol-organisations/"} {
		markers, err := j.a.store.List(ctx, prefix)
		if err != nil {
			return fmt.Errorf("listing %s: %w", prefix, err)
		}
		for _, o := range markers {
			if err := j.marker(ctx, o); err != nil {
				if fatal(ctx, err) {
					return err
				}
				j.rep.Errors = append(j.rep.Errors, err.Error())
			}
		}
	}
	return nil
}

func (j *janitor) protocolFolder(ctx context.Context, id string, objs []storage.Object) error {
	record, intents := false, false
	for _, o := range objs {
		switch n := name(o); {
		case n == "meta.json":
			record = o.Size >= maxClaimSize
		case strings.HasSuffix(n, ".json") && strings.HasPrefix(n, "certified-"):
			intents = true
		}
	}
	if record && !intents && !j.opt.Thorough {
		return nil
	}
	rec, c, etag, err := j.a.protocolMeta(ctx, id, false)
	switch {
	case err != nil:
		return err
	case rec != nil:
		return j.recordedProtocol(ctx, rec, objs)
	case c != nil && !c.open(j.a.now()):
		j.rep.Young++
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
	beyond := false
	for _, o := range objs {
		if n, ok := parseCertifiedKey(name(o)); ok && n > len(rec.Certifications) {
			beyond = true
		}
	}
	if beyond {
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
	for _, o := range objs {
		n, sum, ok := parseIntentKey(name(o))
		if !ok {
			continue
		}
		recorded := n <= len(rec.Certifications) && rec.Certifications[n-1].SHA256 == sum
		switch {
		case recorded || j.old(o):
			if !recorded {
				// Its index entry, written before the PDF that never came,
				// goes too.
				if e, err := j.a.lookupProtocol(ctx, sum); err == nil && e.ID == rec.ID && e.Version == n {
					if err := j.remove(ctx, protocolShaKey(sum)); err != nil {
						return err
					}
				}
			}
			if err := j.remove(ctx, o.Key); err != nil {
				return err
			}
		default:
			j.rep.Young++
		}
	}
	return nil
}

// orphanProtocol clears a protocol folder without a record under a claim,
// once all of it is older than the grace period. Certified PDFs and
// objects the archive does not write are kept.
func (j *janitor) orphanProtocol(ctx context.Context, id string, objs []storage.Object, etag string) error {
	var clear []storage.Object
	for _, o := range objs {
		if name(o) == "meta.json" {
			continue
		}
		if !j.old(o) {
			j.rep.Young++
			return nil
		}
		clear = append(clear, o)
	}
	if len(clear) == 0 {
		return nil
	}
	h, err := j.a.claimAt(ctx, ProtocolMetaKey(id), id, "janitor", etag)
	if errors.Is(err, storage.ErrPrecondition) {
		return nil // a create came first
	}
	if err != nil {
		return err
	}
	defer func() { _ = j.a.release(ctx, h) }()
	for _, o := range clear {
		if !h.valid() {
			return nil // the next pass goes on
		}
		switch n := name(o); {
		case n == "protocol.pdf":
			if err := j.unindexProtocol(ctx, id, o.Key); err != nil {
				return err
			}
		case n == "protocol.html":
		case strings.HasSuffix(n, ".json") && strings.HasPrefix(n, "certified-"):
			if v, sum, ok := parseIntentKey(n); ok {
				if e, err := j.a.lookupProtocol(ctx, sum); err == nil && e.ID == id && e.Version == v {
					if err := j.remove(ctx, protocolShaKey(sum)); err != nil {
						return err
					}
				}
			}
		default:
			j.rep.Kept = append(j.rep.Kept, o.Key)
			continue
		}
		if err := j.remove(ctx, o.Key); err != nil {
			return err
		}
	}
	return nil
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
	case c != nil && !c.open(j.a.now()):
		j.rep.Young++
		return nil
	}
	h, err := j.a.claimAt(ctx, ProtocolMetaKey(id), id, "janitor", etag)
	if errors.Is(err, storage.ErrPrecondition) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = j.a.release(ctx, h) }()
	return j.remove(ctx, o.Key)
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
