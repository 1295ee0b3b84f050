// Package preserve keeps certified extracts verifiable for as long as they
// are kept. A run of Job completes the certifications that did not reach
// PAdES B-LTA (a timestamp authority or responder did not answer when the
// clerk certified) and, before the newest timestamp's certificate chain
// expires, adds fresh validation data and a new archive timestamp to every
// certified version. Each run appends to the file, leaving every earlier
// byte as it was, and stores the result as a new revision: an immutable
// object (create-once, under retention) linked from the record.
//
// Replicas share the work safely: a run holds a lease object in storage,
// taken and renewed with conditional writes, so one replica runs at a time;
// and a revision is written create-once, so even two runs on one file
// store one revision, which the record then links once.
//
// It may import archive, certify and storage.
package preserve

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"utdrag/archive"
	"utdrag/certify"
	"utdrag/storage"
)

// LeaseKey is the lease object of the archive-timestamp job.
const LeaseKey = "leases/archive-timestamp.json"

// Defaults of a Job.
const (
	DefaultRenewBefore = 90 * 24 * time.Hour
	defaultLeaseTTL    = 2 * time.Minute
	defaultFileTimeout = time.Minute
)

// Job adds validation data and archive timestamps to certified extracts.
// Zero fields take the defaults.
type Job struct {
	Archive *archive.Archive
	// Fetcher fetches revocation data; nil: none is added.
	Fetcher *certify.Fetcher
	// TSAURL is the authority of the archive timestamps; empty: none is
	// added, only validation data.
	TSAURL string
	// RenewBefore is how long before the newest timestamp's chain expires
	// a certified version gets a new archive timestamp.
	RenewBefore time.Duration
	// Retention of the revisions (object lock).
	Retention time.Duration
	// Holder names this replica in the lease (default: host, process and
	// a random part).
	Holder string
	// LeaseTTL is how long a lease lasts unless renewed.
	LeaseTTL time.Duration
	// FileTimeout bounds the work on one file.
	FileTimeout time.Duration
	Log         *slog.Logger
	Now         func() time.Time
}

// Report is what a run did.
type Report struct {
	// Busy: another replica held the lease; this run did nothing.
	Busy bool `json:"busy"`
	// Examined certified versions; Due of them needed work.
	Examined int `json:"examined"`
	Due      int `json:"due"`
	// Stamped got a new revision; Adopted got one that an interrupted or
	// concurrent run had stored; Unchanged could not be taken further.
	Stamped   int `json:"stamped"`
	Adopted   int `json:"adopted"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
}

func (j *Job) defaults() {
	if j.RenewBefore <= 0 {
		j.RenewBefore = DefaultRenewBefore
	}
	if j.LeaseTTL <= 0 {
		j.LeaseTTL = defaultLeaseTTL
	}
	if j.FileTimeout <= 0 {
		j.FileTimeout = defaultFileTimeout
	}
	if j.Log == nil {
		j.Log = slog.Default()
	}
	if j.Now == nil {
		j.Now = time.Now
	}
	if j.Holder == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		j.Holder = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
}

// Run takes the lease and works through every certified version that is
// due. It reports Busy, and does nothing, when another replica holds the
// lease; it stops early, with an error, when the lease is lost.
func (j *Job) Run(ctx context.Context) (Report, error) {
	j.defaults()
	var rep Report
	l := &lease{store: j.Archive.Store(), key: LeaseKey, holder: j.Holder, ttl: j.LeaseTTL, now: j.Now}
	if err := l.acquire(ctx); err != nil {
		if errors.Is(err, errHeld) {
			rep.Busy = true
			j.Log.InfoContext(ctx, "archive-timestamp: another replica is running", "detail", err)
			return rep, nil
		}
		return rep, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		l.keep(ctx, func(err error) { cancel(fmt.Errorf("preserve: lease lost: %w", err)) })
	}()
	defer func() {
		cancel(nil)
		<-kept
		release, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer done()
		if err := l.release(release); err != nil {
			j.Log.WarnContext(release, "archive-timestamp: giving back the lease", "error", err)
		}
	}()

	recs, err := j.Archive.List(ctx, archive.Filter{})
	if err != nil {
		return rep, err
	}
	for _, listed := range recs {
		for i := range listed.Certifications {
			if ctx.Err() != nil {
				return rep, context.Cause(ctx)
			}
			rep.Examined++
			if !j.due(&listed.Certifications[i]) {
				continue
			}
			rep.Due++
			j.one(ctx, listed.ID, listed.Certifications[i].Version, &rep)
		}
	}
	if ctx.Err() != nil {
		return rep, context.Cause(ctx)
	}
	return rep, nil
}

// due reports whether a certified version needs work: it is not at B-LTA,
// or its newest timestamp's chain expires within RenewBefore.
func (j *Job) due(c *archive.Certification) bool {
	seal := c.CurrentSeal()
	if seal.Level != string(certify.LevelBLTA) || seal.RenewBy.IsZero() {
		return true
	}
	return !j.Now().Add(j.RenewBefore).Before(seal.RenewBy)
}

// outcome of the work on one file.
type outcome int

const (
	stamped outcome = iota
	adopted
	unchanged
	failed
)

// one extends certified version n of extract id and records the revision.
func (j *Job) one(ctx context.Context, id string, n int, rep *Report) {
	ctx, cancel := context.WithTimeout(ctx, j.FileTimeout)
	defer cancel()
	out, err := j.extend(ctx, id, n)
	switch out {
	case stamped:
		rep.Stamped++
	case adopted:
		rep.Adopted++
	case unchanged:
		rep.Unchanged++
	case failed:
		rep.Failed++
	}
	if err != nil {
		j.Log.WarnContext(ctx, "archive-timestamp: extract not extended", "id", id, "version", n, "error", err)
	}
}

func (j *Job) extend(ctx context.Context, id string, n int) (outcome, error) {
	rec, _, err := j.Archive.Get(ctx, id)
	if err != nil {
		return failed, err
	}
	if n > len(rec.Certifications) {
		return failed, fmt.Errorf("preserve: %s has no certified version %d", id, n)
	}
	cert := &rec.Certifications[n-1]
	cur, err := j.Archive.CurrentCertified(ctx, rec, n)
	if err != nil {
		return failed, err
	}
	ext, err := certify.Extend(ctx, cur, certify.ExtendOptions{Fetcher: j.Fetcher, TSAURL: j.TSAURL})
	if err != nil {
		return failed, err
	}
	if len(ext.PDF) == len(cur) {
		return unchanged, errors.Join(append(ext.Missing, ext.TimestampErr)...)
	}
	k := len(cert.Revisions) + 1
	pdf, out := ext.PDF, stamped
	err = j.Archive.PutCertifiedRevision(ctx, rec, n, k, pdf, j.Retention)
	if errors.Is(err, storage.ErrPrecondition) || errors.Is(err, storage.ErrImmutable) {
		// Written by a run that stopped before recording it, or by one
		// running now: adopt it when it extends what this run read.
		theirs, gerr := j.Archive.UnrecordedRevision(ctx, rec, n, k)
		if gerr != nil || !bytes.HasPrefix(theirs, cur) {
			return failed, fmt.Errorf("preserve: revision %d of %s version %d exists and does not extend version %d: %w", k, id, n, k-1, err)
		}
		pdf, out, err = theirs, adopted, nil
	}
	if err != nil {
		return failed, err
	}
	rev := archive.Revision{Revision: k, Time: j.Now().UTC().Truncate(time.Second), SHA256: archive.Checksum(pdf), Bytes: len(pdf),
		Seal: sealOf(pdf, ext)}
	if err := j.record(ctx, id, n, rev, rec.Versions[archive.CertifiedRevisionKey(id, n, k)]); err != nil {
		return failed, err
	}
	j.Log.InfoContext(ctx, "archive-timestamp: extended", "id", id, "version", n, "revision", k, "level", rev.Level,
		"renewBy", rev.RenewBy)
	return out, nil
}

// sealOf reads the level pdf reaches and what it lacks.
func sealOf(pdf []byte, ext certify.Extension) archive.Seal {
	var seal archive.Seal
	if res, err := certify.Verify(pdf, nil); err == nil {
		seal.Level, seal.RenewBy = string(res.Level), res.RenewBy
	}
	if seal.Level == string(certify.LevelBLTA) {
		return seal
	}
	if len(ext.Missing) > 0 {
		seal.Missing = append(seal.Missing, fmt.Sprintf("Valideringsdata saknas för %d certifikat (%v).", len(ext.Missing), ext.Missing[0]))
	}
	if ext.TimestampErr != nil {
		seal.Missing = append(seal.Missing, "Arkivtidsstämpeln kunde inte läggas till ("+ext.TimestampErr.Error()+").")
	}
	return seal
}

// record links revision rev of version n from the record, once, with the
// store's version of its object pinned, by a conditional write retried
// when the record changed meanwhile.
func (j *Job) record(ctx context.Context, id string, n int, rev archive.Revision, version string) error {
	for range 5 {
		rec, etag, err := j.Archive.Get(ctx, id)
		if err != nil {
			return err
		}
		cert := &rec.Certifications[n-1]
		switch {
		case len(cert.Revisions) >= rev.Revision:
			return nil // recorded by the run that wrote it
		case len(cert.Revisions) < rev.Revision-1:
			return fmt.Errorf("preserve: %s version %d lacks revisions before %d", id, n, rev.Revision)
		}
		cert.Revisions = append(cert.Revisions, rev)
		if version != "" {
			if rec.Versions == nil {
				rec.Versions = map[string]string{}
			}
			rec.Versions[archive.CertifiedRevisionKey(id, n, rev.Revision)] = version
		}
		err = j.Archive.Update(ctx, rec, etag)
		if !errors.Is(err, storage.ErrPrecondition) {
			return err
		}
	}
	return fmt.Errorf("preserve: recording revision %d of %s version %d: the record keeps changing", rev.Revision, id, n)
}
