package typeset

import (
	"slices"
	"unicode/utf8"
)

// assemble turns the chosen breakpoints into positioned lines. Widths are
// measured again on whole items, so that the justified spaces fill the
// measure exactly whatever the face does inside a word. fragW gives the
// width of a whole fragment when it is known (else a negative number).
// glues is working space, kept by the caller for the next paragraph; the
// lines go into dst's arrays unless it is nil.
func assemble(nodes []node, bps []breakpoint, words []word, faces Faces, p Params, fragW func(word, frag int) float64, glues *[]lineGlue, dst *Lines) []Line {
	// One backing array for all items; each line gets its own window. A
	// line has an item per fragment, and a fragment broken across lines
	// one more.
	frags := len(bps)
	for _, w := range words {
		frags += len(w.frags)
	}
	var lines []Line
	var items []Item
	if dst != nil {
		lines = slices.Grow(dst.lines[:0], len(bps))
		items = slices.Grow(dst.items[:0], frags)
	} else {
		lines = make([]Line, 0, len(bps))
		items = make([]Item, 0, frags)
	}
	start := 0
	for li, bp := range bps {
		var line Line
		line, *glues = setLine(nodes, start, bp.pos, words, faces, p, fragW, li == 0, items[len(items):len(items):cap(items)], (*glues)[:0])
		items = items[:len(items)+len(line.Items)]
		line.Items = line.Items[:len(line.Items):len(line.Items)]
		line.Last = li == len(bps)-1
		lines = append(lines, line)
		start = bp.pos + 1
	}
	if dst != nil {
		dst.lines, dst.items = lines, items
	}
	return lines
}

// lineGlue is an interword space of a line being set.
type lineGlue struct {
	item                   int // the item it follows
	width, stretch, shrink float64
}

// setLine sets nodes [start, end) as one line broken at nodes[end].
// Items are appended to items; glues is working space, returned for reuse.
func setLine(nodes []node, start, end int, words []word, faces Faces, p Params, fragW func(word, frag int) float64, first bool, items []Item, glues []lineGlue) (Line, []lineGlue) {
	line := Line{Width: p.Width, Items: items}
	var ragged bool
	line.Items, glues, ragged = collect(nodes, start, end, words, p, fragW, line.Items, glues)
	if b := &nodes[end]; b.kind == penaltyNode && b.hyphen && len(line.Items) > 0 {
		pre := b.pre()
		line.Items[len(line.Items)-1].Text += pre
		line.Items[len(line.Items)-1].Added = len(pre)
		line.Items[len(line.Items)-1].W = -1
		line.Hyphenated = true
	}
	if b := &nodes[end]; b.kind == penaltyNode && b.penalty == Always {
		ragged = true
	} else if b.kind == penaltyNode && len(line.Items) > 0 {
		line.Continues = true
	}
	indent := 0.0
	if first {
		indent = p.FirstIndent
	}
	justify(&line, glues, faces, p, indent, ragged)
	return line, glues
}

// collect gathers the items and interword glue of nodes [start, end),
// joining the pieces of a fragment that was not broken, and reports whether
// the line is set ragged. An item's W is the width of its fragment when it
// is a whole one measured before, else -1.
func collect(nodes []node, start, end int, words []word, p Params, fragW func(word, frag int) float64, items []Item, glues []lineGlue) ([]Item, []lineGlue, bool) {
	for start < end && nodes[start].kind != boxNode {
		start++ // glue and penalties vanish at a line's start
	}
	ragged := !p.Justify
	var from int32 // byte start of the last item in its fragment
	lastWord, lastFrag := int32(-1), int16(-1)
	for i := start; i < end; i++ {
		n := &nodes[i]
		switch {
		case n.kind == boxNode:
			f := words[n.word].frags[n.frag]
			if n.word == lastWord && n.frag == lastFrag {
				it := &items[len(items)-1]
				it.Text = f.text[from:n.to]
				it.W = -1
				if from == 0 && int(n.to) == len(f.text) {
					it.W = fragW(int(n.word), int(n.frag))
				}
				continue
			}
			w := -1.0
			if n.from == 0 && int(n.to) == len(f.text) {
				w = fragW(int(n.word), int(n.frag))
			}
			items = append(items, Item{Text: f.text[n.from:n.to], Style: f.style, W: w})
			from, lastWord, lastFrag = n.from, n.word, n.frag
		case n.kind == glueNode && n.fil:
			ragged = true
		case n.kind == glueNode && len(items) > 0:
			glues = append(glues, lineGlue{len(items) - 1, n.width, glueStretch(n.width, p.Justify), glueShrink(n.width, p.Justify)})
			lastWord = -1
		}
	}
	return items, glues, ragged
}

// MaxSpace is the widest a justified line's spaces are set, as a multiple
// of their normal width, once letter spacing has taken its share: a line
// that would need more is set flush left. limitRatio is the adjustment
// ratio that gives it.
const (
	MaxSpace   = 1.7
	limitRatio = (MaxSpace - 1) / stretchRatio
)

// justify measures the line's items and sets its spaces: stretched or
// shrunk to the measure, or natural when ragged (shrunk all the same if
// the line is too wide). Stretched past trackFrom, the spaces keep that
// much and the gaps between letters take the rest, up to Params.Tracking.
func justify(line *Line, glues []lineGlue, faces Faces, p Params, indent float64, ragged bool) {
	natural := indent
	for i := range line.Items {
		it := &line.Items[i]
		if it.W < 0 {
			it.W = faces.Face(it.Style.Face()).Width(it.Text) * p.Size
		}
		natural += it.W
	}
	var stretch, shrink float64
	for _, g := range glues {
		natural += g.width
		stretch += g.stretch
		shrink += g.shrink
	}
	line.Natural = natural
	r := 0.0
	switch {
	case natural > p.Width && shrink > 0:
		r = max((p.Width-natural)/shrink, -1)
	case !ragged && natural < p.Width && stretch > 0:
		r = (p.Width - natural) / stretch
	}
	var t float64 // letter spacing
	if r > trackFrom && p.Tracking > 0 {
		if gaps := letterGaps(line.Items, glues); gaps > 0 {
			t = min(p.Tracking*p.Size, (p.Width-natural-trackFrom*stretch)/float64(gaps))
			r = (p.Width - natural - t*float64(gaps)) / stretch
		}
	}
	switch {
	case r > limitRatio+limitSlack:
		// Spaces this wide read as holes (a line of few long words, or
		// before an address that cannot break further) and no breaking
		// did better: set it flush left instead.
		r, t, ragged = 0, 0, true
		line.Flush = true
	case !ragged && p.Justify && len(glues) == 0 && natural < p.Width:
		// A word alone on a line of a justified paragraph: flush left
		// too when its white, counted as one space, passes the limit.
		if space := spaceWidth(faces, 0, p.Size); 1+(p.Width-natural)/space > MaxSpace+limitSlack {
			line.Flush = true
		}
	}
	if t > 0 {
		line.Tracking = t
		for i := range line.Items {
			line.Items[i].W += t * float64(utf8.RuneCountInString(line.Items[i].Text)-1)
		}
	}
	line.Ratio = r
	line.Justified = len(glues) > 0 && (!ragged || r < 0)
	for _, g := range glues {
		adj := g.width + r*g.stretch
		if r < 0 {
			adj = g.width + r*g.shrink
		}
		line.Items[g.item].SpaceAfter = adj
	}
	x := indent
	for i := range line.Items {
		line.Items[i].X = x
		x += line.Items[i].W + line.Items[i].SpaceAfter
		if line.Items[i].SpaceAfter == 0 {
			x += line.Tracking // the next piece of the same word
		}
	}
}

// limitSlack covers the difference between the widths the breaker sums and
// those justify measures on whole items: a line the breaker kept within
// MaxSpace stays justified.
const limitSlack = 1e-6

// trackFrom is the adjustment ratio up to which a justified line's spaces
// take all its white: 1.3 times their normal width. Beyond it the letters
// share it (Params.Tracking).
const trackFrom = (1.3 - 1) / stretchRatio

// letterGaps counts the gaps between characters that letter spacing
// widens: inside each item, and between the pieces of a word split
// across items (no space after the piece).
func letterGaps(items []Item, glues []lineGlue) int {
	n := 0
	for i, it := range items {
		n += utf8.RuneCountInString(it.Text) - 1
		if i < len(items)-1 {
			n++ // joined to the next item unless a space follows
		}
	}
	return n - len(glues)
}
