package index_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"slices"
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

// TestOrganisationLexemesMigrated: rows PostgreSQL indexed before
// migration 8 (the organisation's word beside the lexemes) are found by a
// search within their organisation after it, and only there.
func TestOrganisationLexemesMigrated(t *testing.T) {
	ctx := t.Context()
	u := indextest.PostgresURL(t)
	old, err := index.OpenAt(ctx, u, 7)
	if err != nil {
		t.Fatal(err)
	}
	// No paragraphs: this build writes their rows as a later version
	// has them.
	recs := []indextest.Rec{
		{N: 1, Organ: "Regionstyrelsen", Date: "2023-10-06", Titles: []string{"Budgetramar för hälso- och sjukvården"}},
		{N: 2, Organisation: "kommun-ö", Organ: "Kommunstyrelsen", Date: "2023-10-07", Titles: []string{"Budgeten för skolan"}},
	}
	for _, r := range recs {
		rec := r.Record()
		if err := old.Put(ctx, rec); err != nil {
			t.Fatal(err)
		}
		// What versions 4 to 7 wrote.
		if err := old.Exec(ctx, `UPDATE extracts SET search = to_tsvector('swedish', lower($1)) ||
			array_to_tsvector(ARRAY['0org' || left(encode(sha256(convert_to(organisation, 'UTF8')), 'hex'), 16)]) WHERE id = $2`,
			rec.Titles[0], rec.ID); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	ix := indextest.Open(t, u)
	for _, c := range []struct {
		org, text string
		want      []string
	}{
		{"region-jh", "budgetramarna sjukvård", []string{indextest.ID(1)}},
		{"kommun-ö", "budgetar skolan", []string{indextest.ID(2)}},
		{"kommun-ö", "sjukvård", nil},
		{"region-jh", "skolan", nil},
		{"", "budget", []string{indextest.ID(2)}},
	} {
		p, err := ix.List(ctx, index.Filter{Organisation: c.org, Text: c.text})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range p.Items {
			got = append(got, it.Record.ID)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%q in %q after the migration: %v, want %v", c.text, c.org, got, c.want)
		}
	}
}

// TestOrganisationScopeInSQL: migration 8 gives rows indexed before it
// the same organisation scope the Go code writes and searches for.
func TestOrganisationScopeInSQL(t *testing.T) {
	db, err := sql.Open("pgx", indextest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, org := range []string{"region-jh", "östersund", "a b"} {
		var got string
		if err := db.QueryRowContext(t.Context(), `SELECT '1' || left(encode(sha256(convert_to($1, 'UTF8')), 'hex'), 8)`, org).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != index.OrgScope(org) {
			t.Errorf("%s: SQL gives %s, Go %s", org, got, index.OrgScope(org))
		}
	}
}
