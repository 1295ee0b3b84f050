package compose

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"utdrag/extract"
	"utdrag/templates"
)

// Mask returns the public copy of x: a new extract in which every part
// marked confidential is replaced by the template's placeholder naming its
// ground ("[Uppgift borttagen enligt OSL 26 kap. 1 §]"), the ground kept
// as Withheld. A span (with the marked spans next to it on the same
// ground), a block or a list whole, a section's text, a ballot's name or
// a paragraph's title and text become one placeholder each, whatever
// their length, so nothing in the copy tells how much was removed. What
// stays: a section's heading, a paragraph's number, case number and
// omedelbar justering, a ballot's vote. The copy holds none of the secret
// text and no confidential marks; an extract with none is copied as it
// is. x is not changed.
//
// The public rendition is the document of this copy: what is masked is
// decided here, once, before any renderer sees text, and the copy is also
// what a public record keeps.
func Mask(x *extract.Extract, l templates.Labels) *extract.Extract {
	var m extract.Extract
	if err := json.Unmarshal(x.Canonical(), &m); err != nil {
		panic(fmt.Sprintf("compose: copying an extract: %v", err)) // an Extract always decodes its own encoding
	}
	mk := masker{l: l}
	for i := range m.Paragraphs {
		mk.paragraph(&m.Paragraphs[i])
	}
	return &m
}

type masker struct{ l templates.Labels }

// placeholder is the text that stands for what ground withholds.
func (mk masker) placeholder(ground string) string { return fmt.Sprintf(mk.l.Withheld, ground) }

// withheld is a paragraph of text that is only the placeholder.
func (mk masker) withheld(ground string) extract.Block {
	return extract.Block{Type: extract.BlockParagraph, Text: extract.RichText{{Text: mk.placeholder(ground), Withheld: ground}}}
}

func (mk masker) paragraph(p *extract.Paragraph) {
	if g := p.Confidential; g != "" {
		*p = extract.Paragraph{
			Number: p.Number, CaseNumber: p.CaseNumber, Title: mk.placeholder(g),
			Decision:            []extract.Block{mk.withheld(g)},
			ImmediatelyAdjusted: p.ImmediatelyAdjusted, Withheld: g,
		}
		return
	}
	for i := range p.Sections {
		s := &p.Sections[i]
		if g := s.Confidential; g != "" {
			s.Blocks, s.Confidential = []extract.Block{mk.withheld(g)}, ""
			continue
		}
		mk.blocks(s.Blocks)
	}
	mk.blocks(p.Proposal)
	for i := range p.Motions {
		p.Motions[i].Text = mk.rich(p.Motions[i].Text)
		mk.blocks(p.Motions[i].Wording)
	}
	for i := range p.Propositions {
		p.Propositions[i] = mk.rich(p.Propositions[i])
	}
	for i := range p.Votes {
		for j := range p.Votes[i].Ballots {
			b := &p.Votes[i].Ballots[j]
			if g := b.Confidential; g != "" {
				b.Member, b.Confidential, b.Withheld = extract.Person{Name: mk.placeholder(g)}, "", g
			}
		}
	}
	mk.blocks(p.Decision)
	for i := range p.Reservations {
		p.Reservations[i].Text = mk.rich(p.Reservations[i].Text)
	}
	for i := range p.Notes {
		p.Notes[i].Text = mk.rich(p.Notes[i].Text)
	}
}

func (mk masker) blocks(bs []extract.Block) {
	for i := range bs {
		b := &bs[i]
		if g := b.Confidential; g != "" {
			*b = mk.withheld(g)
			continue
		}
		b.Text = mk.rich(b.Text)
		for j := range b.Items {
			b.Items[j] = mk.rich(b.Items[j])
		}
	}
}

// rich replaces each run of spans marked on one ground, with the blanks
// and punctuation between them ("Kim Svensson", ", ", "160314-9822"), by
// one placeholder that keeps the run's amendment mark: two placeholders
// side by side would tell that two things were removed.
func (mk masker) rich(r extract.RichText) extract.RichText {
	if r == nil {
		return nil
	}
	out := make(extract.RichText, 0, len(r))
	for i := 0; i < len(r); i++ {
		s := r[i]
		g := s.Confidential
		if g == "" {
			out = append(out, s)
			continue
		}
		end := i
		for j := i + 1; j < len(r); j++ {
			if r[j].Confidential == g {
				end = j
			} else if r[j].Confidential != "" || strings.ContainsFunc(r[j].Text, wordChar) {
				break
			}
		}
		// The blanks around the run stay, so the placeholder is a word of
		// its own.
		lead := s.Text[:len(s.Text)-len(strings.TrimLeftFunc(s.Text, unicode.IsSpace))]
		last := r[end].Text
		trail := last[len(strings.TrimRightFunc(last, unicode.IsSpace)):]
		out = append(out, extract.Span{Text: lead + mk.placeholder(g) + trail, Withheld: g, Deleted: s.Deleted, Inserted: s.Inserted})
		i = end
	}
	return out
}

func wordChar(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
