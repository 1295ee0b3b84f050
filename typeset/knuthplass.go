package typeset

import (
	"math"
	"math/bits"
	"unicode/utf8"
)

// TeX's line-breaking parameters (The TeXbook, chapter 14).
const (
	pretolerance         = 100   // first pass, without hyphenation
	tolerance            = 200   // second pass, with hyphenation
	infBad               = 10000 // badness of a line that cannot be filled
	linePenalty          = 10
	doubleHyphenDemerits = 10000
	finalHyphenDemerits  = 5000
	adjDemerits          = 10000 // adjacent lines of fitness classes two apart
	tripleHyphenDemerits = 1e8   // last passes only: a third hyphenated line in a row, as dear as a line of ratio 4.6
	emergencyStretch     = 0.5   // ems of extra stretch per line in the final pass
	flushBadness         = 1e4   // a justified line set flush left because no breaking keeps it within MaxSpace
	maxHyphenRun         = 2
)

// pass is one run of the breaker over a node list.
type pass struct {
	nodes     []node
	width     float64 // measure of every line but the first
	first     float64 // measure of the first line
	extra     float64 // stretch every line gets besides its glue (ragged right, emergency)
	lone      float64 // stretch of a line without glue; 0: it cannot be filled
	justify   bool    // interword glue stretches and shrinks
	track     float64 // letter spacing a loose line may take, points per gap between characters
	limit     float64 // the loosest a justified line's spaces may end up (after letter spacing); 0: no limit
	flush     float64 // stretch of a line past the limit set flush left instead; 0: no such line
	tolerance float64
	// infeasible is the ratio of an underfull line's white to its stretch
	// past which the line is surely looser than the tolerance; 0: no such
	// ratio (a pass whose badness is not plain TeX's, or has no limit).
	infeasible float64
	// exhaustive: measure every line from every active node, as the
	// breaker did before it learnt to skip (the tests' reference).
	exhaustive bool
	uncapped   bool // badness grows past infBad, so the loosest line still counts
	maxRun     int  // longest run of hyphenated lines; beyond maxHyphenRun at a price
	final      bool // last resort: never fail, allow overfull lines
	overfull   bool // the final pass had to set a line wider than its measure
	sumW, sumY float64
	sumZ       float64
	sumFil     int
	sumG       int // characters of the boxes less the interword spaces: for the gaps letter spacing widens
	// best holds the cheapest breaks found at the current place, per class;
	// bestSet has a bit (fitness*(maxHyphenRun+2)+run) for each filled.
	best    classes
	bestSet uint16
	// Working lists, reused from breakpoint to breakpoint.
	store   []breakpoint
	actives []active
	added   []active
	dead    []int
	out     []breakpoint
}

// breakpoint is a chosen or candidate end of a line, kept for walking the
// best chain back once the paragraph's end is reached.
type breakpoint struct {
	pos     int     // index in nodes of the glue or penalty broken at; -1 the start
	prev    int     // index of the previous breakpoint; -1 none
	ratio   float64 // adjustment ratio of the line ending here
	flagged bool
}

// active is a breakpoint from which a line may still start. The active list
// holds one per (place, fitness class of the line ending there, run of
// hyphenated lines ending there) that is still reachable: a node leaves the
// list when the line from it to the current candidate would have to shrink
// more than its glue allows, or a forced break lies between them. Walking
// the list for each legal breakpoint, and keeping at each one the cheapest
// way to arrive per class, is the Knuth–Plass dynamic programme; the list
// stays short because lines cannot grow beyond the measure.
type active struct {
	bp       int // index into the breakpoint store
	line     int // lines set before this break
	fitness  int // 0 very loose, 1 loose, 2 decent, 3 tight
	hyphens  int // consecutive hyphenated lines ending here
	demerits float64
	// Totals of the list up to the first node of the next line (glue and
	// penalties after the break are discarded at the start of a line).
	w, y, z float64
	fil, g  int
}

// candidate is the cheapest way found so far to break at one place with a
// given fitness class and hyphen run.
type candidate struct {
	from     int // index in the active list
	demerits float64
	ratio    float64
	ok       bool
}

// classes holds the best candidate per fitness class and hyphen run.
type classes [4][maxHyphenRun + 2]candidate

// mode is what changes from one pass to the next.
type mode struct {
	tolerance float64
	limit     float64 // the loosest ratio of a justified line's spaces; 0: none
	flush     float64 // stretch of a line past the limit set flush left, at flushBadness; 0: none
	extra     float64 // stretch every line gets besides its glue
	lone      float64 // stretch of a line without any
	uncapped  bool
	maxRun    int // below maxHyphenRun counts as maxHyphenRun
	final     bool
}

// run breaks the list in the given mode and returns the chosen breakpoints
// in order, or nil when no way within tolerance exists. A pass may be run
// again: it keeps its buffers, and the breakpoints returned are valid until
// the next run.
func (ps *pass) run(nodes []node, m mode) []breakpoint {
	ps.nodes, ps.tolerance, ps.extra, ps.lone = nodes, m.tolerance, m.extra, m.lone
	ps.uncapped, ps.maxRun, ps.final, ps.limit = m.uncapped, max(m.maxRun, maxHyphenRun), m.final, m.limit
	ps.flush = m.flush
	ps.infeasible = 0
	if !m.uncapped && m.limit <= 0 && m.tolerance < infBad && !ps.exhaustive {
		// badness(r) > tolerance for every r at least this, with a margin
		// far above the rounding of the division it saves.
		ps.infeasible = math.Cbrt(m.tolerance/100) * (1 + 1e-9)
	}
	ps.sumW, ps.sumY, ps.sumZ, ps.sumFil, ps.sumG = 0, 0, 0, 0, 0
	ps.overfull = false
	if cap(ps.store) < len(nodes)/2 {
		ps.store = make([]breakpoint, 0, len(nodes)/2)
	}
	if ps.actives == nil {
		ps.actives = make([]active, 0, 64)
	}
	ps.store = append(ps.store[:0], breakpoint{pos: -1, prev: -1})
	ps.actives = append(ps.actives[:0], active{bp: 0, fitness: 2})
	for i := range ps.nodes {
		n := &ps.nodes[i]
		legal := false
		switch n.kind {
		case boxNode:
			ps.sumW += n.width
			ps.sumG += int(n.chars())
		case glueNode:
			legal = i > 0 && ps.nodes[i-1].kind == boxNode
		case penaltyNode:
			legal = n.penalty != Never
		}
		if legal && !ps.tryBreak(i) {
			return nil
		}
		if n.kind == glueNode {
			ps.sumW += n.width
			ps.sumY += glueStretch(n.width, ps.justify)
			ps.sumZ += glueShrink(n.width, ps.justify)
			if n.fil {
				ps.sumFil++
			} else {
				ps.sumG--
			}
		}
	}
	best := 0
	for k := range ps.actives {
		if ps.actives[k].demerits < ps.actives[best].demerits {
			best = k
		}
	}
	out := ps.out[:0]
	for b := ps.actives[best].bp; b > 0; b = ps.store[b].prev {
		out = append(out, ps.store[b])
	}
	ps.out = out
	for l, r := 0, len(out)-1; l < r; l, r = l+1, r-1 {
		out[l], out[r] = out[r], out[l]
	}
	return out
}

// tryBreak considers a break at node i from every active node, drops the
// nodes that can no longer reach it, and adds the best new ones. It reports
// false when no active node is left.
func (ps *pass) tryBreak(i int) bool {
	n := &ps.nodes[i]
	best := &ps.best
	for set := ps.bestSet; set != 0; set &= set - 1 {
		k := bits.TrailingZeros16(set)
		best[k/len(best[0])][k%len(best[0])].ok = false
	}
	ps.bestSet = 0
	minDemerits := math.Inf(1)
	found := false
	ps.dead = ps.dead[:0]
	for k := range ps.actives {
		a := &ps.actives[k]
		r, bad := ps.ratio(a, n)
		if math.IsInf(r, 1) && ps.infeasible > 0 && n.penalty != Always && (a.line > 0 || ps.first <= ps.width) {
			// Too loose a line, and the later nodes, which begin later
			// on a measure no narrower, only give looser ones: none of
			// them can end a line here, nor is dropped.
			break
		}
		if r < -1 || n.penalty == Always {
			ps.dead = append(ps.dead, k)
		}
		if r >= -1 && ps.consider(best, &minDemerits, a, k, n, r, bad) {
			found = true
		}
	}
	if ps.final && math.IsInf(minDemerits, 1) && len(ps.dead) == len(ps.actives) {
		// Nothing can reach here within the measure and nothing else is
		// left: an overfull line from the last node rather than none.
		k := len(ps.actives) - 1
		hy := min(ps.hyphenRun(&ps.actives[k], n), maxHyphenRun+1)
		best[3][hy] = candidate{from: k, demerits: ps.actives[k].demerits, ratio: -1, ok: true}
		ps.bestSet |= 1 << (3*len(best[0]) + hy)
		minDemerits = ps.actives[k].demerits
		found = true
		ps.overfull = true
	}
	if !found {
		ps.added = ps.added[:0] // no feasible break here
	} else {
		ps.addBreaks(i, best)
	}
	if len(ps.dead) > 0 {
		kept, d := ps.actives[:0], 0
		for k := range ps.actives {
			if d < len(ps.dead) && ps.dead[d] == k {
				d++
				continue
			}
			kept = append(kept, ps.actives[k])
		}
		ps.actives = kept
	}
	ps.actives = append(ps.actives, ps.added...)
	return len(ps.actives) > 0
}

// addBreaks records a breakpoint at node i for each class that no other
// can beat, and puts its active node in ps.added.
func (ps *pass) addBreaks(i int, best *classes) {
	n := &ps.nodes[i]
	ps.added = ps.added[:0]
	measured := false
	var w, y, z float64
	var fil, g int
	// A class alone is never dominated.
	several := ps.bestSet&(ps.bestSet-1) != 0
	var bound [maxHyphenRun + 2]float64
	if several {
		bound = dominated(best)
	}
	for set := ps.bestSet; set != 0; set &= set - 1 {
		k := bits.TrailingZeros16(set)
		fit, hy := k/len(best[0]), k%len(best[0])
		c := &best[fit][hy]
		if several && c.demerits > bound[hy] {
			continue
		}
		from := &ps.actives[c.from]
		ps.store = append(ps.store, breakpoint{pos: i, prev: from.bp, ratio: c.ratio, flagged: n.flagged})
		a := active{bp: len(ps.store) - 1, line: from.line + 1, fitness: fit, hyphens: hy, demerits: c.demerits}
		if !measured {
			w, y, z, fil, g = ps.after(i)
			measured = true
		}
		a.w, a.y, a.z, a.fil, a.g = w, y, z, fil, g
		ps.added = append(ps.added, a)
	}
}

// dominated returns, per hyphen run, the demerits above which a class can
// be dropped. A break ending a shorter run is never worse for the lines
// that follow (no double-hyphen demerits, no run limit), and the fitness
// of the next line costs at most adjDemerits more: so a class loses for
// good to any class at most adjDemerits cheaper whose run is no longer.
// Comparing with the best of all classes instead would drop the only
// breaks from which a further hyphen is allowed.
func dominated(best *classes) [maxHyphenRun + 2]float64 {
	var bound [maxHyphenRun + 2]float64
	least := math.Inf(1)
	for hy := range bound {
		for fit := range best {
			if c := &best[fit][hy]; c.ok {
				least = min(least, c.demerits)
			}
		}
		bound[hy] = least + adjDemerits
	}
	return bound
}

// hyphenRun is the run of hyphenated lines a break at n from a would end.
func (ps *pass) hyphenRun(a *active, n *node) int {
	if n.flagged {
		return a.hyphens + 1
	}
	return 0
}

// consider records the break at n from active a (index k) if it is
// feasible and the cheapest of its class so far, and reports whether it
// was feasible.
func (ps *pass) consider(best *classes, minD *float64, a *active, k int, n *node, r, bad float64) bool {
	if bad > ps.tolerance || math.IsInf(bad, 1) {
		return false
	}
	hy := ps.hyphenRun(a, n)
	if hy > ps.maxRun {
		return false
	}
	d := demerits(bad, n)
	if n.flagged && a.hyphens > 0 {
		d += doubleHyphenDemerits
	}
	if hy > maxHyphenRun {
		d += tripleHyphenDemerits
		hy = maxHyphenRun + 1 // the same class for any longer run
	}
	if n.penalty == Always && a.hyphens > 0 {
		d += finalHyphenDemerits
	}
	fit := fitness(r)
	if fit-a.fitness > 1 || a.fitness-fit > 1 {
		d += adjDemerits
	}
	d += a.demerits
	c := &best[fit][hy]
	if !c.ok || d < c.demerits {
		*c = candidate{from: k, demerits: d, ratio: r, ok: true}
		ps.bestSet |= 1 << (fit*len(best[0]) + hy)
	}
	if d < *minD {
		*minD = d
	}
	return true
}

// ratio returns the adjustment ratio and badness of the line from a to a
// break at n.
func (ps *pass) ratio(a *active, n *node) (r, bad float64) {
	width := ps.width
	if a.line == 0 {
		width = ps.first
	}
	l := ps.sumW - a.w
	if n.kind == penaltyNode {
		l += n.width
	}
	switch {
	case l < width:
		if ps.sumFil > a.fil {
			return 0, 0
		}
		glue := ps.sumY - a.y
		y := glue + ps.extra
		if y <= 0 {
			// A lone word: the white after it counts as one wide space.
			y = ps.lone
		}
		if y <= 0 {
			return math.Inf(1), ps.badness(math.Inf(1))
		}
		if ps.infeasible > 0 && width-l > y*ps.infeasible {
			// Too loose for this pass: the ratio is not needed.
			return math.Inf(1), math.Inf(1)
		}
		r = (width - l) / y
		if ps.limit > 0 && ps.justify && r > ps.limit && (glue <= 0 || ps.spaced(a, n, width-l, glue) > ps.limit) {
			// Past the limit even with letter spacing (a word alone is
			// held to it as one wide space): the line cannot be
			// justified. It may be set flush left, as dear as a line of
			// ratio 4.6 and the dearer the more white it leaves.
			if ps.flush <= 0 {
				return r, math.Inf(1)
			}
			rf := (width - l) / ps.flush
			return rf, flushBadness + ps.badness(rf)
		}
	case l > width:
		z := ps.sumZ - a.z
		if z <= 0 {
			return math.Inf(-1), infBad
		}
		r = (width - l) / z
	default:
		return 0, 0
	}
	return r, ps.badness(r)
}

// spaced is the ratio the spaces of the line from a to a break at n end
// up with when justify gives part of its white to letter spacing (as it
// does past trackFrom); white is what the line lacks of the measure and
// glue its spaces' stretch.
func (ps *pass) spaced(a *active, n *node, white, glue float64) float64 {
	r := white / glue
	if ps.track <= 0 || r <= trackFrom {
		return r
	}
	gaps := ps.sumG - a.g - 1
	if n.kind == penaltyNode {
		gaps += utf8.RuneCountInString(n.pre())
	}
	return max(trackFrom, (white-ps.track*float64(max(gaps, 0)))/glue)
}

// badness of a line set with ratio r in this pass.
func (ps *pass) badness(r float64) float64 {
	if ps.uncapped {
		return 100 * math.Abs(r*r*r)
	}
	return badness(r)
}

// after returns the totals up to the first box after a break at i: glue and
// penalties there vanish at the start of the next line.
func (ps *pass) after(i int) (w, y, z float64, fil, g int) {
	w, y, z, fil, g = ps.sumW, ps.sumY, ps.sumZ, ps.sumFil, ps.sumG
	for j := i; j < len(ps.nodes); j++ {
		n := &ps.nodes[j]
		if n.kind == boxNode || (j > i && n.kind == penaltyNode && n.penalty == Always) {
			break
		}
		if n.kind == glueNode {
			w += n.width
			y += glueStretch(n.width, ps.justify)
			z += glueShrink(n.width, ps.justify)
			if n.fil {
				fil++
			} else {
				g--
			}
		}
	}
	return w, y, z, fil, g
}

// badness is TeX's 100·|r|³, capped at infBad.
func badness(r float64) float64 {
	b := 100 * math.Abs(r*r*r)
	if b > infBad {
		return infBad
	}
	return b
}

// demerits of one line: (line penalty + badness)² ± penalty².
func demerits(bad float64, n *node) float64 {
	d := (linePenalty + bad) * (linePenalty + bad)
	if n.kind != penaltyNode || n.penalty == Always {
		return d
	}
	p := float64(n.penalty)
	if p >= 0 {
		return d + p*p
	}
	return d - p*p
}

// fitness classes as TeX: very loose, loose, decent, tight.
func fitness(r float64) int {
	switch {
	case r > 1:
		return 0
	case r > 0.5:
		return 1
	case r >= -0.5:
		return 2
	}
	return 3
}
