package archive

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"utdrag/storage"
)

// JanitorOptions tune a janitor pass.
type JanitorOptions struct {
	// Grace: what is younger is left alone, as a write that may still be
	// running. It must exceed the longest a request takes; zero means an
	// hour.
	Grace time.Duration
	// Thorough reads every record, not only those of folders where an
	// interrupted write shows (a description of a certification beside
	// it), and checks every checksum index entry against the record it
	// names: for storage written by releases that stored no descriptions,
	// or touched by hand. It reads every object's record once.
	Thorough bool
}

// JanitorReport says what a pass found and did. Keys are storage keys.
type JanitorReport struct {
	Folders   int      // extract folders looked at
	Protocols int      // protocol folders looked at
	Adopted   []string // certified versions added to their records, as "{id} version {n}"
	Removed   []string // keys removed
	// Kept are keys left in folders without a record that may not be
	// removed: certified PDFs (under retention, and a record of a
	// certification) and objects the archive does not write. A person
	// decides about them.
	Kept []string
	// Young counts folders and entries left for being younger than the
	// grace period (or claimed by another writer).
	Young int
	// Errors are the folders that could not be tidied, with why; the pass
	// goes on with the others.
	Errors []string
}

// Janitor passes once over the archive, extracts and protocols alike. It
// finishes certifications whose record was not written (adopting their
// PDFs, see the package comment), and removes what interrupted writes left
// once older than the grace period: folders without a record, descriptions
// of certifications that were recorded or never stored, a protocol's
// markers that name no record, and (Thorough) checksum index entries no
// record holds. Certified PDFs are never removed.
//
// Any number of passes may run at once, in several replicas, beside
// creates and certifications: whatever a create could adopt is removed only
// under a claim of its folder. A pass lists the whole archive; its cost
// grows with it. An error of the store ends the pass; one of a folder's
// contents is reported and the pass goes on.
func (a *Archive) Janitor(ctx context.Context, opt JanitorOptions) (JanitorReport, error) {
	var rep JanitorReport
	if opt.Grace <= 0 {
		opt.Grace = time.Hour
	}
	j := &janitor{a: a, opt: opt, cutoff: a.now().Add(-opt.Grace), rep: &rep}
	if err := j.folders(ctx, "extracts/", &rep.Folders, j.folder); err != nil {
		return rep, fmt.Errorf("archive: janitor: %w", err)
	}
	if err := j.protocols(ctx); err != nil {
		return rep, fmt.Errorf("archive: janitor: %w", err)
	}
	if opt.Thorough {
		if err := j.entries(ctx); err != nil {
			return rep, fmt.Errorf("archive: janitor: %w", err)
		}
	}
	return rep, nil
}

// fatal reports whether an error should end a pass: the store or the
// caller gave up.
func fatal(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, storage.ErrUnavailable) && !errors.Is(err, ErrBusy)
}

// folders passes over the folders below prefix ("extracts/",
// "protocols/") in the order of their ids, counting each in *count and
// handing its objects to tidy.
func (j *janitor) folders(ctx context.Context, prefix string, count *int, tidy func(ctx context.Context, id string, objs []storage.Object) error) error {
	objs, err := j.a.store.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("listing %s: %w", strings.TrimSuffix(prefix, "/"), err)
	}
	folders := map[string][]storage.Object{}
	for _, o := range objs {
		id, _, ok := strings.Cut(strings.TrimPrefix(o.Key, prefix), "/")
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
		*count++
		if err := j.tolerate(ctx, tidy(ctx, id, folders[id])); err != nil {
			return err
		}
	}
	return nil
}

// tolerate returns err when it ends the pass (see fatal); any other error
// is reported and the pass goes on.
func (j *janitor) tolerate(ctx context.Context, err error) error {
	if err == nil || fatal(ctx, err) {
		return err
	}
	j.rep.Errors = append(j.rep.Errors, err.Error())
	return nil
}

type janitor struct {
	a      *Archive
	opt    JanitorOptions
	cutoff time.Time
	rep    *JanitorReport
}

func (j *janitor) old(o storage.Object) bool { return o.Modified.Before(j.cutoff) }

func name(o storage.Object) string { return o.Key[strings.LastIndexByte(o.Key, '/')+1:] }

func (j *janitor) folder(ctx context.Context, id string, objs []storage.Object) error {
	hasMeta, settled := j.settled(objs)
	if settled {
		return nil // a record and nothing interrupted
	}
	m := meta{}
	if hasMeta {
		var err error
		if m, err = j.a.readMeta(ctx, id); err != nil {
			return err
		}
	}
	switch {
	case m.rec != nil:
		return j.recorded(ctx, m.rec, objs)
	case j.heldElsewhere(m.claim):
		return nil
	}
	return j.orphan(ctx, id, objs, m.etag)
}

// settled reports whether a folder holds a meta.json (hasMeta) and, unless
// the pass is thorough, whether it may be passed over: a record beside no
// description of a certification, so nothing was interrupted.
func (j *janitor) settled(objs []storage.Object) (hasMeta, settled bool) {
	record, intents := false, false
	for _, o := range objs {
		switch n := name(o); {
		case n == "meta.json":
			hasMeta, record = true, o.Size >= maxClaimSize
		case strings.HasSuffix(n, ".json") && strings.HasPrefix(n, "certified-"):
			intents = true
		}
	}
	return hasMeta, record && !intents && !j.opt.Thorough
}

// heldElsewhere reports (and counts as young) a claim another writer still
// holds.
func (j *janitor) heldElsewhere(c *claim) bool {
	if c != nil && !c.open(j.a.now()) {
		j.rep.Young++
		return true
	}
	return false
}

// certifiedBeyond reports whether objs hold a certified PDF of a version
// beyond the n a record holds: one to adopt.
func certifiedBeyond(objs []storage.Object, n int) bool {
	for _, o := range objs {
		if v, ok := parseCertifiedKey(name(o)); ok && v > n {
			return true
		}
	}
	return false
}

// dropEntry removes the checksum index entry at key when lookup finds it
// naming want: one written for a PDF that never came.
func (j *janitor) dropEntry(ctx context.Context, lookup func(context.Context, string) (IndexEntry, error), sum, key string, want IndexEntry) error {
	if e, err := lookup(ctx, sum); err == nil && e.ID == want.ID && e.Version == want.Version {
		return j.remove(ctx, key)
	}
	return nil
}

// recorded adopts the certified versions stored beyond the record and
// removes the descriptions no longer needed.
func (j *janitor) recorded(ctx context.Context, rec *Record, objs []storage.Object) error {
	if certifiedBeyond(objs, len(rec.Certifications)) {
		before := len(rec.Certifications)
		done, _, err := j.a.Complete(ctx, rec.ID)
		if err != nil {
			return err
		}
		for _, c := range done.Certifications[before:] {
			j.rep.Adopted = append(j.rep.Adopted, fmt.Sprintf("%s version %d", rec.ID, c.Version))
		}
		rec = done
	}
	// After Complete, a description the record does not hold describes no
	// stored PDF: its writer died before the PDF, or lost the version to
	// another.
	return j.tidyIntents(ctx, rec.ID, objs, func(n int, sum string) bool {
		return holds(rec, IndexEntry{ID: rec.ID, Version: n}, sum)
	}, j.a.Lookup, shaKey)
}

// tidyIntents removes the descriptions of certifications in the folder of
// a record id: those the record holds (recorded) at once, the others, and
// the index entry written for the PDF that never came (found by lookup at
// entryKey), once older than the grace period.
func (j *janitor) tidyIntents(ctx context.Context, id string, objs []storage.Object, recorded func(n int, sum string) bool, lookup func(context.Context, string) (IndexEntry, error), entryKey func(string) string) error {
	for _, o := range objs {
		n, sum, ok := parseIntentKey(name(o))
		if !ok {
			continue
		}
		switch {
		case recorded(n, sum):
		case j.old(o):
			if err := j.dropEntry(ctx, lookup, sum, entryKey(sum), IndexEntry{ID: id, Version: n}); err != nil {
				return err
			}
		default:
			j.rep.Young++
			continue
		}
		if err := j.remove(ctx, o.Key); err != nil {
			return err
		}
	}
	return nil
}

// orphan clears a folder without a record under a claim, once all of it is
// older than the grace period. Certified PDFs and objects the archive does
// not write are kept.
func (j *janitor) orphan(ctx context.Context, id string, objs []storage.Object, etag string) error {
	return j.clearOrphan(ctx, MetaKey(id), id, etag, objs, func(o storage.Object) (bool, error) {
		n := name(o)
		_, isIntent := certIntent(n)
		switch {
		case n == "extract.pdf":
			return true, j.unindex(ctx, id, o.Key)
		case n == "extract.html" || n == "source.json" || isIntent:
			return true, nil
		}
		return false, nil
	})
}

// clearOrphan clears a folder without a record, whose record would be kept
// at metaKey, under a claim, once all of it is older than the grace
// period: prepare says of each object but meta.json whether the archive
// wrote it (to be removed, after what prepare did first) or it is kept.
func (j *janitor) clearOrphan(ctx context.Context, metaKey, id, etag string, objs []storage.Object, prepare func(storage.Object) (bool, error)) error {
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
	h, ok, err := j.claim(ctx, metaKey, id, etag)
	if !ok {
		return err // a create came first: the folder is its
	}
	defer func() { _ = j.a.release(ctx, h) }()
	for _, o := range clear {
		if !h.valid() {
			return nil // the next pass goes on
		}
		remove, err := prepare(o)
		if err != nil {
			return err
		}
		if !remove {
			j.rep.Kept = append(j.rep.Kept, o.Key)
			continue
		}
		if err := j.remove(ctx, o.Key); err != nil {
			return err
		}
	}
	return nil
}

// claim claims the folder whose record is kept at metaKey for the janitor,
// over the meta.json read with etag; ok is false when it could not, with
// a nil error when another writer came first.
func (j *janitor) claim(ctx context.Context, metaKey, id, etag string) (h held, ok bool, err error) {
	h, err = j.a.claimAt(ctx, metaKey, id, "janitor", etag)
	if errors.Is(err, storage.ErrPrecondition) {
		return held{}, false, nil
	}
	if err != nil {
		return held{}, false, err
	}
	return h, true, nil
}

// removeClaimed removes key under a claim of the folder whose record is
// kept at metaKey.
func (j *janitor) removeClaimed(ctx context.Context, metaKey, id, etag, key string) error {
	h, ok, err := j.claim(ctx, metaKey, id, etag)
	if !ok {
		return err
	}
	defer func() { _ = j.a.release(ctx, h) }()
	return j.remove(ctx, key)
}

func certIntent(name string) (int, bool) {
	n, _, ok := parseIntentKey(name)
	return n, ok
}

// unindex removes the checksum index entry of the PDF at key when it names
// extract id, before the PDF itself: a pass that dies in between leaves the
// PDF for the next.
func (j *janitor) unindex(ctx context.Context, id, key string) error {
	pdf, _, err := j.a.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", key, err)
	}
	sum := Checksum(pdf)
	e, err := j.a.Lookup(ctx, sum)
	if errors.Is(err, ErrNotFound) || err == nil && (e.ID != id || e.Version != 0) {
		return nil
	}
	if err != nil {
		return err
	}
	return j.remove(ctx, shaKey(sum))
}

func (j *janitor) remove(ctx context.Context, key string) error {
	err := j.a.store.Delete(ctx, key)
	switch {
	case err == nil:
		j.rep.Removed = append(j.rep.Removed, key)
	case errors.Is(err, storage.ErrNotFound):
	case errors.Is(err, storage.ErrImmutable):
		j.rep.Kept = append(j.rep.Kept, key)
	default:
		return fmt.Errorf("removing %s: %w", key, err)
	}
	return nil
}

// entries removes the checksum index entries older than the grace period
// that no record holds (after adopting what they name). One whose folder
// has no record is removed under a claim of that folder, since a create
// could be adopting it.
func (j *janitor) entries(ctx context.Context) error {
	objs, err := j.a.store.List(ctx, "sha256/")
	if err != nil {
		return fmt.Errorf("listing the checksum index: %w", err)
	}
	for _, o := range objs {
		if !j.old(o) {
			j.rep.Young++
			continue
		}
		if err := j.tolerate(ctx, j.entry(ctx, o)); err != nil {
			return err
		}
	}
	return nil
}

func (j *janitor) entry(ctx context.Context, o storage.Object) error {
	sum := strings.TrimPrefix(o.Key, "sha256/")
	_, _, err := j.a.Find(ctx, sum)
	if !errors.Is(err, ErrNotFound) {
		return err // held by its record, or a failure
	}
	e, err := j.a.Lookup(ctx, sum)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !validID(e.ID) {
		return j.remove(ctx, o.Key)
	}
	m, err := j.a.readMeta(ctx, e.ID)
	switch {
	case err != nil:
		return err
	case m.rec != nil: // a record that holds another checksum never takes this one
		return j.remove(ctx, o.Key)
	case j.heldElsewhere(m.claim):
		return nil
	}
	return j.removeClaimed(ctx, MetaKey(e.ID), e.ID, m.etag, o.Key)
}
