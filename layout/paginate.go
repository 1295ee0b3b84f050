package layout

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/typeset"
)

// paginate breaks the vertical list into pages and places each item; a
// page that starts inside a table gets the table's header first.
func (s *style) paginate(items []item) *Pages {
	blocks := make([]typeset.Block, len(items))
	for i, it := range items {
		blocks[i] = it.tb
	}
	out := &Pages{Width: s.pageW, Height: s.pageH, Body: s.area, Margins: s.margins}
	out.texts = pageTexts.Get().(*textArray)
	breaks := typeset.BreakPages(blocks, s.area.H)
	out.Pages = make([]Page, 0, max(len(breaks), 1))
	for n, br := range breaks {
		p := Page{Number: n + 1}
		p.reserve(items[br.From:br.To], out.texts)
		y := s.area.Y
		if first := items[br.From]; first.repeat != nil && first.tb.RepeatHeight > 0 {
			n := len(p.Texts)
			first.repeat.addTo(&p, s.area.X, y)
			tag(p.Texts[n:], -1, -1)
			p.Blocks = append(p.Blocks, Placed{Kind: KindTableHeader, Source: first.place.Source,
				Lines: 1, Top: y, Height: first.tb.RepeatHeight, Repeated: true})
			y += first.tb.RepeatHeight
		}
		for i := br.From; i < br.To; i++ {
			it := items[i]
			if i > br.From {
				y += it.tb.SpaceBefore
			}
			n := len(p.Texts)
			it.els.addTo(&p, s.area.X, y)
			pl := it.place
			part := int16(min(pl.Part, 1<<15-1))
			if pl.Kind == KindTableHeader {
				part = -1
			}
			tag(p.Texts[n:], int32(pl.Source), part)
			pl.Top, pl.Height = y, it.tb.Height
			p.Blocks = append(p.Blocks, pl)
			y += it.tb.Height
		}
		out.Pages = append(out.Pages, p)
	}
	if len(out.Pages) == 0 {
		out.Pages = append(out.Pages, Page{Number: 1})
	}
	return out
}

// tag marks texts as parts of block's part.
func tag(texts []Text, block int32, part int16) {
	for i := range texts {
		texts[i].Block, texts[i].Part = block, part
	}
}

// Room kept on every page for the running header and the footer boxes,
// so furnish seldom has to grow the slices again.
const (
	furnitureTexts = 16
	furnitureRules = 2
	furnitureRects = 4
)

// reserve sizes the page's slices for the elements of items, a repeated
// table header and the furniture.
func (p *Page) reserve(items []item, arr *textArray) {
	texts, rules, rects := furnitureTexts, furnitureRules, furnitureRects
	if len(items) > 0 && items[0].repeat != nil {
		r := items[0].repeat
		texts, rules, rects = texts+len(r.texts), rules+len(r.rules), rects+len(r.rects)
	}
	for i := range items {
		e := &items[i].els
		texts, rules, rects = texts+len(e.texts), rules+len(e.rules), rects+len(e.rects)
	}
	p.Texts = arr.take(texts)
	p.Rules = make([]Rule, 0, rules)
	p.Rects = make([]Rect, 0, rects)
	p.Blocks = make([]Placed, 0, len(items)+1)
}

// furnish adds the running header, the footer boxes and, on a certified
// extract, the verification QR code to every page, now that the number of
// pages is known.
func (s *style) furnish(ps *Pages, h compose.Header) error {
	format := firstOf(h.PageLabel, s.t.Labels.Page, "%d (%d)")
	var foot elements
	reserve := 0.0
	if h.VerifyURL != "" {
		reserve = footerBoxGap + qrSide + qrRoom
	}
	end := s.footerBoxes(&foot, h.Boxes, reserve)
	if h.VerifyURL != "" {
		if err := s.verification(&foot, h.VerifyURL, end+footerBoxGap); err != nil {
			return err
		}
	}
	var els elements
	for i := range ps.Pages {
		p := &ps.Pages[i]
		p.Label = fmt.Sprintf(format, p.Number, len(ps.Pages))
		els.texts, els.rules, els.rects = els.texts[:0], els.rules[:0], els.rects[:0]
		s.runningHeader(&els, h, p.Label)
		p.Texts = slices.Grow(p.Texts, len(els.texts)+len(foot.texts))
		p.Rules = slices.Grow(p.Rules, len(els.rules)+len(foot.rules))
		p.Rects = slices.Grow(p.Rects, len(els.rects)+len(foot.rects))
		els.addTo(p, 0, 0)
		foot.addTo(p, 0, 0)
	}
	return nil
}

// runningHeader: organisation and organ on the left; kind, date label and
// date in a second column; the page label at the right margin, and under
// it the mark of a draft; a thin rule closing the band. A field too long for its column is set smaller, and on
// two lines if need be, rather than run into its neighbour.
func (s *style) runningHeader(els *elements, h compose.Header, label string) {
	bold, regular := s.heading[typeset.Bold], s.heading[0]
	top, left, right := s.header.Y, s.header.X, s.header.X+s.header.W
	col := left + 0.55*s.header.W
	labelX := right - regular.Width(label)*10.5
	leftW, colW := col-left-columnGap, labelX-col-columnGap
	add := func(x, y, maxW float64, str string, face *fonts.Face, size float64) {
		for _, l := range fitHeader(str, face, size, maxW) {
			els.texts = append(els.texts, s.text(x, top+y+l.dy, l.text, face, l.size, RoleHeader))
		}
	}
	add(left, 12, leftW, h.Organisation, bold, 12)
	add(left, 42, leftW, h.Organ, regular, 10.5)
	add(col, 12, colW, firstOf(h.Kind, s.t.Labels.Kind), bold, 10.5)
	add(col, 30, right-col, firstOf(h.DateLabel, s.t.Labels.MeetingDate), regular, 7.5)
	add(col, 42, right-col, h.Date, regular, 10.5)
	add(labelX, 12, right-labelX, label, regular, 10.5)
	if h.Draft != "" {
		// "Ej justerat", flush right on the date's line.
		from := col + regular.Width(h.Date)*10.5 + columnGap
		for _, l := range fitHeader(h.Draft, bold, 10.5, right-from) {
			x := right - bold.Width(l.text)*l.size
			els.texts = append(els.texts, s.text(x, top+42+l.dy, l.text, bold, l.size, RoleHeader))
		}
	}
	if h.Confidential != "" {
		// "Innehåller sekretessbelagda uppgifter", across the header
		// under the organ and the date, above the rule.
		add(left, 54, right-left, h.Confidential, bold, 9)
	}
	y := s.header.Y + s.header.H - 3*mm
	els.rules = append(els.rules, Rule{X1: left, Y1: y, X2: right, Y2: y, Width: 0.5, Role: RoleHeader})
}

// Header fitting: the space kept between columns and the smallest size a
// field is set in before it is broken over two lines.
const (
	columnGap     = 3 * mm
	headerMinSize = 7.5
)

type headerLine struct {
	text string
	size float64
	dy   float64 // from the field's baseline
}

// fitHeader sets str in at most maxW: at size, else smaller, else on two
// lines around the field's baseline.
func fitHeader(str string, face *fonts.Face, size, maxW float64) []headerLine {
	if str == "" {
		return nil
	}
	w := face.Width(str)
	if w*size <= maxW {
		return []headerLine{{str, size, 0}}
	}
	if fitted := maxW / w; fitted >= headerMinSize {
		return []headerLine{{str, fitted, 0}}
	}
	words := strings.Fields(str)
	best := len(words) / 2
	for i := 1; i < len(words); i++ {
		a, b := strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		if max(face.Width(a), face.Width(b)) < max(face.Width(strings.Join(words[:best], " ")), face.Width(strings.Join(words[best:], " "))) {
			best = i
		}
	}
	if best == 0 {
		return []headerLine{{str, maxW / w, 0}}
	}
	a, b := strings.Join(words[:best], " "), strings.Join(words[best:], " ")
	size = min(size, maxW/max(face.Width(a), face.Width(b)))
	return []headerLine{{a, size, -0.55 * size}, {b, size, 0.55 * size}}
}

// Footer box geometry.
const (
	footerBoxW   = 45 * mm
	footerBoxGap = 4 * mm
)

// footerBoxes draws the labelled boxes along the bottom margin, left to
// right, with their content (initials) centred, and returns where the last
// box ends. The boxes are footerBoxW wide, narrower when they and reserve
// (room kept at the right for the QR code) would not fit the margins.
func (s *style) footerBoxes(els *elements, boxes []compose.Box, reserve float64) (end float64) {
	regular := s.heading[0]
	const gap = footerBoxGap
	w := footerBoxW
	if n := float64(len(boxes)); n > 0 {
		w = min(w, (s.footer.W-reserve-(n-1)*gap)/n)
	}
	bh := s.footer.H - 2*mm
	y := s.footer.Y + s.footer.H - bh
	end = s.footer.X
	for i, b := range boxes {
		x := s.footer.X + float64(i)*(w+gap)
		end = x + w
		els.rects = append(els.rects, Rect{X: x, Y: y, W: w, H: bh, Line: 0.5, Role: RoleFooter})
		els.texts = append(els.texts, s.text(x+2.5, y+8, b.Label, regular, 7, RoleFooter))
		if b.Content != "" {
			cw := regular.Width(b.Content) * 11
			els.texts = append(els.texts, s.text(x+(w-cw)/2, y+bh-6, b.Content, regular, 11, RoleFooter))
		}
	}
	return end
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// textArray is one array the texts of a document's pages are cut from,
// kept for the next document once the pages are released.
type textArray struct {
	texts []Text
	used  int
}

// maxKeptPageTexts bounds the array a released document leaves for the
// next.
const maxKeptPageTexts = 1 << 14

var pageTexts = sync.Pool{New: func() any { return new(textArray) }}

// take returns an empty slice with room for n texts. When the array is
// full, the pages cut so far keep it and a larger one takes its place.
func (a *textArray) take(n int) []Text {
	if a.used+n > len(a.texts) {
		a.texts, a.used = make([]Text, max(2*len(a.texts), a.used+n, 256)), 0
	}
	t := a.texts[a.used : a.used : a.used+n]
	a.used += n
	return t
}

// Release gives the pages' arrays back for the next layout. The pages
// must not be used after: they are emptied.
func (ps *Pages) Release() {
	a := ps.texts
	ps.texts, ps.Pages = nil, nil
	if a == nil {
		return
	}
	if len(a.texts) > maxKeptPageTexts {
		return
	}
	clear(a.texts[:a.used])
	a.used = 0
	pageTexts.Put(a)
}
