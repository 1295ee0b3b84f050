package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"utdrag/storage"
)

// ErrBusy: the extract's folder is claimed by a writer that removes what an
// interrupted write left there; the request may be repeated in a moment.
// It is a storage.ErrUnavailable.
var ErrBusy = fmt.Errorf("%w: the extract is being cleaned up", storage.ErrUnavailable)

// ErrConflict: another certification took the version number meanwhile (it
// is in the record now).
var ErrConflict = errors.New("archive: another certification came first")

// claim is what meta.json holds while a writer that removes objects holds
// the folder, and after it released it. It is never a record.
type claim struct {
	By       string    `json:"by"` // "janitor" or "create"
	At       time.Time `json:"at"`
	Released bool      `json:"released,omitempty"`
}

// maxClaimSize: a claim's meta.json is smaller, a record's never is (it
// holds an id, a 64-digit checksum and a dozen named fields besides), so a
// listing tells them apart without reading them.
const maxClaimSize = 256

// claimLease is how long a claim holds: a holder stops removing once half
// of it has passed, and a claim older than it belongs to a writer that
// died, which another may take over.
const claimLease = time.Minute

// open reports whether another writer may take the folder over.
func (c *claim) open(now time.Time) bool {
	return c.Released || now.Sub(c.At) > claimLease
}

// meta is what meta.json holds: a record, a claim, or (etag "") nothing.
type meta struct {
	rec   *Record
	claim *claim
	etag  string
}

// free reports whether the folder has no record and no claim being held.
func (m meta) free(now time.Time) bool {
	return m.rec == nil && (m.claim == nil || m.claim.open(now))
}

// metaDoc is meta.json: the fields of a Record, or a claim alone.
type metaDoc struct {
	*Record
	Claim *claim `json:"claim,omitempty"`
}

func decodeMeta(id string, raw []byte) (meta, error) {
	var doc metaDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		return meta{}, fmt.Errorf("archive: decoding record %s: %w", id, err)
	}
	if doc.Claim != nil {
		return meta{claim: doc.Claim}, nil
	}
	if doc.Record == nil || doc.ID != id {
		return meta{}, fmt.Errorf("archive: decoding record %s: it names extract %q", id, doc.Record.idOrNone())
	}
	if doc.Justering == nil && doc.Extract != nil {
		// A record from before the justering was kept in it.
		doc.Justering = doc.Extract.Justerings()
	}
	return meta{rec: doc.Record}, nil
}

func (r *Record) idOrNone() string {
	if r == nil {
		return ""
	}
	return r.ID
}

// readMeta reads the folder's meta.json.
func (a *Archive) readMeta(ctx context.Context, id string) (meta, error) {
	raw, obj, err := a.store.Get(ctx, MetaKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return meta{}, nil
	}
	if err != nil {
		return meta{}, fmt.Errorf("archive: reading record %s: %w", id, err)
	}
	m, err := decodeMeta(id, raw)
	m.etag = obj.ETag
	return m, err
}

// commit writes rec as the folder's record: create-once when etag is
// empty, else over exactly the meta.json read with that ETag (the record
// before a change, or a claim). The index is told around the write. It
// returns the new ETag; storage.ErrPrecondition when meta.json changed.
func (a *Archive) commit(ctx context.Context, rec *Record, etag string) (string, error) {
	raw, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("archive: encoding record %s: %w", rec.ID, err)
	}
	token, err := a.beginIndex(ctx, rec.ID)
	if err != nil {
		return "", err
	}
	opts := storage.PutOptions{ContentType: "application/json", IfMatch: etag, IfNoneMatch: etag == ""}
	obj, err := a.store.Put(ctx, MetaKey(rec.ID), raw, opts)
	if err != nil {
		return "", fmt.Errorf("archive: writing record %s: %w", rec.ID, err)
	}
	a.doneIndex(ctx, rec.ID, token, rec)
	return obj.ETag, nil
}

// takeClaim claims the folder for by, over the meta.json read with etag
// ("": none). storage.ErrPrecondition when another writer came first.
func (a *Archive) takeClaim(ctx context.Context, id, by, etag string) (held, error) {
	return a.claimAt(ctx, MetaKey(id), id, by, etag)
}

// claimAt claims the folder whose record is kept at key (an extract's or
// a protocol's meta.json).
func (a *Archive) claimAt(ctx context.Context, key, id, by, etag string) (held, error) {
	c := claim{By: by, At: a.now().UTC()}
	raw, _ := json.Marshal(metaDoc{Claim: &c})
	opts := storage.PutOptions{ContentType: "application/json", IfMatch: etag, IfNoneMatch: etag == ""}
	obj, err := a.store.Put(ctx, key, raw, opts)
	if err != nil {
		return held{}, fmt.Errorf("archive: claiming %s: %w", id, err)
	}
	return held{id: id, key: key, claim: c, etag: obj.ETag, since: time.Now()}, nil
}

// held is a claim this writer holds.
type held struct {
	id    string
	key   string // the meta.json claimed
	claim claim
	etag  string
	since time.Time // monotonic: when the claim was taken
}

// valid reports whether the holder may still remove objects: before half
// the lease has passed, so no other writer can have taken the folder over.
func (h held) valid() bool { return time.Since(h.since) < claimLease/2 }

// release marks the claim released, so that a create may take the folder
// at once. A failure leaves the claim to expire.
func (a *Archive) release(ctx context.Context, h held) error {
	c := h.claim
	c.Released = true
	raw, _ := json.Marshal(metaDoc{Claim: &c})
	_, err := a.store.Put(ctx, h.key, raw, storage.PutOptions{ContentType: "application/json", IfMatch: h.etag})
	if err != nil {
		return fmt.Errorf("archive: releasing the claim on %s: %w", h.id, err)
	}
	return nil
}

// finishTimeout bounds the writes Create and Certify finish without the
// caller's context (each storage call has its own timeout besides).
const finishTimeout = 2 * time.Minute

// detach returns a context that the caller's cancellation does not end,
// bounded by finishTimeout: for writes that must not stop half-way.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
}
