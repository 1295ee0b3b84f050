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
	objs, err := a.store.List(ctx, "extracts/")
	if err != nil {
		return rep, fmt.Errorf("archive: janitor: listing extracts: %w", err)
	}
	folders := map[string][]storage.Object{}
	for _, o := range objs {
		id, _, ok := strings.Cut(strings.TrimPrefix(o.Key, "extracts/"), "/")
		if ok && validID(id) {
			folders[id] = append(folders[id], o)
		}
	}
	ids := make([]string, 0, len(folders))
	for id := range folders {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	j := &janitor{a: a, opt: opt, cutoff: a.now().Add(-opt.Grace), rep: &rep}
	for _, id := range ids {
		rep.Folders++
		if err := j.folder(ctx, id, folders[id]); err != nil {
			if fatal(ctx, err) {
				return rep, fmt.Errorf("archive: janitor: %w", err)
			}
			rep.Errors = append(rep.Errors, err.Error())
		}
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

type janitor struct {
	a      *Archive
	opt    JanitorOptions
	cutoff time.Time
	rep    *JanitorReport
}

func (j *janitor) old(o storage.Object) bool { return o.Modified.Before(j.cutoff) }

func name(o storage.Object) string { return o.Key[strings.LastIndexByte(o.Key, '/')+1:] }

func (j *janitor) folder(ctx context.Context, id string, objs []storage.Object) error {
	hasMeta, record, intents := false, false, false
	for _, o := range objs {
		switch n := name(o); {
		case n == "meta.json":
			hasMeta, record = true, o.Size >= maxClaimSize
		case strings.HasSuffix(n, ".json") && strings.HasPrefix(n, "certified-"):
			intents = true
		}
	}
	if record && !intents && !j.opt.Thorough {
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
	case m.claim != nil && !m.claim.open(j.a.now()):
		j.rep.Young++ // another writer holds it
		return nil
	}
	return j.orphan(ctx, id, objs, m.etag)
}

// recorded adopts the certified versions stored beyond the record and
// removes the descriptions no longer needed.
func (j *janitor) recorded(ctx context.Context, rec *Record, objs []storage.Object) error {
	beyond := false
	for _, o := range objs {
		if n, ok := parseCertifiedKey(name(o)); ok && n > len(rec.Certifications) {
			beyond = true
		}
	}
	if beyond {
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
	for _, o := range objs {
		n, sum, ok := parseIntentKey(name(o))
		if !ok {
			continue
		}
		// After Complete, a description the record does not hold describes
		// no stored PDF: its writer died before the PDF, or lost the
		// version to another.
		switch {
		case holds(rec, IndexEntry{ID: rec.ID, Version: n}, sum):
			if err := j.remove(ctx, o.Key); err != nil {
				return err
			}
		case j.old(o):
			// Its index entry, written before the PDF that never came,
			// goes too.
			if e, err := j.a.Lookup(ctx, sum); err == nil && e.ID == rec.ID && e.Version == n {
				if err := j.remove(ctx, shaKey(sum)); err != nil {
					return err
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

// orphan clears a folder without a record under a claim, once all of it is
// older than the grace period. Certified PDFs and objects the archive does
// not write are kept.
func (j *janitor) orphan(ctx context.Context, id string, objs []storage.Object, etag string) error {
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
	h, err := j.a.takeClaim(ctx, id, "janitor", etag)
	if errors.Is(err, storage.ErrPrecondition) {
		return nil // a create came first: the folder is its
	}
	if err != nil {
		return err
	}
	defer func() { _ = j.a.release(ctx, h) }()
	for _, o := range clear {
		if !h.valid() {
			return nil // the next pass goes on
		}
		n := name(o)
		_, isIntent := certIntent(n)
		switch {
		case n == "extract.pdf":
			if err := j.unindex(ctx, id, o.Key); err != nil {
				return err
			}
		case n == "extract.html" || n == "source.json" || isIntent:
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
		if err := j.entry(ctx, o); err != nil {
			if fatal(ctx, err) {
				return err
			}
			j.rep.Errors = append(j.rep.Errors, err.Error())
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
	case m.claim != nil && !m.claim.open(j.a.now()):
		j.rep.Young++
		return nil
	}
	h, err := j.a.takeClaim(ctx, e.ID, "janitor", m.etag)
	if errors.Is(err, storage.ErrPrecondition) {
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = j.a.release(ctx, h) }()
	return j.remove(ctx, o.Key)
}
