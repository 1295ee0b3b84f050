package render

import (
	"cmp"
	"context"

	"utdrag/anslag"
	"utdrag/compose"
	"utdrag/extract"
	"utdrag/render/pdf"
	"utdrag/templates"
)

// RenderAppeal draws the appeal instruction for paragraphs nums of x
// (compose.BuildAppeal) with the same engine and rules as the extract:
// PDF/A in the template's part, tagged, the same fonts. An extract with
// parts marked confidential gives it from its public copy, so the
// instruction never holds more than the public rendition; the route of
// appeal is the source's.
func (e *Engine) RenderAppeal(ctx context.Context, x *extract.Extract, texts *templates.AppealTexts, nums []int, notice *anslag.Notice) (*Result, error) {
	t, err := e.Template(x)
	if err != nil {
		return nil, err
	}
	if x.Marked() {
		masked := compose.Mask(x, t.Labels)
		for i := range masked.Paragraphs {
			if a := x.Paragraphs[i].Appeal; a != nil {
				masked.Paragraphs[i].Appeal = &extract.Appeal{Route: a.Route, Statute: a.Statute}
			}
		}
		x = masked
	}
	doc, err := compose.BuildAppeal(x, t, texts, nums, notice)
	if err != nil {
		return nil, err
	}
	part := cmp.Or(t.PDFA, 2)
	if part == 3 {
		part = 2 // no source attached: the instruction is made from the extract's
	}
	res, err := e.draw(ctx, "the appeal instruction", doc, t, pdf.Options{Part: part}, false)
	if err != nil {
		return nil, err
	}
	res.Rendition, res.Extract = extract.Public, x
	return res, nil
}
