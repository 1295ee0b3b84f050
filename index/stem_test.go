package index_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"utdrag/index"
	"utdrag/index/indextest"
)

// TestStemLikePostgres: the SQLite index stems words as PostgreSQL's
// Swedish Snowball stemmer does, for every word of the example extracts.
func TestStemLikePostgres(t *testing.T) {
	u := indextest.PostgresURL(t)
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	files, _ := filepath.Glob("../examples/*.json")
	if len(files) == 0 {
		t.Fatal("no example extracts")
	}
	seen := map[string]bool{}
	var ws []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range index.Words(string(b)) {
			if !seen[w] {
				seen[w] = true
				ws = append(ws, w)
			}
		}
	}
	if len(ws) < 500 {
		t.Fatalf("only %d words to compare", len(ws))
	}
	rows, err := db.QueryContext(t.Context(), `SELECT w, (ts_lexize('swedish_stem', w))[1] FROM unnest($1::text[]) AS w`, ws)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, bad := 0, 0
	for rows.Next() {
		var w string
		var want sql.NullString
		if err := rows.Scan(&w, &want); err != nil {
			t.Fatal(err)
		}
		n++
		if want.Valid && index.Stem(w) != want.String {
			bad++
			if bad <= 20 {
				t.Errorf("stem(%q) = %q, PostgreSQL says %q", w, index.Stem(w), want.String)
			}
		}
	}
	if err := rows.Err(); err != nil || n != len(ws) {
		t.Fatalf("%d of %d words compared: %v", n, len(ws), err)
	}
	t.Logf("%d words compared, %d differ", n, bad)
}

func TestCaseParts(t *testing.T) {
	for in, want := range map[string][]string{
		"RS/412/2023":   {"rs/412/2023", "412/2023", "2023"},
		"KS 2023/00145": {"ks 2023/00145", "2023/00145", "00145", "145"},
		"  ÖN-2024-7 ":  {"ön-2024-7", "2024-7", "7"},
		"":              nil,
	} {
		got := index.CaseParts(in)
		if len(got) != len(want) {
			t.Errorf("CaseParts(%q) = %q, want %q", in, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("CaseParts(%q) = %q, want %q", in, got, want)
			}
		}
	}
}

// TestOrganisationWordInSQL: migration 4 writes, for rows indexed before
// it, the same organisation word the Go code writes and searches for.
func TestOrganisationWordInSQL(t *testing.T) {
	db, err := sql.Open("pgx", indextest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, org := range []string{"region-jh", "östersund", "a b"} {
		var got string
		if err := db.QueryRowContext(t.Context(), `SELECT '0org' || left(encode(sha256(convert_to($1, 'UTF8')), 'hex'), 16)`, org).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != index.OrgToken(org) {
			t.Errorf("%s: SQL gives %s, Go %s", org, got, index.OrgToken(org))
		}
	}
}
