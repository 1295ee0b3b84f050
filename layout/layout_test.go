package layout_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"utdrag/internal/exampletest"

	"utdrag/compose"
	"utdrag/layout"
	"utdrag/layout/layouttest"
	"utdrag/templates"
	"utdrag/typeset"
)

func setup(t testing.TB) (*layout.Engine, *templates.Template) {
	t.Helper()
	return layout.New(exampletest.Fonts(t), typeset.New(exampletest.Hyphenator(t))), exampletest.Template(t)
}

func sample(t testing.TB) *layout.Pages {
	t.Helper()
	e, tmpl := setup(t)
	p, err := e.Layout(layouttest.Document(), tmpl)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func texts(p layout.Page, role layout.Role) []string {
	var out []string
	for _, t := range p.Texts {
		if t.Role == role {
			out = append(out, t.Text)
		}
	}
	return out
}

func TestSampleSpansSeveralPages(t *testing.T) {
	if n := len(sample(t).Pages); n < 3 {
		t.Fatalf("%d pages, want at least 3", n)
	}
}

func TestFurnitureOnEveryPage(t *testing.T) {
	ps := sample(t)
	doc := layouttest.Document()
	for _, p := range ps.Pages {
		head := strings.Join(texts(p, layout.RoleHeader), "|")
		want := []string{"Region Jämtland Härjedalen", "PROTOKOLLSUTDRAG", "Regionstyrelsen",
			"Sammanträdesdatum", "2023-10-06", fmt.Sprintf("%d (%d)", p.Number, len(ps.Pages))}
		for _, w := range want {
			if !strings.Contains(head, w) {
				t.Errorf("page %d header %q lacks %q", p.Number, head, w)
			}
		}
		if p.Label != want[len(want)-1] {
			t.Errorf("page %d label %q", p.Number, p.Label)
		}
		var rules, boxes int
		for _, r := range p.Rules {
			if r.Role == layout.RoleHeader && r.Y1 == r.Y2 && r.Y1 < ps.Body.Y {
				rules++
			}
		}
		for _, r := range p.Rects {
			if r.Role == layout.RoleFooter && r.Line > 0 && r.Y >= ps.Body.Y+ps.Body.H {
				boxes++
			}
		}
		foot := strings.Join(texts(p, layout.RoleFooter), "|")
		if rules != 1 || boxes != len(doc.Header.Boxes) {
			t.Errorf("page %d: %d header rules, %d footer boxes", p.Number, rules, boxes)
		}
		if foot != "Justerandes sign|LEO CP|Utdragsbestyrkande" {
			t.Errorf("page %d footer %q", p.Number, foot)
		}
	}
}

// Every element lies within the margins; body elements within the text
// area, glyph extents included.
func TestElementsInsideTheirAreas(t *testing.T) {
	ps := sample(t)
	const eps = 0.01
	inside := func(r layout.Rect, x1, y1, x2, y2 float64) bool {
		return x1 >= r.X-eps && y1 >= r.Y-eps && x2 <= r.X+r.W+eps && y2 <= r.Y+r.H+eps
	}
	for _, p := range ps.Pages {
		for _, tx := range p.Texts {
			area := ps.Body
			if tx.Role == layout.RoleHeader || tx.Role == layout.RoleFooter {
				area = ps.Margins
			}
			top, bottom := tx.Y-tx.Face.Ascender()*tx.Size, tx.Y-tx.Face.Descender()*tx.Size
			if !inside(area, tx.X, top, tx.X+tx.Width, bottom) {
				t.Errorf("page %d: %q at (%.1f, %.1f) w %.1f outside %+v", p.Number, tx.Text, tx.X, tx.Y, tx.Width, area)
			}
		}
		for _, r := range p.Rules {
			area := ps.Body
			if r.Role == layout.RoleHeader {
				area = ps.Margins
			}
			if !inside(area, min(r.X1, r.X2), min(r.Y1, r.Y2), max(r.X1, r.X2), max(r.Y1, r.Y2)) {
				t.Errorf("page %d: rule %+v outside", p.Number, r)
			}
		}
		for _, r := range p.Rects {
			if !inside(ps.Margins, r.X, r.Y, r.X+r.W, r.Y+r.H) {
				t.Errorf("page %d: rect %+v outside", p.Number, r)
			}
		}
	}
}

func TestNoHeadingEndsAPage(t *testing.T) {
	ps := sample(t)
	for _, p := range ps.Pages[:len(ps.Pages)-1] {
		if last := p.Blocks[len(p.Blocks)-1]; last.Kind == layout.KindHeading {
			t.Errorf("page %d ends with a heading (block %d)", p.Number, last.Source)
		}
	}
}

// A heading stays with two lines of a following paragraph.
func TestHeadingKeptWithTwoLines(t *testing.T) {
	for _, p := range sample(t).Pages {
		for i, b := range p.Blocks {
			if b.Kind != layout.KindHeading || b.Line != b.Lines-1 || i+1 >= len(p.Blocks) {
				continue
			}
			next := p.Blocks[i+1]
			if next.Kind == layout.KindParagraph && next.Lines >= 2 && (i+2 >= len(p.Blocks) || p.Blocks[i+2].Source != next.Source) {
				t.Errorf("page %d: heading %d followed by one line only", p.Number, b.Source)
			}
		}
	}
}

func TestNoClubOrWidowLines(t *testing.T) {
	ps := sample(t)
	for _, p := range ps.Pages {
		first, last := p.Blocks[0], p.Blocks[len(p.Blocks)-1]
		for _, b := range []layout.Placed{first, last} {
			if b.Kind != layout.KindParagraph && b.Kind != layout.KindListItem {
				continue
			}
			if b.Lines >= 3 && b == first && b.Line == b.Lines-1 {
				t.Errorf("page %d starts with the last line of block %d", p.Number, b.Source)
			}
			if b.Lines >= 3 && b == last && b.Line == 0 && p.Number < len(ps.Pages) {
				t.Errorf("page %d ends with the first line of block %d", p.Number, b.Source)
			}
		}
	}
}

func TestSignaturesWholeWithTextAbove(t *testing.T) {
	found := 0
	for _, p := range sample(t).Pages {
		for i, b := range p.Blocks {
			if b.Kind != layout.KindSignatures {
				continue
			}
			found++
			if i == 0 {
				t.Errorf("page %d starts with the signature block", p.Number)
			}
		}
		names := strings.Join(texts(p, layout.RoleSignature), " ")
		if found == 1 && !strings.Contains(names, "Lars-Erik Olofsson") || found == 1 && !strings.Contains(names, "Signerat elektroniskt") {
			t.Errorf("page %d signature texts %q", p.Number, names)
		}
	}
	if found != 1 {
		t.Fatalf("%d signature blocks placed", found)
	}
}

// A long table continues on the next page under a repeated header, and no
// row is split.
func TestTableHeaderRepeated(t *testing.T) {
	e, tmpl := setup(t)
	tbl := compose.Table{Columns: []compose.Column{{Label: "Ledamot", Width: 0.7}, {Label: "Ja", Width: 0.3, Right: true}}}
	for i := range 90 {
		tbl.Rows = append(tbl.Rows, []string{fmt.Sprintf("Ledamot nummer %d (S)", i+1), "X"})
	}
	doc := layouttest.Document()
	doc.Blocks = []compose.Block{compose.Heading{Level: 2, Text: []typeset.Span{{Text: "Votering"}}}, tbl}
	ps, err := e.Layout(doc, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.Pages) < 2 {
		t.Fatalf("%d pages", len(ps.Pages))
	}
	rows := 0
	for _, p := range ps.Pages {
		if p.Blocks[0].Kind != layout.KindHeading && (p.Blocks[0].Kind != layout.KindTableHeader || !p.Blocks[0].Repeated) {
			t.Errorf("page %d starts with %+v, not a repeated header", p.Number, p.Blocks[0])
		}
		if got := texts(p, layout.RoleTable); len(got) < 2 || got[0] != "Ledamot" || got[1] != "Ja" {
			t.Errorf("page %d table texts start %q", p.Number, got[:min(2, len(got))])
		}
		for _, b := range p.Blocks {
			if b.Kind == layout.KindTableRow {
				rows++
			}
		}
	}
	if rows != 90 {
		t.Errorf("%d rows placed, want 90", rows)
	}
}

// Justified lines end exactly at the right edge of the measure.
func TestJustifiedLinesFillTheMeasure(t *testing.T) {
	ps := sample(t)
	right := ps.Body.X + ps.Body.W
	checked := 0
	for _, p := range ps.Pages {
		for _, line := range bodyLines(p) {
			last := line[len(line)-1]
			end := last.X + last.Width
			if end > right+0.01 {
				t.Errorf("page %d: line ending %q overruns by %.2f pt", p.Number, last.Text, end-right)
			}
			if len(line) > 4 && !strings.HasSuffix(last.Text, ".") && math.Abs(end-right) < 0.01 {
				checked++
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d lines end flush right", checked)
	}
}

// bodyLines groups a page's body texts by baseline.
func bodyLines(p layout.Page) [][]layout.Text {
	var lines [][]layout.Text
	for _, tx := range p.Texts {
		if tx.Role != layout.RoleBody {
			continue
		}
		if n := len(lines); n > 0 && lines[n-1][0].Y == tx.Y {
			lines[n-1] = append(lines[n-1], tx)
			continue
		}
		lines = append(lines, []layout.Text{tx})
	}
	return lines
}

// Struck words lie under one strike line per text line, which also spans
// the spaces between them; inserted words are underlined the same way.
func TestStrikeAndUnderlineExtents(t *testing.T) {
	for _, c := range []struct {
		mark typeset.Style
		role layout.Role
		text string
	}{{typeset.Strike, layout.RoleStrike, layouttest.Struck}, {typeset.Underline, layout.RoleUnderline, layouttest.Inserted}} {
		var words []string
		lines := 0
		for _, p := range sample(t).Pages {
			var rules []layout.Rule
			for _, r := range p.Rules {
				if r.Role == c.role {
					rules = append(rules, r)
				}
			}
			lines += len(rules)
			for _, tx := range p.Texts {
				covered := false
				for _, r := range rules {
					if r.Y1 < tx.Y+tx.Size && r.Y1 > tx.Y-tx.Size && r.X1 <= tx.X+0.01 && r.X2 >= tx.X+tx.Width-0.01 {
						covered = true
					}
				}
				if marked := tx.Marks&c.mark != 0; marked != covered {
					t.Errorf("%q marked %v, covered %v", tx.Text, marked, covered)
				}
				if tx.Marks&c.mark != 0 {
					words = append(words, tx.Text)
				}
			}
		}
		if got := strings.ReplaceAll(strings.Join(words, " "), "- ", ""); got != c.text {
			t.Errorf("marked words %q, want %q", got, c.text)
		}
		if lines < 1 || lines > 2 {
			t.Errorf("%d lines for %q", lines, c.text)
		}
	}
}

func TestPageBreakStartsNewPage(t *testing.T) {
	e, tmpl := setup(t)
	doc := layouttest.Document()
	doc.Blocks = []compose.Block{
		compose.Paragraph{Text: []typeset.Span{{Text: "Första sidan."}}},
		compose.PageBreak{},
		compose.Heading{Level: 1, Text: []typeset.Span{{Text: "§ 158 Nästa ärende"}}},
		compose.Paragraph{Text: []typeset.Span{{Text: "Andra sidan."}}},
	}
	ps, err := e.Layout(doc, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps.Pages) != 2 || ps.Pages[1].Blocks[0].Kind != layout.KindHeading {
		t.Fatalf("pages %d, want the heading to open page 2", len(ps.Pages))
	}
}

func TestUnknownFontFamily(t *testing.T) {
	e, tmpl := setup(t)
	bad := *tmpl
	bad.Fonts.Body = "fraktur"
	if _, err := e.Layout(layouttest.Document(), &bad); err == nil || !strings.Contains(err.Error(), "fraktur") {
		t.Errorf("error %v", err)
	}
}

func BenchmarkLayout(b *testing.B) {
	e, tmpl := setup(b)
	doc := layouttest.Document()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Layout(doc, tmpl); err != nil {
			b.Fatal(err)
		}
	}
}

const verifyURL = "https://utdrag.example.se/v/7K3M9Q2X/1"

func overlaps(a, b layout.Rect) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// A certified extract carries the QR code of its verification address and
// the address on every page, inside the margins, clear of the footer boxes
// with its quiet zone; an uncertified one has neither. In the narrow
// template (90 mm) the boxes narrow to make room, the code may be as small
// as 10 mm, and the address is left to the code when it does not fit.
func TestVerificationQRCodeOnEveryPage(t *testing.T) {
	e, _ := setup(t)
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		template string
		minSide  float64 // mm
		address  bool
	}{{"standard", 14, true}, {"narrow", 10, false}} {
		t.Run(c.template, func(t *testing.T) {
			tmpl, ok := set.Get(c.template)
			if !ok {
				t.Fatalf("no template %q", c.template)
			}
			qrOnEveryPage(t, e, tmpl, c.minSide, c.address)
		})
	}
}

func qrOnEveryPage(t *testing.T, e *layout.Engine, tmpl *templates.Template, minSide float64, address bool) {
	doc := layouttest.Document()
	doc.Header.VerifyURL = verifyURL
	ps, err := e.Layout(doc, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	m := ps.Margins
	for _, p := range ps.Pages {
		var qr, boxes []layout.Rect
		for _, r := range p.Rects {
			switch r.Role {
			case layout.RoleQR:
				qr = append(qr, r)
			case layout.RoleFooter:
				boxes = append(boxes, r)
			}
		}
		if len(qr) < 100 {
			t.Fatalf("page %d: %d QR rectangles", p.Number, len(qr))
		}
		bound := qr[0]
		for _, r := range qr {
			x2, y2 := max(bound.X+bound.W, r.X+r.W), max(bound.Y+bound.H, r.Y+r.H)
			bound.X, bound.Y = min(bound.X, r.X), min(bound.Y, r.Y)
			bound.W, bound.H = x2-bound.X, y2-bound.Y
			if !r.Filled || r.Fill != 0 || r.H <= 0 || r.W < r.H-1e-9 {
				t.Fatalf("page %d: QR module %+v", p.Number, r)
			}
		}
		for _, b := range boxes {
			if b.X < m.X-1e-9 || b.X+b.W > m.X+m.W+1e-9 {
				t.Errorf("page %d: footer box %+v outside the margins %+v", p.Number, b, m)
			}
		}
		if bound.W < minSide*72/25.4 || bound.W > 16*72/25.4 || math.Abs(bound.W-bound.H) > 0.01 {
			t.Errorf("page %d: QR code %.1f × %.1f pt", p.Number, bound.W, bound.H)
		}
		if bound.X < m.X || bound.Y < ps.Body.Y+ps.Body.H || bound.X+bound.W > m.X+m.W+1e-9 || bound.Y+bound.H > m.Y+m.H+1e-9 {
			t.Errorf("page %d: QR code %+v outside the footer within margins %+v", p.Number, bound, m)
		}
		quiet := bound
		module := qr[0].H
		quiet.X, quiet.Y, quiet.W, quiet.H = quiet.X-4*module, quiet.Y-4*module, quiet.W+8*module, quiet.H+8*module
		for _, b := range boxes {
			if overlaps(quiet, b) {
				t.Errorf("page %d: QR code's quiet zone %+v overlaps box %+v", p.Number, quiet, b)
			}
		}
		var url []string
		for _, tx := range p.Texts {
			if tx.Role == layout.RoleQR {
				url = append(url, tx.Text)
				box := layout.Rect{X: tx.X, Y: tx.Y - tx.Face.Ascender()*tx.Size, W: tx.Width, H: (tx.Face.Ascender() - tx.Face.Descender()) * tx.Size}
				if overlaps(box, quiet) || box.X < m.X || box.X+box.W > m.X+m.W || box.Y+box.H > m.Y+m.H {
					t.Errorf("page %d: address %q at %+v collides or leaves the margins", p.Number, tx.Text, box)
				}
				for _, b := range boxes {
					if overlaps(box, b) {
						t.Errorf("page %d: address overlaps box %+v", p.Number, b)
					}
				}
			}
		}
		if got := strings.Join(url, ""); got != verifyURL && (address || got != "") {
			t.Errorf("page %d: address %q", p.Number, url)
		}
	}
	for _, p := range sample(t).Pages {
		for _, r := range p.Rects {
			if r.Role == layout.RoleQR {
				t.Fatalf("page %d of an uncertified extract has a QR code", p.Number)
			}
		}
	}
}

// TestWideListNumbersKeepTheirGap: numbers of three digits (a decision
// list that continues the protocol's numbering) widen the gutter of the
// whole list: every marker ends before its text, and the items align.
func TestWideListNumbersKeepTheirGap(t *testing.T) {
	e, tmpl := setup(t)
	doc := layouttest.Document()
	var items [][]typeset.Span
	for n := range 6 {
		items = append(items, []typeset.Span{{Text: fmt.Sprintf("Punkt %d av beslutet om samverkansöverenskommelsen.", n)}})
	}
	doc.Blocks = append([]compose.Block{compose.List{Ordered: true, Start: 97, Items: items}}, doc.Blocks...)
	ps, err := e.Layout(doc, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	texts := ps.Pages[0].Texts
	textX := -1.0
	for i, tx := range texts {
		if !strings.HasSuffix(tx.Text, ".") || strings.Trim(tx.Text, "0123456789.") != "" || i+1 == len(texts) || texts[i+1].Text != "Punkt" {
			continue
		}
		next := texts[i+1]
		if gap := next.X - (tx.X + tx.Width); gap < 5 {
			t.Errorf("marker %q ends %.1f pt before its text", tx.Text, gap)
		}
		if textX >= 0 && math.Abs(next.X-textX) > 0.01 {
			t.Errorf("item after %q starts at %.2f, the first at %.2f", tx.Text, next.X, textX)
		}
		textX = next.X
	}
	if textX < 0 {
		t.Fatal("no list markers found")
	}
}

// TestLongSignerNamesWrapInTheirColumn: a name or title longer than the
// signer's column wraps inside it (a word wider than the column too),
// the two columns never overlap, and the block grows to hold the lines.
func TestLongSignerNamesWrapInTheirColumn(t *testing.T) {
	e, tmpl := setup(t)
	long := compose.Signatures{Signers: []compose.Signer{
		{Role: "Justerare", Name: "Ánde-Máret Ŋuolja-Čoarvi Sárá Gaup Eira Bongo Somby Labba Utsi Nutti Kuhmunen Länta Pavval Sikku (MP)"},
		{Role: "Justerare", Name: strings.Repeat("X", 90) + " (S)", Title: "Ordförande för gemensamma nämnden för upphandlingssamordning och informationssäkerhet"},
	}}
	short := compose.Signatures{Signers: []compose.Signer{{Role: "Justerare", Name: "Per Olsson"}, {Role: "Justerare", Name: "Eva Berg"}}}
	height := func(sig compose.Signatures) (float64, layout.Page) {
		doc := layouttest.Document()
		doc.Blocks = []compose.Block{compose.Paragraph{Text: []typeset.Span{{Text: "Paragrafen är justerad."}}}, sig}
		ps, err := e.Layout(doc, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		p := ps.Pages[len(ps.Pages)-1]
		top, bottom := math.Inf(1), math.Inf(-1)
		for _, tx := range p.Texts {
			if tx.Role == layout.RoleSignature {
				top, bottom = min(top, tx.Y), max(bottom, tx.Y)
			}
		}
		return bottom - top, p
	}
	hShort, _ := height(short)
	hLong, p := height(long)
	if hLong < hShort+20 {
		t.Errorf("the long names take %.1f pt, the short %.1f: nothing wrapped", hLong, hShort)
	}
	var rules []layout.Rule
	for _, r := range p.Rules {
		if r.Role == layout.RoleSignature {
			rules = append(rules, r)
		}
	}
	if len(rules) != 2 {
		t.Fatalf("%d signature lines, want 2", len(rules))
	}
	for _, tx := range p.Texts {
		if tx.Role != layout.RoleSignature {
			continue
		}
		col := rules[0]
		if tx.X >= rules[1].X1-0.01 {
			col = rules[1]
		}
		if tx.X < col.X1-0.01 || tx.X+tx.Width > col.X2+0.01 {
			t.Errorf("%q at %.1f–%.1f outside its column %.1f–%.1f", tx.Text, tx.X, tx.X+tx.Width, col.X1, col.X2)
		}
	}
	words := strings.Join(texts(p, layout.RoleSignature), " ")
	for _, w := range []string{"Ŋuolja-Čoarvi", "Sikku (MP)", "informationssäkerhet"} {
		if !strings.Contains(words, w) {
			t.Errorf("signature texts lack %q: %q", w, words)
		}
	}
}

// TestTableHeaderLabelsWhole: in the narrow template the vote table's
// small columns are widened to hold their labels, which are never broken.
func TestTableHeaderLabelsWhole(t *testing.T) {
	e, _ := setup(t)
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	narrow, ok := set.Get("narrow")
	if !ok {
		t.Fatal("no narrow template")
	}
	doc := layouttest.Document()
	doc.Blocks = []compose.Block{compose.Table{Caption: "Votering", Columns: []compose.Column{
		{Label: "Ledamot", Width: 0.64}, {Label: "Ja", Width: 0.12}, {Label: "Nej", Width: 0.12}, {Label: "Avstår", Width: 0.12},
	}, Rows: [][]string{{"Áile Ŋuvttás (S)", "X", "", ""}, {"Máhtte Čoarvi (V)", "", "", "X"}}}}
	ps, err := e.Layout(doc, narrow)
	if err != nil {
		t.Fatal(err)
	}
	var cells []string
	for _, tx := range ps.Pages[0].Texts {
		if tx.Role == layout.RoleTable {
			cells = append(cells, tx.Text)
		}
	}
	got := strings.Join(cells, "|")
	for _, label := range []string{"|Ja|", "|Nej|", "|Avstår|"} {
		if !strings.Contains("|"+got+"|", label) {
			t.Errorf("header label %s not whole in %q", label, got)
		}
	}
}

// TestReleasedPagesLeaveOthersAlone: the arrays of released pages serve
// the next layouts, and what those lay out is what a layout without any
// released pages gives; released pages are emptied.
func TestReleasedPagesLeaveOthersAlone(t *testing.T) {
	e, tmpl := setup(t)
	big, small := layouttest.Document(), layouttest.Document()
	small.Blocks = []compose.Block{compose.Paragraph{Text: []typeset.Span{{Text: "En enda kort mening."}}}}
	want := map[string][]layout.Page{}
	for name, doc := range map[string]compose.Document{"big": big, "small": small} {
		ps, err := e.Layout(doc, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps.Pages {
			p.Texts = append([]layout.Text(nil), p.Texts...)
			want[name] = append(want[name], p)
		}
	}
	var kept []*layout.Pages
	var names []string
	for i, name := range []string{"big", "small", "big", "big", "small", "big"} {
		doc := big
		if name == "small" {
			doc = small
		}
		ps, err := e.Layout(doc, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		kept, names = append(kept, ps), append(names, name)
		if i%2 == 1 {
			// Release every other one, while the one before is still in use.
			ps.Release()
			if ps.Pages != nil {
				t.Fatal("released pages still hold their texts")
			}
			kept, names = kept[:len(kept)-1], names[:len(names)-1]
		}
	}
	for i, ps := range kept {
		name := names[i]
		if len(ps.Pages) != len(want[name]) {
			t.Fatalf("layout %d: %d pages, want %d", i, len(ps.Pages), len(want[name]))
		}
		for n, p := range ps.Pages {
			if fmt.Sprint(p.Texts) != fmt.Sprint(want[name][n].Texts) {
				t.Errorf("layout %d, page %d: other texts than a fresh layout's", i, n+1)
			}
		}
	}
}
