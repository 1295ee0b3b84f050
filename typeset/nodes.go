package typeset

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// kind tells what a node of the horizontal list is.
type kind uint8

const (
	boxNode     kind = iota // a piece of a word: never stretches
	glueNode                // an interword space, or the fill that ends a line
	penaltyNode             // a possible break with its cost
)

// node is one element of the list the line breaker sees. A discretionary
// hyphen is a flagged penalty whose width is that of the text it adds
// before the break ("-", or "l-" in till-låta). Glue stretches and shrinks
// by fixed shares of its width when the paragraph is justified. Nodes are
// kept small (32 bytes): a paragraph has hundreds.
type node struct {
	width float64 // points: box or natural glue width; penalty: width added when broken here
	// penalty is the cost of breaking at a penalty node. A box, which is
	// never broken at, holds its number of characters there instead when
	// the paragraph may be letter-spaced (see chars).
	penalty int32
	// Box content: words[word].frags[frag].text[from:to].
	word     int32
	from, to int32
	restore  uint16 // discretionary: consonant drawn before the hyphen (a Latin letter), or 0
	frag     int16
	kind     kind
	fil      bool // glue that stretches without limit (end of paragraph, forced break)
	flagged  bool // penalty: the line ends with a hyphen
	hyphen   bool // penalty: a hyphen is drawn when broken here
}

// chars is the number of characters of box n, counted when the paragraph
// may be letter-spaced (Params.Tracking), else 0.
func (n *node) chars() int32 { return n.penalty }

// pre is the text a break at penalty n adds to its line.
func (n *node) pre() string {
	switch {
	case !n.hyphen:
		return ""
	case n.restore != 0:
		return string(rune(n.restore)) + "-"
	}
	return "-"
}

// glueStretch and glueShrink of interword glue of the given width.
func glueStretch(width float64, justify bool) float64 {
	if justify {
		return width * stretchRatio
	}
	return 0
}

func glueShrink(width float64, justify bool) float64 {
	if justify {
		return width * shrinkRatio
	}
	return 0
}

// Glue proportions of the normal space, and the ragged-right stretch of a
// line in ems (plain TeX's \raggedright uses 2 em).
const (
	stretchRatio  = 1.0 / 2
	shrinkRatio   = 1.0 / 3
	raggedStretch = 2.0
)

// Penalties of breaks inside words.
const (
	hyphenPenalty   = 200  // TeX's 50 hyphenates a quarter of the lines of our prose; 200 a fifth, within the grey targets
	exHyphenPenalty = 50   // after the word's own hyphen (EU-|direktiv)
	urlPenalty      = 100  // inside a URL or an e-mail address, where nothing is drawn
	forcedPenalty   = 1000 // last resort inside a word wider than the measure
)

// builder turns words into nodes: without hyphenation for the first pass,
// then again with it (hyph set) for the next.
type builder struct {
	faces   Faces
	p       Params
	hyph    *Hyphenator // nil: no hyphenation in this pass
	words   []word
	nodes   []node
	scratch []Break
	cuts    []cut
	forced  []cut // cuts of a word too wide for the line, in an emergency
	// Widths of whole fragments, by fragBase[word]+frag; -1 not measured.
	fragW    []float64
	fragBase []int
	// Normal interword space by Style.Face(); -1 not measured.
	spaceW [4]float64
	// emergency: words wider than the measure may break between any two
	// characters (the last resort before a line runs past its margin).
	emergency bool
}

// reset prepares the builder, and the arrays it keeps, for a paragraph.
func (b *builder) reset(faces Faces, p Params, words []word) {
	b.faces, b.p, b.hyph, b.words, b.emergency = faces, p, nil, words, false
	// Room for the discretionaries of a second pass: our prose needs
	// about 4.5 nodes a word.
	b.nodes = grow(b.nodes, 5*len(words)+8)
	b.fragBase = grow(b.fragBase, len(words)+1)[:len(words)+1]
	b.fragBase[0] = 0
	for i, w := range words {
		b.fragBase[i+1] = b.fragBase[i] + len(w.frags)
	}
	n := b.fragBase[len(words)]
	b.fragW = grow(b.fragW, n)[:n]
	for i := range b.fragW {
		b.fragW[i] = -1
	}
	b.spaceW = [4]float64{-1, -1, -1, -1}
}

// fragWidth is the width of a whole fragment if it was measured, else -1.
func (b *builder) fragWidth(wi, fi int) float64 {
	return b.fragW[b.fragBase[wi]+fi]
}

// build lays the words out as nodes, reusing the builder's node array.
func (b *builder) build() []node {
	b.nodes = b.nodes[:0]
	for i, w := range b.words {
		if i > 0 && !b.words[i-1].breakAfter {
			b.glue(lastStyle(b.words[i-1]))
		}
		b.word(i, w)
		if w.breakAfter || i == len(b.words)-1 {
			// \hfil\break: the line ends ragged; the last one too.
			b.nodes = append(b.nodes,
				node{kind: penaltyNode, penalty: Never},
				node{kind: glueNode, fil: true},
				node{kind: penaltyNode, penalty: Always})
		}
	}
	return b.nodes
}

func (b *builder) glue(st Style) {
	f := st.Face()
	if b.spaceW[f] < 0 {
		b.spaceW[f] = spaceWidth(b.faces, f, b.p.Size)
	}
	b.nodes = append(b.nodes, node{kind: glueNode, width: b.spaceW[f]})
}

// word adds the boxes of word wi, with a penalty at each place it may break.
func (b *builder) word(wi int, w word) {
	cuts := b.wordBreaks(wi, w)
	if len(cuts) > 0 {
		cuts = b.keepLastLine(wi, cuts)
	}
	if len(cuts) == 0 {
		for fi := range w.frags {
			b.wholeBox(wi, fi)
		}
		return
	}
	runeAt, k := 0, 0 // rune offset of the fragment's start; next cut
	for fi, f := range w.frags {
		face := b.faces.Face(f.style.Face())
		from := 0
		n := utf8.RuneCountInString(f.text)
		for k < len(cuts) && cuts[k].At < runeAt+n {
			c := cuts[k]
			k++
			if c.At <= runeAt {
				if c.At == runeAt && fi > 0 {
					b.penalty(c, w.frags[fi-1].style)
				}
				continue
			}
			to := byteOffset(f.text, from, c.At-runeAt)
			b.box(face, wi, fi, f.text, from, to)
			b.penalty(c, f.style)
			from, runeAt = to, c.At
		}
		switch {
		case from == 0:
			b.wholeBox(wi, fi)
		case from < len(f.text):
			b.box(face, wi, fi, f.text, from, len(f.text))
		}
		runeAt += utf8.RuneCountInString(f.text[from:])
	}
}

// wholeBox adds a box for a whole fragment, measured once for all passes.
func (b *builder) wholeBox(wi, fi int) {
	f := b.words[wi].frags[fi]
	k := b.fragBase[wi] + fi
	if b.fragW[k] < 0 {
		b.fragW[k] = b.faces.Face(f.style.Face()).Width(f.text) * b.p.Size
	}
	b.nodes = append(b.nodes, node{kind: boxNode, width: b.fragW[k], penalty: b.chars(f.text),
		word: int32(wi), frag: int16(fi), from: 0, to: int32(len(f.text))})
}

func (b *builder) box(face Face, wi, fi int, text string, from, to int) {
	b.nodes = append(b.nodes, node{kind: boxNode, width: face.Width(text[from:to]) * b.p.Size,
		penalty: b.chars(text[from:to]), word: int32(wi), frag: int16(fi), from: int32(from), to: int32(to)})
}

// chars counts the characters of a box's text when the breaker needs them
// to know how much letter spacing a line can take.
func (b *builder) chars(text string) int32 {
	if !b.p.Justify || b.p.Tracking <= 0 {
		return 0
	}
	return int32(min(utf8.RuneCountInString(text), math.MaxInt32))
}

// byteOffset returns the byte index in s that lies runes runes after byte from.
func byteOffset(s string, from, runes int) int {
	i := from
	for ; runes > 0 && i < len(s); runes-- {
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return i
}

// cut is a place a word may break.
type cut struct {
	Break
	kind cutKind
}

// cutKind tells what a break inside a word draws and costs.
type cutKind uint8

const (
	hyphenCut   cutKind = iota // discretionary hyphen: Pre and "-" are drawn
	afterHyphen                // just after the word's own hyphen (EU-|direktiv)
	urlCut                     // inside a URL or an e-mail address: nothing drawn
	forcedCut                  // between two letters of a word too wide for the line: "-" drawn
	forcedBare                 // elsewhere in a word too wide for the line: nothing drawn
)

func (b *builder) penalty(c cut, st Style) {
	var n node
	switch c.kind {
	case afterHyphen:
		n = node{kind: penaltyNode, flagged: true, penalty: exHyphenPenalty}
	case urlCut:
		n = node{kind: penaltyNode, penalty: urlPenalty}
	case forcedBare:
		n = node{kind: penaltyNode, penalty: forcedPenalty}
	default:
		n = node{kind: penaltyNode, flagged: true, hyphen: true, penalty: hyphenPenalty}
		if c.kind == forcedCut {
			n.penalty = forcedPenalty
		}
		if r, _ := utf8.DecodeRuneInString(c.Pre); c.Pre != "" && r <= 0xFFFF {
			n.restore = uint16(r)
		}
		n.width = b.faces.Face(st.Face()).Width(n.pre()) * b.p.Size
	}
	b.nodes = append(b.nodes, n)
}

// lastLineLetters is the fewest letters a hyphen may leave on the last
// line of a paragraph: "kro-" / "nor." leaves three and reads as a stray
// syllable, "avtal-" / "ningen." leaves six and reads as a word.
const lastLineLetters = 5

// keepLastLine drops the hyphenation points of word wi that would leave
// fewer than lastLineLetters letters to the end of its paragraph (or of
// the line a forced break ends), counting the words after it. A break at
// the space before the word is always left, so the rule never makes a
// paragraph unsettable; what is dropped is only a way to fill the line
// before. Breaks inside addresses and emergency breaks are kept: they are
// there to make a line fit at all.
func (b *builder) keepLastLine(wi int, cuts []cut) []cut {
	tail := 0 // letters after word wi up to the paragraph's end, counted up to lastLineLetters
	for j := wi; tail < lastLineLetters && !b.words[j].breakAfter && j+1 < len(b.words); j++ {
		tail += countLetters(b.words[j+1], 0, lastLineLetters-tail)
	}
	if tail >= lastLineLetters {
		return cuts
	}
	w := b.words[wi]
	out := cuts[:0]
	for _, c := range cuts {
		if (c.kind == hyphenCut || c.kind == afterHyphen) && tail+countLetters(w, c.At, lastLineLetters) < lastLineLetters {
			continue
		}
		out = append(out, c)
	}
	return out
}

// countLetters counts the letters and digits of w from rune offset from, up to
// most.
func countLetters(w word, from, most int) int {
	n, at := 0, 0
	for _, f := range w.frags {
		for _, r := range f.text {
			if at >= from && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
				if n++; n >= most {
					return n
				}
			}
			at++
		}
	}
	return n
}

// wordBreaks lists where word wi may break, in rune offsets of the whole
// word: in a URL or an e-mail address at its separators (from the second
// pass on); else after its own hyphens if it has any, else at the
// hyphenation points when this pass hyphenates. Nothing inside NoHyphen
// fragments. In an emergency, a word wider than the measure may also break
// between any two characters.
func (b *builder) wordBreaks(wi int, w word) []cut {
	text := w.text()
	cuts := b.usualBreaks(w, text)
	if b.emergency && b.wordWidth(wi, w) > min(b.p.Width, b.p.Width-b.p.FirstIndent) {
		return b.forcedCuts(text, cuts)
	}
	return cuts
}

// usualBreaks is wordBreaks but for an emergency.
func (b *builder) usualBreaks(w word, text string) []cut {
	hyphen, nb, address := scanWord(text)
	if address {
		if b.hyph == nil && !b.emergency {
			return nil
		}
		b.cuts = urlCuts(b.cuts[:0], text)
		return b.cuts
	}
	if hyphen {
		b.cuts = hyphenCuts(b.cuts[:0], text)
		return keepHyphenable(w, b.cuts)
	}
	if b.hyph == nil || !b.p.Hyphenate {
		return nil
	}
	// Parts glued by no-break spaces are hyphenated each on its own:
	// 1 de-cem-ber.
	b.scratch = b.scratch[:0]
	if !nb {
		b.scratch = b.hyph.appendBreaks(b.scratch, text)
	} else {
		b.partBreaks(text)
	}
	if len(b.scratch) == 0 {
		return nil
	}
	b.cuts = b.cuts[:0]
	for _, br := range b.scratch {
		b.cuts = append(b.cuts, cut{Break: br})
	}
	return keepHyphenable(w, b.cuts)
}

// wordWidth is the natural width of word wi, in points.
func (b *builder) wordWidth(wi int, w word) float64 {
	total := 0.0
	for fi, f := range w.frags {
		k := b.fragBase[wi] + fi
		if b.fragW[k] < 0 {
			b.fragW[k] = b.faces.Face(f.style.Face()).Width(f.text) * b.p.Size
		}
		total += b.fragW[k]
	}
	return total
}

// scanWord reports whether text holds a hyphen (- or ‐, U+2010), a
// no-break space, and whether it is a URL or an e-mail address (as
// protected has it), in one pass over its bytes.
func scanWord(text string) (hyphen, nb, address bool) {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '-':
			hyphen = true
		case 0xE2: // ‐ is E2 80 90
			if i+2 < len(text) && text[i+1] == 0x80 && text[i+2] == 0x90 {
				hyphen = true
			}
		case 0xC2: // no-break space is C2 A0
			if i+1 < len(text) && text[i+1] == 0xA0 {
				nb = true
			}
		case '@', ':', 'w':
			address = address || protected(text)
		}
	}
	return hyphen, nb, address
}

// partBreaks appends to b.scratch the breaks of each part of text between
// no-break spaces.
func (b *builder) partBreaks(text string) {
	off := 0
	for part := range strings.SplitSeq(text, nbsp) {
		n := len(b.scratch)
		b.scratch = b.hyph.appendBreaks(b.scratch, part)
		for i := n; i < len(b.scratch); i++ {
			b.scratch[i].At += off
		}
		off += utf8.RuneCountInString(part) + 1
	}
}

// hyphenCuts appends the breaks after the word's own hyphens that have two
// letters on each side (EU-|direktiv, not 070-123 nor e-post). A word with a
// hyphen breaks nowhere else.
func hyphenCuts(cuts []cut, text string) []cut {
	var buf [64]rune
	rs := buf[:0]
	for _, r := range text {
		rs = append(rs, r)
	}
	for i, r := range rs {
		if r != '-' && r != '‐' {
			continue
		}
		if i >= 2 && i+2 < len(rs) && allLetters(rs[i-2:i]) && allLetters(rs[i+1:i+3]) {
			cuts = append(cuts, cut{Break: Break{At: i + 1}, kind: afterHyphen})
		}
	}
	return cuts
}

func allLetters(rs []rune) bool {
	for _, r := range rs {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// keepHyphenable drops the cuts that touch a NoHyphen fragment.
func keepHyphenable(w word, cuts []cut) []cut {
	noHyph := false
	for _, f := range w.frags {
		noHyph = noHyph || f.style&NoHyphen != 0
	}
	if !noHyph {
		return cuts
	}
	out := cuts[:0]
	for _, c := range cuts {
		if styleAt(w, c.At-1)&NoHyphen == 0 && styleAt(w, c.At)&NoHyphen == 0 {
			out = append(out, c)
		}
	}
	return out
}

// styleAt is the style of the word's rune at offset at.
func styleAt(w word, at int) Style {
	for _, f := range w.frags {
		n := utf8.RuneCountInString(f.text)
		if at < n {
			return f.style
		}
		at -= n
	}
	return lastStyle(w)
}

// urlCuts appends the places a URL or an e-mail address may break, as the
// Chicago Manual of Style has it: after a double slash; before a single
// slash, a full stop, a comma, a hyphen, an underscore, a question mark, a
// number sign, a percent sign, a tilde or an at sign; before or after an
// equals sign or an ampersand. Each piece keeps at least two characters,
// and nothing is added to the address.
func urlCuts(cuts []cut, text string) []cut {
	var buf [128]rune
	rs := buf[:0]
	for _, r := range text {
		rs = append(rs, r)
	}
	for i := minPiece; i <= len(rs)-minPiece; i++ {
		if urlBreak(rs, i) {
			cuts = append(cuts, cut{Break: Break{At: i}, kind: urlCut})
		}
	}
	return cuts
}

// minPiece is the fewest characters left on either side of a break inside
// a URL or a word that cannot be set otherwise.
const minPiece = 2

// urlBreak reports whether a URL may break before rs[i].
func urlBreak(rs []rune, i int) bool {
	prev, next := rs[i-1], rs[i]
	switch {
	case prev == '/' && i >= 2 && rs[i-2] == '/':
		return next != '/'
	case next == '/':
		return prev != '/' && prev != ':' && (i+1 >= len(rs) || rs[i+1] != '/')
	case prev == '=' || prev == '&':
		return true
	}
	return strings.ContainsRune(".,-_?#%~@=&", next) && !strings.ContainsRune(":/", prev)
}

// forcedCuts adds to the usual cuts of a word too wide for any line a
// break between every other two characters, at least minPiece from either
// end: with a hyphen between two letters of a word, with nothing in a URL
// or an e-mail address or beside a digit or a sign. The usual cuts keep
// their lower cost.
func (b *builder) forcedCuts(text string, usual []cut) []cut {
	var buf [128]rune
	rs := buf[:0]
	for _, r := range text {
		rs = append(rs, r)
	}
	url := protected(text)
	forced := b.forced[:0]
	k := 0
	for i := minPiece; i <= len(rs)-minPiece; i++ {
		for k < len(usual) && usual[k].At < i {
			forced = append(forced, usual[k]) // the few within minPiece of the start
			k++
		}
		if k < len(usual) && usual[k].At == i {
			forced = append(forced, usual[k])
			k++
			continue
		}
		kind := forcedBare
		if !url && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i]) {
			kind = forcedCut
		}
		forced = append(forced, cut{Break: Break{At: i}, kind: kind})
	}
	forced = append(forced, usual[k:]...)
	b.forced = forced
	return forced
}
