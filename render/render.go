// Package render is the one entry point from a validated extract to PDF
// bytes: it composes the document, lays it out and draws it. An Engine holds
// everything parsed at start-up (fonts, hyphenation patterns, templates) and
// is safe for concurrent use.
//
// It may import anslag, compose, layout, render/pdf, render/html, templates, fonts
// and typeset.
package render

import (
	"cmp"
	"context"
	"fmt"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/fonts"
	"utdrag/layout"
	"utdrag/render/html"
	"utdrag/render/pdf"
	"utdrag/templates"
	"utdrag/typeset"
)

// Engine renders extracts.
type Engine struct {
	fonts     *fonts.Set
	templates *templates.Set
	layout    *layout.Engine
	pdf       *pdf.Renderer
	html      *html.Renderer
}

// Result is a rendered extract.
type Result struct {
	PDF      []byte
	Pages    int
	Template string // name@version
	Document compose.Document
	// Rendition is the rendition drawn; Extract what it was drawn from:
	// for the public rendition of a marked extract, its masked copy.
	Rendition extract.Rendition
	Extract   *extract.Extract
	// Overflows are the texts of a certification that run out of their
	// box (the initials of a long name in Utdragsbestyrkande); looked for
	// only when rendering with a certification, which must then be
	// refused rather than signed.
	Overflows []layout.Overflow
}

// New loads fonts, hyphenation patterns and templates once.
func New() (*Engine, error) {
	fs, err := fonts.Load()
	if err != nil {
		return nil, fmt.Errorf("render: loading fonts: %w", err)
	}
	hy, err := typeset.NewHyphenator()
	if err != nil {
		return nil, fmt.Errorf("render: loading hyphenation patterns: %w", err)
	}
	ts, err := templates.Load()
	if err != nil {
		return nil, fmt.Errorf("render: loading templates: %w", err)
	}
	hr, err := html.New()
	if err != nil {
		return nil, fmt.Errorf("render: loading HTML templates: %w", err)
	}
	return &Engine{
		fonts:     fs,
		templates: ts,
		layout:    layout.New(fs, typeset.New(hy)),
		pdf:       pdf.New(fs),
		html:      hr,
	}, nil
}

// Drawable reports whether the documents can show r: every face of the
// fonts has it. It is extract.Limits.Drawable for input to this engine.
func (e *Engine) Drawable(r rune) bool { return e.fonts.Covers(r) }

// Template returns the template an extract is rendered with, or a
// ValidationError naming the field when it names an unknown one.
func (e *Engine) Template(x *extract.Extract) (*templates.Template, error) {
	t, ok := e.templates.Get(x.Template)
	if !ok {
		return nil, extract.ValidationError{{Field: "template", Rule: "enum",
			Message: fmt.Sprintf("okänd mall %q", x.Template)}}
	}
	return t, nil
}

// Options choose the PDF rendition.
type Options struct {
	// PDFA is the PDF/A part: 1 (the rendition for checking with
	// validators that know only PDF/A-1), 2, or 3 (with the extract's
	// canonical JSON attached as its source); 0 takes the template's,
	// which is 2 unless it says otherwise.
	PDFA int
	// Rendition is Public (the zero value: what anyone may read) or
	// Internal. The public rendition of an extract with parts marked
	// confidential is made from its masked copy (compose.Mask): text,
	// metadata and an attached source hold none of the secret text. An
	// extract with nothing marked is the same in both.
	Rendition extract.Rendition
}

// Render composes, lays out and draws an extract in the template's PDF/A
// part; cert fills the certification (nil: not certified).
func (e *Engine) Render(x *extract.Extract, cert *compose.Certification) (*Result, error) {
	return e.RenderWith(context.Background(), x, cert, Options{})
}

// RenderContext is Render that stops once ctx is done, with an error that
// wraps ctx's: the layout looks before each block, the PDF writer before
// each page, so a render past its time frees its CPU within a block.
func (e *Engine) RenderContext(ctx context.Context, x *extract.Extract, cert *compose.Certification) (*Result, error) {
	return e.RenderWith(ctx, x, cert, Options{})
}

// RenderWith is RenderContext in the rendition opt asks for. A certified
// extract is written with a classic cross-reference table, as certify
// reads the file it signs.
func (e *Engine) RenderWith(ctx context.Context, x *extract.Extract, cert *compose.Certification, opt Options) (*Result, error) {
	t, err := e.Template(x)
	if err != nil {
		return nil, err
	}
	r, ok := extract.ParseRendition(string(opt.Rendition))
	if !ok {
		return nil, fmt.Errorf("render: unknown rendition %q", opt.Rendition)
	}
	if r == extract.Public && x.Marked() {
		x = compose.Mask(x, t.Labels)
	}
	doc := compose.Build(x, t, cert)
	po := pdf.Options{Part: cmp.Or(opt.PDFA, t.PDFA), Classic: cert != nil}
	if po.Part == 3 {
		po.Source, po.SourceName = x.Canonical(), "utdrag.json"
	}
	res, err := e.draw(ctx, "the extract", doc, t, po, cert != nil)
	if err != nil {
		return nil, err
	}
	res.Rendition, res.Extract = r, x
	return res, nil
}

// draw lays doc out with t and writes it as a PDF with po: the one path
// from a composed document to a file, for extracts, protocols and appeal
// instructions. With certified it also reports the certification's texts
// that run out of their boxes. The pages' arrays go back to the layout's
// pool once the file holds what they said.
func (e *Engine) draw(ctx context.Context, what string, doc compose.Document, t *templates.Template, po pdf.Options, certified bool) (*Result, error) {
	pages, err := e.layout.LayoutContext(ctx, doc, t)
	if err != nil {
		return nil, fmt.Errorf("render: laying out %s: %w", what, err)
	}
	b, err := e.pdf.RenderContext(ctx, pages, &doc, po)
	n := len(pages.Pages)
	var over []layout.Overflow
	if certified {
		over = pages.Overflows()
	}
	pages.Release()
	if err != nil {
		return nil, fmt.Errorf("render: drawing the PDF of %s: %w", what, err)
	}
	return &Result{PDF: b, Pages: n, Template: t.ID(), Document: doc, Overflows: over}, nil
}

// HTML writes the accessible HTML rendition of a composed document: the
// same normalised text as the PDF.
func (e *Engine) HTML(doc compose.Document) ([]byte, error) {
	b, err := e.html.Render(doc)
	if err != nil {
		return nil, fmt.Errorf("render: writing HTML: %w", err)
	}
	return b, nil
}
