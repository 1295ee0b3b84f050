package index_test

import (
	"testing"

	"utdrag/index/indextest"
)

// TestContract runs the index contract on SQLite and on PostgreSQL.
func TestContract(t *testing.T) {
	for name, newURL := range indextest.Backends() {
		t.Run(name, func(t *testing.T) { indextest.Run(t, newURL) })
	}
}
