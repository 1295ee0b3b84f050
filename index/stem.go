package index

import "strings"

// stem reduces a lower-case Swedish word to its stem by the Snowball
// algorithm for Swedish, the one PostgreSQL's swedish configuration uses,
// so that a search finds "budgeten" and "budgetar" by "budget" on SQLite as
// it does on PostgreSQL.
//
// The algorithm works in R1, the part of the word after the first
// consonant that follows a vowel, but never within the first three
// letters: step 1 removes the longest of the inflection suffixes (or an s
// after a letter that may end a word before it), step 2 undoubles dd, gd,
// nn, dt, gt, kt, tt, step 3 removes lig, ig, els and shortens löst, fullt.
func stem(w string) string {
	rs := []rune(w)
	r1 := region1(rs)
	if r1 >= len(rs) {
		return w
	}
	rs = step1(rs, r1)
	rs = step2(rs, r1)
	rs = step3(rs, r1)
	return string(rs)
}

func isVowel(r rune) bool { return strings.ContainsRune("aeiouyäåö", r) }

func region1(rs []rune) int {
	p := len(rs)
	for i := 1; i < len(rs); i++ {
		if !isVowel(rs[i]) && isVowel(rs[i-1]) {
			p = i + 1
			break
		}
	}
	return max(p, 3)
}

// step1Suffixes, longest first so that the first one found is the longest.
var step1Suffixes = sortedByLength(strings.Fields(`heterna hetens anden heten heter arnas ernas
	ornas andes arens andet arna erna orna ande arne aste aren ades erns ade are ern ens het ast
	ad en ar er or as es at a e`))

func sortedByLength(ss []string) [][]rune {
	out := make([][]rune, len(ss))
	for i, s := range ss {
		out[i] = []rune(s)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func hasSuffixIn(rs, suf []rune, r1 int) bool {
	n := len(rs) - len(suf)
	if n < r1 || n < 0 {
		return false
	}
	for i, r := range suf {
		if rs[n+i] != r {
			return false
		}
	}
	return true
}

func step1(rs []rune, r1 int) []rune {
	for _, suf := range step1Suffixes {
		if hasSuffixIn(rs, suf, r1) {
			return rs[:len(rs)-len(suf)]
		}
	}
	n := len(rs)
	if n-1 >= r1 && rs[n-1] == 's' && n >= 2 && strings.ContainsRune("bcdfghjklmnoprtvy", rs[n-2]) {
		return rs[:n-1]
	}
	return rs
}

var step2Suffixes = sortedByLength([]string{"dd", "gd", "nn", "dt", "gt", "kt", "tt"})

func step2(rs []rune, r1 int) []rune {
	for _, suf := range step2Suffixes {
		if hasSuffixIn(rs, suf, r1) {
			return rs[:len(rs)-1]
		}
	}
	return rs
}

func step3(rs []rune, r1 int) []rune {
	switch {
	case hasSuffixIn(rs, []rune("fullt"), r1):
		return rs[:len(rs)-1]
	case hasSuffixIn(rs, []rune("löst"), r1):
		return rs[:len(rs)-1]
	}
	for _, suf := range [][]rune{[]rune("lig"), []rune("els"), []rune("ig")} {
		if hasSuffixIn(rs, suf, r1) {
			return rs[:len(rs)-len(suf)]
		}
	}
	return rs
}
