package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"utdrag/archive"
	"utdrag/domain"
	"utdrag/storage"
)

// A certification may carry an idempotency key (the Idempotency-Key
// header of the API, a hidden field of the clerk's form): a request
// repeated with the same key — a reload, the Back button, a client's
// retry after a lost answer — is answered with the first request's
// result, and nothing is signed again. The key is claimed in storage with
// a create-once write before anything is signed, so two replicas serving
// the same key at once cannot both sign; the claim is completed with the
// version made, or removed when the certification fails, so that the
// request may be tried again.

// claimStale is how long a claim without a result holds: longer than any
// certification takes; after it the request that made it is taken to have
// died, and the key may be used again.
const claimStale = 2 * time.Minute

type idempotencyClaim struct {
	// Request is the checksum of the extract and the request, so that a
	// key used again for something else is told apart.
	Request string    `json:"request"`
	Started time.Time `json:"started"`
	Version int       `json:"version,omitempty"` // 0 while running
}

// idempotencyKey is where the claim of key for extract id is kept: under
// a hash, so no key a client chose becomes a storage key.
func idempotencyKey(id, key string) string {
	sum := sha256.Sum256([]byte(id + "\x00" + key))
	return "idempotency/certifications/" + hex.EncodeToString(sum[:]) + ".json"
}

// validIdempotencyKey reports whether key is acceptable: 1–255 visible
// ASCII characters.
func validIdempotencyKey(key string) bool {
	return key != "" && len(key) <= domain.MaxIdempotencyKey && !strings.ContainsFunc(key, func(r rune) bool { return r < '!' || r > '~' })
}

// requestSum is the checksum of what a certification says: the extract
// and the details printed and signed. Whether it asks for a new version
// is left out: a form reloaded after its certification asks for one, as
// the extract is certified now, and is the same request.
func requestSum(id string, req CertifyRequest) string {
	req.NewVersion = false
	raw, _ := json.Marshal(struct { // strings and renditions: cannot fail
		ID  string
		Req CertifyRequest
	}{id, req})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Certify certifies extract id as req asks (see certifyAndRecord); with
// an idempotency key, a request already carried out is answered with its
// result (Repeated), one still running with domain.ErrInProgress, and a
// key used for another request with domain.ErrKeyReused. req must have
// been checked (CheckCertification).
func (s *Server) Certify(ctx context.Context, id string, req CertifyRequest, key string) (domain.Certified, error) {
	if key == "" {
		rec, cert, err := s.certifyAndRecord(ctx, id, req)
		return domain.Certified{Record: rec, Certification: cert}, err
	}
	if !validIdempotencyKey(key) {
		return domain.Certified{}, domain.ErrKeyReused
	}
	skey, sum := idempotencyKey(id, key), requestSum(id, req)
	for range 3 {
		raw, obj, err := s.store.Get(ctx, skey)
		etag := ""
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return domain.Certified{}, fmt.Errorf("service: reading idempotency key: %w", err)
		default:
			var cl idempotencyClaim
			if err := json.Unmarshal(raw, &cl); err != nil {
				return domain.Certified{}, fmt.Errorf("service: reading idempotency key: %w", err)
			}
			switch {
			case cl.Request != sum:
				return domain.Certified{}, domain.ErrKeyReused
			case cl.Version > 0:
				return s.repeated(ctx, id, cl.Version)
			case time.Since(cl.Started) < claimStale:
				return domain.Certified{}, domain.ErrInProgress
			}
			etag = obj.ETag // a stale claim: take it over
		}
		claim, _ := json.Marshal(idempotencyClaim{Request: sum, Started: time.Now().UTC()})
		_, err = s.store.Put(ctx, skey, claim, storage.PutOptions{ContentType: "application/json", IfNoneMatch: etag == "", IfMatch: etag})
		if errors.Is(err, storage.ErrPrecondition) {
			continue // another request claimed it first: read what it did
		}
		if err != nil {
			return domain.Certified{}, fmt.Errorf("service: claiming idempotency key: %w", err)
		}
		rec, cert, err := s.certifyAndRecord(ctx, id, req)
		if err != nil {
			if derr := s.store.Delete(context.WithoutCancel(ctx), skey); derr != nil {
				s.log.WarnContext(ctx, "idempotency claim left after a failed certification; it lapses", "err", derr)
			}
			return domain.Certified{}, err
		}
		done, _ := json.Marshal(idempotencyClaim{Request: sum, Started: time.Now().UTC(), Version: cert.Version})
		if _, err := s.store.Put(context.WithoutCancel(ctx), skey, done, storage.PutOptions{ContentType: "application/json"}); err != nil {
			// Certified and stored; only a repeat of the request is not
			// recognised (after claimStale), so the answer stands.
			s.log.WarnContext(ctx, "recording the idempotency key's result", "err", err, "id", id)
		}
		return domain.Certified{Record: rec, Certification: cert}, nil
	}
	return domain.Certified{}, domain.ErrInProgress
}

// repeated is the result of a certification already made: version n of
// extract id.
func (s *Server) repeated(ctx context.Context, id string, n int) (domain.Certified, error) {
	rec, _, err := s.archive.Get(ctx, id)
	if err != nil {
		return domain.Certified{}, err
	}
	if n < 1 || n > len(rec.Certifications) {
		return domain.Certified{}, fmt.Errorf("service: idempotency key names version %d of %s, which the record lacks: %w", n, id, archive.ErrNotFound)
	}
	return domain.Certified{Record: rec, Certification: &rec.Certifications[n-1], Repeated: true}, nil
}
