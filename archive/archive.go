// Package archive keeps extracts in a storage.Store: the key layout, the
// metadata record of each extract, create-once writes, look-up by id and by
// checksum, and listing with filters.
//
// Layout, one folder per extract id:
//
//	extracts/{id}/extract.pdf       the rendered extract
//	extracts/{id}/extract.html      its accessible HTML rendition
//	extracts/{id}/meta.json         Record (points at the PDF; written last)
//	extracts/{id}/certified-{n}.pdf certified, signed versions (immutable)
//	extracts/{id}/certified-{n}-r{k}.pdf
//	                                revision k of version n: validation data
//	                                and an archive timestamp appended (immutable)
//	extracts/{id}/distribution.json distribution record
//	sha256/{hex}                    checksum index for verification
//
// It may import extract and storage.
package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"utdrag/extract"
	"utdrag/storage"
)

// Summary describes an extract: what it is and what was rendered. The API
// shows it as it is.
type Summary struct {
	ID           string               `json:"id"`
	Organisation extract.Organisation `json:"organisation"`
	Organ        string               `json:"organ"`
	MeetingDate  string               `json:"meetingDate"`
	Paragraphs   []int                `json:"paragraphs"`
	CaseNumbers  []string             `json:"caseNumbers"`
	Titles       []string             `json:"titles"`
	// Justering is where each paragraph stands: justerad with the
	// protocol, omedelbart justerad, or not yet (a draft).
	Justering []extract.ParagraphJustering `json:"justering"`
	Template  string                       `json:"template"` // name@version
	Filename  string                       `json:"filename"`
	Pages     int                          `json:"pages"`
	Bytes     int                          `json:"bytes"`
	SHA256    string                       `json:"sha256"`
	Created   time.Time                    `json:"created"`
}

// Record is what the archive knows of one extract.
type Record struct {
	Summary
	HTML bool `json:"html"` // the HTML rendition is kept beside the PDF
	// Certifications, oldest first; the last is the current one.
	Certifications []Certification `json:"certifications,omitempty"`
	// Extract is the validated input, kept so the extract can be rendered
	// again when it is certified.
	Extract *extract.Extract `json:"extract"`
	// Versions pins, by key, the store's version of each object the record
	// points at, where the store keeps versions: reads go by it, so an
	// object written over or deleted later is never what is served.
	Versions map[string]string `json:"versions,omitempty"`
}

// pin records the version obj was stored as.
func (r *Record) pin(obj storage.Object) {
	if obj.Version == "" {
		return
	}
	if r.Versions == nil {
		r.Versions = map[string]string{}
	}
	r.Versions[obj.Key] = obj.Version
}

// Certification records one certified version.
type Certification struct {
	Version     int       `json:"version"`
	Name        string    `json:"name"`
	Title       string    `json:"title"`
	Place       string    `json:"place,omitempty"`
	Date        string    `json:"date"`
	Time        time.Time `json:"time"`
	Certificate string    `json:"certificate"` // subject
	Fingerprint string    `json:"fingerprint"` // SHA-256 of the signing certificate
	Development bool      `json:"development,omitempty"`
	SHA256      string    `json:"sha256"` // of the certified PDF
	Bytes       int       `json:"bytes"`
	Pages       int       `json:"pages"`
	Seal
	// Revisions are the later revisions of the certified PDF, oldest
	// first, each the one before with validation data and an archive
	// timestamp appended (revisions.go).
	Revisions []Revision `json:"revisions,omitempty"`
}

// Certified returns the current certification, or nil.
func (r *Record) Certified() *Certification {
	if len(r.Certifications) == 0 {
		return nil
	}
	return &r.Certifications[len(r.Certifications)-1]
}

// IndexEntry is what a checksum points at.
type IndexEntry struct {
	ID      string `json:"id"`
	Version int    `json:"version"` // 0: the uncertified extract; n: certified version n
	// Revision is the revision of certified version n (0: as signed).
	Revision int `json:"revision,omitempty"`
}

// ErrNotFound: no extract with that id (or checksum).
var ErrNotFound = errors.New("archive: extract not found")

// Archive stores extracts.
type Archive struct {
	store storage.Store
	now   func() time.Time

	// listed holds what List read of each record, without its extract,
	// with the ETag of the meta.json it came from: a listing reads again
	// only the records whose ETag changed (certified, distributed) or that
	// are new, and forgets those no longer listed. The store stays the
	// only truth; several replicas each keep their own.
	mu     sync.Mutex
	listed map[string]listed

	indexer Indexer // nil: none
	// recovered is told when a PDF's recorded bytes were found and served
	// from another version than the one read first (see recorded).
	recovered func(ctx context.Context, err error)
}

// Indexer keeps an index of the records in step with storage. The archive
// calls Begin before it writes a record, and Done after, with the record
// storage now holds; when the write failed or its outcome is unknown it
// does not call Done, and the indexer learns the outcome from storage
// later. An error from Begin stops the write before it starts.
type Indexer interface {
	Begin(ctx context.Context, id string) (token string, err error)
	Done(ctx context.Context, id, token string, rec *Record)
}

// SetIndexer makes the archive tell ix of every record it writes.
func (a *Archive) SetIndexer(ix Indexer) { a.indexer = ix }

func (a *Archive) beginIndex(ctx context.Context, id string) (string, error) {
	if a.indexer == nil {
		return "", nil
	}
	token, err := a.indexer.Begin(ctx, id)
	if err != nil {
		return "", fmt.Errorf("archive: preparing the index for %s: %w", id, err)
	}
	return token, nil
}

func (a *Archive) doneIndex(ctx context.Context, id, token string, rec *Record) {
	if a.indexer != nil {
		a.indexer.Done(ctx, id, token, rec)
	}
}

type listed struct {
	etag string
	rec  *Record
}

// New returns an archive on store.
func New(store storage.Store) *Archive {
	return &Archive{store: store, now: time.Now, listed: map[string]listed{}}
}

// Store is the underlying store (for records kept beside an extract).
func (a *Archive) Store() storage.Store { return a.store }

func dir(id string) string { return "extracts/" + id + "/" }

// PDFKey is where the uncertified PDF is kept.
func PDFKey(id string) string { return dir(id) + "extract.pdf" }

// MetaKey is where the record is kept.
func MetaKey(id string) string { return dir(id) + "meta.json" }

// CertifiedKey is where certified version n is kept.
func CertifiedKey(id string, n int) string { return fmt.Sprintf("%scertified-%d.pdf", dir(id), n) }

// DistributionKey is where the distribution record is kept.
func DistributionKey(id string) string { return dir(id) + "distribution.json" }

// HTMLKey is where the accessible HTML rendition is kept.
func HTMLKey(id string) string { return dir(id) + "extract.html" }

func shaKey(sum string) string { return "sha256/" + sum }

// Checksum is the hex SHA-256 of b.
func Checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Create stores a new extract: the PDF first, then the checksum index, then
// the record that points at them. Every write is create-once: an extract's
// id fixes its bytes, so an object left by an earlier, interrupted attempt
// already holds what this one would write. It reports created=false with
// the stored record when the identical extract exists already. A failure
// before the record is written leaves nothing a reader would find.
func (a *Archive) Create(ctx context.Context, rec *Record, pdf, html []byte) (*Record, bool, error) {
	rec.SHA256 = Checksum(pdf)
	rec.Bytes = len(pdf)
	rec.Created = a.now().UTC().Truncate(time.Second)
	obj, err := a.putOnce(ctx, PDFKey(rec.ID), pdf, "application/pdf")
	if err != nil {
		return nil, false, fmt.Errorf("archive: writing PDF of %s: %w", rec.ID, err)
	}
	rec.pin(obj)
	if html != nil {
		if _, err := a.putOnce(ctx, HTMLKey(rec.ID), html, "text/html; charset=utf-8"); err != nil {
			return nil, false, fmt.Errorf("archive: writing HTML of %s: %w", rec.ID, err)
		}
		rec.HTML = true
	}
	if err := a.index(ctx, rec.SHA256, IndexEntry{ID: rec.ID}); err != nil {
		return nil, false, err
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return nil, false, fmt.Errorf("archive: encoding record %s: %w", rec.ID, err)
	}
	token, err := a.beginIndex(ctx, rec.ID)
	if err != nil {
		return nil, false, err
	}
	_, err = a.store.Put(ctx, MetaKey(rec.ID), raw, storage.PutOptions{ContentType: "application/json", IfNoneMatch: true})
	if errors.Is(err, storage.ErrPrecondition) {
		old, _, gerr := a.Get(ctx, rec.ID)
		if gerr == nil {
			a.doneIndex(ctx, rec.ID, token, old)
		}
		return old, false, gerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("archive: writing record %s: %w", rec.ID, err)
	}
	a.doneIndex(ctx, rec.ID, token, rec)
	return rec, true, nil
}

// putOnce writes an object whose content is fixed by its key; finding it
// there already is success, and the object found is described. (Reads
// check it against the record's checksum, so pinning its version never
// lets other bytes through.)
func (a *Archive) putOnce(ctx context.Context, key string, data []byte, contentType string) (storage.Object, error) {
	obj, err := a.store.Put(ctx, key, data, storage.PutOptions{ContentType: contentType, IfNoneMatch: true})
	if errors.Is(err, storage.ErrPrecondition) {
		return a.store.Stat(ctx, key)
	}
	return obj, err
}

func (a *Archive) index(ctx context.Context, sum string, e IndexEntry) error {
	raw, _ := json.Marshal(e)
	if _, err := a.putOnce(ctx, shaKey(sum), raw, "application/json"); err != nil {
		return fmt.Errorf("archive: indexing %s: %w", sum, err)
	}
	return nil
}

// Get returns the record of an extract and its ETag.
func (a *Archive) Get(ctx context.Context, id string) (*Record, string, error) {
	if !validID(id) {
		return nil, "", ErrNotFound
	}
	raw, obj, err := a.store.Get(ctx, MetaKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("archive: reading record %s: %w", id, err)
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, "", fmt.Errorf("archive: decoding record %s: %w", id, err)
	}
	if rec.Justering == nil && rec.Extract != nil {
		// A record from before the justering was kept in it.
		rec.Justering = rec.Extract.Justerings()
	}
	return &rec, obj.ETag, nil
}

// Update replaces a record if it is unchanged since it was read (etag).
func (a *Archive) Update(ctx context.Context, rec *Record, etag string) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("archive: encoding record %s: %w", rec.ID, err)
	}
	token, err := a.beginIndex(ctx, rec.ID)
	if err != nil {
		return err
	}
	_, err = a.store.Put(ctx, MetaKey(rec.ID), raw, storage.PutOptions{ContentType: "application/json", IfMatch: etag})
	if err != nil {
		return fmt.Errorf("archive: updating record %s: %w", rec.ID, err)
	}
	a.doneIndex(ctx, rec.ID, token, rec)
	return nil
}

// PutCertified stores certified version n of rec, immutable for retain,
// pins its version in rec (which the caller then updates) and indexes its
// checksum.
func (a *Archive) PutCertified(ctx context.Context, rec *Record, n int, pdf []byte, retain time.Duration) error {
	opts := storage.PutOptions{ContentType: "application/pdf", IfNoneMatch: true, Retain: retain}
	obj, err := a.store.Put(ctx, CertifiedKey(rec.ID, n), pdf, opts)
	if err != nil {
		return fmt.Errorf("archive: writing certified version %d of %s: %w", n, rec.ID, err)
	}
	rec.pin(obj)
	return a.index(ctx, Checksum(pdf), IndexEntry{ID: rec.ID, Version: n})
}

// Lookup finds what a checksum belongs to.
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

// Filter selects extracts in List. Empty fields match everything.
type Filter struct {
	Organisation string // organisation id: a key sees only its own
	Organ        string // case-insensitive
	MeetingDate  string // exact ISO date
	From, To     string // meeting date range, inclusive
	CaseNumber   string
	Paragraph    int
}

func (f Filter) match(r *Record) bool {
	switch {
	case f.Organisation != "" && r.Organisation.ID != f.Organisation,
		f.Organ != "" && !strings.EqualFold(r.Organ, f.Organ),
		f.MeetingDate != "" && r.MeetingDate != f.MeetingDate,
		f.From != "" && r.MeetingDate < f.From,
		f.To != "" && r.MeetingDate > f.To:
		return false
	}
	if f.CaseNumber != "" && !containsFold(r.CaseNumbers, f.CaseNumber) {
		return false
	}
	if f.Paragraph != 0 {
		for _, n := range r.Paragraphs {
			if n == f.Paragraph {
				return true
			}
		}
		return false
	}
	return true
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

// List returns the records that match, newest meeting first (then §).
// The records are shared and come without their Extract (Get has it):
// callers must not modify them.
func (a *Archive) List(ctx context.Context, f Filter) ([]*Record, error) {
	objs, err := a.store.List(ctx, "extracts/")
	if err != nil {
		return nil, fmt.Errorf("archive: listing extracts: %w", err)
	}
	var ids, etags []string
	for _, o := range objs {
		if strings.HasSuffix(o.Key, "/meta.json") {
			ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(o.Key, "extracts/"), "/meta.json"))
			etags = append(etags, o.ETag)
		}
	}
	recs := make([]*Record, len(ids))
	var stale []int
	a.mu.Lock()
	for i, id := range ids {
		if l, ok := a.listed[id]; ok && etags[i] != "" && l.etag == etags[i] {
			recs[i] = l.rec
		} else {
			stale = append(stale, i)
		}
	}
	a.mu.Unlock()
	if err := a.readListed(ctx, ids, stale, recs); err != nil {
		return nil, err
	}
	a.forgetUnlisted(ids)
	var out []*Record
	for _, rec := range recs {
		if rec != nil && f.match(rec) {
			out = append(out, rec)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].MeetingDate != out[j].MeetingDate {
			return out[i].MeetingDate > out[j].MeetingDate
		}
		return firstNumber(out[i]) < firstNumber(out[j])
	})
	return out, nil
}

// listReaders bounds the records List reads at once.
const listReaders = 8

// readListed reads the records ids[k] for k in which into recs (nil for
// one deleted meanwhile), listReaders at a time, and remembers them.
func (a *Archive) readListed(ctx context.Context, ids []string, which []int, recs []*Record) error {
	if len(which) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make(chan error, listReaders)
	var wg sync.WaitGroup
	for range min(listReaders, len(which)) {
		wg.Go(func() {
			for i := range next {
				rec, etag, err := a.Get(ctx, ids[i])
				switch {
				case errors.Is(err, ErrNotFound):
					continue // deleted meanwhile
				case err != nil:
					errs <- err
					cancel()
					return
				}
				rec.Extract = nil // kept small: a list never shows it
				recs[i] = rec
				a.mu.Lock()
				a.listed[ids[i]] = listed{etag: etag, rec: rec}
				a.mu.Unlock()
			}
		})
	}
feed:
	for _, i := range which {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

// forgetUnlisted drops the remembered records that ids no longer holds.
func (a *Archive) forgetUnlisted(ids []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.listed) <= len(ids) {
		return
	}
	keep := make(map[string]bool, len(ids))
	for _, id := range ids {
		keep[id] = true
	}
	for id := range a.listed {
		if !keep[id] {
			delete(a.listed, id)
		}
	}
}

func firstNumber(r *Record) int {
	if len(r.Paragraphs) == 0 {
		return 0
	}
	return r.Paragraphs[0]
}

func validID(id string) bool {
	return len(id) == 24 && strings.Trim(id, "0123456789abcdef") == ""
}
