package archive

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"utdrag/extract"
	"utdrag/storage"
)

// object is one object a write stores.
type object struct {
	key, contentType string
	data             []byte
}

// createAttempts bounds how often Create starts again after another writer
// changed the folder under it.
const createAttempts = 4

// Create stores a new extract: its PDF and HTML (html may be nil), the
// checksum index, then the record that points at them, as the package
// comment describes. It reports created=false with the stored record when
// the identical extract exists already.
//
// Once begun it runs to the end whatever becomes of ctx's cancellation (its
// values and deadline still apply to each call). A failure, or the process
// dying, part-way leaves nothing a reader finds, and the next identical
// Create adopts what was written. ErrBusy when the folder is being
// cleared.
func (a *Archive) Create(ctx context.Context, rec *Record, pdf, html []byte) (*Record, bool, error) {
	if !validID(rec.ID) {
		return nil, false, fmt.Errorf("archive: creating: invalid id %q", rec.ID)
	}
	ctx, cancel := detach(ctx)
	defer cancel()
	rec.SHA256, rec.Bytes = Checksum(pdf), len(pdf)
	rec.Created = a.now().UTC().Truncate(time.Second)
	rec.HTML, rec.HTMLSHA256, rec.Versions = false, "", nil
	objs := []object{{PDFKey(rec.ID), "application/pdf", pdf}}
	if html != nil {
		rec.HTML, rec.HTMLSHA256 = true, Checksum(html)
		objs = append(objs, object{HTMLKey(rec.ID), "text/html; charset=utf-8", html})
	}
	objs = append(objs, rec.internal...)
	for range createAttempts {
		m, err := a.readMeta(ctx, rec.ID)
		switch {
		case err != nil:
			return nil, false, err
		case m.rec != nil:
			return m.rec, false, nil
		case !m.free(a.now()):
			return nil, false, fmt.Errorf("archive: creating %s: %w", rec.ID, ErrBusy)
		}
		err = a.create(ctx, rec, objs, m.etag)
		if err == nil {
			return rec, true, nil
		}
		if !errors.Is(err, storage.ErrPrecondition) {
			return nil, false, err
		}
	}
	return nil, false, fmt.Errorf("archive: creating %s: other writers kept changing it: %w", rec.ID, ErrBusy)
}

// create writes objs, the index entry and rec over the meta.json read with
// etag ("": none). storage.ErrPrecondition means another writer changed
// the folder meanwhile: Create reads it again.
func (a *Archive) create(ctx context.Context, rec *Record, objs []object, etag string) (err error) {
	var h *held
	defer func() {
		if h != nil && err != nil {
			_ = a.release(ctx, *h) // else it expires with the lease
		}
	}()
	for _, o := range objs {
		obj, same, err := a.putOrCompare(ctx, o)
		if err != nil {
			return err
		}
		if same {
			rec.pin(obj)
			continue
		}
		// Bytes of another release (the renderer changed since an
		// interrupted create) that no record points at: claim the folder
		// to replace them.
		if h == nil {
			c, err := a.takeClaim(ctx, rec.ID, "create", etag)
			if err != nil {
				return err
			}
			h, etag = &c, c.etag
		}
		obj, err = a.replace(ctx, *h, o)
		if err != nil {
			return err
		}
		rec.pin(obj)
	}
	if err := a.index(ctx, rec.SHA256, IndexEntry{ID: rec.ID}); err != nil {
		return err
	}
	if rec.Internal != nil {
		if err := a.index(ctx, rec.Internal.SHA256, IndexEntry{ID: rec.ID, Rendition: extract.Internal}); err != nil {
			return err
		}
	}
	_, err = a.commit(ctx, rec, etag)
	return err
}

// putOrCompare writes o create-once. When an object is there already it
// reports whether that one holds the same bytes, which are then adopted.
// The object is described as stored (its version, where the store keeps
// versions).
func (a *Archive) putOrCompare(ctx context.Context, o object) (storage.Object, bool, error) {
	obj, err := a.store.Put(ctx, o.key, o.data, storage.PutOptions{ContentType: o.contentType, IfNoneMatch: true})
	if err == nil {
		return obj, true, nil
	}
	if !errors.Is(err, storage.ErrPrecondition) {
		return obj, false, fmt.Errorf("archive: writing %s: %w", o.key, err)
	}
	old, obj, err := a.store.Get(ctx, o.key)
	if errors.Is(err, storage.ErrNotFound) { // removed meanwhile: start again
		return obj, false, fmt.Errorf("archive: %s was removed meanwhile: %w", o.key, storage.ErrPrecondition)
	}
	if err != nil {
		return obj, false, fmt.Errorf("archive: reading %s to adopt it: %w", o.key, err)
	}
	return obj, bytes.Equal(old, o.data), nil
}

// replace removes what is at o's key and writes o, under the claim h.
func (a *Archive) replace(ctx context.Context, h held, o object) (storage.Object, error) {
	if !h.valid() {
		return storage.Object{}, fmt.Errorf("archive: replacing %s: the claim has expired: %w", o.key, storage.ErrPrecondition)
	}
	if err := a.store.Delete(ctx, o.key); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return storage.Object{}, fmt.Errorf("archive: removing %s to replace it: %w", o.key, err)
	}
	obj, err := a.store.Put(ctx, o.key, o.data, storage.PutOptions{ContentType: o.contentType, IfNoneMatch: true})
	if err != nil {
		return obj, fmt.Errorf("archive: writing %s: %w", o.key, err)
	}
	return obj, nil
}

// index writes the checksum index entry create-once. An entry already there
// is left as it is: Find checks every entry against the record it names.
func (a *Archive) index(ctx context.Context, sum string, e IndexEntry) error {
	raw, _ := json.Marshal(e)
	_, err := a.store.Put(ctx, shaKey(sum), raw, storage.PutOptions{ContentType: "application/json", IfNoneMatch: true})
	if err != nil && !errors.Is(err, storage.ErrPrecondition) {
		return fmt.Errorf("archive: indexing %s: %w", sum, err)
	}
	return nil
}
