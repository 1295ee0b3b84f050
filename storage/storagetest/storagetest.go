// Package storagetest holds the contract every storage.Store must meet, as a
// test suite (Run), and helpers that give other packages' tests a store:
// on the test MinIO (S3, S3Config), in a temporary folder (FS), or each in
// turn (Backends).
//
// It may import the standard library, minio-go, storage, storage/fs and
// storage/s3.
package storagetest

import (
	"testing"

	"utdrag/storage"
)

// Run runs the contract suite. newStore must return an empty store; it is
// called once per subtest, so subtests don't see each other's objects.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s storage.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"DefaultContentType", testDefaultContentType},
		{"Overwrite", testOverwrite},
		{"IfNoneMatch", testIfNoneMatch},
		{"IfMatch", testIfMatch},
		{"CreateOnceRace", testCreateOnceRace},
		{"IfMatchIncrements", testIfMatchIncrements},
		{"ListPrefix", testListPrefix},
		{"ListEmpty", testListEmpty},
		{"NotFound", testNotFound},
		{"Delete", testDelete},
		{"Retain", testRetain},
		{"CancelledWrite", testCancelledWrite},
		{"Binary", testBinary},
		{"Empty", testEmpty},
		{"InvalidKeys", testInvalidKeys},
		{"Ping", testPing},
		{"ReadVersion", testReadVersion},
		{"ReadMaxSize", testReadMaxSize},
		{"Versions", testVersions},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}
