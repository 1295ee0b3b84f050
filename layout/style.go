package layout

import (
	"context"
	"sync"

	"utdrag/templates"
	"utdrag/typeset"
)

// style is a template resolved for one layout run: page geometry in points,
// families and sizes.
type style struct {
	e             *Engine
	t             *templates.Template
	body, heading *family
	pageW, pageH  float64
	margins       Rect // the printable area
	area          Rect // the text area
	header        Rect // the running header band
	footer        Rect // the footer band
	size, lead    float64
	small         float64
	// slab is where the lines' texts are cut from: a few allocations per
	// document instead of one per line. Only items refer to it; paginate
	// copies the texts onto the pages.
	slab *slab
	ctx  context.Context // nil: never done
}

// slab hands out slices of large, pooled arrays of texts, and keeps the
// vertical list's array for the next document.
type slab struct {
	// chunks are the arrays texts are cut from, kept for the next
	// document; chunks[cur] is being cut, its first used texts taken.
	chunks [][]Text
	cur    int
	used   int
	items  []item
	// lines holds the lines of the paragraph being laid out.
	lines typeset.Lines
}

// maxKeptItems bounds the vertical list a slab keeps for reuse.
const maxKeptItems = 1 << 12

const (
	slabSize = 1024
	// maxKeptChunks bounds the texts a slab keeps for reuse.
	maxKeptChunks = 8
)

var slabs = sync.Pool{New: func() any { return &slab{chunks: [][]Text{make([]Text, slabSize)}} }}

// take returns an empty slice with room for n texts.
func (sl *slab) take(n int) []Text {
	if sl == nil || n > slabSize/4 {
		return make([]Text, 0, n)
	}
	if sl.used+n > slabSize {
		// The full array stays with the items cut from it; the next one
		// is one a document before left, or a new one.
		sl.cur, sl.used = sl.cur+1, 0
		if sl.cur == len(sl.chunks) {
			sl.chunks = append(sl.chunks, make([]Text, slabSize))
		}
	}
	t := sl.chunks[sl.cur][sl.used : sl.used : sl.used+n]
	sl.used += n
	return t
}

// release returns the slab to the pool once nothing refers to its texts.
func (sl *slab) release() {
	for i := range sl.cur {
		clear(sl.chunks[i])
	}
	clear(sl.chunks[sl.cur][:sl.used])
	if len(sl.chunks) > maxKeptChunks {
		clear(sl.chunks[maxKeptChunks:])
		sl.chunks = sl.chunks[:maxKeptChunks]
	}
	sl.cur, sl.used = 0, 0
	if cap(sl.items) > maxKeptItems {
		sl.items = nil
	} else {
		clear(sl.items)
		sl.items = sl.items[:0]
	}
	if lines, items := sl.lines.Cap(); lines > maxKeptItems || items > 4*maxKeptItems {
		sl.lines = typeset.Lines{}
	} else {
		sl.lines.Reset()
	}
	slabs.Put(sl)
}

// Spacing and indents, in points.
const (
	indentStep = 8 * mm // per Indent level of paragraphs and lists
	listGutter = 7 * mm // where a list item's marker hangs
	markerGap  = 2 * mm // least space between a list marker and its text
	// letterSpacing is the most a loose justified line spaces its letters,
	// in ems (typeset.Params.Tracking): a hundredth of an em, about what
	// pdfTeX's default 2 % font expansion gives a line.
	letterSpacing = 0.01
	cellPadX      = 4
	cellPadY      = 2.5
	headerGap     = 5 * mm // from the header band to the text
	footerGap     = 4 * mm // from the text to the footer band
	signGap       = 10 * mm
	signSpace     = 13 * mm // room to sign above the line
	sigRowGap     = 5 * mm
	sigCellWidth  = 0.5 // share of the measure per signer, two a row
)

func (e *Engine) newStyle(t *templates.Template) (*style, error) {
	body, err := e.family(t.Fonts.Body)
	if err != nil {
		return nil, err
	}
	heading, err := e.family(t.Fonts.Heading)
	if err != nil {
		return nil, err
	}
	p := t.Page
	s := &style{
		e: e, t: t, body: body, heading: heading,
		pageW: p.Width * mm, pageH: p.Height * mm,
		size: t.Fonts.BodySize, lead: t.Fonts.BodySize * t.Fonts.Leading,
		small: t.Fonts.SmallSize,
	}
	if s.small <= 0 {
		s.small = 0.8 * s.size
	}
	s.margins = Rect{X: p.MarginLeft * mm, Y: p.MarginTop * mm,
		W: (p.Width - p.MarginLeft - p.MarginRight) * mm, H: (p.Height - p.MarginTop - p.MarginBottom) * mm}
	s.header = Rect{X: s.margins.X, Y: s.margins.Y, W: s.margins.W, H: p.HeaderHeight * mm}
	s.footer = Rect{X: s.margins.X, Y: s.margins.Y + s.margins.H - p.FooterHeight*mm, W: s.margins.W, H: p.FooterHeight * mm}
	top := s.header.Y + s.header.H + headerGap
	s.area = Rect{X: s.margins.X, Y: top, W: s.margins.W, H: s.footer.Y - footerGap - top}
	return s, nil
}

// baseline is the distance from a line box's top to its baseline: the
// font's extent is centred in the leading.
func baseline(f *family, size, lead float64) float64 {
	face := f[0]
	extent := (face.Ascender() - face.Descender()) * size
	return (lead-extent)/2 + face.Ascender()*size
}

// headingSize is the font size of a heading level.
func (s *style) headingSize(level int) float64 {
	f := s.t.Fonts
	switch level {
	case 1:
		return nonZero(f.H1Size, 1.2*s.size)
	case 2:
		return nonZero(f.H2Size, s.size)
	}
	return nonZero(f.H3Size, s.size)
}

// gap is the space above a block of kind k after one of kind prev; level is
// the heading level when k is a heading.
func (s *style) gap(prev, k Kind, level int) float64 {
	switch {
	case k == KindHeading && prev == KindHeading:
		return 0.4 * s.lead
	case k == KindHeading && level == 1:
		return 1.5 * s.lead
	case k == KindHeading && level == 2:
		return 1.0 * s.lead
	case k == KindHeading:
		return 0.75 * s.lead
	case prev == KindHeading:
		return 0.3 * s.lead
	case k == KindSignatures:
		return 1.5 * s.lead
	}
	return 0.5 * s.lead
}

// linePenalty forbids a page break that would leave one line of a
// paragraph alone at the foot (club) or the head (widow) of a page.
func linePenalty(i, n int) int {
	if i < n-1 && (i == 0 || i == n-2) {
		return typeset.Never
	}
	return 0
}

func nonZero(v, fallback float64) float64 {
	if v > 0 {
		return v
	}
	return fallback
}
