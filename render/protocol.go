package render

import (
	"cmp"
	"context"
	"fmt"

	"utdrag/anslag"
	"utdrag/compose"
	"utdrag/extract"
	"utdrag/render/pdf"
)

// RenderProtocol composes, lays out and draws the whole protocol of a
// meeting with the same engine and rules as an extract: "PROTOKOLL" in the
// running header, the justerare's sign box on every page, the front page
// and the anslagsbevis (notice nil: not yet posted); cert closes the
// certified protocol (nil: not certified). The public rendition
// of a protocol with parts marked confidential is made from its masked
// copy, as for an extract.
func (e *Engine) RenderProtocol(ctx context.Context, p *extract.Protocol, notice *anslag.Notice, cert *compose.Certification, opt Options) (*Result, error) {
	t, err := e.Template(&p.Extract)
	if err != nil {
		return nil, err
	}
	r, ok := extract.ParseRendition(string(opt.Rendition))
	if !ok {
		return nil, fmt.Errorf("render: unknown rendition %q", opt.Rendition)
	}
	if r == extract.Public && p.Marked() {
		masked := *p
		masked.Extract = *compose.Mask(&p.Extract, t.Labels)
		p = &masked
	}
	doc := compose.BuildProtocol(p, t, compose.DefaultProtocolLabels(), notice, cert)
	po := pdf.Options{Part: cmp.Or(opt.PDFA, t.PDFA), Classic: cert != nil} // certify reads a classic file
	if po.Part == 3 {
		po.Source, po.SourceName = p.Canonical(), "protokoll.json"
	}
	res, err := e.draw(ctx, "the protocol", doc, t, po, cert != nil)
	if err != nil {
		return nil, err
	}
	res.Rendition, res.Extract = r, &p.Extract
	return res, nil
}
