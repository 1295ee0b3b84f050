package typeset

import (
	"math"
	"sync"
)

// Typesetter breaks paragraphs into lines. It is safe for concurrent use;
// build one at start-up and share it.
type Typesetter struct {
	hyph *Hyphenator
	// exhaustive: see pass.exhaustive.
	exhaustive bool
	// states holds the working arrays of finished paragraphs (*setState)
	// for the next ones.
	states sync.Pool
}

// setState is the working memory of setting one paragraph.
type setState struct {
	words wordBuf
	b     builder
	ps    pass
	glues []lineGlue // interword spaces of the line being assembled
}

// maxKeptNodes bounds the node array a state keeps for reuse: the state of
// a very long paragraph is left to the collector.
const maxKeptNodes = 1 << 14

// New returns a Typesetter that hyphenates with h (nil: no hyphenation).
func New(h *Hyphenator) *Typesetter { return &Typesetter{hyph: h} }

// Set breaks a paragraph into lines with the Knuth–Plass algorithm, in up to
// five passes: as TeX, without hyphenation within pretolerance, then with
// hyphenation within tolerance; then with the real badness of each line,
// uncapped, so that the loosest line decides and a hyphen beats a gap, but
// no justified line's spaces past MaxSpace once letter spacing has taken
// its share; then, if no breaking keeps within that, the same with the
// lines past it set flush left, as few and as full as can be; then with
// emergency stretch, accepting any line rather than none (a word wider
// than the measure). A justified line looser than MaxSpace is set flush
// left. "\n" in a span forces a line break; the lines before it and the
// last line are set ragged.
func (t *Typesetter) Set(spans []Span, faces Faces, p Params) []Line {
	return t.SetInto(nil, spans, faces, p)
}

// Lines is memory for SetInto to reuse: the lines of a paragraph and their
// items. The zero value is ready to use; it is not safe for concurrent use.
type Lines struct {
	lines []Line
	items []Item
}

// Reset forgets the lines set last, so the arrays hold no text.
func (b *Lines) Reset() {
	clear(b.lines[:cap(b.lines)])
	clear(b.items[:cap(b.items)])
	b.lines, b.items = b.lines[:0], b.items[:0]
}

// Cap is the number of lines and items the arrays have room for.
func (b *Lines) Cap() (lines, items int) { return cap(b.lines), cap(b.items) }

// SetInto is Set with the lines and their items in buf's arrays, valid
// until the next call with buf. A nil buf gives new arrays, as Set.
func (t *Typesetter) SetInto(buf *Lines, spans []Span, faces Faces, p Params) []Line {
	st, _ := t.states.Get().(*setState)
	if st == nil {
		st = new(setState)
	}
	lines := t.set(st, spans, faces, p, buf)
	if cap(st.b.nodes) <= maxKeptNodes {
		st.words.clear()
		st.b.faces = nil
		t.states.Put(st)
	}
	return lines
}

func (t *Typesetter) set(st *setState, spans []Span, faces Faces, p Params, buf *Lines) []Line {
	words := st.words.split(spans)
	if len(words) == 0 {
		if buf != nil {
			buf.lines = append(buf.lines[:0], Line{Width: p.Width, Last: true})
			return buf.lines
		}
		return []Line{{Width: p.Width, Last: true}}
	}
	hyph := t.hyph
	if !p.Hyphenate {
		hyph = nil
	}
	var extra float64
	if !p.Justify {
		extra = raggedStretch * p.Size
	}
	b := &st.b
	b.reset(faces, p, words)
	nodes := b.build()
	ps := &st.ps
	ps.width, ps.first, ps.justify = p.Width, p.Width-p.FirstIndent, p.Justify
	ps.exhaustive = t.exhaustive
	ps.track = 0
	if p.Justify {
		ps.track = max(p.Tracking, 0) * p.Size
	}
	bps := ps.run(nodes, mode{tolerance: pretolerance, extra: extra})
	if bps == nil {
		if hyph != nil {
			// The list with discretionaries replaces the plain one.
			b.hyph = hyph
			nodes = b.build()
		}
		bps = ps.run(nodes, mode{tolerance: tolerance, extra: extra})
	}
	if bps == nil {
		// Capped at infBad, every line too loose would cost the same.
		lone := glueStretch(spaceWidth(faces, 0, p.Size), true)
		loose := mode{tolerance: math.Inf(1), extra: extra, lone: lone, uncapped: true, maxRun: maxHyphenRun + 1}
		if !p.Justify {
			bps = ps.run(nodes, loose)
		} else {
			loose.limit = limitRatio
			if bps = ps.run(nodes, loose); bps == nil {
				loose.flush = raggedStretch * p.Size
				bps = ps.run(nodes, loose)
			}
		}
	}
	if bps == nil {
		final := mode{tolerance: infBad, extra: extra + emergencyStretch*p.Size, maxRun: math.MaxInt, final: true}
		bps = ps.run(nodes, final)
		if ps.overfull {
			// A word is wider than the measure: rather than let it run
			// into the margin, break it where nothing else will do.
			b.hyph, b.emergency = hyph, true
			nodes = b.build()
			bps = ps.run(nodes, final)
		}
	}
	return assemble(nodes, bps, words, faces, p, b.fragWidth, &st.glues, buf)
}
