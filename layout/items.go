package layout

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/typeset"
)

// item is one block of the vertical list with what it draws, relative to
// the text area's left edge and the block's top.
type item struct {
	tb     typeset.Block
	place  Placed
	els    elements
	repeat *elements // a table header to draw above a continued table
}

// elements are drawing instructions not yet placed on a page.
type elements struct {
	texts []Text
	rules []Rule
	rects []Rect
}

// addTo copies the elements onto p, moved by (dx, dy).
func (e *elements) addTo(p *Page, dx, dy float64) {
	for _, t := range e.texts {
		t.X, t.Y = t.X+dx, t.Y+dy
		p.Texts = append(p.Texts, t)
	}
	for _, r := range e.rules {
		r.X1, r.Y1, r.X2, r.Y2 = r.X1+dx, r.Y1+dy, r.X2+dx, r.Y2+dy
		p.Rules = append(p.Rules, r)
	}
	for _, r := range e.rects {
		r.X, r.Y = r.X+dx, r.Y+dy
		p.Rects = append(p.Rects, r)
	}
}

// items turns the document's blocks into the vertical list, with the
// spacing and the keep-together penalties between them.
func (s *style) items(doc compose.Document) ([]item, error) {
	var out []item
	if s.slab != nil {
		out = s.slab.items[:0]
		defer func() { s.slab.items = out }() // cleared on release
	}
	prev := Kind(255)
	for i, b := range doc.Blocks {
		if s.ctx != nil && s.ctx.Err() != nil {
			return nil, s.ctx.Err()
		}
		start := len(out)
		level := 0
		switch b := b.(type) {
		case compose.Heading:
			level = b.Level
			out = s.headingItems(out, i, b)
		case compose.Paragraph:
			out = s.paragraphItems(out, i, b)
		case compose.List:
			out = s.listItems(out, i, b)
		case compose.Table:
			out = s.tableItems(out, i, b)
		case compose.Note:
			out = s.noteItems(out, i, b)
		case compose.Separator:
			out = append(out, s.separator(i))
		case compose.Signatures:
			out = append(out, s.signatures(i, b))
		case compose.PageBreak:
			if start > 0 {
				out[start-1].tb.Penalty = typeset.Always
			}
			continue
		default:
			return nil, fmt.Errorf("block %d: unknown block type %T", i, b)
		}
		if start == len(out) {
			continue
		}
		first := &out[start]
		first.tb.SpaceBefore = s.gap(prev, first.place.Kind, level)
		if start > 0 {
			keepWithPrevious(out[:start], out[start:])
		}
		prev = out[len(out)-1].place.Kind
	}
	return out, nil
}

// keepWithPrevious applies the rules between the previous block's last
// piece (list[len(list)-1]) and the new block (next): a heading stays with
// the first two lines of what follows; a rule between parts stays with
// the part it opens; a signature block keeps what leads up to it.
func keepWithPrevious(list, next []item) {
	prev := &list[len(list)-1]
	if prev.tb.Penalty == typeset.Always {
		return
	}
	switch {
	case next[0].place.Kind == KindSignatures:
		keepWithSignatures(list)
	case prev.place.Kind == KindSeparator:
		prev.tb.Penalty = typeset.Never
	case prev.place.Kind == KindHeading && len(next) > 1 && next[1].place.Part == next[0].place.Part:
		next[0].tb.Penalty = typeset.Never
	}
}

// closingLines is how many lines of text before a signature block go with
// it to its page, at the least.
const closingLines = 2

// keepWithSignatures keeps a signature block with what list, the items
// before it, ends with: the notes just above it (the justering line) and
// the last closingLines lines of text, so that the signatures never stand
// on a page without the text they sign.
func keepWithSignatures(list []item) {
	lines := 0
	for i := len(list) - 1; i >= 0 && lines < closingLines; i-- {
		it := &list[i]
		if it.tb.Penalty == typeset.Always {
			return // a page break the document asks for
		}
		it.tb.Penalty = typeset.Never
		switch it.place.Kind {
		case KindParagraph, KindListItem, KindTableRow:
			lines++
		}
	}
}

func (s *style) headingItems(out []item, src int, h compose.Heading) []item {
	size := s.headingSize(h.Level)
	lead := 1.25 * size
	spans := withStyle(h.Text, typeset.Bold|typeset.NoHyphen)
	lines := s.e.ts.Set(spans, s.heading, typeset.Params{Width: s.area.W, Size: size})
	for i, l := range lines {
		it := s.lineItem(l, s.heading, 0, size, lead, RoleHeading)
		it.place = Placed{Kind: KindHeading, Source: src, Line: i, Lines: len(lines)}
		it.tb.Penalty = typeset.Never
		out = append(out, it)
	}
	return out
}

func (s *style) paragraphItems(out []item, src int, p compose.Paragraph) []item {
	if p.Plain && p.Columns > 1 {
		return s.columnItems(out, src, p)
	}
	x := float64(p.Indent) * indentStep
	params := typeset.Params{Width: s.area.W - x, Size: s.size, Justify: !p.Plain, Hyphenate: !p.Plain}
	if !p.Plain {
		params.Tracking = letterSpacing
	}
	return s.textItems(out, s.set(p.Text, s.body, params), x, s.size, s.lead,
		Placed{Kind: KindParagraph, Source: src}, RoleBody)
}

// entryColumnGap is the space between the columns of a paragraph in
// columns.
const entryColumnGap = 6 * mm

// entryRows bounds the rows of one block of a paragraph in columns: a
// longer list is set in several blocks of about the same size, one below
// the other, so that it can break between them.
const entryRows = 20

// columnItems sets a plain paragraph's entries (its text split at line
// breaks) in p.Columns columns, down each column and then the next, as a
// list in columns is read. Each block of up to entryRows rows is one item
// whose content holds the entries in the text's order, so a reader of the
// tagged file meets them as the eye does; a longer list continues in the
// next block, and may break between blocks.
func (s *style) columnItems(out []item, src int, p compose.Paragraph) []item {
	n := p.Columns
	x0 := float64(p.Indent) * indentStep
	w := (s.area.W - x0 - float64(n-1)*entryColumnGap) / float64(n)
	params := typeset.Params{Width: w, Size: s.size}
	entries := splitEntries(p.Text)
	per := entryRows * n
	blocks := (len(entries) + per - 1) / per
	size := (len(entries) + max(blocks, 1) - 1) / max(blocks, 1)
	for b := range blocks {
		chunk := entries[b*size : min((b+1)*size, len(entries))]
		rows := (len(chunk) + n - 1) / n
		var it item
		height := 0.0
		for i, entry := range chunk {
			c := i / rows
			if i%rows == 0 {
				height = max(height, it.tb.Height)
				it.tb.Height = 0 // the column's depth so far
			}
			x := x0 + float64(c)*(w+entryColumnGap)
			lines := s.e.ts.Set(entry, s.body, params)
			for k, l := range lines {
				li := s.lineItem(l, s.body, x, s.size, s.lead, RoleBody)
				dy := it.tb.Height + float64(k)*s.lead
				for _, t := range li.els.texts {
					t.Y += dy
					it.els.texts = append(it.els.texts, t)
				}
				for _, ru := range li.els.rules {
					ru.Y1, ru.Y2 = ru.Y1+dy, ru.Y2+dy
					it.els.rules = append(it.els.rules, ru)
				}
				for _, re := range li.els.rects {
					re.Y += dy
					it.els.rects = append(it.els.rects, re)
				}
			}
			if k := len(it.els.texts); k > 0 && i+1 < len(chunk) {
				it.els.texts[k-1].Space = true // the next entry is another word
			}
			it.tb.Height += float64(len(lines)) * s.lead
		}
		it.tb = typeset.Block{Height: max(height, it.tb.Height)}
		it.place = Placed{Kind: KindParagraph, Source: src, Line: b, Lines: blocks}
		out = append(out, it)
	}
	return out
}

// splitEntries splits spans at their line breaks into entries, each its
// own spans; empty entries are dropped.
func splitEntries(spans []typeset.Span) [][]typeset.Span {
	var out [][]typeset.Span
	var cur []typeset.Span
	for _, sp := range spans {
		parts := strings.Split(sp.Text, "\n")
		for i, part := range parts {
			if i > 0 {
				if len(cur) > 0 {
					out = append(out, cur)
				}
				cur = nil
			}
			if part != "" {
				piece := sp
				piece.Text = part
				cur = append(cur, piece)
			}
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func (s *style) noteItems(out []item, src int, n compose.Note) []item {
	params := typeset.Params{Width: s.area.W, Size: s.small}
	return s.textItems(out, s.set(n.Text, s.body, params), 0, s.small, 1.3*s.small,
		Placed{Kind: KindNote, Source: src}, RoleNote)
}

// intoSetter is a Breaker that can set lines into reused arrays.
type intoSetter interface {
	SetInto(buf *typeset.Lines, spans []typeset.Span, faces typeset.Faces, p typeset.Params) []typeset.Line
}

// set breaks a paragraph whose lines are used at once: with the engine's
// Breaker, into the slab's arrays if it can; the lines are valid until the
// next call.
func (s *style) set(spans []typeset.Span, faces typeset.Faces, p typeset.Params) []typeset.Line {
	if is, ok := s.e.ts.(intoSetter); ok && s.slab != nil {
		return is.SetInto(&s.slab.lines, spans, faces, p)
	}
	return s.e.ts.Set(spans, faces, p)
}

// textItems makes one item per line, with club and widow penalties.
func (s *style) textItems(out []item, lines []typeset.Line, x, size, lead float64, pl Placed, role Role) []item {
	out = slices.Grow(out, len(lines))
	for i, l := range lines {
		it := s.lineItem(l, s.body, x, size, lead, role)
		it.place = pl
		it.place.Line, it.place.Lines = i, len(lines)
		it.tb.Penalty = linePenalty(i, len(lines))
		out = append(out, it)
	}
	return out
}

func (s *style) listItems(out []item, src int, l compose.List) []item {
	x := float64(l.Indent) * indentStep
	start := l.Start
	if start == 0 {
		start = 1
	}
	marker := func(n int) string {
		if l.Ordered {
			return strconv.Itoa(start+n) + "."
		}
		return "•"
	}
	// The markers hang in the gutter; numbers too wide for it (100.)
	// widen it for the whole list, so the items still align.
	gutter := listGutter
	for n := range l.Items {
		gutter = max(gutter, s.body[0].Width(marker(n))*s.size+markerGap)
	}
	params := typeset.Params{Width: s.area.W - x - gutter, Size: s.size, Justify: true, Hyphenate: true, Tracking: letterSpacing}
	for n, spans := range l.Items {
		first := len(out)
		out = s.textItems(out, s.set(spans, s.body, params), x+gutter, s.size, s.lead,
			Placed{Kind: KindListItem, Source: src, Part: n}, RoleBody)
		if first == len(out) {
			continue
		}
		marker := marker(n)
		it := &out[first]
		m := s.text(x, baseline(s.body, s.size, s.lead), marker, s.body[0], s.size, RoleBody)
		m.Space, m.Label = true, true
		it.els.texts = slices.Insert(it.els.texts, 0, m)
		if n > 0 {
			it.tb.SpaceBefore = 0.2 * s.lead
		}
	}
	return out
}

func (s *style) separator(src int) item {
	h := 0.8 * s.lead
	return item{
		tb:    typeset.Block{Height: h, Discard: true},
		place: Placed{Kind: KindSeparator, Source: src, Lines: 1},
		els:   elements{rules: []Rule{{X1: 0, Y1: h / 2, X2: s.area.W, Y2: h / 2, Width: 0.4, Gray: 0.4, Role: RoleBody}}},
	}
}

// lineItem draws one set line at x, with its struck and underlined runs.
func (s *style) lineItem(l typeset.Line, f *family, x, size, lead float64, role Role) item {
	base := baseline(f, size, lead)
	it := item{tb: typeset.Block{Height: lead}}
	// One more for a list item's marker; the typesetter measured the
	// words already.
	it.els.texts = s.slab.take(len(l.Items) + 1)[:len(l.Items)]
	for i, li := range l.Items {
		it.els.texts[i] = Text{X: x + li.X, Y: base, Text: li.Text, Face: f[li.Style.Face()], Size: size,
			Width: li.W, Space: li.SpaceAfter > 0, Marks: li.Style, Role: role, Tracking: l.Tracking,
			Added: uint8(min(li.Added, 255))}
	}
	if n := len(it.els.texts); n > 0 && l.Continues {
		it.els.texts[n-1].Joined = true
	}
	it.els.rules = decorations(l, f, x, base, size)
	it.els.rects = shading(l, x, lead)
	return it
}

// shadeGray is the gray of the shading behind secret text: light enough
// for black text on it to keep its contrast, dark enough to be seen on
// paper.
const shadeGray = 0.82

// shading draws the band behind secret text (an internal rendition's
// typeset.Confidential): one rectangle of the line's height per run of
// consecutive marked items, spanning the spaces between them, so that the
// lines of a paragraph marked whole make one shaded block.
func shading(l typeset.Line, x, lead float64) []Rect {
	var rects []Rect
	open := false
	for _, it := range l.Items {
		if it.Style&typeset.Confidential == 0 {
			open = false
			continue
		}
		if open {
			r := &rects[len(rects)-1]
			r.W = x + it.X + it.W - r.X
			continue
		}
		rects = append(rects, Rect{X: x + it.X, Y: 0, W: it.W, H: lead, Filled: true, Fill: shadeGray, Role: RoleShade})
		open = true
	}
	return rects
}

// text is a run measured with its face. A run is one line: line breaks
// and tabs in it (a field sent with one) are drawn as spaces.
func (s *style) text(x, y float64, str string, face *fonts.Face, size float64, role Role) Text {
	if strings.ContainsAny(str, "\n\t\r") {
		str = strings.Map(func(r rune) rune {
			if r == '\n' || r == '\t' || r == '\r' {
				return ' '
			}
			return r
		}, str)
	}
	return Text{X: x, Y: y, Text: str, Face: face, Size: size, Width: face.Width(str) * size, Role: role, Block: -1}
}

// decorations draws the lines through struck and under inserted words: one
// line per run of consecutive marked items, spanning the spaces between
// them but not the space after the run.
func decorations(l typeset.Line, f *family, x, base, size float64) []Rule {
	marked := false
	for _, it := range l.Items {
		if it.Style&(typeset.Strike|typeset.Underline) != 0 {
			marked = true
			break
		}
	}
	if !marked {
		return nil
	}
	pos, thick := f[0].Underline()
	var rules []Rule
	for _, d := range []struct {
		mark typeset.Style
		y    float64
		role Role
	}{
		{typeset.Strike, base - 0.26*size, RoleStrike},
		{typeset.Underline, base - pos*size, RoleUnderline},
	} {
		open := false
		for _, it := range l.Items {
			if it.Style&d.mark == 0 {
				open = false
				continue
			}
			if open {
				rules[len(rules)-1].X2 = x + it.X + it.W
				continue
			}
			rules = append(rules, Rule{X1: x + it.X, Y1: d.y, X2: x + it.X + it.W, Y2: d.y, Width: thick * size, Role: d.role})
			open = true
		}
	}
	return rules
}

// withStyle adds marks to every span.
func withStyle(spans []typeset.Span, add typeset.Style) []typeset.Span {
	out := make([]typeset.Span, len(spans))
	for i, sp := range spans {
		out[i] = typeset.Span{Text: sp.Text, Style: sp.Style | add}
	}
	return out
}
