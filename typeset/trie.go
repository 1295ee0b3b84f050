package typeset

import (
	"fmt"
	"strings"
)

// trie holds Liang hyphenation patterns for matching in one pass over a
// word. It reads the same pattern file as github.com/speedata/hyphenation,
// whose matcher looks every substring of a word up in a map (about 30 µs for
// a 26-letter compound) and never applies one-letter patterns (1h, q2); a
// trie walk costs about a microsecond. The tests
// check that the two agree on the patterns the library applies.
//
// Node n's children are sym[first[n]:first[n+1]] leading to kid[...];
// val[n] >= 0 is the offset in vals of the n-th node's pattern priorities
// (one more than its letters), vlen[n] their count.
type trie struct {
	first []int32
	sym   []uint8
	kid   []int32
	val   []int32
	vlen  []uint8
	vals  []uint8
	// Nodes with many children (the first letters of patterns) also have a
	// dense row: dense[row*numSyms+sym], -1 none; row[n] < 0 for the rest.
	row   []int32
	dense []int32
}

// A node with at least this many children gets a dense row.
const denseChildren = 6

// Letters the Swedish patterns use, as small symbols; 0 never matches.
const numSyms = 34

func symOf(r rune) uint8 {
	switch {
	case r == '.':
		return 1
	case r >= 'a' && r <= 'z':
		return uint8(r-'a') + 2
	}
	switch r {
	case 'å':
		return 28
	case 'ä':
		return 29
	case 'ö':
		return 30
	case 'é':
		return 31
	case 'è':
		return 32
	case 'ü':
		return 33
	}
	return 0
}

// buildNode is the pointer form a trie is built in before it is flattened.
type buildNode struct {
	kids map[uint8]*buildNode
	vals []uint8
}

func buildTrie(text string) (*trie, error) {
	root := &buildNode{}
	count := 1
	for lineNo, line := range strings.Split(text, "\n") {
		pat := strings.TrimSpace(line)
		if pat == "" || pat[0] == '%' || pat[0] == '#' {
			continue
		}
		n := root
		vals := []uint8{0}
		for _, r := range pat {
			if r >= '0' && r <= '9' {
				vals[len(vals)-1] = uint8(r - '0')
				continue
			}
			s := symOf(r)
			if s == 0 {
				return nil, fmt.Errorf("line %d: unexpected %q in pattern %q", lineNo+1, r, pat)
			}
			if n.kids == nil {
				n.kids = map[uint8]*buildNode{}
			}
			next, ok := n.kids[s]
			if !ok {
				next = &buildNode{}
				n.kids[s] = next
				count++
			}
			n = next
			vals = append(vals, 0)
		}
		n.vals = vals
	}
	return flatten(root, count), nil
}

// flatten lays the trie out breadth first in flat arrays.
func flatten(root *buildNode, count int) *trie {
	t := &trie{
		first: make([]int32, 0, count+1),
		val:   make([]int32, count),
		vlen:  make([]uint8, count),
	}
	queue := []*buildNode{root}
	for i := 0; i < len(queue); i++ {
		n := queue[i]
		t.val[i] = -1
		if n.vals != nil {
			t.val[i] = int32(len(t.vals))
			t.vlen[i] = uint8(len(n.vals))
			t.vals = append(t.vals, n.vals...)
		}
		t.first = append(t.first, int32(len(t.sym)))
		for s := uint8(1); s < numSyms; s++ {
			if k, ok := n.kids[s]; ok {
				t.sym = append(t.sym, s)
				t.kid = append(t.kid, int32(len(queue)))
				queue = append(queue, k)
			}
		}
	}
	t.first = append(t.first, int32(len(t.sym)))
	t.row = make([]int32, len(queue))
	for n := range t.row {
		t.row[n] = -1
		if t.first[n+1]-t.first[n] < denseChildren {
			continue
		}
		t.row[n] = int32(len(t.dense) / numSyms)
		for s := uint8(0); s < numSyms; s++ {
			t.dense = append(t.dense, t.scan(int32(n), s))
		}
	}
	return t
}

func (t *trie) child(n int32, s uint8) int32 {
	if r := t.row[n]; r >= 0 {
		return t.dense[int(r)*numSyms+int(s)]
	}
	return t.scan(n, s)
}

func (t *trie) scan(n int32, s uint8) int32 {
	for i := t.first[n]; i < t.first[n+1]; i++ {
		if t.sym[i] == s {
			return t.kid[i]
		}
	}
	return -1
}

// priorities fills prio (len(w)+3 entries) with the Liang priorities of the
// lower-case word w: prio[i+1] belongs to the gap before w[i].
func (t *trie) priorities(w []rune, prio []uint8) {
	var buf [66]uint8
	syms := buf[:0]
	if len(w)+2 > len(buf) {
		syms = make([]uint8, 0, len(w)+2)
	}
	syms = append(syms, 1)
	for _, r := range w {
		syms = append(syms, symOf(r))
	}
	syms = append(syms, 1)
	for i := range prio {
		prio[i] = 0
	}
	for start := range syms {
		if syms[start] == 0 {
			continue
		}
		n := t.child(0, syms[start])
		for j := start + 1; n >= 0; j++ {
			if v := t.val[n]; v >= 0 {
				for k, p := range t.vals[v : v+int32(t.vlen[n])] {
					if p > prio[start+k] {
						prio[start+k] = p
					}
				}
			}
			if j == len(syms) || syms[j] == 0 {
				break
			}
			n = t.child(n, syms[j])
		}
	}
}

// breaks appends the pattern breaks of w that keep two letters on each side
// and a vowel in every piece, shifted by off.
func (t *trie) breaks(w []rune, dst []Break, off int) []Break {
	var buf [68]uint8
	prio := buf[:]
	if len(w)+3 > len(buf) {
		prio = make([]uint8, len(w)+3)
	}
	prio = prio[:len(w)+3]
	t.priorities(w, prio)
	prev := 0
	var cand [64]int
	at := cand[:0]
	for i := leftMin; i <= len(w)-rightMin; i++ {
		if prio[i+1]%2 == 1 {
			at = append(at, i)
		}
	}
	// A piece without a vowel is a pattern error (brän-s-le): drop the
	// breaks on both sides of it.
	for k := 0; k < len(at); k++ {
		next := len(w)
		if k+1 < len(at) {
			next = at[k+1]
		}
		if !hasVowel(w[prev:at[k]]) || !hasVowel(w[at[k]:next]) {
			continue
		}
		prev = at[k]
		dst = append(dst, Break{At: at[k] + off})
	}
	return dst
}

func hasVowel(w []rune) bool {
	for _, r := range w {
		if isVowel(r) {
			return true
		}
	}
	return false
}
