// Package html writes a composed extract as a standalone, accessible HTML5
// document: the same compose.Document the PDF is drawn from, so the two
// renditions read the same word for word. The page furniture (organisation,
// kind, organ, meeting date, footer boxes) is in the document and, for
// print, in CSS paged-media margin boxes on A4 with a page counter. The page
// has no external resources and the same document gives the same bytes.
//
// It may import compose, typeset and the standard library.
package html

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	"utdrag/compose"
	"utdrag/typeset"
)

//go:embed extract.html.tmpl style.css
var files embed.FS

// Renderer writes HTML. Build one at start-up and share it: it holds only
// the parsed template and is safe for concurrent use.
type Renderer struct {
	tmpl *template.Template
}

// New parses the page template and its style sheet.
func New() (*Renderer, error) {
	css, err := files.ReadFile("style.css")
	if err != nil {
		return nil, fmt.Errorf("html: reading style sheet: %w", err)
	}
	t, err := template.New("extract.html.tmpl").Funcs(template.FuncMap{
		// The style sheet is a file of this package, never input.
		"css":       func() template.CSS { return template.CSS(css) },
		"cssString": cssString,
	}).ParseFS(files, "extract.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("html: parsing template: %w", err)
	}
	return &Renderer{tmpl: t}, nil
}

// Render writes doc as an HTML document (UTF-8).
func (r *Renderer) Render(doc compose.Document) ([]byte, error) {
	v, err := newPage(doc)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(32 << 10)
	if err := r.tmpl.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("html: writing %q: %w", doc.Meta.Title, err)
	}
	return buf.Bytes(), nil
}

// page is what the template sees: the document's blocks turned into views
// with plain fields, so the template needs no type switches.
type page struct {
	Lang   string
	Meta   compose.Meta
	Header compose.Header
	// Running is the header text of the print margin boxes.
	RunningLeft, RunningCenter string
	Blocks                     []block
}

// block is one body block; Kind selects the template branch.
type block struct {
	Kind    string // "h", "p", "list", "table", "sig", "note", "hr", "break"
	Level   int    // heading level, 1..3
	Indent  int
	Plain   bool
	Ordered bool
	Start   int
	Inline  []inline   // heading, paragraph, note
	Items   [][]inline // list items
	Table   *table
	Signers []signer
}

// inline is a run of text with its marks; Lines are the run's text split at
// hard line breaks.
type inline struct {
	Lines                []string
	Strong, Em, Del, Ins bool
	NoBreak              bool
	// Secret marks text of an internal rendition that is secret: <mark>.
	Secret bool
	Lang   string // the span's language when not the page's
}

type table struct {
	Caption string
	Columns []compose.Column
	Rows    [][]cell
}

type cell struct {
	Text   string
	Secret bool
}

type signer struct {
	compose.Signer
	PlaceDate        string
	ElectronicSigned string
}

func newPage(doc compose.Document) (page, error) {
	lang := doc.Meta.Language
	if lang == "" || strings.HasPrefix(lang, "sv") {
		// The language alone: what screen readers choose a voice by.
		lang = "sv"
	}
	h := doc.Header
	p := page{
		Lang: lang, Meta: doc.Meta, Header: h,
		RunningLeft:   joinNonEmpty("\n", h.Organisation, h.Organ),
		RunningCenter: joinNonEmpty("\n", h.Kind, joinNonEmpty(" ", h.DateLabel, h.Date), h.Draft, h.Confidential),
	}
	for i, b := range doc.Blocks {
		v, err := newBlock(b, doc.Meta.Languages)
		if err != nil {
			return page{}, fmt.Errorf("html: block %d: %w", i, err)
		}
		p.Blocks = append(p.Blocks, v)
	}
	return p, nil
}

func newBlock(b compose.Block, langs []string) (block, error) {
	switch b := b.(type) {
	case compose.Heading:
		level := min(max(b.Level, 1), 3)
		// A heading is bold by its element; the mark adds nothing.
		return block{Kind: "h", Level: level, Inline: spans(b.Text, typeset.Bold, langs)}, nil
	case compose.Paragraph:
		return block{Kind: "p", Inline: spans(b.Text, 0, langs), Indent: b.Indent, Plain: b.Plain}, nil
	case compose.List:
		start := b.Start
		if start == 0 {
			start = 1
		}
		items := make([][]inline, len(b.Items))
		for i, it := range b.Items {
			items[i] = spans(it, 0, langs)
		}
		return block{Kind: "list", Ordered: b.Ordered, Start: start, Items: items, Indent: b.Indent}, nil
	case compose.Table:
		rows := make([][]cell, len(b.Rows))
		for i, r := range b.Rows {
			rows[i] = make([]cell, len(r))
			for j, c := range r {
				rows[i][j] = cell{Text: c, Secret: b.Shaded(i, j)}
			}
		}
		return block{Kind: "table", Table: &table{Caption: b.Caption, Columns: b.Columns, Rows: rows}}, nil
	case compose.Signatures:
		ss := make([]signer, len(b.Signers))
		for i, s := range b.Signers {
			ss[i] = signer{Signer: s, PlaceDate: joinNonEmpty(" ", s.Place, s.Date)}
			if s.Electronic {
				ss[i].ElectronicSigned = s.SignedLabel
			}
		}
		return block{Kind: "sig", Signers: ss}, nil
	case compose.Note:
		return block{Kind: "note", Inline: spans(b.Text, 0, langs)}, nil
	case compose.Separator:
		return block{Kind: "hr"}, nil
	case compose.PageBreak:
		return block{Kind: "break"}, nil
	default:
		return block{}, fmt.Errorf("unknown block type %T", b)
	}
}

// spans turns styled spans into inline runs, leaving out the marks in drop.
func spans(ss []typeset.Span, drop typeset.Style, langs []string) []inline {
	out := make([]inline, 0, len(ss))
	for _, s := range ss {
		st := s.Style &^ drop
		out = append(out, inline{
			Lines:   strings.Split(s.Text, "\n"),
			Strong:  st&typeset.Bold != 0,
			Em:      st&typeset.Italic != 0,
			Del:     st&typeset.Strike != 0,
			Ins:     st&typeset.Underline != 0,
			NoBreak: st&typeset.NoHyphen != 0,
			Secret:  st&typeset.Confidential != 0,
			Lang:    language(st, langs),
		})
	}
	return out
}

// language is the language a span's style names among langs, "" for the
// page's own.
func language(st typeset.Style, langs []string) string {
	if l := st.Lang(); l > 0 && l <= len(langs) {
		return langs[l-1]
	}
	return ""
}

// cssString quotes s as a CSS string for the content of a margin box. Only
// letters, digits and spaces are written as they are; every other character
// is a six-digit escape, so no input can end the string or the rule, and a
// line break becomes a line break of the box (white-space: pre).
func cssString(s string) template.CSS {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == ' ' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)),
			r >= utf8.RuneSelf && unicode.IsLetter(r) && !unicode.Is(unicode.Bidi_Control, r):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "\\%06x", r)
		}
	}
	b.WriteByte('"')
	return template.CSS(b.String())
}

func joinNonEmpty(sep string, ss ...string) string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}
