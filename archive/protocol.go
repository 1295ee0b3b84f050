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
	"time"

	"utdrag/extract"
	"utdrag/storage"
)

// Protocols are kept beside the extracts, one folder per protocol id, by
// the same rule (objects first, create-once, the record last and the only
// commit):
//
//	protocols/{id}/protocol.pdf             the rendered protocol
//	protocols/{id}/protocol.html            its accessible HTML rendition
//	protocols/{id}/meta.json                ProtocolRecord, or a claim
//	protocols/{id}/certified-{n}.pdf        certified version n (immutable)
//	protocols/{id}/certified-{n}-{sha}.json a certification's description,
//	                                        written before its PDF
//	protocol-meetings/{meeting}/{id}        empty marker: protocol id is of
//	                                        the meeting (organisation, organ,
//	                                        date) hashed as {meeting}
//	protocol-organisations/{org}/{id}       empty marker: protocol id is of
//	                                        the organisation hashed as {org}
//	protocol-sha256/{hex}                   checksum index of protocol PDFs
//	                                        (IndexEntry), for verification
//
// The markers are written before the record, so every recorded protocol is
// found by its meeting and its organisation; a marker without a record is
// passed over, and removed by the janitor. A certification follows the
// extracts' rule: description, PDF (create-once, under retention), then
// the record by compare and swap (protocol_certified.go).

// ErrProtocolNotFound: no protocol with that id.
var ErrProtocolNotFound = fmt.Errorf("archive: protocol not found: %w", ErrNotFound)

// ProtocolRecord is what the archive knows of one protocol.
type ProtocolRecord struct {
	ID           string               `json:"id"`
	Organisation extract.Organisation `json:"organisation"`
	Organ        string               `json:"organ"`
	MeetingDate  string               `json:"meetingDate"`
	Paragraphs   []int                `json:"paragraphs"`
	// Digests are each paragraph's digest (extract.Paragraph.Digest).
	Digests    []extract.ParagraphDigest `json:"digests"`
	Template   string                    `json:"template"`
	Filename   string                    `json:"filename"`
	Pages      int                       `json:"pages"`
	Bytes      int                       `json:"bytes"`
	SHA256     string                    `json:"sha256"`
	HTMLSHA256 string                    `json:"htmlSha256,omitempty"`
	Created    time.Time                 `json:"created"`
	// Certifications are the certified (justerade, signed) versions,
	// oldest first; the last is the current one.
	Certifications []Certification `json:"certifications,omitempty"`
	// Protocol is the validated input, from which extracts are taken.
	Protocol *extract.Protocol `json:"protocol"`
}

// Digest returns the digest of paragraph n as the protocol holds it.
func (r *ProtocolRecord) Digest(n int) (string, bool) {
	for _, d := range r.Digests {
		if d.Number == n {
			return d.Digest, true
		}
	}
	return "", false
}

func protocolDir(id string) string { return "protocols/" + id + "/" }

// ProtocolPDFKey is where a protocol's PDF is kept.
func ProtocolPDFKey(id string) string { return protocolDir(id) + "protocol.pdf" }

// ProtocolHTMLKey is where a protocol's HTML rendition is kept.
func ProtocolHTMLKey(id string) string { return protocolDir(id) + "protocol.html" }

// ProtocolMetaKey is where a protocol's record is kept.
func ProtocolMetaKey(id string) string { return protocolDir(id) + "meta.json" }

// meetingKey is the folder of the markers of one meeting's protocols.
func meetingKey(organisation, organ, date string) string {
	sum := sha256.Sum256([]byte(organisation + "\x00" + strings.ToLower(organ) + "\x00" + date))
	return "protocol-meetings/" + hex.EncodeToString(sum[:16]) + "/"
}

// organisationKey is the folder of the markers of one organisation's
// protocols.
func organisationKey(organisation string) string {
	sum := sha256.Sum256([]byte(organisation))
	return "protocol-organisations/" + hex.EncodeToString(sum[:16]) + "/"
}

// CreateProtocol stores a new protocol: its PDF and HTML, the meeting's
// and the organisation's markers, then the record. It reports
// created=false with the stored record when the identical protocol exists
// already. As Create, once begun it runs to the end, what an interrupted
// create wrote is adopted by the next identical one, and the record is
// written over exactly the meta.json read before the objects: a janitor
// that claimed the folder meanwhile (to clear what an interrupted create
// left) makes it start again. ErrBusy while the folder is being cleared.
func (a *Archive) CreateProtocol(ctx context.Context, rec *ProtocolRecord, pdf, html []byte) (*ProtocolRecord, bool, error) {
	if !validID(rec.ID) {
		return nil, false, fmt.Errorf("archive: creating protocol: invalid id %q", rec.ID)
	}
	ctx, cancel := detach(ctx)
	defer cancel()
	rec.SHA256, rec.Bytes = Checksum(pdf), len(pdf)
	rec.HTMLSHA256, rec.Certifications = "", nil
	rec.Created = a.now().UTC().Truncate(time.Second)
	objs := []object{{ProtocolPDFKey(rec.ID), "application/pdf", pdf}}
	if html != nil {
		rec.HTMLSHA256 = Checksum(html)
		objs = append(objs, object{ProtocolHTMLKey(rec.ID), "text/html; charset=utf-8", html})
	}
	for range createAttempts {
		old, c, etag, err := a.protocolMeta(ctx, rec.ID, false)
		switch {
		case err != nil:
			return nil, false, err
		case old != nil:
			return old, false, nil
		case c != nil && !c.open(a.now()):
			return nil, false, fmt.Errorf("archive: creating protocol %s: %w", rec.ID, ErrBusy)
		}
		err = a.createProtocol(ctx, rec, objs, etag)
		if err == nil {
			return rec, true, nil
		}
		if !errors.Is(err, storage.ErrPrecondition) {
			return nil, false, err
		}
	}
	return nil, false, fmt.Errorf("archive: creating protocol %s: other writers kept changing it: %w", rec.ID, ErrBusy)
}

// createProtocol writes objs, the markers and rec over the meta.json read
// with etag ("": none); storage.ErrPrecondition when another writer
// changed it meanwhile.
func (a *Archive) createProtocol(ctx context.Context, rec *ProtocolRecord, objs []object, etag string) error {
	for _, o := range objs {
		_, same, err := a.putOrCompare(ctx, o)
		if err != nil {
			return fmt.Errorf("archive: creating protocol %s: %w", rec.ID, err)
		}
		if !same {
			// The id is a hash of the input and the template version, and
			// rendering is deterministic: other bytes there come from
			// another release of the renderer. They are not replaced; the
			// janitor clears them once no create has touched them for its
			// grace period.
			return fmt.Errorf("archive: creating protocol %s: %s holds other bytes", rec.ID, o.key)
		}
	}
	if err := a.indexProtocol(ctx, rec.SHA256, IndexEntry{ID: rec.ID}); err != nil {
		return err
	}
	for _, marker := range rec.markers() {
		if _, err := a.store.Put(ctx, marker, nil, storage.PutOptions{ContentType: "application/octet-stream", IfNoneMatch: true}); err != nil && !errors.Is(err, storage.ErrPrecondition) {
			return fmt.Errorf("archive: marking protocol %s: %w", rec.ID, err)
		}
	}
	return a.commitProtocol(ctx, rec, etag)
}

// markers are the keys that find a protocol by its meeting and its
// organisation.
func (r *ProtocolRecord) markers() []string {
	return []string{meetingKey(r.Organisation.ID, r.Organ, r.MeetingDate) + r.ID, organisationKey(r.Organisation.ID) + r.ID}
}

// commitProtocol writes rec as the protocol's record: create-once when
// etag is empty, else over exactly the meta.json read with that ETag.
func (a *Archive) commitProtocol(ctx context.Context, rec *ProtocolRecord, etag string) error {
	raw, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("archive: encoding protocol %s: %w", rec.ID, err)
	}
	opts := storage.PutOptions{ContentType: "application/json", IfMatch: etag, IfNoneMatch: etag == ""}
	if _, err := a.store.Put(ctx, ProtocolMetaKey(rec.ID), raw, opts); err != nil {
		return fmt.Errorf("archive: writing protocol record %s: %w", rec.ID, err)
	}
	return nil
}

// GetProtocol returns the record of a protocol.
func (a *Archive) GetProtocol(ctx context.Context, id string) (*ProtocolRecord, error) {
	return a.getProtocol(ctx, id, false)
}

// ProtocolHead returns the record of a protocol without its input
// (Protocol is nil): what comparing digests needs, read without decoding
// every paragraph.
func (a *Archive) ProtocolHead(ctx context.Context, id string) (*ProtocolRecord, error) {
	return a.getProtocol(ctx, id, true)
}

// protocolHead is a record whose input is kept undecoded.
type protocolHead struct {
	ProtocolRecord
	Protocol json.RawMessage `json:"protocol"`
}

func (a *Archive) getProtocol(ctx context.Context, id string, head bool) (*ProtocolRecord, error) {
	rec, _, _, err := a.protocolMeta(ctx, id, head)
	if err == nil && rec == nil {
		err = ErrProtocolNotFound
	}
	return rec, err
}

// protocolMeta reads a protocol's meta.json: its record, or the claim of
// a writer that clears the folder, or (etag "") nothing.
func (a *Archive) protocolMeta(ctx context.Context, id string, head bool) (*ProtocolRecord, *claim, string, error) {
	if !validID(id) {
		return nil, nil, "", ErrProtocolNotFound
	}
	raw, obj, err := a.store.Get(ctx, ProtocolMetaKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, "", nil
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("archive: reading protocol record %s: %w", id, err)
	}
	if len(raw) < maxClaimSize {
		var doc metaDoc
		if err := json.Unmarshal(raw, &doc); err == nil && doc.Claim != nil {
			return nil, doc.Claim, obj.ETag, nil
		}
	}
	var rec ProtocolRecord
	if head {
		var h protocolHead
		if err := json.Unmarshal(raw, &h); err != nil {
			return nil, nil, "", fmt.Errorf("archive: decoding protocol record %s: %w", id, err)
		}
		if len(h.Protocol) == 0 || string(h.Protocol) == "null" {
			return nil, nil, "", fmt.Errorf("archive: decoding protocol record %s: it holds no protocol", id)
		}
		rec = h.ProtocolRecord
	} else if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, nil, "", fmt.Errorf("archive: decoding protocol record %s: %w", id, err)
	} else if rec.Protocol == nil {
		return nil, nil, "", fmt.Errorf("archive: decoding protocol record %s: it holds no protocol", id)
	}
	if rec.ID != id {
		return nil, nil, "", fmt.Errorf("archive: decoding protocol record %s: it names protocol %q", id, rec.ID)
	}
	return &rec, nil, obj.ETag, nil
}

// ProtocolPDF reads a protocol's PDF and checks it against its record.
func (a *Archive) ProtocolPDF(ctx context.Context, rec *ProtocolRecord) ([]byte, error) {
	return a.protocolObject(ctx, rec.ID, ProtocolPDFKey(rec.ID), rec.SHA256)
}

// ProtocolHTML reads a protocol's HTML rendition; ErrNotFound when none
// is kept.
func (a *Archive) ProtocolHTML(ctx context.Context, rec *ProtocolRecord) ([]byte, error) {
	if rec.HTMLSHA256 == "" {
		return nil, ErrProtocolNotFound
	}
	return a.protocolObject(ctx, rec.ID, ProtocolHTMLKey(rec.ID), rec.HTMLSHA256)
}

func (a *Archive) protocolObject(ctx context.Context, id, key, sum string) ([]byte, error) {
	b, _, err := a.store.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("archive: protocol %s: %s is missing: %w", id, key, ErrMismatch)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: reading %s: %w", key, err)
	}
	if Checksum(b) != sum {
		return nil, fmt.Errorf("archive: protocol %s: %s does not have the recorded checksum: %w", id, key, ErrMismatch)
	}
	return b, nil
}

// ProtocolsOfMeeting returns the recorded protocols of one meeting,
// newest first, as ProtocolHead reads them (without their input).
func (a *Archive) ProtocolsOfMeeting(ctx context.Context, organisation, organ, date string) ([]*ProtocolRecord, error) {
	prefix := meetingKey(organisation, organ, date)
	objs, err := a.store.List(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("archive: listing the protocols of a meeting: %w", err)
	}
	ids := make([]string, 0, len(objs))
	for _, o := range objs {
		ids = append(ids, strings.TrimPrefix(o.Key, prefix))
	}
	return a.protocols(ctx, ids, true, func(r *ProtocolRecord) bool {
		return r.Organisation.ID == organisation && strings.EqualFold(r.Organ, organ) && r.MeetingDate == date
	})
}

// ListProtocols returns the recorded protocols of an organisation ("":
// all), newest meeting first. It reads the records of that organisation
// only.
func (a *Archive) ListProtocols(ctx context.Context, organisation string) ([]*ProtocolRecord, error) {
	if organisation != "" {
		prefix := organisationKey(organisation)
		objs, err := a.store.List(ctx, prefix)
		if err != nil {
			return nil, fmt.Errorf("archive: listing the protocols of %s: %w", organisation, err)
		}
		ids := make([]string, 0, len(objs))
		for _, o := range objs {
			ids = append(ids, strings.TrimPrefix(o.Key, prefix))
		}
		return a.protocols(ctx, ids, false, func(r *ProtocolRecord) bool { return r.Organisation.ID == organisation })
	}
	objs, err := a.store.List(ctx, "protocols/")
	if err != nil {
		return nil, fmt.Errorf("archive: listing protocols: %w", err)
	}
	var ids []string
	for _, o := range objs {
		if id, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, "protocols/"), "/meta.json"); ok {
			ids = append(ids, id)
		}
	}
	return a.protocols(ctx, ids, false, func(r *ProtocolRecord) bool {
		return organisation == "" || r.Organisation.ID == organisation
	})
}

func (a *Archive) protocols(ctx context.Context, ids []string, head bool, keep func(*ProtocolRecord) bool) ([]*ProtocolRecord, error) {
	var out []*ProtocolRecord
	for _, id := range ids {
		rec, err := a.getProtocol(ctx, id, head)
		if errors.Is(err, ErrNotFound) {
			continue // a marker left by an interrupted create
		}
		if err != nil {
			return nil, err
		}
		if keep(rec) {
			out = append(out, rec)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].MeetingDate != out[j].MeetingDate {
			return out[i].MeetingDate > out[j].MeetingDate
		}
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}
