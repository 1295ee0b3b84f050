package storagetest

import (
	"testing"

	"utdrag/storage"
	"utdrag/storage/fs"
)

// FS returns an empty file store in a temporary folder.
func FS(t *testing.T) storage.Store {
	t.Helper()
	s, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Backends are the two stores tests above storage run on, by name: the
// file store and a fresh bucket on the test MinIO.
func Backends() map[string]func(t *testing.T) storage.Store {
	return map[string]func(t *testing.T) storage.Store{
		"fs": FS,
		"s3": func(t *testing.T) storage.Store { return S3(t) },
	}
}
