package extract

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Tally is the count of a roll call.
type Tally struct {
	Yes, No, Abstain     int
	Disqualified, Absent int
}

// Tally counts the ballots.
func (v Vote) Tally() Tally {
	var t Tally
	for _, b := range v.Ballots {
		switch b.Vote {
		case VoteYes:
			t.Yes++
		case VoteNo:
			t.No++
		case VoteAbstain:
			t.Abstain++
		case VoteDisqualified:
			t.Disqualified++
		case VoteAbsent:
			t.Absent++
		}
	}
	return t
}

// OutcomeStatesCounts reports whether the outcome sentence states any count
// ("Med 8 ja-röster mot 5 nej-röster …"): the extract then prints no result
// line of its own, which would say the same again.
func (v Vote) OutcomeStatesCounts() bool { return len(statedCounts(v.Outcome)) > 0 }

// statedCount is one count an outcome sentence states.
type statedCount struct {
	kind string // VoteYes, VoteNo or VoteAbstain
	n    int
}

// The ways Swedish protocols state a count: "8 ja-röster", "en nej-röst",
// "2 avstår", "1 ledamot avstod", "två nedlagda röster", "5 röstar nej".
var (
	countWords = map[string]int{"ingen": 0, "inga": 0, "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5,
		"sex": 6, "sju": 7, "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14,
		"femton": 15, "sexton": 16, "sjutton": 17, "arton": 18, "nitton": 19, "tjugo": 20}
	countPattern = func() *regexp.Regexp {
		words := make([]string, 0, len(countWords))
		for w := range countWords {
			words = append(words, w)
		}
		slices.Sort(words)
		num := `(\d+|` + strings.Join(words, "|") + `)`
		sp := `[\s\x{00A0}]+`
		return regexp.MustCompile(`(?i)(?:^|[^\p{L}\p{N}])` + num + sp + `(?:` +
			`(ja|nej)[-\x{2011}\s\x{00A0}]?röst` + // 8 ja-röster, 1 nej-röst
			`|(?:ledam(?:ot|öter)` + sp + `)?röst(?:ar|ade)` + sp + `(ja|nej)` + // 5 röstar nej
			`|(?:ledam(?:ot|öter)` + sp + `)?(avst(?:år|od|ått|ående))` + // 2 avstår, 1 ledamot avstod
			`|(nedlagd)a?` + sp + `röst)`) // två nedlagda röster
	}()
)

// statedCounts finds the counts an outcome sentence states.
func statedCounts(s string) []statedCount {
	var out []statedCount
	for _, m := range countPattern.FindAllStringSubmatch(s, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			n = countWords[strings.ToLower(m[1])]
		}
		kind := VoteAbstain
		switch {
		case m[2] != "":
			kind = strings.ToLower(m[2])
		case m[3] != "":
			kind = strings.ToLower(m[3])
		}
		out = append(out, statedCount{kind: kind, n: n})
	}
	return out
}

// roster finds members by name: the rules of a roll call compare every
// entry with the others, which a roster does without comparing all pairs.
type roster map[string][]rosterEntry

type rosterEntry struct {
	party string
	index int
}

// memberKey is a name as names are compared: case and spacing aside.
func memberKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// add enters p, found at index i.
func (r roster) add(p Person, i int) {
	k := memberKey(p.Name)
	r[k] = append(r[k], rosterEntry{party: p.Party, index: i})
}

// find returns the index of an entry that names the same member as p:
// the same name and no two different parties.
func (r roster) find(p Person) (int, bool) {
	for _, e := range r[memberKey(p.Name)] {
		if p.Party == "" || e.party == "" || e.party == p.Party {
			return e.index, true
		}
	}
	return -1, false
}

// disqualified indexes the members who declared jäv in p.
func disqualified(p *Paragraph) roster {
	r := roster{}
	for i, d := range p.Disqualifications {
		r.add(d.Member, i)
	}
	return r
}
