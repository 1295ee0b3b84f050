package index

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"utdrag/archive"
	"utdrag/extract"
)

// searchText is what full-text search looks in: every paragraph's title
// and the text of its decision.
func searchText(rec *archive.Record) string {
	var b strings.Builder
	for _, t := range rec.Titles {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	if rec.Extract != nil {
		for _, p := range rec.Extract.Paragraphs {
			for _, bl := range p.Decision {
				writeBlock(&b, bl)
			}
		}
	}
	return b.String()
}

func writeBlock(b *strings.Builder, bl extract.Block) {
	b.WriteString(bl.Text.Plain())
	b.WriteByte('\n')
	for _, it := range bl.Items {
		b.WriteString(it.Plain())
		b.WriteByte('\n')
	}
}

// words splits text into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// stems is the text as the SQLite index keeps it: every word that is not
// a stop word, stemmed, separated by spaces.
func stems(s string) string {
	ws := words(s)
	out := ws[:0]
	for _, w := range ws {
		if !stopWords[w] {
			out = append(out, stem(w))
		}
	}
	return strings.Join(out, " ")
}

// ftsText is what the SQLite full-text index keeps of an extract: every
// stem of its text twice, alone and as the organisation's own word
// (orgWord). A search within one organisation then reads only that
// organisation's entries of each word, a small part of the entries of
// every organisation (a twenty-fourth in the index benchmark).
func ftsText(org, text string) string {
	st := stems(text)
	ws := strings.Fields(st)
	var b strings.Builder
	scope := orgScope(org)
	b.Grow(len(st) + 1 + len(st) + len(ws)*len(scope))
	b.WriteString(st)
	for _, w := range ws {
		b.WriteByte(' ')
		b.WriteString(scope)
		b.WriteString(w)
	}
	return b.String()
}

// orgScope marks an organisation's own words in the SQLite full-text
// index: a digit and eight hexadecimal digits of a hash of its id, a fixed
// length, so that scope and word never run into another scope and word.
// Two organisations sharing a scope would only read each other's entries:
// the organisation is compared on the extract as well.
func orgScope(org string) string {
	sum := sha256.Sum256([]byte(org))
	return "1" + hex.EncodeToString(sum[:4])
}

// orgWord is a stem as an organisation's own word.
func orgWord(org, stem string) string { return orgScope(org) + stem }

// queryWords are the words of a search that count: stop words left out,
// at most maxQueryWords of them.
func queryWords(q string) []string {
	var out []string
	for _, w := range words(q) {
		if !stopWords[w] && len(out) < maxQueryWords {
			out = append(out, w)
		}
	}
	return out
}

const maxQueryWords = 8

// stopWords are common Swedish function words, left out of the SQLite
// index and of every query (PostgreSQL's swedish configuration has a list
// of its own).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`och att i på som en ett det den de av för med till är om har inte
		vid från eller så men var han hon vi ni jag du sig sin sitt sina dess deras denna detta dessa
		när där här nu då ska skall kan kunde under efter över mot utan än också samt`) {
		m[w] = true
	}
	return m
}()

// caseParts are the keys a case number (diarienummer) is found by: the
// whole number and what follows each separator, lower case, and a digit
// group once more without its leading zeros. "KS 2023/00145" gives
// "ks 2023/00145", "2023/00145", "00145" and "145": a search for a prefix
// of any of them finds the number.
func caseParts(cn string) []string {
	s := strings.Join(strings.Fields(strings.ToLower(cn)), " ")
	if s == "" {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	add(s)
	rs := []rune(s)
	for i := 1; i < len(rs); i++ {
		if !isWordRune(rs[i-1]) && isWordRune(rs[i]) {
			add(string(rs[i:]))
		}
	}
	for i, r := range rs {
		if r == '0' && (i == 0 || !unicode.IsDigit(rs[i-1])) {
			j := i
			for j < len(rs) && rs[j] == '0' {
				j++
			}
			if j < len(rs) && unicode.IsDigit(rs[j]) {
				add(string(rs[j:]))
			}
		}
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// foldCase is how case numbers and organ names are compared: lower case,
// runs of white space as one space.
func foldCase(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// prefixEnd is the smallest string greater than every string starting with
// p, for a range scan of an index.
func prefixEnd(p string) string { return p + "\U0010FFFF" }
