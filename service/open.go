package service

import (
	"context"
	"fmt"
	"strings"

	"utdrag/storage"
	"utdrag/storage/fs"
	"utdrag/storage/s3"
)

// OpenStore opens the store named by cfg.Storage: "fs:DIR" for local files
// (the default), "s3://BUCKET" for MinIO or another S3-compatible server at
// cfg.S3.Endpoint.
func OpenStore(ctx context.Context, cfg Config) (storage.Store, error) {
	switch {
	case strings.HasPrefix(cfg.Storage, "fs:"):
		return fs.New(strings.TrimPrefix(cfg.Storage, "fs:"))
	case strings.HasPrefix(cfg.Storage, "s3://"):
		bucket := strings.Trim(strings.TrimPrefix(cfg.Storage, "s3://"), "/")
		if bucket == "" || cfg.S3.Endpoint == "" {
			return nil, fmt.Errorf("service: %q needs a bucket name and UTDRAG_S3_ENDPOINT", cfg.Storage)
		}
		return s3.New(ctx, s3.Config{
			Endpoint: cfg.S3.Endpoint, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey,
			Bucket: bucket, Secure: cfg.S3.Secure, Region: cfg.S3.Region, RetentionMode: cfg.S3.RetentionMode,
		})
	default:
		return nil, fmt.Errorf("service: unknown UTDRAG_STORAGE %q: use fs:DIR or s3://BUCKET", cfg.Storage)
	}
}
