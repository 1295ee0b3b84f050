package layout_test

import (
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/layout"
	"utdrag/layout/layouttest"
	"utdrag/typeset"
)

// filler is the running text the make-up tests vary in length, so that
// the part under test falls at every height of a page.
var filler = []string{
	"Förvaltningen har berett ärendet i samråd med berörda verksamheter och de fackliga organisationerna.",
	"Kostnaderna ryms inom den ram som fullmäktige har fastställt för innevarande år.",
	"Nämnden har tidigare informerats om arbetet vid sammanträdet i september.",
	"Ett samlat underlag redovisas i tjänsteskrivelsen, som biläggs protokollet.",
}

// fillerParagraphs returns n paragraphs of filler, one to four sentences
// each, so that consecutive n move what follows by one or a few lines.
func fillerParagraphs(n int) []compose.Block {
	var out []compose.Block
	for i := range n {
		text := strings.Join(filler[:1+i%len(filler)], " ")
		out = append(out, compose.Paragraph{Text: []typeset.Span{{Text: text}}})
	}
	return out
}

func span(s string) []typeset.Span { return []typeset.Span{{Text: s}} }

// closing is the end of an extract as compose writes it: the decision,
// the justering line and the signature block (two justerare and the
// certifier, two rows).
func closing(decision string) []compose.Block {
	return []compose.Block{
		compose.Heading{Level: 2, Text: span("Beslut")},
		compose.Paragraph{Text: span(decision)},
		compose.Note{Text: span("Justeringens plats och tid: Östersund 2024-05-21")},
		compose.Signatures{Signers: []compose.Signer{
			{Role: "Justerare", Name: "Karin Lindqvist (S)"},
			{Role: "Justerare", Name: "Olof Brännström (M)"},
			{Role: "Rätt utdraget intygar", Name: "Maria Eriksson", Title: "Nämndsekreterare"},
		}},
	}
}

// TestSignaturesKeepTheLastLinesOfTheDecision: wherever the decision ends
// on its page, the signature block shares its page with at least the last
// two lines of the decision, never with only the justering line. The
// sweep moves the end of the decision over a whole page, so it passes the
// place where the signatures no longer fit under it (about 210 pt left
// for about 224 pt of justering line and signatures).
func TestSignaturesKeepTheLastLinesOfTheDecision(t *testing.T) {
	e, tmpl := setup(t)
	const decision = "Nämnden beslutar att godkänna förvaltningens förslag till reviderad delegationsordning och att den gäller från och med den 1 juli 2024. Förvaltningen får i uppdrag att redovisa tillämpningen vid nämndens sammanträde i december. " +
		"Beslut som fattas med stöd av delegation anmäls till nämnden vid nästa sammanträde. Den tidigare delegationsordningen upphör att gälla när den nya träder i kraft, och ärenden som har påbörjats dessförinnan avgörs enligt den nya ordningen."
	pulled := 0 // layouts in which the signatures took decision lines to a new page
	for n := 1; n <= 30; n++ {
		doc := layouttest.Document()
		doc.Blocks = append([]compose.Block{compose.Heading{Level: 1, Text: span("§\u00a044 Delegationsordning (SN 2024/87)")}}, fillerParagraphs(n)...)
		doc.Blocks = append(doc.Blocks, closing(decision)...)
		decisionBlock := len(doc.Blocks) - 3
		ps, err := e.Layout(doc, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps.Pages {
			sig := -1
			for i, b := range p.Blocks {
				if b.Kind == layout.KindSignatures {
					sig = i
				}
			}
			if sig < 0 {
				continue
			}
			lines := 0
			for _, b := range p.Blocks[:sig] {
				if b.Source == decisionBlock {
					lines++
				}
			}
			if lines < 2 {
				prev := ps.Pages[p.Number-2]
				last := prev.Blocks[len(prev.Blocks)-1]
				t.Errorf("%d filler paragraphs: the signatures on page %d have %d decision lines above them (%d pt left under the text of page %d)",
					n, p.Number, lines, int(ps.Body.Y+ps.Body.H-last.Top-last.Height), prev.Number)
			}
			if p.Number > 1 && p.Blocks[0].Source >= decisionBlock-1 { // the heading Beslut or the decision
				pulled++
			}
		}
	}
	if pulled == 0 {
		t.Error("the signatures always fitted under the decision: the sweep proves nothing")
	}
}

// TestNoRuleAtTheHeadOfAPage: the rule between the parts of a paragraph
// (before Yrkanden) never opens a page under the running header, nor ends
// a page apart from the heading it introduces.
func TestNoRuleAtTheHeadOfAPage(t *testing.T) {
	e, tmpl := setup(t)
	dropped := 0 // layouts in which the page break fell on the rule
	for n := 1; n <= 30; n++ {
		doc := layouttest.Document()
		doc.Blocks = append(fillerParagraphs(n),
			compose.Separator{},
			compose.Heading{Level: 2, Text: span("Yrkanden")},
			compose.Paragraph{Text: span("Karin Lindqvist (S) yrkar bifall till förvaltningens förslag. Olof Brännström (M) yrkar att ärendet återremitteras för ytterligare beredning.")},
		)
		ps, err := e.Layout(doc, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		placed := 0
		for _, p := range ps.Pages {
			for i, b := range p.Blocks {
				if b.Kind != layout.KindSeparator {
					continue
				}
				placed++
				if i == 0 {
					t.Errorf("%d filler paragraphs: page %d opens with the rule", n, p.Number)
				}
				if i == len(p.Blocks)-1 {
					t.Errorf("%d filler paragraphs: page %d ends with the rule", n, p.Number)
				}
			}
			// Drawn, not only recorded: no body rule above the page's first line of text.
			first := p.Blocks[0].Top
			for _, r := range p.Rules {
				if r.Role == layout.RoleBody && r.Y1 <= first+0.01 {
					t.Errorf("%d filler paragraphs: page %d has a rule at %.1f, above its first block at %.1f", n, p.Number, r.Y1, first)
				}
			}
		}
		switch placed {
		case 0:
			dropped++
		case 1:
		default:
			t.Errorf("%d filler paragraphs: the rule placed %d times", n, placed)
		}
	}
	if dropped == 0 {
		t.Error("the page break never fell on the rule: the sweep proves nothing")
	}
}
