package render_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/layout"
	"utdrag/render"
	"utdrag/templates"
	"utdrag/typeset"
)

// pieces are what the generated extracts are made of: ordinary Swedish,
// long compounds, Sami names, addresses, numbers, signs, odd spacing, and
// letters from outside Swedish and Sami.
var pieces = []string{
	"Regionstyrelsen", "beslutar", "att", "godkänna", "förslaget", "och", "i", "med", "samt", "om",
	"samverkansöverenskommelsen", "informationssäkerhetssamordningsfunktionsansvaret",
	"miljöövervakningsprogramsutvärderingsarbetsgruppsordförandeskapet",
	"Áile Ŋuvttás (S)", "Máhtte Čoarvi", "Jåhkåmåhkke", "Đuolbajávri", "Ŧuolla",
	"https://www.example.se/protokoll/2025/beslutsunderlag_slutlig_version.pdf",
	"registrator.miljo-och-byggnadsnamnden@example.se", "EU-direktivet", "Anna-Karin",
	"12345678", "6 746 750 kronor", "3,5 procent", "§ 12", "9 kap. 37 §", "kl. 13.30", "2023-10-06",
	"RS/412/2023", "(2017:725)", "2019-2022", "\"citat\"", "...", "–", "(KD)", "\u00a0", "\n", "\t",
	strings.Repeat("X", 70), strings.Repeat("7", 45), "bl.a.", "t.ex.",
	"Łukasz Wałęsa", "Ωμέγα", "Дмитрий Иванов", // outside Swedish and Sami
}

// gen builds an extract from the fuzzer's bytes, read as a stream of
// choices; the same bytes give the same extract.
type gen struct{ b []byte }

func (g *gen) n(limit int) int {
	if len(g.b) == 0 || limit <= 0 {
		return 0
	}
	v := int(g.b[0]) % limit
	g.b = g.b[1:]
	return v
}

func (g *gen) text(words int) string {
	var out []string
	for range 1 + g.n(words) {
		out = append(out, pieces[g.n(len(pieces))])
	}
	s := strings.TrimSpace(strings.Join(out, " "))
	if s == "" {
		return "Text"
	}
	return s
}

func (g *gen) rich(words int) extract.RichText {
	var r extract.RichText
	for range 1 + g.n(4) {
		sp := extract.Span{Text: g.text(words) + " "}
		switch g.n(6) {
		case 5:
			sp.Confidential = "OSL 26 kap. 1 §"
		case 1:
			sp.Deleted = true
		case 2:
			sp.Inserted = true
		case 3:
			sp.Bold = true
		case 4:
			sp.Italic = true
		}
		r = append(r, sp)
	}
	return r
}

func (g *gen) blocks(n int) []extract.Block {
	var bs []extract.Block
	for range 1 + g.n(n) {
		switch g.n(3) {
		case 0:
			bs = append(bs, extract.Block{Type: extract.BlockParagraph, Text: g.rich(60)})
		default:
			b := extract.Block{Type: extract.BlockNumbered, Start: g.n(120)}
			if g.n(2) == 0 {
				b.Type, b.Start = extract.BlockBulleted, 0
			}
			for range 1 + g.n(6) {
				b.Items = append(b.Items, g.rich(30))
			}
			bs = append(bs, b)
		}
	}
	return bs
}

func (g *gen) person() extract.Person {
	return extract.Person{Name: g.text(4), Party: []string{"", "S", "M", "KD", "-", "MP"}[g.n(6)]}
}

func (g *gen) extract() *extract.Extract {
	x := &extract.Extract{
		Organisation: extract.Organisation{ID: "fuzz", Name: g.text(12)},
		Organ:        g.text(10),
		Meeting:      extract.Meeting{Date: "2025-06-16", Place: g.text(3)},
		Justering:    extract.Justering{Date: "2025-06-17", Place: g.text(2)},
		Template:     []string{"", "narrow"}[g.n(2)],
	}
	for range 1 + g.n(2) {
		p := extract.Paragraph{Number: 1 + g.n(250), CaseNumber: "KS 2025/" + fmt.Sprint(g.n(999)), Title: g.text(20)}
		for range g.n(3) {
			p.Sections = append(p.Sections, extract.Section{Heading: g.text(6), Level: g.n(3), Blocks: g.blocks(4)})
		}
		p.Decision = g.blocks(3)
		if g.n(2) == 1 {
			m := extract.Motion{By: g.person(), Text: g.rich(10), Wording: g.blocks(2)}
			p.Motions = append(p.Motions, m)
			p.Propositions = append(p.Propositions, g.rich(20))
		}
		if g.n(2) == 1 {
			v := extract.Vote{Proposition: g.text(10), Outcome: g.text(8)}
			for range 1 + g.n(40) {
				v.Ballots = append(v.Ballots, extract.Ballot{Member: g.person(), Vote: []string{"ja", "nej", "avstår"}[g.n(3)]})
			}
			p.Votes = append(p.Votes, v)
		}
		if g.n(2) == 1 {
			p.Reservations = append(p.Reservations, extract.Reservation{By: []extract.Person{g.person(), g.person()}, Text: g.rich(8)})
		}
		for range g.n(4) {
			p.DistributeTo = append(p.DistributeTo, g.text(5))
		}
		p.Basis = append(p.Basis, g.text(15))
		p.ImmediatelyAdjusted = g.n(2) == 1
		x.Paragraphs = append(x.Paragraphs, p)
	}
	for range 1 + g.n(3) {
		x.Justering.Adjusters = append(x.Justering.Adjusters, g.person())
	}
	return x
}

// FuzzRender renders extracts of every shape the pieces allow: a render
// never fails or panics on valid input, and nothing is drawn outside the
// page's text areas (a word too wide is broken, a long name wraps).
func FuzzRender(f *testing.F) {
	for _, seed := range []string{"", "\x01\x02\x03", "uttrag", strings.Repeat("\xff\x10\x33", 40), strings.Repeat("\x07\x80\x21\x42\x99", 80)} {
		f.Add([]byte(seed))
	}
	eng := newEngine(f)
	lay := layout.New(exampletest.Fonts(f), typeset.New(exampletest.Hyphenator(f)))
	f.Fuzz(func(t *testing.T, data []byte) {
		x := (&gen{b: data}).extract()
		if err := x.Validate(extract.Limits{Drawable: eng.Drawable}); err != nil {
			t.Skip(err) // the pieces make valid extracts; a limit may still be hit
		}
		res, err := eng.Render(x, &compose.Certification{Name: "Lena Nordin", Title: "Nämndsekreterare", Date: "2025-06-18",
			Initials: "LN", VerifyURL: "https://utdrag.example.se/v/0123456789abcdef01234567/1"})
		if err != nil {
			t.Fatalf("render: %v", err)
		}
		if !bytes.HasPrefix(res.PDF, []byte("%PDF-")) || res.Pages < 1 {
			t.Fatalf("%d pages, %d bytes", res.Pages, len(res.PDF))
		}
		docs := []compose.Document{res.Document}
		if x.Marked() {
			in, err := eng.RenderWith(context.Background(), x, nil, render.Options{Rendition: extract.Internal})
			if err != nil {
				t.Fatalf("internal rendition: %v", err)
			}
			docs = append(docs, in.Document)
		}
		tmpl, err := eng.Template(x)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range docs {
			inside(t, lay, doc, tmpl)
		}
	})
}

// inside fails t when the layout of doc draws text or shading outside the
// page's text areas.
func inside(t *testing.T, lay *layout.Engine, doc compose.Document, tmpl *templates.Template) {
	ps, err := lay.Layout(doc, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	const eps = 0.01
	for _, p := range ps.Pages {
		for _, r := range p.Rects {
			if r.Role == layout.RoleShade && (r.X < ps.Body.X-eps || r.X+r.W > ps.Body.X+ps.Body.W+eps || r.Y+r.H > ps.Body.Y+ps.Body.H+eps) {
				t.Fatalf("page %d: shading %+v outside %+v", p.Number, r, ps.Body)
			}
		}
		for _, tx := range p.Texts {
			area := ps.Body
			if tx.Role == layout.RoleHeader || tx.Role == layout.RoleFooter || tx.Role == layout.RoleQR {
				area = ps.Margins
			}
			if tx.X < area.X-eps || tx.X+tx.Width > area.X+area.W+eps || tx.Y > area.Y+area.H+eps {
				t.Fatalf("page %d: %q at x %.1f–%.1f, y %.1f outside %+v", p.Number, tx.Text, tx.X, tx.X+tx.Width, tx.Y, area)
			}
		}
	}
}
