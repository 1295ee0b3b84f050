package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"utdrag/storage"
)

// ProtocolCertifiedKey is where certified version n of a protocol is kept.
func ProtocolCertifiedKey(id string, n int) string {
	return fmt.Sprintf("%scertified-%d.pdf", protocolDir(id), n)
}

// ProtocolIntentKey is where the description of certified version n of a
// protocol, with checksum sum, is kept: written before the PDF.
func ProtocolIntentKey(id string, n int, sum string) string {
	return fmt.Sprintf("%scertified-%d-%s.json", protocolDir(id), n, sum)
}

// Certified returns the protocol's current certification, or nil.
func (r *ProtocolRecord) Certified() *Certification {
	if len(r.Certifications) == 0 {
		return nil
	}
	return &r.Certifications[len(r.Certifications)-1]
}

// CertifyProtocol stores pdf as certified version cert.Version of
// protocol id, immutable for retain, and adds the certification to the
// record, as Certify does for an extract: the description first, then the
// PDF, whose create-once write claims the version, then the record by
// compare and swap. The version must follow those the completed record
// holds; ErrConflict when another certification took the number first.
// Once the PDF is stored the certification runs to the end without the
// caller's context; a process that dies before leaves it to the next
// CertifyProtocol, CompleteProtocol or janitor pass.
func (a *Archive) CertifyProtocol(ctx context.Context, id string, cert Certification, pdf []byte, retain time.Duration) (*ProtocolRecord, error) {
	ctx, cancel := detach(ctx)
	defer cancel()
	n := cert.Version
	rec, err := a.CompleteProtocol(ctx, id)
	if err != nil {
		return nil, err
	}
	if n != len(rec.Certifications)+1 {
		return nil, fmt.Errorf("archive: certifying protocol %s as version %d, after %d: %w", id, n, len(rec.Certifications), ErrConflict)
	}
	cert.SHA256, cert.Bytes, cert.Recovered = Checksum(pdf), len(pdf), false
	raw, err := json.Marshal(cert)
	if err != nil {
		return nil, fmt.Errorf("archive: encoding certification %d of protocol %s: %w", n, id, err)
	}
	intent := ProtocolIntentKey(id, n, cert.SHA256)
	if _, err := a.store.Put(ctx, intent, raw, storage.PutOptions{ContentType: "application/json", IfNoneMatch: true}); err != nil &&
		!errors.Is(err, storage.ErrPrecondition) {
		return nil, fmt.Errorf("archive: describing certified version %d of protocol %s: %w", n, id, err)
	}
	// Indexed before the PDF, so that a verification of the PDF finds the
	// protocol, and adopts the version, whenever the writer stops.
	if err := a.indexProtocol(ctx, cert.SHA256, IndexEntry{ID: id, Version: n}); err != nil {
		return nil, err
	}
	key := ProtocolCertifiedKey(id, n)
	_, err = a.store.Put(ctx, key, pdf, storage.PutOptions{ContentType: "application/pdf", IfNoneMatch: true, Retain: retain})
	if errors.Is(err, storage.ErrPrecondition) || errors.Is(err, storage.ErrImmutable) {
		stored, _, gerr := a.store.Get(ctx, key)
		if gerr != nil {
			return nil, fmt.Errorf("archive: reading certified version %d of protocol %s: %w", n, id, gerr)
		}
		if Checksum(stored) != cert.SHA256 {
			_ = a.store.Delete(ctx, intent) // describes nothing; else the janitor's
			_ = a.store.Delete(ctx, protocolShaKey(cert.SHA256))
			if _, err := a.CompleteProtocol(ctx, id); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("archive: certifying protocol %s as version %d: %w", id, n, ErrConflict)
		}
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("archive: writing certified version %d of protocol %s: %w", n, id, err)
	}
	rec, err = a.completeProtocol(ctx, id, &version{cert: cert})
	if err != nil {
		return nil, err
	}
	if len(rec.Certifications) < n || rec.Certifications[n-1].SHA256 != cert.SHA256 {
		return nil, fmt.Errorf("archive: certified version %d of protocol %s is not in its record", n, id)
	}
	return rec, nil
}

// CompleteProtocol returns the record of a protocol with every certified
// version storage holds beyond it added (an interrupted
// CertifyProtocol's). When there is none it costs one look-up besides
// reading the record.
func (a *Archive) CompleteProtocol(ctx context.Context, id string) (*ProtocolRecord, error) {
	return a.completeProtocol(ctx, id, nil)
}

func (a *Archive) completeProtocol(ctx context.Context, id string, known *version) (*ProtocolRecord, error) {
	for range completeAttempts {
		rec, _, etag, err := a.protocolMeta(ctx, id, false)
		if err != nil {
			return nil, err
		}
		if rec == nil {
			return nil, ErrProtocolNotFound
		}
		adopted, err := a.protocolBeyond(ctx, rec, known)
		if err != nil || len(adopted) == 0 {
			return rec, err
		}
		rec.Certifications = append(rec.Certifications, adopted...)
		err = a.commitProtocol(ctx, rec, etag)
		if errors.Is(err, storage.ErrPrecondition) {
			continue // changed meanwhile (often: the same versions recorded)
		}
		if err != nil {
			return nil, err
		}
		for _, c := range adopted {
			_ = a.store.Delete(ctx, ProtocolIntentKey(id, c.Version, c.SHA256)) // recorded now; else the janitor's
		}
		return rec, nil
	}
	return nil, fmt.Errorf("archive: completing protocol %s: other writers kept changing it: %w", id, ErrBusy)
}

// protocolBeyond describes, in order, the certified versions stored after
// those rec holds.
func (a *Archive) protocolBeyond(ctx context.Context, rec *ProtocolRecord, known *version) ([]Certification, error) {
	var out []Certification
	for n := len(rec.Certifications) + 1; ; n++ {
		if known != nil && known.cert.Version == n {
			out = append(out, known.cert)
			continue
		}
		pdf, obj, err := a.store.Get(ctx, ProtocolCertifiedKey(rec.ID, n))
		if errors.Is(err, storage.ErrNotFound) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("archive: reading certified version %d of protocol %s: %w", n, rec.ID, err)
		}
		cert, err := a.described(ctx, rec.ID, n, pdf, obj, ProtocolIntentKey)
		if err != nil {
			return nil, err
		}
		out = append(out, cert)
	}
}

// ProtocolCertified reads certified version n of a protocol and checks it
// against its record.
func (a *Archive) ProtocolCertified(ctx context.Context, rec *ProtocolRecord, n int) ([]byte, error) {
	if n < 1 || n > len(rec.Certifications) {
		return nil, fmt.Errorf("archive: protocol %s has no certified version %d: %w", rec.ID, n, ErrProtocolNotFound)
	}
	return a.protocolObject(ctx, rec.ID, ProtocolCertifiedKey(rec.ID, n), rec.Certifications[n-1].SHA256)
}

// protocolShaKey is the checksum index entry of a protocol's PDF, apart
// from the extracts' (sha256/): an entry names a protocol id and version
// (0: the protocol as created, n: certified version n).
func protocolShaKey(sum string) string { return "protocol-sha256/" + sum }

// indexProtocol writes a protocol's checksum index entry create-once; one
// already there is left: FindProtocol checks every entry against the
// record it names.
func (a *Archive) indexProtocol(ctx context.Context, sum string, e IndexEntry) error {
	raw, _ := json.Marshal(e)
	_, err := a.store.Put(ctx, protocolShaKey(sum), raw, storage.PutOptions{ContentType: "application/json", IfNoneMatch: true})
	if err != nil && !errors.Is(err, storage.ErrPrecondition) {
		return fmt.Errorf("archive: indexing protocol %s: %w", sum, err)
	}
	return nil
}

// lookupProtocol reads the protocol checksum index entry of sum.
func (a *Archive) lookupProtocol(ctx context.Context, sum string) (IndexEntry, error) {
	var e IndexEntry
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return e, ErrProtocolNotFound
	}
	raw, _, err := a.store.Get(ctx, protocolShaKey(sum))
	if errors.Is(err, storage.ErrNotFound) {
		return e, ErrProtocolNotFound
	}
	if err != nil {
		return e, fmt.Errorf("archive: looking up protocol %s: %w", sum, err)
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return e, fmt.Errorf("archive: decoding protocol index %s: %w", sum, err)
	}
	return e, nil
}

// FindProtocol returns the protocol whose PDF has checksum sum, read
// without its input (as ProtocolHead), and which PDF: Version 0 for the
// protocol as created, n for certified version n. ErrNotFound unless the
// record holds the checksum; a certified version the index names beyond
// the record (its certification was interrupted) is adopted first.
func (a *Archive) FindProtocol(ctx context.Context, sum string) (*ProtocolRecord, IndexEntry, error) {
	e, err := a.lookupProtocol(ctx, sum)
	if err != nil {
		return nil, e, err
	}
	rec, err := a.ProtocolHead(ctx, e.ID)
	if err != nil {
		return nil, e, err
	}
	if e.Version > len(rec.Certifications) {
		full, err := a.CompleteProtocol(ctx, e.ID)
		if err != nil {
			return nil, e, err
		}
		rec = full
	}
	if !rec.holds(e, sum) {
		return nil, e, ErrProtocolNotFound
	}
	return rec, e, nil
}

// holds reports whether the PDF e names in r has checksum sum.
func (r *ProtocolRecord) holds(e IndexEntry, sum string) bool {
	switch n := e.Version; {
	case e.Revision != 0 || e.Rendition != "" || n < 0 || n > len(r.Certifications):
		return false
	case n == 0:
		return r.SHA256 == sum
	default:
		return r.Certifications[n-1].Version == n && r.Certifications[n-1].SHA256 == sum
	}
}
