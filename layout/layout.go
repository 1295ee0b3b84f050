// Package layout places a composed document on pages: it sets every block's
// text with the typesetter, breaks the vertical list into pages with
// typeset.BreakPages (headings kept with what follows, no club or widow
// lines, table rows and signature blocks whole), and adds the running header
// and the footer boxes. The result is plain data — positioned text runs,
// rules and rectangles — that tests can inspect and any renderer can draw.
//
// It may import compose, typeset, templates, fonts and rsc.io/qr (the
// verification QR code).
package layout

import (
	"context"
	"errors"
	"fmt"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/templates"
	"utdrag/typeset"
)

// mm is one millimetre in points: templates are in millimetres, layout
// works in points like the typesetter.
const mm = 72 / 25.4

// Engine lays out documents. Build one at start-up and share it: it holds
// only read-only values and is safe for concurrent use.
type Engine struct {
	fonts *fonts.Set
	ts    Breaker
}

// Breaker breaks a paragraph into lines: the Knuth–Plass typesetter in
// production, a first-fit baseline in the quality report.
type Breaker interface {
	Set(spans []typeset.Span, faces typeset.Faces, p typeset.Params) []typeset.Line
}

// New returns an Engine measuring with the faces of fs and setting
// paragraphs with ts.
func New(fs *fonts.Set, ts Breaker) *Engine {
	return &Engine{fonts: fs, ts: ts}
}

// Layout places doc on pages of template t.
func (e *Engine) Layout(doc compose.Document, t *templates.Template) (*Pages, error) {
	return e.LayoutContext(context.Background(), doc, t)
}

// LayoutContext is Layout that stops, with ctx's error, once ctx is done:
// it looks before each block.
func (e *Engine) LayoutContext(ctx context.Context, doc compose.Document, t *templates.Template) (*Pages, error) {
	if t == nil {
		return nil, errors.New("layout: no template")
	}
	st, err := e.newStyle(t)
	if err != nil {
		return nil, fmt.Errorf("layout: template %s: %w", t.ID(), err)
	}
	st.ctx = ctx
	st.slab = slabs.Get().(*slab)
	defer st.slab.release() // the pages hold copies of the texts
	items, err := st.items(doc)
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	pages := st.paginate(items)
	if err := st.furnish(pages, doc.Header); err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	return pages, nil
}

// family adapts one font family to typeset.Faces; it is indexed by the
// Bold and Italic bits of a typeset.Style.
type family [4]*fonts.Face

func (f *family) Face(s typeset.Style) typeset.Face { return f[s.Face()] }

func (e *Engine) family(name string) (*family, error) {
	var f family
	for bits := range f {
		st := typeset.Style(bits)
		f[bits] = e.fonts.Face(name, fonts.Style{Bold: st&typeset.Bold != 0, Italic: st&typeset.Italic != 0})
		if f[bits] == nil {
			return nil, fmt.Errorf("unknown font family %q", name)
		}
	}
	return &f, nil
}
