// Package s3 is the storage.Store on MinIO or another S3-compatible server,
// through minio-go.
//
// Conditional writes use If-None-Match / If-Match on PUT, so create-once and
// compare-and-swap hold across any number of service replicas. Retention
// uses S3 object lock when the bucket has it; either way the store itself
// refuses to overwrite or delete a retained object, since in a versioned
// bucket neither would otherwise fail (they add a version or a delete
// marker).
//
// It may import the standard library, minio-go and storage.
package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"utdrag/storage"
)

// Retention modes for Config.RetentionMode.
const (
	// Governance: users with the bypass permission can still remove a
	// retained object version.
	Governance = "GOVERNANCE"
	// Compliance: nobody, root included, can remove it before the date.
	Compliance = "COMPLIANCE"
)

// Config says where the store lives.
type Config struct {
	Endpoint  string // host:port, no scheme
	AccessKey string
	SecretKey string
	Bucket    string
	Secure    bool // HTTPS
	Region    string
	// RetentionMode is Governance (the default when empty) or Compliance.
	RetentionMode string
}

// Store keeps objects in one bucket.
type Store struct {
	client  *minio.Client
	bucket  string
	mode    minio.RetentionMode
	locking bool
	probe   prober
}

var _ storage.Store = (*Store)(nil)

// pingTimeout bounds Ping, so a readiness probe answers quickly: a store
// that cannot write within it is not ready.
const pingTimeout = 2 * time.Second

// New connects and creates the bucket, with object lock, if it is missing.
func New(ctx context.Context, cfg Config) (*Store, error) {
	mode, err := retentionMode(cfg.RetentionMode)
	if err != nil {
		return nil, err
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
		Region: cfg.Region,
		// Few retries: an unreachable server should become a 503 quickly.
		MaxRetries: 3,
	})
	if err != nil {
		return nil, fmt.Errorf("s3: connecting to %s: %w", cfg.Endpoint, err)
	}
	s := &Store{client: client, bucket: cfg.Bucket, mode: mode, probe: newProber()}
	if err := s.prepare(ctx, cfg.Region); err != nil {
		return nil, fmt.Errorf("s3: preparing bucket %s: %w", cfg.Bucket, err)
	}
	return s, nil
}

// startupWait bounds how long New waits for a server that answers but is
// still starting (MinIO reports ready on its health endpoint a moment
// before it serves bucket calls).
const startupWait = 60 * time.Second

// prepare runs ensureBucket, again and again while the server says it is
// still starting, until startupWait or ctx ends. A server that cannot be
// reached at all fails at once.
func (s *Store) prepare(ctx context.Context, region string) error {
	deadline := time.Now().Add(startupWait)
	pause := 100 * time.Millisecond
	for {
		err := s.ensureBucket(ctx, region)
		if err == nil || !starting(err) || time.Now().Add(pause).After(deadline) {
			return err
		}
		if err := sleep(ctx, pause); err != nil {
			return fmt.Errorf("%w: waiting for the server to start: %w", storage.ErrUnavailable, err)
		}
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// starting reports whether err is a server's answer that it is not yet
// ready to serve.
func starting(err error) bool {
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return false
	}
	return resp.Code == "XMinioServerNotInitialized" || resp.StatusCode == http.StatusServiceUnavailable
}

func retentionMode(m string) (minio.RetentionMode, error) {
	switch m {
	case "", Governance:
		return minio.Governance, nil
	case Compliance:
		return minio.Compliance, nil
	}
	return "", fmt.Errorf("s3: unknown retention mode %q (want %s or %s)", m, Governance, Compliance)
}

// ensureBucket creates the bucket if needed and finds out whether it has
// object lock.
func (s *Store) ensureBucket(ctx context.Context, region string) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return classify(err)
	}
	if !exists {
		err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{Region: region, ObjectLocking: true})
		code := minio.ToErrorResponse(err).Code
		if err != nil && code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
			return classify(err)
		}
	}
	enabled, _, _, _, err := s.client.GetObjectLockConfig(ctx, s.bucket)
	if err != nil {
		if minio.ToErrorResponse(err).Code == "ObjectLockConfigurationNotFoundError" {
			return nil
		}
		return classify(err)
	}
	s.locking = enabled == "Enabled"
	return nil
}

// Locking reports whether the bucket has S3 object lock. Without it, Retain
// is enforced only by this store (retained objects are create-once and the
// store refuses to replace or delete them), not by the server.
func (s *Store) Locking() bool { return s.locking }

// Bucket names the bucket the store writes to.
func (s *Store) Bucket() string { return s.bucket }

// classify wraps err with the storage error a caller can act on. Errors
// that are not S3 answers (refused connections, resets, timeouts) mean
// the server could not be reached.
func classify(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", storage.ErrUnavailable, err)
	}
	var resp minio.ErrorResponse
	if !errors.As(err, &resp) {
		return fmt.Errorf("%w: %w", storage.ErrUnavailable, err)
	}
	if target := sentinel(resp); target != nil {
		return fmt.Errorf("%w: %w", target, err)
	}
	return err
}

func sentinel(resp minio.ErrorResponse) error {
	switch {
	case resp.StatusCode == 412 || resp.StatusCode == 409 || resp.Code == "PreconditionFailed":
		return storage.ErrPrecondition
	case resp.Code == "NoSuchKey" || resp.Code == "NoSuchVersion":
		return storage.ErrNotFound
	case resp.Code == "ObjectLocked",
		(resp.Code == "AccessDenied" || resp.Code == "InvalidRequest") && lockedMessage(resp.Message):
		// MinIO answers a removal of a locked version 400 InvalidRequest
		// "Object is WORM protected …".
		return storage.ErrImmutable
	case resp.Code == "NoSuchBucket", resp.StatusCode >= 500:
		return storage.ErrUnavailable
	case resp.StatusCode == 404 && resp.Code == "":
		return storage.ErrNotFound // HEAD answers carry no error body
	}
	return nil
}
