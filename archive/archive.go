// Package archive keeps extracts in a storage.Store: the key layout, the
// metadata record of each extract, creates and certifications that every
// reader sees whole or not at all, look-up by id and by checksum, listing
// with filters, and the janitor that clears what interrupted writes left.
//
// Layout, one folder per extract id:
//
//	extracts/{id}/extract.pdf               the rendered extract
//	extracts/{id}/extract.html              its accessible HTML rendition
//	extracts/{id}/meta.json                 Record, or a claim (below)
//	extracts/{id}/certified-{n}.pdf         certified version n (immutable)
//	extracts/{id}/certified-{n}-r{k}.pdf    revision k of version n: validation
//	                                        data and an archive timestamp
//	                                        appended (immutable)
//	extracts/{id}/certified-{n}-{sha}.json  a certification's description,
//	                                        written before its PDF
//	extracts/{id}/distribution.json         distribution record
//	extracts/{id}/internal/…                the internal rendition of an
//	                                        extract with parts marked
//	                                        confidential (rendition.go)
//	sha256/{hex}                            checksum index for verification
//
// # How writes stay whole
//
// One rule serves creates and certifications alike: objects first, then
// the record, and the record is the only commit.
//
//   - Objects are never overwritten. Each is written create-once and its
//     bytes are fixed by its key: the extract's by the id (which is a hash
//     of the input and the template version), a certified version by the
//     number it claims. The checksum index entry of an extract is written
//     after its PDF; that of a certified version before its PDF, so that a
//     verification of the PDF finds it and adopts it, whenever its writer
//     stopped.
//   - meta.json is written last: create-once for a new extract, compare and
//     swap (its ETag) for a certification. A record names every object it
//     points at with the object's checksum, and only ever an object that
//     was stored with that checksum before the record was written. Readers
//     start from the record (Get, Find, List), so objects without one are
//     invisible, and Find answers for a checksum only when a record holds
//     it: an index entry left by an interrupted write shows nothing.
//   - An object without a record is adopted by the next writer that needs
//     it: a create that finds the extract's PDF or HTML already stored
//     compares it with its own and uses it when equal; a certification, a
//     verification by checksum, or the janitor that finds certified-{n}.pdf
//     beyond the record adds version n to it, described by the
//     certified-{n}-{sha}.json its writer stored before the PDF (or, for a
//     PDF without one, by what its signature says: see SetDescriber).
//     Certified objects are under retention and are never removed: they are
//     always adopted.
//   - Once a certified PDF is stored the certification cannot be undone,
//     so Certify finishes the record without the caller's context (a client
//     that hangs up does not stop it) and, if the process dies first, the
//     next Certify, Complete, Find or Janitor finishes it. Create likewise
//     runs to the end once it has begun, and an interrupted one is adopted
//     by the next identical create.
//   - Version numbers cannot collide: version n exists once
//     certified-{n}.pdf does, that write is create-once, and a record lists
//     versions 1…n in order with nothing missing.
//
// Whatever removes objects first claims the folder: it writes a claim into
// meta.json, create-once where there is no record (or by ETag over a claim
// that was released or whose holder died, older than a lease of a minute),
// so the one conditional write of meta.json decides between a record and a
// claim, and a record can never come to point at something being removed.
// The janitor claims orphan folders; a create claims one when it finds
// there bytes of another release that no record points at. A creator that
// meets a claim being held answers ErrBusy (a storage.ErrUnavailable: try
// again in a moment). A released claim stays in meta.json as a marker that
// Get, Find and List read as no record.
//
// An interrupted write costs at most the objects it wrote until the
// janitor's grace period has passed; nothing a reader can see, and nothing
// that blocks the next request.
//
// It may import extract and storage.
package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	// HTMLSHA256 is the checksum of the HTML rendition (records written
	// before it was kept have none).
	HTMLSHA256 string `json:"htmlSha256,omitempty"`
	// Certifications, oldest first; the last is the current one.
	Certifications []Certification `json:"certifications,omitempty"`
	// Extract is the validated input, kept so the extract can be rendered
	// again when it is certified: for an extract with parts marked
	// confidential, its public copy (see rendition.go).
	Extract *extract.Extract `json:"extract"`
	// Renditions are the renditions kept: [internal public] for an extract
	// with parts marked confidential, [public] for one without; empty in
	// records from before renditions were kept (public alone).
	Renditions []extract.Rendition `json:"renditions,omitempty"`
	// Internal describes the internal rendition, kept apart; nil for
	// none.
	Internal *Internal `json:"internal,omitempty"`
	// internal are the internal rendition's objects to store with the
	// record (AddInternal).
	internal []object
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
	// Recovered is set when the certification was adopted from a signed
	// PDF whose writer left no description: name, place and time then come
	// from its signature, the title is unknown and the date is that of the
	// signature.
	Recovered bool `json:"recovered,omitempty"`
	// Rendition is the rendition certified; empty in records from before
	// renditions were kept (the public one).
	Rendition extract.Rendition `json:"rendition,omitempty"`
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

	indexer  Indexer   // nil: none
	describe Describer // nil: none
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
	m, err := decodeMeta(id, raw)
	if err != nil {
		return nil, "", err
	}
	if m.rec == nil { // a claim: the folder has no record
		return nil, "", ErrNotFound
	}
	return m.rec, obj.ETag, nil
}

// Update replaces a record if it is unchanged since it was read (etag);
// storage.ErrPrecondition when it changed. The objects rec points at must
// be stored, with the checksums it holds, before.
func (a *Archive) Update(ctx context.Context, rec *Record, etag string) error {
	if etag == "" {
		return fmt.Errorf("archive: updating record %s: %w: no ETag", rec.ID, storage.ErrPrecondition)
	}
	_, err := a.commit(ctx, rec, etag)
	return err
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
