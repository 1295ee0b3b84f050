// Package index keeps what listing and search ask of the archive in a
// database, so that no request lists the object store: one row per
// extract with its record (without the extract itself), its certification
// state and a summary of its distribution, the paragraphs and case numbers
// it is found by, and its titles and decision text for Swedish full-text
// search; and one row per protocol, for the protocol listing and the
// notice board.
//
// Object storage stays the record. The index is written after storage,
// can always be rebuilt from it (Rebuild, `utdrag reindex`), and a
// Reconciler repairs what a crash between the two writes left behind: a
// marker is written before each record write (Begin) and removed with the
// index write that follows it (Done); the markers that outlive a grace
// period are read again from storage.
//
// Two databases hold the same schema: SQLite (modernc.org/sqlite, pure Go,
// the embedded default) with FTS5, and PostgreSQL (pgx) with its swedish
// text-search configuration, for several replicas. Open takes
// "sqlite:PATH" or "postgres://…"; the migrations run at start-up under a
// lock, so replicas may start at once.
//
// It may import archive, audit, distribute, extract (the record types),
// storage, the standard library and the two database drivers.
package index

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"modernc.org/sqlite"               // database/sql driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrUnavailable: the database could not be reached or refused the work;
// it may succeed later.
var ErrUnavailable = errors.New("index: database unavailable")

// Index is an open index database. It is safe for concurrent use.
type Index struct {
	r, w *sql.DB // readers and the writers: one connection writes to SQLite
	// turns admits the readers, first come first served: database/sql
	// hands a freed connection to a random waiter, which under load
	// leaves some requests waiting many turns.
	turns chan struct{}
	d     dialect
	log   *slog.Logger
	now   func() time.Time
	// onWriteError, when set, is told of each index write that failed
	// after storage had been written (the reconciler repairs it).
	onWriteError func()
}

// Options tune Open.
type Options struct {
	Logger *slog.Logger
	// Readers bounds the queries that run at once; the others wait
	// their turn in order of arrival (default: the cores for SQLite, 8
	// for PostgreSQL). More than the database's cores only makes the
	// queries preempt one another and stretches the slowest.
	Readers int
}

// OnWriteError makes f be called for each index write that failed after
// storage was written (a metric counts them). Call it before use.
func (ix *Index) OnWriteError(f func()) { ix.onWriteError = f }

type dialect struct{ postgres bool }

// bind turns the ? placeholders of a statement into PostgreSQL's $n.
func (d dialect) bind(q string) string {
	if !d.postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Open opens (creating when needed) the index named by a URL,
// "sqlite:PATH" or "postgres://…" ("postgresql://…"), and brings its
// schema up to date.
func Open(ctx context.Context, rawURL string, o Options) (*Index, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}

	ix := &Index{log: o.Logger, now: time.Now}
	var err error
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		// Queries run in this process: more connections than cores would
		// only preempt one another and stretch the slowest.
		o.Readers = cmp.Or(o.Readers, runtime.GOMAXPROCS(0))
		err = ix.openSQLite(strings.TrimPrefix(rawURL, "sqlite:"), o.Readers)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		o.Readers = cmp.Or(o.Readers, 8)
		err = ix.openPostgres(rawURL, o.Readers)
	default:
		return nil, fmt.Errorf("index: %q: use sqlite:PATH or postgres://…", redact(rawURL))
	}
	if err != nil {
		return nil, err
	}
	ix.turns = make(chan struct{}, o.Readers)
	if err := ix.pingWriter(ctx); err != nil {
		ix.Close()
		return nil, fmt.Errorf("index: %w: %v", ErrUnavailable, err)
	}
	if err := ix.migrate(ctx); err != nil {
		ix.Close()
		return nil, err
	}
	return ix, nil
}

func (ix *Index) openSQLite(path string, readers int) error {
	if path == "" {
		return errors.New("index: sqlite: needs a file, e.g. sqlite:./data/index.db")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("index: creating folder of %s: %w", path, err)
		}
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)" +
		"&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)&_pragma=mmap_size(268435456)"
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas
	// Only the writer sets the journal mode (it stays in the file): a
	// reader doing so would take a lock on every new connection.
	w, err := sql.Open("sqlite", dsn+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("index: opening %s: %w", path, err)
	}
	// One writer: SQLite writes one transaction at a time anyway, and a
	// single connection never waits on its own lock.
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("index: opening %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	ix.r, ix.w = r, w
	return nil
}

// postgresWriters bounds the connections that write to PostgreSQL at
// once: a create waits for its mark's commit, and commits that wait
// together are flushed to the disk together.
const postgresWriters = 16

func (ix *Index) openPostgres(rawURL string, readers int) error {
	ix.d = dialect{postgres: true}
	for _, p := range []struct {
		db **sql.DB
		n  int
	}{{&ix.r, readers}, {&ix.w, postgresWriters}} {
		db, err := sql.Open("pgx", rawURL)
		if err != nil {
			if ix.r != nil {
				ix.r.Close()
			}
			return fmt.Errorf("index: opening %s: %w", redact(rawURL), err)
		}
		db.SetMaxOpenConns(p.n)
		db.SetMaxIdleConns(p.n)
		db.SetConnMaxIdleTime(5 * time.Minute)
		*p.db = db
	}
	return nil
}

// redact hides a password in a database URL.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}

// pingWriter connects the writer first: on SQLite it sets the journal
// mode, which another process opening the same new file at that moment
// may refuse without waiting (SQLITE_BUSY); it is tried again for a while.
func (ix *Index) pingWriter(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := ix.w.PingContext(ctx)
		var se *sqlite.Error
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

// turn waits until a reader may query, in order of arrival, and returns
// the function that ends its turn.
func (ix *Index) turn(ctx context.Context) (func(), error) {
	select {
	case ix.turns <- struct{}{}:
		return func() { <-ix.turns }, nil
	case <-ctx.Done():
		return nil, unavailable("waiting to read", ctx.Err())
	}
}

// Close closes the database.
func (ix *Index) Close() error {
	err := ix.w.Close()
	if ix.r != ix.w {
		err = errors.Join(err, ix.r.Close())
	}
	return err
}

// Ping checks that the database answers.
func (ix *Index) Ping(ctx context.Context) error {
	if err := ix.r.PingContext(ctx); err != nil {
		return fmt.Errorf("index: %w: %v", ErrUnavailable, err)
	}
	return nil
}

// Optimize refreshes the statistics the query planner chooses by (and on
// PostgreSQL the map of the pages every transaction sees), when
// the index has doubled or halved since they were last taken (or never
// were): whether a search walks the newest extracts or starts from the
// few that match depends on them. The reconciler calls it hourly, Rebuild
// at its end. On SQLite the statistics are sampled (analysis_limit), a
// few seconds at a million extracts; PostgreSQL's autovacuum also keeps
// both, later.
func (ix *Index) Optimize(ctx context.Context) error {
	var n int
	if err := ix.r.QueryRowContext(ctx, `SELECT count(*) FROM extracts`).Scan(&n); err != nil {
		return unavailable("counting for statistics", err)
	}
	last, err := ix.setting(ctx, "analyzed_rows")
	if err != nil {
		return err
	}
	if was, err := strconv.Atoi(last); err == nil && n < 2*was && 2*n > was {
		return nil
	}
	if ix.d.postgres {
		// VACUUM too: it marks the pages every transaction sees, so that
		// counting the matches reads the index alone (an index-only scan)
		// rather than every matching row.
		if _, err := ix.w.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
			return unavailable("analyzing", err)
		}
	} else if err := ix.analyzeSQLite(ctx); err != nil {
		return err
	}
	return ix.setSetting(ctx, "analyzed_rows", strconv.Itoa(max(n, 1)))
}

// analyzeSQLite samples the statistics on the one writer connection (the
// limit is a setting of the connection), and gives it back.
func (ix *Index) analyzeSQLite(ctx context.Context) error {
	conn, err := ix.w.Conn(ctx)
	if err != nil {
		return unavailable("analyzing", err)
	}
	defer conn.Close()
	for _, q := range []string{`PRAGMA analysis_limit=1000`, `ANALYZE`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return unavailable("analyzing", err)
		}
	}
	return nil
}

// Kind names the database: "sqlite" or "postgres".
func (ix *Index) Kind() string {
	if ix.d.postgres {
		return "postgres"
	}
	return "sqlite"
}

// unavailable wraps an error of the database with what was being done,
// marking it ErrUnavailable when the database could not be reached or was
// busy, so that callers answer 503 for those and 500 for the rest.
func unavailable(what string, err error) error {
	if err == nil {
		return nil
	}
	if transient(err) {
		return fmt.Errorf("index: %s: %w (%w)", what, ErrUnavailable, err)
	}
	return fmt.Errorf("index: %s: %w", what, err)
}

func transient(err error) bool {
	var ne net.Error
	var ce *pgconn.ConnectError
	var pe *pgconn.PgError
	var se *sqlite.Error
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.As(err, &ne), errors.As(err, &ce), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return true
	case errors.As(err, &pe):
		// Connection exceptions, insufficient resources, operator
		// intervention (shutdown), serialization failures and deadlocks.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") ||
			strings.HasPrefix(pe.Code, "57") || pe.Code == "40001" || pe.Code == "40P01"
	case errors.As(err, &se):
		code := se.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED || code == sqlite3.SQLITE_IOERR || code == sqlite3.SQLITE_FULL
	}
	return false
}

// timeText is a time as the index compares it: UTC, fixed width.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}
