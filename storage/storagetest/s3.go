package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"utdrag/storage/s3"
)

// Environment variables naming the test MinIO; scripts/with-minio.sh sets
// them.
const (
	EnvEndpoint  = "UTDRAG_TEST_S3_ENDPOINT"
	EnvAccessKey = "UTDRAG_TEST_S3_ACCESS_KEY"
	EnvSecretKey = "UTDRAG_TEST_S3_SECRET_KEY"
)

// S3 returns a store on a fresh bucket (with object lock) on the test MinIO.
// The bucket and everything in it are removed when the test ends.
func S3(t testing.TB) *s3.Store {
	t.Helper()
	cfg := S3Config(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := s3.New(ctx, cfg)
	if err != nil {
		t.Fatalf("storagetest: opening test bucket: %v", err)
	}
	return s
}

// S3Config returns the test MinIO's settings with a fresh bucket name, for
// tests that build their own store (or bucket). A bucket by that name is
// removed when the test ends.
//
// Without the environment, the test fails in CI (CI is set), where a test
// that needs MinIO must never be skipped, and is skipped elsewhere.
func S3Config(t testing.TB) s3.Config {
	t.Helper()
	cfg := s3.Config{
		Endpoint:  os.Getenv(EnvEndpoint),
		AccessKey: os.Getenv(EnvAccessKey),
		SecretKey: os.Getenv(EnvSecretKey),
		Bucket:    freshBucket(t),
	}
	if cfg.Endpoint == "" || cfg.AccessKey == "" || cfg.SecretKey == "" {
		msg := "storagetest: no test MinIO (" + EnvEndpoint + " and keys unset); run `make test` or scripts/with-minio.sh go test ./..."
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { removeBucket(t, cfg) })
	return cfg
}

// Client is a bare minio-go client with cfg's keys, for tests that act
// around the store as any other holder of the keys could: overwrite,
// delete, list versions.
func Client(t testing.TB, cfg s3.Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.Secure,
	})
	if err != nil {
		t.Fatalf("storagetest: client for %s: %v", cfg.Endpoint, err)
	}
	return c
}

// S3Unversioned returns a store on a fresh bucket made without object lock
// (so without versions), as a plain S3 bucket may be.
func S3Unversioned(t testing.TB) *s3.Store {
	t.Helper()
	cfg := S3Config(t)
	if err := Client(t, cfg).MakeBucket(context.Background(), cfg.Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("storagetest: making bucket %s: %v", cfg.Bucket, err)
	}
	s, err := s3.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("storagetest: opening bucket %s: %v", cfg.Bucket, err)
	}
	return s
}

func freshBucket(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("storagetest: naming bucket: %v", err)
	}
	return "utdrag-test-" + hex.EncodeToString(b)
}

// removeBucket deletes every version in the bucket, bypassing governance
// retention, then the bucket. Failures are only logged: a test that stopped
// the server may leave it unreachable, and the test server is thrown away.
func removeBucket(t testing.TB, cfg s3.Config) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:     cfg.Secure,
		MaxRetries: 1,
	})
	if err != nil {
		t.Logf("storagetest: cleaning up bucket %s: %v", cfg.Bucket, err)
		return
	}
	if ok, err := c.BucketExists(ctx, cfg.Bucket); err != nil || !ok {
		return
	}
	for obj := range c.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		if obj.Err != nil {
			t.Logf("storagetest: listing bucket %s: %v", cfg.Bucket, obj.Err)
			return
		}
		err := c.RemoveObject(ctx, cfg.Bucket, obj.Key, minio.RemoveObjectOptions{VersionID: obj.VersionID, GovernanceBypass: true})
		if err != nil {
			t.Logf("storagetest: removing %s from bucket %s: %v", obj.Key, cfg.Bucket, err)
		}
	}
	if err := c.RemoveBucket(ctx, cfg.Bucket); err != nil {
		t.Logf("storagetest: removing bucket %s: %v", cfg.Bucket, err)
	}
}
