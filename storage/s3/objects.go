package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"utdrag/storage"
)

// retainMeta is user metadata recording a Retain write, so that retention is
// known, and enforced here, on buckets without object lock too.
const retainMeta = "Utdrag-Retain-Until"

// overwriteAttempts bounds the retries of an unconditional Put that keeps
// losing races to other writers.
const overwriteAttempts = 20

// Put writes the object in a single PUT; see storage.PutOptions for
// conditions.
func (s *Store) Put(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	if err := storage.ValidateKey(key); err != nil {
		return storage.Object{}, fmt.Errorf("s3: writing: %w", err)
	}
	var (
		obj storage.Object
		err error
	)
	switch {
	case opts.Retain > 0 || opts.IfNoneMatch:
		obj, err = s.putObject(ctx, key, data, opts, "")
	case opts.IfMatch != "":
		obj, err = s.putIfMatch(ctx, key, data, opts)
	default:
		obj, err = s.overwrite(ctx, key, data, opts)
	}
	if err != nil {
		return storage.Object{}, fmt.Errorf("s3: writing %s: %w", key, err)
	}
	return obj, nil
}

// putIfMatch checks retention first: the PUT itself would succeed on a
// retained object, adding a version on top of it.
func (s *Store) putIfMatch(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	cur, err := s.stat(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.Object{}, fmt.Errorf("%w: no object to match", storage.ErrPrecondition)
	}
	if err != nil {
		return storage.Object{}, err
	}
	if cur.ETag != opts.IfMatch {
		return storage.Object{}, fmt.Errorf("%w: ETag is %s", storage.ErrPrecondition, cur.ETag)
	}
	if err := checkRetained(cur); err != nil {
		return storage.Object{}, err
	}
	return s.putObject(ctx, key, data, opts, opts.IfMatch)
}

// overwrite replaces whatever is at key unless it is retained. Each PUT is
// conditional on the version just checked, so an object that became
// retained in between is never replaced; a lost race is retried.
func (s *Store) overwrite(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	var err error
	for range overwriteAttempts {
		var cur storage.Object
		cur, err = s.stat(ctx, key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			cur.ETag = ""
		case err != nil:
			return storage.Object{}, err
		}
		if err := checkRetained(cur); err != nil {
			return storage.Object{}, err
		}
		var obj storage.Object
		obj, err = s.putObject(ctx, key, data, opts, cur.ETag)
		if !errors.Is(err, storage.ErrPrecondition) {
			return obj, err
		}
		if err := sleep(ctx, time.Duration(rand.IntN(20))*time.Millisecond); err != nil {
			return storage.Object{}, err
		}
	}
	return storage.Object{}, fmt.Errorf("kept losing to other writers: %w", err)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func checkRetained(obj storage.Object) error {
	if time.Now().Before(obj.RetainUntil) {
		return fmt.Errorf("%w: retained until %s", storage.ErrImmutable, obj.RetainUntil.Format(time.RFC3339))
	}
	return nil
}

// putObject sends one PUT, conditional on the current ETag being ifMatch, or,
// when ifMatch is empty, on there being no object.
func (s *Store) putObject(ctx context.Context, key string, data []byte, opts storage.PutOptions, ifMatch string) (storage.Object, error) {
	po := minio.PutObjectOptions{
		ContentType: opts.ContentType,
		// One request, so the condition covers the whole write.
		DisableMultipart: true,
	}
	if po.ContentType == "" {
		po.ContentType = "application/octet-stream"
	}
	if ifMatch != "" {
		po.SetMatchETag(ifMatch)
	} else {
		po.SetMatchETagExcept("*")
	}
	var until time.Time
	if opts.Retain > 0 {
		// S3 keeps retention dates to the second; round up.
		until = time.Now().Add(opts.Retain + time.Second - 1).Truncate(time.Second).UTC()
		po.UserMetadata = map[string]string{retainMeta: until.Format(time.RFC3339)}
		if s.locking {
			po.Mode, po.RetainUntilDate = s.mode, until
			po.SendContentMd5 = true
		}
	}
	info, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), po)
	if err != nil {
		err = classify(err)
		if ifMatch != "" && errors.Is(err, storage.ErrNotFound) {
			err = fmt.Errorf("%w: %w", storage.ErrPrecondition, err)
		}
		return storage.Object{}, err
	}
	modified := info.LastModified
	if modified.IsZero() {
		modified = time.Now()
	}
	return storage.Object{
		Key:         key,
		Size:        int64(len(data)),
		ETag:        info.ETag,
		ContentType: po.ContentType,
		Modified:    modified,
		RetainUntil: until,
		Version:     version(info.VersionID),
	}, nil
}

// version is the store's name for an S3 version ID: "null" is what S3
// calls the one version of an object in a bucket without versioning.
func version(id string) string {
	if id == "null" {
		return ""
	}
	return id
}

// Get reads the whole object.
func (s *Store) Get(ctx context.Context, key string) ([]byte, storage.Object, error) {
	return s.Read(ctx, key, storage.ReadOptions{})
}

// Read reads the whole object, or the version opts names.
func (s *Store) Read(ctx context.Context, key string, opts storage.ReadOptions) ([]byte, storage.Object, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, storage.Object{}, fmt.Errorf("s3: reading: %w", err)
	}
	data, obj, err := s.get(ctx, key, opts)
	if err != nil {
		if opts.Version != "" {
			return nil, storage.Object{}, fmt.Errorf("s3: reading %s version %s: %w", key, opts.Version, err)
		}
		return nil, storage.Object{}, fmt.Errorf("s3: reading %s: %w", key, err)
	}
	return data, obj, nil
}

func (s *Store) get(ctx context.Context, key string, opts storage.ReadOptions) ([]byte, storage.Object, error) {
	if opts.Version == "null" {
		// S3's name for the current object of a bucket without versions,
		// which this store reports as no version: never one it issued.
		return nil, storage.Object{}, fmt.Errorf("%w: no version %q", storage.ErrNotFound, opts.Version)
	}
	// One GET: minio.Client.GetObject may send a second, conditional
	// request, which fails when the object changes in between.
	body, info, _, err := minio.Core{Client: s.client}.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{VersionID: opts.Version})
	if err != nil {
		return nil, storage.Object{}, classifyRead(err, opts.Version)
	}
	defer body.Close()
	if opts.MaxSize > 0 && info.Size > opts.MaxSize {
		return nil, storage.Object{}, fmt.Errorf("%w: %d bytes, at most %d", storage.ErrTooLarge, info.Size, opts.MaxSize)
	}
	r := io.Reader(body)
	if opts.MaxSize > 0 {
		r = io.LimitReader(body, opts.MaxSize+1) // a server that sends more than it announced
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, storage.Object{}, classify(err)
	}
	if opts.MaxSize > 0 && int64(len(data)) > opts.MaxSize {
		return nil, storage.Object{}, fmt.Errorf("%w: more than %d bytes", storage.ErrTooLarge, opts.MaxSize)
	}
	return data, describe(info), nil
}

// classifyRead is classify for a GET: asking for a version the bucket never
// had (a malformed ID, or versioning off) is not finding it.
func classifyRead(err error, version string) error {
	if version != "" {
		code := minio.ToErrorResponse(err).Code
		if code == "InvalidArgument" || code == "InvalidVersionId" || code == "MethodNotAllowed" {
			return fmt.Errorf("%w: %w", storage.ErrNotFound, err)
		}
	}
	return classify(err)
}

// Stat describes the object without reading its content.
func (s *Store) Stat(ctx context.Context, key string) (storage.Object, error) {
	if err := storage.ValidateKey(key); err != nil {
		return storage.Object{}, fmt.Errorf("s3: stat: %w", err)
	}
	obj, err := s.stat(ctx, key)
	if err != nil {
		return storage.Object{}, fmt.Errorf("s3: stat %s: %w", key, err)
	}
	return obj, nil
}

func (s *Store) stat(ctx context.Context, key string) (storage.Object, error) {
	info, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return storage.Object{}, classify(err)
	}
	return describe(info), nil
}

func describe(info minio.ObjectInfo) storage.Object {
	return storage.Object{
		Key:         info.Key,
		Size:        info.Size,
		ETag:        info.ETag,
		ContentType: info.ContentType,
		Modified:    info.LastModified,
		RetainUntil: retainUntil(info),
		Version:     version(info.VersionID),
	}
}

// retainUntil is the later of the object lock date and the store's own
// marker; Stat and Get report both as headers, List (with metadata) only
// the marker.
func retainUntil(info minio.ObjectInfo) time.Time {
	var until time.Time
	for _, v := range []string{
		info.Metadata.Get("X-Amz-Object-Lock-Retain-Until-Date"),
		info.UserMetadata[retainMeta],
		info.UserMetadataStripped[retainMeta],
	} {
		if t, err := time.Parse(time.RFC3339, v); err == nil && t.After(until) {
			until = t
		}
	}
	return until
}

// List returns the objects under prefix, sorted by key.
func (s *Store) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	if err := storage.ValidatePrefix(prefix); err != nil {
		return nil, fmt.Errorf("s3: listing: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx) // stops the lister on early return
	defer cancel()
	var objs []storage.Object
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{
		Prefix:       prefix,
		Recursive:    true,
		WithMetadata: true,
	}) {
		if info.Err != nil {
			return nil, fmt.Errorf("s3: listing %q: %w", prefix, classify(info.Err))
		}
		obj := describe(info)
		if ct := info.UserMetadata["content-type"]; ct != "" {
			obj.ContentType = ct
		}
		objs = append(objs, obj)
	}
	slices.SortFunc(objs, func(a, b storage.Object) int { return strings.Compare(a.Key, b.Key) })
	return objs, nil
}

// maxVersions bounds the versions Versions lists of one key.
const maxVersions = 1000

// Versions lists the versions of the object at key, newest first.
func (s *Store) Versions(ctx context.Context, key string) ([]storage.Object, error) {
	if err := storage.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("s3: listing versions: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx) // stops the lister on early return
	defer cancel()
	var objs []storage.Object
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{
		Prefix:       key,
		WithVersions: true,
		WithMetadata: true,
	}) {
		if info.Err != nil {
			return nil, fmt.Errorf("s3: listing versions of %s: %w", key, classify(info.Err))
		}
		if info.Key != key || info.IsDeleteMarker {
			continue
		}
		obj := describe(info)
		if ct := info.UserMetadata["content-type"]; ct != "" {
			obj.ContentType = ct
		}
		objs = append(objs, obj)
		if len(objs) == maxVersions {
			break
		}
	}
	slices.SortStableFunc(objs, func(a, b storage.Object) int { return b.Modified.Compare(a.Modified) })
	return objs, nil
}

// Delete removes the object unless it is under retention. S3 answers a
// delete of a missing key with success, so the object is looked up first.
// The version found is then removed by its ID: an orphan of one version
// leaves nothing behind, and a version written meanwhile (retained,
// perhaps) is never removed. Where older versions remain (the key was
// overwritten), one of them would become current again, so a delete
// marker hides them, unless the one now current is retained.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := storage.ValidateKey(key); err != nil {
		return fmt.Errorf("s3: deleting: %w", err)
	}
	if err := s.delete(ctx, key); err != nil {
		return fmt.Errorf("s3: deleting %s: %w", key, err)
	}
	return nil
}

func (s *Store) delete(ctx context.Context, key string) error {
	cur, err := s.stat(ctx, key)
	if err != nil {
		return err
	}
	if err := checkRetained(cur); err != nil {
		return err
	}
	if err := s.remove(ctx, key, cur.Version); err != nil || cur.Version == "" {
		return err
	}
	next, err := s.stat(ctx, key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	if err := checkRetained(next); err != nil {
		return err
	}
	return s.remove(ctx, key, "")
}

func lockedMessage(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "worm") || strings.Contains(msg, "retention") || strings.Contains(msg, "locked")
}
