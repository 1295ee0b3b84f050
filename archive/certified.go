package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"utdrag/extract"
	"utdrag/storage"
)

// Describer tells what a signed PDF says of its certification: name,
// place, time, certificate, page count. The archive asks it for a certified
// version it adopts without the description its writer stores first (one
// written by an earlier release); Version, SHA256, Bytes and Recovered are
// filled in by the archive.
type Describer func(pdf []byte) (Certification, error)

// SetDescriber sets how certified PDFs without a stored description are
// described; without one such a version is adopted with only its
// checksum, size and the time it was stored.
func (a *Archive) SetDescriber(d Describer) { a.describe = d }

// IntentKey is where the description of certified version n with checksum
// sum is kept: written before the PDF, so whoever finds the PDF without a
// record can record it as its writer would have.
func IntentKey(id string, n int, sum string) string {
	return fmt.Sprintf("%scertified-%d-%s.json", dir(id), n, sum)
}

// parseIntentKey returns n and sum of an IntentKey's file name.
func parseIntentKey(name string) (int, string, bool) {
	rest, ok := strings.CutPrefix(name, "certified-")
	if !ok {
		return 0, "", false
	}
	rest, ok = strings.CutSuffix(rest, ".json")
	num, sum, ok2 := strings.Cut(rest, "-")
	n, err := strconv.Atoi(num)
	if !ok || !ok2 || err != nil || n < 1 || len(sum) != 64 {
		return 0, "", false
	}
	return n, sum, true
}

// parseCertifiedKey returns n of a CertifiedKey's file name.
func parseCertifiedKey(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "certified-")
	if !ok {
		return 0, false
	}
	rest, ok = strings.CutSuffix(rest, ".pdf")
	n, err := strconv.Atoi(rest)
	return n, ok && err == nil && n >= 1 && strconv.Itoa(n) == rest
}

// completeAttempts bounds how often the record is read again after another
// writer changed it.
const completeAttempts = 8

// Certify stores pdf as certified version cert.Version of extract id,
// immutable for retain, and adds the certification to the record. The
// version must be the next after those the record holds once completed
// (Complete returns that record). ErrConflict when another certification
// took the number first; it is recorded then.
//
// The description and the checksum index entry go first, then the PDF,
// whose create-once write claims the version; from there on the
// certification exists and Certify finishes the record whatever becomes
// of ctx's cancellation. When the process dies before, the next Certify,
// Complete, Find (a verification of the PDF) or Janitor finishes it.
func (a *Archive) Certify(ctx context.Context, id string, cert Certification, pdf []byte, retain time.Duration) (*Record, error) {
	if !validID(id) {
		return nil, ErrNotFound
	}
	ctx, cancel := detach(ctx)
	defer cancel()
	n := cert.Version
	rec, _, err := a.complete(ctx, id, nil)
	if err != nil {
		return nil, err
	}
	if n != len(rec.Certifications)+1 {
		return nil, fmt.Errorf("archive: certifying %s as version %d, after %d: %w", id, n, len(rec.Certifications), ErrConflict)
	}
	cert.SHA256, cert.Bytes, cert.Recovered = Checksum(pdf), len(pdf), false
	raw, err := json.Marshal(cert)
	if err != nil {
		return nil, fmt.Errorf("archive: encoding certification %d of %s: %w", n, id, err)
	}
	intent := IntentKey(id, n, cert.SHA256)
	if _, err := a.store.Put(ctx, intent, raw, storage.PutOptions{ContentType: "application/json", IfNoneMatch: true}); err != nil &&
		!errors.Is(err, storage.ErrPrecondition) {
		return nil, fmt.Errorf("archive: describing certified version %d of %s: %w", n, id, err)
	}
	// Indexed before the PDF is stored, so that whoever verifies the PDF
	// finds the extract, and adopts the version, whenever the writer stops
	// after storing it. Until then Find answers ErrNotFound for it.
	if err := a.index(ctx, cert.SHA256, IndexEntry{ID: id, Version: n}); err != nil {
		return nil, err
	}
	opts := storage.PutOptions{ContentType: "application/pdf", IfNoneMatch: true, Retain: retain}
	obj, err := a.store.Put(ctx, CertifiedKey(id, n), pdf, opts)
	if errors.Is(err, storage.ErrPrecondition) || errors.Is(err, storage.ErrImmutable) {
		// Taken: by another certification, or by this one when a retried
		// PUT found its own first attempt.
		var stored []byte
		var gerr error
		stored, obj, gerr = a.store.Get(ctx, CertifiedKey(id, n))
		if gerr != nil {
			return nil, fmt.Errorf("archive: reading certified version %d of %s: %w", n, id, gerr)
		}
		if Checksum(stored) != cert.SHA256 {
			_ = a.store.Delete(ctx, intent) // describe nothing; else the janitor's
			_ = a.store.Delete(ctx, shaKey(cert.SHA256))
			if _, _, err := a.complete(ctx, id, nil); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("archive: certifying %s as version %d: %w", id, n, ErrConflict)
		}
		err = nil
	}
	if err != nil {
		return nil, fmt.Errorf("archive: writing certified version %d of %s: %w", n, id, err)
	}
	rec, _, err = a.complete(ctx, id, &version{cert, obj})
	if err != nil {
		return nil, err
	}
	if len(rec.Certifications) < n || rec.Certifications[n-1].SHA256 != cert.SHA256 {
		return nil, fmt.Errorf("archive: certified version %d of %s is not in its record", n, id)
	}
	return rec, nil
}

// Complete returns the record of an extract with every certified version
// storage holds beyond it added (an interrupted Certify's), and its ETag.
// When there is none it costs one look-up besides reading the record.
func (a *Archive) Complete(ctx context.Context, id string) (*Record, string, error) {
	return a.complete(ctx, id, nil)
}

// version is a certified version as stored.
type version struct {
	cert Certification
	obj  storage.Object
}

// complete adopts the certified versions beyond the record into it, each
// with its checksum and (where the store keeps them) its object version.
// known, when given, is a version just written, described without reading
// it back.
func (a *Archive) complete(ctx context.Context, id string, known *version) (*Record, string, error) {
	for range completeAttempts {
		rec, etag, err := a.Get(ctx, id)
		if err != nil {
			return nil, "", err
		}
		adopted, err := a.beyond(ctx, rec, known)
		if err != nil || len(adopted) == 0 {
			return rec, etag, err
		}
		for _, v := range adopted {
			rec.Certifications = append(rec.Certifications, v.cert)
			rec.pin(v.obj)
		}
		etag, err = a.commit(ctx, rec, etag)
		if errors.Is(err, storage.ErrPrecondition) {
			continue // changed meanwhile (often: the same versions recorded)
		}
		if err != nil {
			return nil, "", err
		}
		for _, v := range adopted {
			_ = a.store.Delete(ctx, IntentKey(id, v.cert.Version, v.cert.SHA256)) // the record holds it now; else the janitor's
		}
		return rec, etag, nil
	}
	return nil, "", fmt.Errorf("archive: completing %s: other writers kept changing it: %w", id, ErrBusy)
}

// beyond describes, in order, the certified versions stored after those
// rec holds, and makes sure each is indexed.
func (a *Archive) beyond(ctx context.Context, rec *Record, known *version) ([]version, error) {
	var out []version
	for n := len(rec.Certifications) + 1; ; n++ {
		var v version
		if known != nil && known.cert.Version == n {
			v = *known
		} else {
			pdf, obj, err := a.store.Get(ctx, CertifiedKey(rec.ID, n))
			if errors.Is(err, storage.ErrNotFound) {
				return out, nil
			}
			if err != nil {
				return nil, fmt.Errorf("archive: reading certified version %d of %s: %w", n, rec.ID, err)
			}
			v.obj = obj
			if v.cert, err = a.described(ctx, rec.ID, n, pdf, obj, IntentKey); err != nil {
				return nil, err
			}
			if v.cert.Recovered && v.cert.Rendition == "" && rec.Internal != nil {
				// A version of an extract with secret parts whose rendition
				// cannot be told is kept from those who may not read them.
				v.cert.Rendition = extract.Internal
			}
		}
		if err := a.index(ctx, v.cert.SHA256, IndexEntry{ID: rec.ID, Version: n}); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// described returns the certification of a stored certified PDF: from the
// description its writer stored, else from the describer.
// intent names where the description is kept (IntentKey for an extract).
func (a *Archive) described(ctx context.Context, id string, n int, pdf []byte, obj storage.Object, intent func(string, int, string) string) (Certification, error) {
	sum := Checksum(pdf)
	var cert Certification
	raw, _, err := a.store.Get(ctx, intent(id, n, sum))
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &cert); err != nil {
			return cert, fmt.Errorf("archive: decoding the description of certified version %d of %s: %w", n, id, err)
		}
	case errors.Is(err, storage.ErrNotFound):
		if a.describe != nil {
			if cert, err = a.describe(pdf); err != nil {
				return cert, fmt.Errorf("archive: describing certified version %d of %s from its signature: %w", n, id, err)
			}
		}
		if cert.Time.IsZero() {
			cert.Time = obj.Modified.UTC().Truncate(time.Second)
		}
		if cert.Date == "" {
			cert.Date = cert.Time.Format(time.DateOnly)
		}
		cert.Recovered = true
	default:
		return cert, fmt.Errorf("archive: reading the description of certified version %d of %s: %w", n, id, err)
	}
	cert.Version, cert.SHA256, cert.Bytes = n, sum, len(pdf)
	return cert, nil
}
