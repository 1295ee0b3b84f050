// Package indextest opens the index databases tests run on — SQLite in a
// temporary folder and a fresh database on the test PostgreSQL — and holds
// the contract every index must keep, run against both.
//
// It may import index, archive, distribute, storage, storagetest and
// testing.
package indextest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"utdrag/index"
)

// EnvPostgres names the test PostgreSQL; scripts/with-postgres.sh sets it.
const EnvPostgres = "UTDRAG_TEST_POSTGRES_URL"

// SQLite opens an index in a new file of a temporary folder, closed when
// the test ends.
func SQLite(t testing.TB) *index.Index {
	t.Helper()
	return open(t, SQLiteURL(t))
}

// SQLiteURL names a new SQLite index in a temporary folder.
func SQLiteURL(t testing.TB) string {
	t.Helper()
	return "sqlite:" + filepath.Join(t.TempDir(), "index.db")
}

// Postgres opens an index on a fresh database of the test PostgreSQL,
// dropped when the test ends.
func Postgres(t testing.TB) *index.Index {
	t.Helper()
	return open(t, PostgresURL(t))
}

// PostgresURL creates a fresh database on the test PostgreSQL, dropped when
// the test ends, and returns its URL. Without the environment the test
// fails in CI (CI is set), where a test that needs PostgreSQL must never be
// skipped, and is skipped elsewhere.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		msg := "indextest: no test PostgreSQL (" + EnvPostgres + " unset); run `make test` or scripts/with-postgres.sh go test ./..."
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "utdrag_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("indextest: creating database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("indextest: dropping %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func open(t testing.TB, u string) *index.Index {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ix, err := index.Open(ctx, u, index.Options{})
	if err != nil {
		t.Fatalf("indextest: opening %s: %v", u, err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// Backends are the two databases the index runs on, by name, each
// returning the URL of a new, empty index.
func Backends() map[string]func(t testing.TB) string {
	return map[string]func(t testing.TB) string{
		"sqlite":   SQLiteURL,
		"postgres": PostgresURL,
	}
}

// Open opens the index at a URL from Backends, closed when the test ends.
func Open(t testing.TB, u string) *index.Index {
	t.Helper()
	return open(t, u)
}
