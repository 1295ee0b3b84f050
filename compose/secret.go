package compose

import (
	"fmt"

	"utdrag/extract"
	"utdrag/templates"
	"utdrag/typeset"
)

// An internal rendition shows secret text shaded (typeset.Confidential)
// and names its ground: after a span, block or list marked on its own, as
// "[Sekretess enligt OSL 26 kap. 1 §]"; under the heading of a section or
// paragraph marked whole, in a sentence that says so; after a roll call
// with names marked, in a sentence about the shaded names. Every page
// says "Innehåller sekretessbelagda uppgifter" in its running header.

// enter opens a part marked confidential on ground (nothing when ground is
// "" or the part around it has the same ground): its text is shaded and a
// sentence made of format says so. The returned function closes it.
func (b *builder) enter(ground, format string) (leave func()) {
	prev := b.secret
	if ground != "" && ground != prev {
		b.add(b.notice(format, ground))
		b.secret = ground
	}
	return func() { b.secret = prev }
}

// notice is a shaded sentence about a secret part, format filled in with
// its ground.
func (b *builder) notice(format, ground string) Paragraph {
	return Paragraph{Text: []typeset.Span{{Text: b.normalize(fmt.Sprintf(format, ground)), Style: typeset.Italic | typeset.Confidential}}}
}

// groundMark is the ground written after a secret span: " [Sekretess
// enligt OSL 26 kap. 1 §]", shaded with it.
func (b *builder) groundMark(ground string) typeset.Span {
	return typeset.Span{Text: " " + b.normalize(fmt.Sprintf(b.l.ConfidentialMark, ground)),
		Style: typeset.Italic | typeset.NoHyphen | typeset.Confidential}
}

// shade marks spans as secret text.
func shade(spans []typeset.Span) []typeset.Span {
	for i := range spans {
		spans[i].Style |= typeset.Confidential
	}
	return spans
}

// shadeBlock shades the text of a block added inside a secret part: its
// paragraphs, list items and notes, and the names of its tables; headings
// are the protocol's labels and stay as they are.
func shadeBlock(bl Block) Block {
	switch bl := bl.(type) {
	case Paragraph:
		bl.Text = shade(bl.Text)
		return bl
	case List:
		for i := range bl.Items {
			bl.Items[i] = shade(bl.Items[i])
		}
		return bl
	case Note:
		bl.Text = shade(bl.Text)
		return bl
	case Table:
		bl.Shade = make([][]bool, max(len(bl.Rows)-1, 0)) // not the sum
		for i := range bl.Shade {
			bl.Shade[i] = []bool{true}
		}
		return bl
	}
	return bl
}

// confidential is the running header's mark of an internal rendition: an
// extract with parts marked confidential (its public copy has none).
func confidential(x *extract.Extract, l templates.Labels) string {
	if !x.Marked() {
		return ""
	}
	return l.ConfidentialHeader
}
