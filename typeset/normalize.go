package typeset

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

const nbsp = "\u00a0"

// Normalize applies the Swedish typographic rules to running text:
// non-breaking spaces, en dashes, ”quotes”, apostrophes and ellipses,
// leaving alone what must not change (dates, case numbers, statute
// references, URLs …). It only ever turns a single space into a no-break
// space, inserts no-break spaces, and replaces punctuation: letters and
// digits stay as they are. Normalize(Normalize(s)) == Normalize(s).
//
// It works in three steps, each of which leaves nothing for an earlier one
// to do: marks inside each word (quotes, ellipses, ranges, § and % glued to
// a number); thousands grouping of long numbers; then the spaces between
// words, decided from the words on each side.
func Normalize(s string) string {
	tb := tokenBufs.Get().(*tokenBuf)
	defer tb.release()
	var seen flags
	var valid bool
	tb.a, seen, valid = scanTokens(tb.a[:0], s)
	if !valid {
		s = strings.ToValidUTF8(s, "\uFFFD")
		tb.a, seen, _ = scanTokens(tb.a[:0], s)
	}
	if seen&mayChange == 0 {
		// No word any rule looks at: the tokens spell s again.
		return s
	}
	toks, marked := markWords(tb.a)
	toks, grouped := groupThousands(toks, &tb.b)
	if glued := glueSpaces(toks); !marked && !grouped && !glued {
		// Nothing changed: the tokens spell s again.
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for _, t := range toks {
		b.WriteString(t.sep)
		b.WriteString(t.text)
	}
	return b.String()
}

// tokenBuf is Normalize's working memory: the tokens of the text (a) and
// the list with grouped numbers (b).
type tokenBuf struct{ a, b []token }

// maxKeptTokens bounds the lists a tokenBuf keeps for the next text.
const maxKeptTokens = 1 << 12

var tokenBufs = sync.Pool{New: func() any { return new(tokenBuf) }}

// release clears the lists, so the pool holds no strings, and returns tb
// to the pool unless they grew too long.
func (tb *tokenBuf) release() {
	if cap(tb.a) > maxKeptTokens || cap(tb.b) > maxKeptTokens {
		return
	}
	clear(tb.a)
	clear(tb.b)
	tb.a, tb.b = tb.a[:0], tb.b[:0]
	tokenBufs.Put(tb)
}

// token is a word with the whitespace before it; the last token may have
// empty text and hold only trailing whitespace. Its flags say what the
// rules may look for in its text.
type token struct {
	sep   string
	text  string
	flags flags
}

// flags tell what a word holds, so that the rules skip the words that
// cannot concern them. A flag set wrongly costs only time; a flag missing
// would change a result.
type flags uint8

const (
	hasDigits  flags = 1 << iota // a digit: numbers to group or glue to a unit
	hasMarks                     // " ' - % . or a non-ASCII sign of the Latin-1 or punctuation blocks (§, –, ”, …)
	isAbbrev                     // nr or dnr, in any case, after an optional (: glued to what follows
	opensParen                   // starts with (: a party code after a name

	// mayChange is what a text must have in some word for Normalize to
	// change it.
	mayChange = hasDigits | hasMarks | isAbbrev | opensParen
)

// byteFlags are the flags a byte gives the word it is in.
var byteFlags = func() (t [256]flags) {
	for c := '0'; c <= '9'; c++ {
		t[c] = hasDigits
	}
	for _, c := range "\"'-%." {
		t[c] = hasMarks
	}
	t[0xC2] = hasMarks // § and the no-break space
	t[0xE2] = hasMarks // –, ‐, ”, ’, … (U+2000–U+2FFF)
	return t
}()

// classify returns the flags of word w.
func classify(w string) flags {
	var f flags
	for i := 0; i < len(w); i++ {
		f |= byteFlags[w[i]]
	}
	return f | shapeFlags(w)
}

// shapeFlags are the flags that depend on the whole word rather than on
// one byte of it.
func shapeFlags(w string) flags {
	if w == "" {
		return 0
	}
	var f flags
	if w[0] == '(' {
		f |= opensParen
	}
	if c := w[len(w)-1]; (c == 'r' || c == 'R') && len(w) <= len("(dnr") {
		core := strings.TrimPrefix(w, "(")
		if strings.EqualFold(core, "nr") || strings.EqualFold(core, "dnr") {
			f |= isAbbrev
		}
	}
	return f
}

// spaceAt reports whether s has white space at byte i, and its length.
func spaceAt(s string, i int) (bool, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return c == ' ' || c >= '\t' && c <= '\r', 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r), n
}

func tokenize(s string) []token {
	toks := make([]token, 0, strings.Count(s, " ")+1)
	toks, _, _ = scanTokens(toks, s)
	return toks
}

func appendTokens(toks []token, s string) []token {
	toks, _, _ = scanTokens(toks, s)
	return toks
}

// scanTokens appends the tokens of s to toks, and reports the flags of
// all its words together and whether s is valid UTF-8.
func scanTokens(toks []token, s string) (_ []token, seen flags, valid bool) {
	valid = true
	i := 0
	for i < len(s) {
		j := i
		for j < len(s) {
			if c := s[j]; c < utf8.RuneSelf && c > ' ' {
				break // the common case: an ASCII letter or sign
			}
			sp, n := spaceAt(s, j)
			if !sp {
				break
			}
			j += n
		}
		k := j
		var f flags
		for k < len(s) {
			c := s[k]
			if c < utf8.RuneSelf {
				if c > ' ' {
					f |= byteFlags[c]
					k++
					continue
				}
				if c == ' ' || c >= '\t' && c <= '\r' {
					break
				}
				k++
				continue
			}
			r, n := utf8.DecodeRuneInString(s[k:])
			if r == utf8.RuneError && n == 1 {
				valid = false
			}
			if unicode.IsSpace(r) {
				break
			}
			f |= byteFlags[c]
			k += n
		}
		f |= shapeFlags(s[j:k])
		seen |= f
		toks = append(toks, token{sep: s[i:j], text: s[j:k], flags: f})
		i = k
	}
	return toks, seen, valid
}

// markWords applies the rules that look inside one word at a time. A word
// they split with a no-break space (§157) becomes two tokens. It reports
// whether any word changed.
func markWords(toks []token) ([]token, bool) {
	changed := false
	for i, t := range toks {
		if t.flags&hasMarks == 0 {
			continue // nothing markWord looks for
		}
		m := markWord(t.text)
		if m == t.text {
			continue
		}
		changed = true
		if !strings.Contains(m, nbsp) {
			toks[i].text, toks[i].flags = m, classify(m)
			continue
		}
		out := append(make([]token, 0, len(toks)+4), toks[:i]...)
		for _, t := range toks[i:] {
			m := t.text
			if t.flags&hasMarks != 0 {
				m = markWord(t.text)
			}
			if !strings.Contains(m, nbsp) {
				out = append(out, token{sep: t.sep, text: m, flags: classify(m)})
				continue
			}
			parts := appendTokens(nil, m)
			parts[0].sep = t.sep + parts[0].sep
			out = append(out, parts...)
		}
		return out, true
	}
	return toks, changed
}

// protected reports whether w is a URL or an e-mail address, which are
// never touched.
func protected(w string) bool {
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case '@':
			return true
		case ':':
			if strings.HasPrefix(w[i+1:], "//") {
				return true
			}
		case 'w':
			if strings.HasPrefix(w[i:], "www.") {
				return i == 0 || strings.Trim(w[:i], "(<”\"") == ""
			}
		}
	}
	return false
}

func markWord(w string) string {
	if !mayMark(w) || protected(w) {
		return w
	}
	if strings.ContainsAny(w, "\"'") {
		w = strings.NewReplacer("\"", "”", "'", "’").Replace(w)
	}
	if strings.Contains(w, "...") {
		w = strings.ReplaceAll(w, "...", "…")
	}
	if strings.Contains(w, "-") {
		w = enDashRange(w)
	}
	if strings.ContainsAny(w, "§%") {
		if head, tail, ok := strings.Cut(glueSigns(w), nbsp); ok {
			// Each side may hold more to glue: §0%.
			return markWord(head) + nbsp + markWord(tail)
		}
	}
	return w
}

// mayMark is a quick test for what markWord looks for: quotes, "...", a
// hyphen, § or %. A word without any is left as it is.
func mayMark(w string) bool {
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case '"', '\'', '-', '%':
			return true
		case '.':
			if i+2 < len(w) && w[i+1] == '.' && w[i+2] == '.' {
				return true
			}
		case 0xC2: // § is C2 A7
			if i+1 < len(w) && w[i+1] == 0xA7 {
				return true
			}
		}
	}
	return false
}

// enDashRange turns the hyphen of a numeric range into an en dash:
// 2019-2022, 7-9, 26-27. Dates, personal and organisation numbers and
// phone numbers are not ranges.
func enDashRange(w string) string {
	lead, core, trail := splitPunct(w)
	core2 := strings.TrimLeft(core, "§")
	a, b, ok := strings.Cut(core2, "-")
	if !ok || !isRange(a, b) {
		return w
	}
	return lead + core[:len(core)-len(core2)] + a + "–" + b + trail
}

func isRange(a, b string) bool {
	if !allDigits(a) || !allDigits(b) || a[0] == '0' || b[0] == '0' {
		return false
	}
	years := len(a) == 4 && len(b) == 4 && (a[0] == '1' || a[0] == '2')
	small := len(a) <= 3 && len(b) <= 3
	return (years || small) && atoi(b) > atoi(a)
}

// glueSigns puts a no-break space between a number and a § or % written
// against it: §157, 37§, 21%.
func glueSigns(w string) string {
	lead, core, trail := splitPunct(w)
	switch {
	case strings.HasPrefix(core, "§"):
		signs := core[:len(core)-len(strings.TrimLeft(core, "§"))]
		rest := core[len(signs):]
		if rest != "" && isDigit(rest[0]) {
			return lead + signs + nbsp + rest + trail
		}
	case strings.HasSuffix(core, "§") || strings.HasSuffix(core, "%"):
		num := strings.TrimSuffix(strings.TrimSuffix(core, "%"), "§")
		if isNumber(num) {
			return lead + num + nbsp + core[len(num):] + trail
		}
	}
	return w
}

// splitPunct splits leading opening and trailing closing punctuation off w.
func splitPunct(w string) (lead, core, trail string) {
	i := 0
	for i < len(w) {
		r, n := utf8.DecodeRuneInString(w[i:])
		if r != '(' && r != '[' && r != '”' && r != '’' {
			break
		}
		i += n
	}
	j := len(w)
	for j > i {
		r, n := utf8.DecodeLastRuneInString(w[i:j])
		if !isClosing(r) {
			break
		}
		j -= n
	}
	return w[:i], w[i:j], w[j:]
}

func isClosing(r rune) bool {
	switch r {
	case ',', ';', ':', '!', '?', ')', ']', '.', '”', '’', '…':
		return true
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isNumber: digits with an optional decimal comma part (4,3).
func isNumber(s string) bool {
	whole, frac, ok := strings.Cut(s, ",")
	return allDigits(whole) && (!ok || allDigits(frac))
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && n < 1e8; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
