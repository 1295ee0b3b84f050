package typeset

import (
	"bufio"
	"embed"
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed patterns/hyph_sv_SE.pat patterns/exceptions.txt
var patternFS embed.FS

// Minimum letters before and after a hyphenation point, and in a word that
// is hyphenated at all: a four-letter word split two and two (in-te, mö-ta)
// reads badly and gains little.
const (
	leftMin  = 2
	rightMin = 2
	minWord  = 5
)

// Hyphenator finds the permitted hyphenation points of Swedish words. Its
// patterns are read-only once built; it remembers the breaks of the words it
// has seen in a bounded cache. It is safe for concurrent use.
type Hyphenator struct {
	trie     *trie
	words    map[string][]Break // whole-word exceptions, lower case
	prefixes []prefix           // first parts of compounds, longest first
	cache    *breakCache        // nil: none
}

// The break cache holds up to cacheShards×cacheShardWords words. Protocols
// repeat their words, so a few thousand cover a document; a full shard is
// emptied and fills again.
const (
	cacheShards     = 16
	cacheShardWords = 1024
)

// breakCache maps words to their breaks, in shards that lock on their own.
type breakCache struct {
	shards [cacheShards]cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string][]Break
	_  [40]byte // keeps shards on their own cache lines
}

func newBreakCache() *breakCache {
	c := &breakCache{}
	for i := range c.shards {
		c.shards[i].m = make(map[string][]Break, cacheShardWords/4)
	}
	return c
}

// shard picks a word's shard by its length and its first and last bytes:
// enough to spread the words, without hashing them twice.
func (c *breakCache) shard(word string) *cacheShard {
	h := uint(len(word))
	if len(word) > 0 {
		h = h*31 + uint(word[0])*7 + uint(word[len(word)-1])
	}
	return &c.shards[h%cacheShards]
}

// get returns the cached breaks of word; the slice must not be changed.
func (c *breakCache) get(word string) ([]Break, bool) {
	sh := c.shard(word)
	sh.mu.RLock()
	bs, ok := sh.m[word]
	sh.mu.RUnlock()
	return bs, ok
}

// put stores a copy of word and its breaks.
func (c *breakCache) put(word string, bs []Break) {
	var val []Break
	if len(bs) > 0 {
		val = append(make([]Break, 0, len(bs)), bs...)
	}
	sh := c.shard(word)
	sh.mu.Lock()
	if len(sh.m) >= cacheShardWords {
		clear(sh.m)
	}
	sh.m[strings.Clone(word)] = val
	sh.mu.Unlock()
}

// Break is a permitted hyphenation point of a word.
type Break struct {
	// At is a rune offset: the word breaks before its At-th rune.
	At int
	// Pre is text added before the hyphen when the word breaks here: the
	// consonant a compound lost (till|låta is written "tillåta" and broken
	// "till-" / "låta", so At is 3 and Pre "l").
	Pre string
}

// prefix is a first part of compounds from the exception list.
type prefix struct {
	letters string  // lower case
	n       int     // its length in runes
	breaks  []Break // inside the part, and the joint at n
}

// NewHyphenator loads the embedded Swedish patterns and exceptions. Build one
// at start-up and share it.
func NewHyphenator() (*Hyphenator, error) {
	pat, err := patternFS.ReadFile("patterns/hyph_sv_SE.pat")
	if err != nil {
		return nil, fmt.Errorf("typeset: reading hyphenation patterns: %w", err)
	}
	t, err := buildTrie(string(pat))
	if err != nil {
		return nil, fmt.Errorf("typeset: loading hyphenation patterns: %w", err)
	}
	exc, err := patternFS.ReadFile("patterns/exceptions.txt")
	if err != nil {
		return nil, fmt.Errorf("typeset: reading hyphenation exceptions: %w", err)
	}
	h := &Hyphenator{trie: t, words: map[string][]Break{}, cache: newBreakCache()}
	if err := h.loadExceptions(string(exc)); err != nil {
		return nil, fmt.Errorf("typeset: loading hyphenation exceptions: %w", err)
	}
	return h, nil
}

func (h *Hyphenator) loadExceptions(text string) error {
	sc := bufio.NewScanner(strings.NewReader(text))
	for line := 1; sc.Scan(); line++ {
		entry := strings.TrimSpace(sc.Text())
		if entry == "" || entry[0] == '#' {
			continue
		}
		isPrefix := strings.HasSuffix(entry, "-*")
		word, breaks, err := parseException(strings.TrimSuffix(entry, "*"))
		if err != nil {
			return fmt.Errorf("line %d %q: %w", line, entry, err)
		}
		if isPrefix {
			h.prefixes = append(h.prefixes, prefix{word, utf8.RuneCountInString(word), breaks})
			continue
		}
		h.words[word] = breaks
	}
	// Longest first parts are tried first.
	for i := 1; i < len(h.prefixes); i++ {
		for j := i; j > 0 && h.prefixes[j].n > h.prefixes[j-1].n; j-- {
			h.prefixes[j], h.prefixes[j-1] = h.prefixes[j-1], h.prefixes[j]
		}
	}
	return sc.Err()
}

// parseException reads "till-lå-ta" as the word "tillåta" with its breaks. A
// trailing hyphen (first parts of compounds) gives a break at the word's end.
func parseException(entry string) (string, []Break, error) {
	parts := strings.Split(entry, "-")
	var word []rune
	var breaks []Break
	for i, p := range parts {
		r := []rune(p)
		if len(r) == 0 && i < len(parts)-1 {
			return "", nil, fmt.Errorf("empty part")
		}
		for _, c := range r {
			if !unicode.IsLower(c) {
				return "", nil, fmt.Errorf("%q is not a lower-case letter", c)
			}
		}
		if i == 0 {
			word = append(word, r...)
			continue
		}
		b := Break{At: len(word)}
		if n := len(word); n >= 2 && len(r) > 0 && word[n-1] == word[n-2] && word[n-1] == r[0] && !isVowel(r[0]) {
			// Three equal consonants: the word itself has two.
			word = word[:n-1]
			if r[0] > 0xFFFF {
				return "", nil, fmt.Errorf("%q is outside the letters a restored consonant may be", r[0])
			}
			b = Break{At: n - 1, Pre: string(r[0])}
		}
		breaks = append(breaks, b)
		word = append(word, r...)
	}
	return string(word), breaks, nil
}

// Hyphenate returns the rune offsets in word where a hyphen may break it.
// Leading and trailing punctuation is allowed; words with digits, capitals
// only, or inner punctuation (URLs, case numbers, bl.a., EU-direktiv) get
// none.
func (h *Hyphenator) Hyphenate(word string) []int {
	var buf [32]Break
	bs := h.appendBreaks(buf[:0], word)
	if len(bs) == 0 {
		return nil
	}
	at := make([]int, len(bs))
	for i, b := range bs {
		at[i] = b.At
	}
	return at
}

// Breaks is Hyphenate with the text each break adds before its hyphen.
func (h *Hyphenator) Breaks(word string) []Break {
	return h.appendBreaks(nil, word)
}

// appendBreaks appends the breaks of word to dst, from the cache when the
// word was seen before.
func (h *Hyphenator) appendBreaks(dst []Break, word string) []Break {
	if len(word) < minWord {
		return dst // fewer letters than minWord: never hyphenated
	}
	if h.cache == nil {
		return h.findBreaks(dst, word)
	}
	if bs, ok := h.cache.get(word); ok {
		return append(dst, bs...)
	}
	n := len(dst)
	dst = h.findBreaks(dst, word)
	h.cache.put(word, dst[n:])
	return dst
}

// findBreaks appends the breaks of word to dst.
func (h *Hyphenator) findBreaks(dst []Break, word string) []Break {
	lead, core, ok := hyphenCore(word)
	if !ok {
		return dst
	}
	var buf [64]rune
	low := buf[:0]
	for _, r := range core {
		low = append(low, unicode.ToLower(r))
	}
	n := len(dst)
	dst = h.breaksLower(low, dst, 0)
	for i := n; i < len(dst); i++ {
		dst[i].At += lead
	}
	return dst
}

// breaksLower hyphenates a lower-case word, appending to dst with offsets
// shifted by off.
func (h *Hyphenator) breaksLower(w []rune, dst []Break, off int) []Break {
	if len(w) < leftMin+rightMin {
		return dst
	}
	if bs, ok := h.exception(w); ok {
		for _, b := range bs {
			b.At += off
			dst = append(dst, b)
		}
		return dst
	}
	for _, p := range h.prefixes {
		if !p.fits(w) {
			continue
		}
		for _, b := range p.breaks {
			b.At += off
			dst = append(dst, b)
		}
		return h.breaksLower(w[p.n:], dst, off+p.n)
	}
	return h.trie.breaks(w, dst, off)
}

// exception looks w up in the whole-word exceptions without allocating.
func (h *Hyphenator) exception(w []rune) ([]Break, bool) {
	var buf [256]byte
	b := buf[:0]
	for _, r := range w {
		b = utf8.AppendRune(b, r)
	}
	bs, ok := h.words[string(b)]
	return bs, ok
}

// fits reports whether the first part p begins the compound w.
func (p prefix) fits(w []rune) bool {
	rest := len(w) - p.n
	if rest < rightMin+1 {
		return false
	}
	i := 0
	for _, r := range p.letters {
		if w[i] != r {
			return false
		}
		i++
	}
	return !isVowel(w[p.n]) || rest >= 6 || w[p.n-1] == 's'
}

// hyphenCore strips leading and trailing punctuation from word and reports
// the rune offset of the rest and whether that rest may be hyphenated.
func hyphenCore(word string) (lead int, core string, ok bool) {
	start, end := 0, len(word)
	for start < end {
		r, n := utf8.DecodeRuneInString(word[start:])
		if !isOpenPunct(r) {
			break
		}
		start += n
		lead++
	}
	for end > start {
		r, n := utf8.DecodeLastRuneInString(word[start:end])
		if !isClosePunct(r) {
			break
		}
		end -= n
	}
	core = word[start:end]
	letters, upper := 0, 0
	for _, r := range core {
		if !unicode.IsLetter(r) || !swedishLetter(unicode.ToLower(r)) {
			return 0, "", false
		}
		letters++
		if unicode.IsUpper(r) {
			upper++
		}
	}
	if letters < minWord || letters > maxWord || upper == letters {
		return 0, "", false
	}
	return lead, core, true
}

// swedishLetter reports whether r (lower case) is a letter of Swedish
// words, loanwords included (idé, müsli, à). The patterns are Swedish:
// a word with other letters, a Sami name or place (Sámediggi, Čoarvi,
// Ŋuorra) or another language's word, is not broken by them.
func swedishLetter(r rune) bool {
	return r >= 'a' && r <= 'z' || strings.ContainsRune("åäöéèëêüàâçôóíú", r)
}

// maxWord is the longest word hyphenated, in letters: longer is not a word.
const maxWord = 100

func isOpenPunct(r rune) bool { return strings.ContainsRune("([{”’\"'«»", r) }

func isClosePunct(r rune) bool { return strings.ContainsRune(".,;:!?)]}”’\"'»«…", r) }

func isVowel(r rune) bool { return strings.ContainsRune("aeiouyåäöéèüAEIOUYÅÄÖÉÈÜ", r) }
