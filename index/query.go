package index

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"utdrag/archive"
)

// Match is how a text filter matches.
type Match int

const (
	// Exact: the whole value, ignoring case.
	Exact Match = iota
	// Prefix: the value starts with the text, ignoring case.
	Prefix
	// Partial: an organ name that holds the text anywhere (a hyphen
	// counting as a space); a case number
	// one of whose parts (after a separator such as / - or a space)
	// starts with it. Ignoring case.
	Partial
)

// Sort orders a listing.
type Sort int

const (
	// Newest: newest meeting first, then by § within a meeting.
	Newest Sort = iota
	// Oldest: oldest meeting first, then by §.
	Oldest
	// ParagraphAsc: lowest first §, newest meeting first among equals.
	ParagraphAsc
	// ParagraphDesc: highest first §, newest meeting first among equals.
	ParagraphDesc
	// OrganAsc: by organ name (its folded key, in code-point order), newest
	// meeting first within an organ.
	OrganAsc
	// OrganDesc: organs in reverse order, newest meeting first within one.
	OrganDesc
)

// orders are the ORDER BY clauses of the sorts. Every one ends in the id,
// so that pages never overlap.
var orders = [...]string{
	Newest:        ` ORDER BY e.meeting_date DESC, e.first_paragraph, e.id`,
	Oldest:        ` ORDER BY e.meeting_date, e.first_paragraph, e.id`,
	ParagraphAsc:  ` ORDER BY e.first_paragraph, e.meeting_date DESC, e.id`,
	ParagraphDesc: ` ORDER BY e.first_paragraph DESC, e.meeting_date DESC, e.id`,
	OrganAsc:      ` ORDER BY e.organ_key, e.meeting_date DESC, e.first_paragraph, e.id`,
	OrganDesc:     ` ORDER BY e.organ_key DESC, e.meeting_date DESC, e.first_paragraph, e.id`,
}

// Limits of a listing.
const (
	MaxLimit  = 500
	MaxOffset = 10000 // deeper pages: narrow the search
	// CountCap bounds Page.Total: counting a million matches would cost
	// more than the page itself.
	CountCap = 10000
)

// Filter selects extracts. Empty fields match everything.
type Filter struct {
	Organisation string // organisation id: a key sees only its own
	Organ        string
	OrganMatch   Match
	MeetingDate  string // exact ISO date
	From, To     string // meeting date range, inclusive
	CaseNumber   string
	CaseMatch    Match
	// Paragraph: an extract holding this §; with ParagraphTo (greater),
	// one holding any § from Paragraph to ParagraphTo, inclusive.
	Paragraph   int
	ParagraphTo int
	// Text: words that must all occur in a title or the decision, in any
	// inflection: each is compared by its Swedish stem ("budgetar" finds
	// "budgeten").
	Text        string
	Certified   *bool
	Distributed *bool // true: distributed with nothing left to send
	// Adjusted: true, every § of the extract is justerad (with the
	// protocol or omedelbart); false, at least one is not yet (a draft).
	Adjusted *bool
	Sort     Sort
	Limit    int // default 50, at most MaxLimit
	Offset   int // at most MaxOffset
}

// Item is one listed extract: its record without the extract, and its
// distribution (nil when it has not been distributed).
type Item struct {
	Record       *archive.Record
	Distribution *Distribution
}

// Page is one page of a listing.
type Page struct {
	Items []Item
	// Total counts the matches up to CountCap; TotalCapped says there are
	// more.
	Total       int
	TotalCapped bool
}

// finder is a set of extracts a filter names through a table of its own
// (case numbers, paragraphs, words): a query selecting "seq".
type finder struct {
	sql  string
	args []any
}

// finders are f's finders (on PostgreSQL the words are a condition on the
// row instead).
func (ix *Index) finders(f Filter) []finder {
	var out []finder
	if c := foldCase(f.CaseNumber); c != "" {
		switch f.CaseMatch {
		case Exact:
			out = append(out, finder{`SELECT seq FROM extract_cases WHERE part = ? AND whole = 1`, []any{c}})
		case Prefix:
			out = append(out, finder{`SELECT seq FROM extract_cases WHERE part >= ? AND part < ? AND whole = 1`, []any{c, prefixEnd(c)}})
		default:
			out = append(out, finder{`SELECT DISTINCT seq FROM extract_cases WHERE part >= ? AND part < ?`, []any{c, prefixEnd(c)}})
		}
	}
	if f.Paragraph != 0 {
		// Within an organisation, its own rows alone: every organisation
		// numbers its paragraphs from 1, so a § range across all of them
		// holds many times the extracts of one.
		scope, args := ``, []any{}
		if f.Organisation != "" {
			scope, args = `organisation = ? AND `, append(args, f.Organisation)
		}
		if f.ParagraphTo > f.Paragraph {
			out = append(out, finder{`SELECT DISTINCT seq FROM extract_paragraphs WHERE ` + scope + `number >= ? AND number <= ?`,
				append(args, f.Paragraph, f.ParagraphTo)})
		} else {
			out = append(out, finder{`SELECT seq FROM extract_paragraphs WHERE ` + scope + `number = ?`, append(args, f.Paragraph)})
		}
	}
	if ws := queryWords(f.Text); len(ws) > 0 && !ix.d.postgres {
		terms := make([]string, len(ws))
		for i, w := range ws {
			if f.Organisation != "" {
				terms[i] = `"` + orgWord(f.Organisation, stem(w)) + `"`
			} else {
				terms[i] = `"` + stem(w) + `"`
			}
		}
		out = append(out, finder{`SELECT rowid AS seq FROM extracts_text WHERE extracts_text MATCH ?`, []any{strings.Join(terms, " AND ")}})
	}
	return out
}

// source is the FROM clause of a listing, its WHERE clause and their
// arguments. SQLite's planner cannot tell how many extracts a finder
// holds, and walks the newest extracts looking for them: at a million
// that is tens of thousands of rows for a handful of matches. So on SQLite
// each finder is read first, as far as CountCap extracts: the listing
// starts from the extracts every finder that holds at most CountCap of
// them holds (a full-text match is thus evaluated once, not again for
// the page and the count), and walks the newest extracts when none does.
// PostgreSQL's planner knows and chooses itself.
func (ix *Index) source(ctx context.Context, f Filter) (string, []any, error) {
	fs := ix.finders(f)
	var found []int64 // the extracts that every small finder holds
	small := false
	var rest []finder
	if ix.d.postgres {
		rest = fs
	}
	for _, fd := range fs {
		if ix.d.postgres {
			break
		}
		seqs, err := ix.found(ctx, fd)
		if err != nil {
			return "", nil, err
		}
		switch {
		case seqs == nil:
			rest = append(rest, fd)
		case !small:
			found, small = seqs, true
		default:
			found = intersect(found, seqs)
		}
	}
	from := ` FROM extracts e`
	var args []any
	if small {
		// CROSS JOIN: SQLite keeps the order written, the few found first.
		from = ` FROM json_each(?) AS m CROSS JOIN extracts e ON e.seq = m.value`
		args = append(args, seqsJSON(found))
	}
	var orgLexemes []string
	if ix.d.postgres && f.Organisation != "" && f.Text != "" {
		var err error
		if orgLexemes, err = ix.orgLexemes(ctx, f.Organisation, queryWords(f.Text)); err != nil {
			return "", nil, err
		}
	}
	where, wargs := ix.where(f, rest, orgLexemes)
	return from + where, append(args, wargs...), nil
}

// orgLexemes are the lexemes of words as PostgreSQL's swedish
// configuration makes them (stemmed, its stop words left out), as the
// organisation's own (see searchVector).
func (ix *Index) orgLexemes(ctx context.Context, org string, words []string) ([]string, error) {
	if len(words) == 0 {
		return nil, nil
	}
	rows, err := ix.r.QueryContext(ctx, `SELECT l FROM unnest(tsvector_to_array(to_tsvector('swedish', $1))) AS l`, strings.Join(words, " "))
	if err != nil {
		return nil, unavailable("stemming a search", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, unavailable("stemming a search", err)
		}
		out = append(out, orgWord(org, strings.ReplaceAll(l, "'", "''")))
	}
	return out, unavailable("stemming a search", rows.Err())
}

// found reads the extracts a finder holds, in order and each once, or
// returns nil when it holds more than CountCap.
func (ix *Index) found(ctx context.Context, fd finder) ([]int64, error) {
	rows, err := ix.r.QueryContext(ctx, fd.sql+` LIMIT ?`, append(slices.Clone(fd.args), CountCap+1)...)
	if err != nil {
		return nil, unavailable("searching", err)
	}
	defer rows.Close()
	seqs := make([]int64, 0, 64)
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, unavailable("searching", err)
		}
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, unavailable("searching", err)
	}
	if len(seqs) > CountCap {
		return nil, nil
	}
	slices.Sort(seqs)
	return slices.Compact(seqs), nil
}

// intersect returns the elements of two sorted lists that both hold.
func intersect(a, b []int64) []int64 {
	out := a[:0]
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// seqsJSON is a list of extracts as a JSON array, for json_each.
func seqsJSON(seqs []int64) string {
	b := make([]byte, 0, 2+8*len(seqs))
	b = append(b, '[')
	for i, s := range seqs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, s, 10)
	}
	return string(append(b, ']'))
}

// where is the WHERE clause of f, with the finders fs as conditions and,
// on PostgreSQL, the organisation's lexemes of f's words.
func (ix *Index) where(f Filter, fs []finder, orgLexemes []string) (string, []any) {
	var conds []string
	var args []any
	add := func(c string, a ...any) { conds = append(conds, c); args = append(args, a...) }
	for _, fd := range fs {
		add(`e.seq IN (`+fd.sql+`)`, fd.args...)
	}
	if f.Organisation != "" {
		add(`e.organisation = ?`, f.Organisation)
	}
	if o := foldCase(f.Organ); o != "" {
		switch f.OrganMatch {
		case Exact:
			add(`e.organ_key = ?`, o)
		case Prefix:
			add(`e.organ_key >= ? AND e.organ_key < ?`, o, prefixEnd(o))
		default:
			// Hyphens count as spaces, so that "Miljö och bygg" finds
			// "Miljö- och byggnadsnämnden" and "Barn-och" "Barn- och …".
			sub, subArgs := `SELECT organ_key FROM organs WHERE `+ix.d.contains(organSpaced)+``, []any{spaceHyphens(o)}
			if f.Organisation != "" {
				sub += ` AND organisation = ?`
				subArgs = append(subArgs, f.Organisation)
			}
			add(`e.organ_key IN (`+sub+`)`, subArgs...)
		}
	}
	if f.MeetingDate != "" {
		add(`e.meeting_date = ?`, f.MeetingDate)
	}
	if f.From != "" {
		add(`e.meeting_date >= ?`, f.From)
	}
	if f.To != "" {
		add(`e.meeting_date <= ?`, f.To)
	}
	if f.Certified != nil {
		add(`e.certified = ?`, boolInt(*f.Certified))
	}
	switch {
	case f.Adjusted == nil:
	case *f.Adjusted:
		add(`e.adjusted = 1`)
	default:
		add(`e.adjusted = 0`) // written out: so the planner may use the index of drafts
	}
	if f.Distributed != nil {
		if *f.Distributed {
			add(`e.dist_state = ?`, distDone)
		} else {
			add(`e.dist_state < ?`, distDone)
		}
	}
	// Whole stems, not prefixes: a prefix makes PostgreSQL's GIN index
	// gather every lexeme that starts so, which at a million extracts
	// costs hundreds of milliseconds. (SQLite: a finder.)
	if ws := queryWords(f.Text); len(ws) > 0 && ix.d.postgres {
		switch {
		case f.Organisation == "":
			terms := make([]string, len(ws))
			for i, w := range ws {
				terms[i] = "'" + w + "'" // to_tsquery stems it
			}
			add(`e.search @@ to_tsquery('swedish', ?)`, strings.Join(terms, " & "))
		case len(orgLexemes) == 0:
			add(`1 = 0`) // stop words only
		default:
			// The organisation's own lexemes: the GIN index reads only
			// its entries of each word.
			add(`e.search @@ ?::tsquery`, "'"+strings.Join(orgLexemes, "' & '")+"'")
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// organSpaced is an organ's folded name with its hyphens as spaces, as
// spaceHyphens makes it (a hyphen before a space goes, the others become
// spaces).
const organSpaced = `replace(replace(organ_key, '- ', ' '), '-', ' ')`

func spaceHyphens(s string) string { return foldCase(strings.ReplaceAll(s, "-", " ")) }

// contains is the condition that a column holds the next argument.
func (d dialect) contains(col string) string {
	if d.postgres {
		return `strpos(` + col + `, ?) > 0`
	}
	return `instr(` + col + `, ?) > 0`
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (f Filter) order() string {
	if f.Sort < 0 || int(f.Sort) >= len(orders) {
		return orders[Newest]
	}
	return orders[f.Sort]
}

// List returns a page of the extracts that match f.
func (ix *Index) List(ctx context.Context, f Filter) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, MaxLimit)
	f.Offset = min(max(f.Offset, 0), MaxOffset)
	done, err := ix.turn(ctx)
	if err != nil {
		return Page{}, err
	}
	defer done()
	src, args, err := ix.source(ctx, f)
	if err != nil {
		return Page{}, err
	}
	q := `SELECT e.record, e.distribution` + src + f.order() + ` LIMIT ? OFFSET ?`
	rows, err := ix.r.QueryContext(ctx, ix.d.bind(q), append(slices.Clone(args), f.Limit, f.Offset)...)
	if err != nil {
		return Page{}, unavailable("listing", err)
	}
	defer rows.Close()
	var p Page
	for rows.Next() {
		var rec, dist string
		if err := rows.Scan(&rec, &dist); err != nil {
			return Page{}, unavailable("listing", err)
		}
		it, err := decodeItem(rec, dist)
		if err != nil {
			return Page{}, err
		}
		p.Items = append(p.Items, it)
	}
	if err := rows.Err(); err != nil {
		return Page{}, unavailable("listing", err)
	}
	rows.Close()
	if len(p.Items) < f.Limit && (f.Offset == 0 || len(p.Items) > 0) {
		p.Total = f.Offset + len(p.Items)
		return p, nil
	}
	n, err := ix.count(ctx, src, args)
	if err != nil {
		return Page{}, err
	}
	p.Total, p.TotalCapped = min(n, CountCap), n > CountCap
	return p, nil
}

// Explain returns the database's plan for the page List would read, as
// it ran (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite),
// for looking into a slow search.
func (ix *Index) Explain(ctx context.Context, f Filter) (string, error) {
	f.Limit = cmp.Or(min(f.Limit, MaxLimit), 50)
	src, args, err := ix.source(ctx, f)
	if err != nil {
		return "", err
	}
	q := `SELECT e.record, e.distribution` + src + f.order() + ` LIMIT ? OFFSET ?`
	prefix, col := `EXPLAIN QUERY PLAN `, 3
	if ix.d.postgres {
		prefix, col = `EXPLAIN (ANALYZE, BUFFERS) `, 0
	}
	rows, err := ix.r.QueryContext(ctx, ix.d.bind(prefix+q), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return "", unavailable("explaining", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		cols := make([]any, 4)
		ptrs := make([]any, 4)
		for i := range cols {
			ptrs[i] = &cols[i]
		}
		n, _ := rows.ColumnTypes()
		if err := rows.Scan(ptrs[:len(n)]...); err != nil {
			return "", unavailable("explaining", err)
		}
		fmt.Fprintf(&b, "%v\n", cols[min(col, len(n)-1)])
	}
	return b.String(), unavailable("explaining", rows.Err())
}

// count counts the matches, up to one more than CountCap.
func (ix *Index) count(ctx context.Context, src string, args []any) (int, error) {
	q := `SELECT count(*) FROM (SELECT 1` + src + ` LIMIT ?) AS c`
	var n int
	if err := ix.r.QueryRowContext(ctx, ix.d.bind(q), append(args, CountCap+1)...).Scan(&n); err != nil {
		return 0, unavailable("counting", err)
	}
	return n, nil
}

func decodeItem(rec, dist string) (Item, error) {
	var it Item
	it.Record = new(archive.Record)
	if err := json.Unmarshal([]byte(rec), it.Record); err != nil {
		return it, fmt.Errorf("index: decoding a listed record: %w", err)
	}
	if dist != "" {
		it.Distribution = new(Distribution)
		if err := json.Unmarshal([]byte(dist), it.Distribution); err != nil {
			return it, fmt.Errorf("index: decoding the distribution of %s: %w", it.Record.ID, err)
		}
	}
	return it, nil
}

// Get returns the indexed state of one extract, or archive.ErrNotFound.
func (ix *Index) Get(ctx context.Context, id string) (Item, error) {
	done, err := ix.turn(ctx)
	if err != nil {
		return Item{}, err
	}
	var rec, dist string
	err = ix.r.QueryRowContext(ctx, ix.d.bind(`SELECT record, distribution FROM extracts WHERE id = ?`), id).Scan(&rec, &dist)
	done()
	if err != nil {
		if isNoRows(err) {
			return Item{}, archive.ErrNotFound
		}
		return Item{}, unavailable("reading "+id, err)
	}
	return decodeItem(rec, dist)
}

// IDs returns up to limit indexed ids after the given one, in order.
func (ix *Index) IDs(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := ix.r.QueryContext(ctx, ix.d.bind(`SELECT id FROM extracts WHERE id > ? ORDER BY id LIMIT ?`), after, limit)
	if err != nil {
		return nil, unavailable("listing ids", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, unavailable("listing ids", err)
		}
		out = append(out, id)
	}
	return out, unavailable("listing ids", rows.Err())
}

// ParagraphError says why a paragraph search was refused, in Swedish for
// the clerk.
type ParagraphError struct{ Message string }

func (e *ParagraphError) Error() string { return e.Message }

// ParseParagraphs reads a paragraph search as clerks write it: "157",
// "§ 157", "80-82", "§§ 80–82" (a hyphen or a dash, spaces or none). It
// returns the first and last §, equal for one; a *ParagraphError for
// anything else.
func ParseParagraphs(s string) (from, to int, err error) {
	s = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "§"))
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		lo, hi, isRange = strings.Cut(s, "–") // en dash
	}
	if !isRange {
		lo, hi, isRange = strings.Cut(s, "—") // em dash
	}
	num := func(v string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		return n, err == nil && n >= 1 && n <= maxParagraph
	}
	from, ok := num(lo)
	if !isRange {
		if !ok {
			return 0, 0, &ParagraphError{"Ange paragrafen som ett positivt heltal, till exempel 157, eller ett intervall, till exempel 80–82."}
		}
		return from, from, nil
	}
	to, ok2 := num(hi)
	if !ok || !ok2 {
		return 0, 0, &ParagraphError{"Ange intervallet som två positiva heltal, till exempel 80–82."}
	}
	if to < from {
		return 0, 0, &ParagraphError{"Intervallet ska börja med den lägsta paragrafen, till exempel 80–82."}
	}
	return from, to, nil
}

// maxParagraph bounds a paragraph number a search takes: no protocol
// numbers its paragraphs that far.
const maxParagraph = 1_000_000
