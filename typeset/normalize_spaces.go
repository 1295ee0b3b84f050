package typeset

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Words after a number that take a no-break space before them. Amount
// units also have a four-digit number before them grouped (4 500 kronor).
var (
	amountUnits = wordSet("kronor krona kr tkr mkr mnkr mdkr miljoner miljon miljarder miljard " +
		"tusen euro sek eur usd % procent st stycken ton kg km m cm mm m² kvm kwh mwh gwh " +
		"invånare personer platser")
	otherUnits = wordSet("‰ procentenheter år månader månad veckor vecka dagar dag timmar timme minuter")
	months     = wordSet("januari februari mars april maj juni juli augusti september oktober november december")
	// Words after which a number is a page, case or other identifier,
	// never grouped in thousands.
	numberMarkers = wordSet("s. s sid. sida sidan sidor nr nr. dnr dnr. nummer § §§ kap. tel. tfn telefon box bg pg bankgiro plusgiro år året")
	// Abbreviations followed by a no-break space.
	gluedAbbrevs = wordSet("kl. s. sid. nr nr. dnr dnr.")
)

func wordSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}

// groupThousands splits numbers of five digits or more, and of four before
// an amount unit, into groups of three joined by no-break spaces:
// 6746750 kronor → 6 746 750 kronor. Years, identifiers after a marker
// (s. 12345, nr 12345), and anything with a dot, slash, colon or hyphen
// (times, case numbers, statutes, dates, personal numbers) are left alone.
// It reports whether it grouped any number. A new list is built in *buf,
// which keeps it for reuse.
func groupThousands(toks []token, buf *[]token) ([]token, bool) {
	changed := false
	var out []token
	copied := false
	for i, t := range toks {
		if t.flags&hasDigits == 0 || !longNumber(t.text) {
			// Not a number to group.
			if copied {
				out = append(out, t)
			}
			continue
		}
		if !copied {
			out = append(slices.Grow((*buf)[:0], len(toks)+8), toks[:i]...)
			copied = true
		}
		lead, core, trail := splitPunct(t.text)
		whole, frac, hasFrac := strings.Cut(core, ",")
		n := len(whole)
		ok := allDigits(whole) && whole[0] != '0' && (!hasFrac || allDigits(frac)) &&
			(lead == "" || lead == "(") && (n >= 5 || n == 4 && i+1 < len(toks) && amountUnits[unitKey(toks[i+1].text)])
		if ok && i > 0 && (numberMarkers[strings.ToLower(toks[i-1].text)] || endsWithDigit(toks[i-1].text)) {
			ok = false
		}
		if !ok {
			out = append(out, t)
			continue
		}
		changed = true
		first := n % 3
		if first == 0 {
			first = 3
		}
		out = append(out, token{sep: t.sep, text: lead + whole[:first], flags: hasDigits | t.flags&opensParen})
		for k := first; k < n; k += 3 {
			out = append(out, token{sep: nbsp, text: whole[k : k+3], flags: hasDigits})
		}
		last := &out[len(out)-1]
		if hasFrac {
			last.text += "," + frac
		}
		last.text += trail
		last.flags = classify(last.text)
	}
	if !copied {
		return toks, false
	}
	*buf = out
	return out, changed
}

// longNumber is a quick test for a run of four digits in w.
func longNumber(w string) bool {
	run := 0
	for i := 0; i < len(w); i++ {
		if isDigit(w[i]) {
			if run++; run >= 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// glueSpaces turns the single spaces that must not break into no-break
// spaces, and spaced hyphens between words into en dashes. It reports
// whether it changed any.
func glueSpaces(toks []token) bool {
	changed := false
	grouped := thousandsJoints(toks)
	for i := 1; i < len(toks); i++ {
		t := &toks[i]
		if t.text == "" {
			continue
		}
		if (t.text == "-" || t.text == "–") && isParentheticalDash(toks, i) {
			changed = changed || t.text != "–" || t.sep != nbsp
			t.text = "–"
			t.sep = nbsp
			t.flags = hasMarks
			continue
		}
		if t.sep == " " && ((grouped != nil && grouped[i]) || mayGlue(&toks[i-1], t) && glued(toks[i-1].text, t.text)) {
			t.sep = nbsp
			changed = true
		}
	}
	return changed
}

// mayGlue is a quick test for what glued looks for: a number, a sign or
// an abbreviation before the space, or a party code after it.
func mayGlue(prev, next *token) bool {
	return prev.flags&(hasDigits|hasMarks|isAbbrev) != 0 || next.flags&opensParen != 0
}

// isParentheticalDash: a dash standing alone between two words on a line.
func isParentheticalDash(toks []token, i int) bool {
	if i+1 >= len(toks) || (toks[i].sep != " " && toks[i].sep != nbsp) || toks[i+1].text == "" {
		return false
	}
	prev, next := toks[i-1].text, toks[i+1].text
	if !hasWordChar(prev) || !hasWordChar(next) {
		return false
	}
	// 10 - 12 is a range written loosely, not a parenthesis.
	return !(endsWithDigit(prev) && startsWithDigit(next))
}

// thousandsJoints marks the tokens that continue a number grouped with
// spaces (450 000, 6 746 750,5): a group of one to three digits followed
// by groups of exactly three. It returns nil when there are none.
func thousandsJoints(toks []token) []bool {
	var marks []bool
	for i := 0; i < len(toks); i++ {
		if toks[i].flags&hasDigits == 0 {
			continue // not a number
		}
		lead, core, trail := splitPunct(toks[i].text)
		if (lead != "" && lead != "(") || trail != "" || !allDigits(core) || len(core) > 3 || (core[0] == '0' && len(core) > 1) {
			continue
		}
		if i > 0 && (numberMarkers[strings.ToLower(toks[i-1].text)] || endsWithDigit(toks[i-1].text)) {
			continue
		}
		j := i + 1
		for ; j < len(toks); j++ {
			if toks[j].sep != " " && toks[j].sep != nbsp {
				break
			}
			l2, c2, t2 := splitPunct(toks[j].text)
			whole, frac, hasFrac := strings.Cut(c2, ",")
			if l2 != "" || len(whole) != 3 || !allDigits(whole) || (hasFrac && !allDigits(frac)) {
				break
			}
			if t2 != "" || hasFrac {
				j++
				break
			}
		}
		if j-i < 2 {
			continue
		}
		if marks == nil {
			marks = make([]bool, len(toks))
		}
		for k := i + 1; k < j; k++ {
			marks[k] = true
		}
		i = j - 1
	}
	return marks
}

// glued decides whether the space between the words prev and next must not
// break.
func glued(prev, next string) bool {
	switch {
	case prev == "§" || prev == "§§":
		return startsWithDigit(next)
	case mayBeAbbrev(prev) && gluedAbbrevs[strings.ToLower(strings.TrimPrefix(prev, "("))]:
		if strings.HasSuffix(strings.ToLower(prev), "nr") || strings.HasSuffix(strings.ToLower(prev), "nr.") {
			return startsWithDigit(next) || startsWithUpper(next)
		}
		return startsWithDigit(next)
	case prev == "kap.":
		return startsWithDigit(next)
	case next != "" && next[0] == '(' && isParty(next):
		return isName(prev)
	}
	if !hasDigit(prev) {
		return false // not a number
	}
	pl, pc, pt := splitPunct(prev)
	_, nc, _ := splitPunct(next)
	if pt != "" || (pl != "" && pl != "(") || !isNumberish(pc) {
		return false
	}
	switch {
	case strings.HasPrefix(nc, "§") || next == "kap.":
		return true
	case amountUnits[unitKey(next)] || otherUnits[unitKey(next)]:
		return true
	case months[unitKey(next)]:
		return isDay(pc)
	}
	return false
}

// maxAbbrevBytes bounds the length of a word that can be one of
// gluedAbbrevs: "(" and four runes, each of which may lower-case from at
// most three bytes to one.
const maxAbbrevBytes = 1 + 4*3

// mayBeAbbrev is a quick test for a word that may be one of gluedAbbrevs:
// short, and ending in "." or r.
func mayBeAbbrev(w string) bool {
	if w == "" || len(w) > maxAbbrevBytes {
		return false
	}
	c := w[len(w)-1]
	return c == '.' || c == 'r' || c == 'R'
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// unitKey is the lower-case word without its punctuation.
func unitKey(w string) string {
	_, core, _ := splitPunct(w)
	if core == "" {
		core = w
	}
	return strings.ToLower(core)
}

// isNumberish: 12, 4,3, 2019–2022.
func isNumberish(s string) bool {
	if a, b, ok := strings.Cut(s, "–"); ok {
		return isNumber(a) && isNumber(b)
	}
	return isNumber(s)
}

// isDay: a day of the month, or a range of days (26–27).
func isDay(s string) bool {
	a, b, ok := strings.Cut(s, "–")
	if !ok {
		b = a
	}
	for _, d := range []string{a, b} {
		if !allDigits(d) || len(d) > 2 || atoi(d) < 1 || atoi(d) > 31 {
			return false
		}
	}
	return true
}

// isParty: a party code in parentheses after a name: (KD), (S), or (-) for
// a member without party.
func isParty(w string) bool {
	w = strings.TrimRight(w, ",.;:")
	if !strings.HasPrefix(w, "(") || !strings.HasSuffix(w, ")") {
		return false
	}
	code := w[1 : len(w)-1]
	if code == "-" {
		return true
	}
	n := 0
	for _, r := range code {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 1 && n <= 4
}

// isName: a capitalised word of letters (and inner hyphens): a surname.
func isName(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	lower := false
	for _, r := range w {
		if unicode.IsLower(r) {
			lower = true
		} else if !unicode.IsLetter(r) && r != '-' {
			return false
		}
	}
	return lower
}

func hasWordChar(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

func startsWithDigit(s string) bool { return s != "" && isDigit(s[0]) }

func startsWithUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

func endsWithDigit(s string) bool { return s != "" && isDigit(s[len(s)-1]) }
