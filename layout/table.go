package layout

import (
	"utdrag/compose"
	"utdrag/typeset"
)

// tableSize is the font size of table cells relative to the body size.
const tableSize = 0.88

// tableItems makes the header row and one item per row. Rows never split;
// the header stays with the first row and is drawn again above a row that
// starts a page.
func (s *style) tableItems(out []item, src int, t compose.Table) []item {
	if len(t.Columns) == 0 {
		return out
	}
	xs, ws := s.columns(t.Columns)
	labels := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		labels[i] = c.Label
	}
	head := s.row(labels, nil, t.Columns, xs, ws, true)
	head.place = Placed{Kind: KindTableHeader, Source: src, Lines: 1}
	head.tb.Penalty = typeset.Never
	out = append(out, head)
	for n, cells := range t.Rows {
		var shade []bool
		if n < len(t.Shade) {
			shade = t.Shade[n]
		}
		r := s.row(cells, shade, t.Columns, xs, ws, false)
		r.place = Placed{Kind: KindTableRow, Source: src, Part: n, Lines: 1}
		r.tb.RepeatHeight = head.tb.Height
		r.repeat = &head.els
		out = append(out, r)
	}
	return out
}

// columns gives each column's left edge and width: its share of the
// measure, or an equal share when no widths are given. A column too narrow
// for its header label (Avstår in a 90 mm measure) is widened to hold it,
// at the expense of the widest column, so a label is never broken.
func (s *style) columns(cols []compose.Column) (xs, ws []float64) {
	total := 0.0
	for _, c := range cols {
		total += c.Width
	}
	widest := 0
	for i, c := range cols {
		w := s.area.W / float64(len(cols))
		if total > 0 {
			w = s.area.W * c.Width / total
		}
		ws = append(ws, w)
		if w > ws[widest] {
			widest = i
		}
	}
	bold := s.heading[typeset.Bold]
	for i, c := range cols {
		need := bold.Width(c.Label)*tableSize*s.size + 2*cellPadX + 0.5
		if i != widest && ws[i] < need && ws[widest]-(need-ws[i]) > need {
			ws[widest] -= need - ws[i]
			ws[i] = need
		}
	}
	x := 0.0
	for _, w := range ws {
		xs = append(xs, x)
		x += w
	}
	return xs, ws
}

// row sets the cells of one row, wrapped within their columns, and draws
// the rule below it (and the shading of a header, and of the cells of
// secret text that shade marks).
func (s *style) row(cells []string, shade []bool, cols []compose.Column, xs, ws []float64, header bool) item {
	size := tableSize * s.size
	lead := 1.25 * size
	var mark typeset.Style = typeset.NoHyphen
	if header {
		mark |= typeset.Bold
	}
	var it item
	lines := 1
	for i := range cols {
		if i >= len(cells) || cells[i] == "" {
			continue
		}
		set := s.e.ts.Set([]typeset.Span{{Text: cells[i], Style: mark}}, s.heading,
			typeset.Params{Width: ws[i] - 2*cellPadX, Size: size})
		lines = max(lines, len(set))
		for n, l := range set {
			x := xs[i] + cellPadX
			if cols[i].Right {
				x = xs[i] + ws[i] - cellPadX - l.Natural
			}
			li := s.lineItem(l, s.heading, x, size, lead, RoleTable)
			for _, t := range li.els.texts {
				t.Y += cellPadY + float64(n)*lead
				t.Col = int16(i)
				it.els.texts = append(it.els.texts, t)
			}
		}
	}
	h := 2*cellPadY + float64(lines)*lead
	it.tb.Height = h
	rule := Rule{X1: 0, Y1: h, X2: s.area.W, Y2: h, Width: 0.3, Gray: 0.55, Role: RoleTable}
	if header {
		rule.Width, rule.Gray = 0.8, 0
		it.els.rects = append(it.els.rects, Rect{W: s.area.W, H: h, Filled: true, Fill: 0.92, Role: RoleTable})
	}
	it.els.rules = append(it.els.rules, rule)
	for i, sh := range shade {
		if sh && i < len(cols) {
			it.els.rects = append(it.els.rects, Rect{X: xs[i], W: ws[i], H: h, Filled: true, Fill: shadeGray, Role: RoleShade})
		}
	}
	return it
}
