// Package compose turns a validated extract into a Document of generic
// blocks: headings, paragraphs of styled spans, lists, tables and signature
// blocks. It decides the protocol's conventions once (which sections, in
// what order, with which labels) and runs the Swedish normaliser once over
// all text, so every rendition reads the same.
//
// It may import extract, anslag, templates and typeset.
package compose

import "utdrag/typeset"

// Document is an extract ready for layout: generic blocks in reading order
// and the fields of the page furniture.
type Document struct {
	Meta   Meta
	Header Header
	Blocks []Block
}

// Meta is the document information of the rendition.
type Meta struct {
	Title    string
	Subject  string
	Author   string // the organisation
	Keywords string // case numbers
	Language string // "sv-SE"
	// Languages are the other languages spans are in, by their index in
	// typeset.Style.Lang() less one.
	Languages []string
	// Date is the document's date, from the data (justering or meeting),
	// never the clock: the same input gives the same bytes.
	Date string // ISO 8601 date
}

// Header holds the running header and footer fields of every page.
type Header struct {
	Organisation string // "Region Jämtland Härjedalen"
	Kind         string // "PROTOKOLLSUTDRAG"
	Organ        string // "Regionstyrelsen"
	DateLabel    string // "Sammanträdesdatum"
	Date         string // ISO date: "2023-10-06"
	// Draft marks every page of an extract with a paragraph not yet
	// justerad ("Ej justerat"); empty for one that may be certified.
	Draft string
	// Confidential marks every page of an internal rendition, which holds
	// secret text ("Innehåller sekretessbelagda uppgifter"); empty for a
	// public one.
	Confidential string
	// PageLabel formats "1 (4)": the renderer fills the numbers.
	PageLabel string
	// Footer boxes, left to right, with what is written in each (the
	// justerare's or the certifying clerk's initials; empty for a hand
	// signature).
	Boxes []Box
	// VerifyURL, on a certified extract, is the short verification address
	// printed in the footer of every page with a QR code of it.
	VerifyURL string
}

// Box is a labelled footer box.
type Box struct {
	Label   string // "Justerandes sign", "Utdragsbestyrkande"
	Content string
}

// Block is one of the block types below.
type Block interface{ block() }

// Heading is a heading of the given level: 1 opens a paragraph (§), 2 is a
// section heading, 3 a sub-heading. A heading is kept with the text after it.
type Heading struct {
	Level int
	Text  []typeset.Span
}

// Paragraph is running text, justified and hyphenated unless Plain.
type Paragraph struct {
	Text   []typeset.Span
	Indent int  // nesting level: quoted wording of a motion is indented one step
	Plain  bool // ragged right, no hyphenation (labels, recipient lists)
	// Columns, for a Plain paragraph of entries one to a line (names on a
	// front page), sets the entries in that many columns, down the first
	// and then the next, the content in the text's order; 0 or 1: one
	// column.
	Columns int
}

// List is a numbered or bulleted list; items are set like paragraphs.
type List struct {
	Ordered bool
	Start   int // first number of an ordered list
	Items   [][]typeset.Span
	Indent  int
}

// Table is a table with a header row that repeats when it continues on the
// next page. Rows never split.
type Table struct {
	Caption string // for the accessible rendition
	Columns []Column
	Rows    [][]string
	// Shade marks cells of secret text in an internal rendition, drawn
	// shaded: Shade[row][column]; nil or short rows for none.
	Shade [][]bool
}

// Shaded reports whether the cell of row r and column c is shaded.
func (t Table) Shaded(r, c int) bool { return r < len(t.Shade) && c < len(t.Shade[r]) && t.Shade[r][c] }

// Column is a table column.
type Column struct {
	Label string
	Width float64 // share of the measure, 0..1
	Right bool    // right-aligned (numbers)
}

// Signatures is a signature block: it is never split and never stands
// alone at the top of a page.
type Signatures struct {
	Signers []Signer
	// PerRow is how many signers stand side by side; 0 is two. A front
	// page sets its four signers in one row.
	PerRow int
}

// Signer is one signature line: a role above the line, the name in clear and
// title below it. A certification fills the "Rätt utdraget intygar" signer.
type Signer struct {
	Role  string // "Justerare", "Rätt utdraget intygar"
	Name  string // empty: a blank line to sign on
	Title string
	Place string
	Date  string
	// Electronic marks a signer who signed digitally: the block says so
	// (SignedLabel, "Signerat elektroniskt") instead of leaving a line for
	// a hand signature.
	Electronic  bool
	SignedLabel string
}

// Note is a short line of small text that stands apart: the justering's
// place and time, the signature summary of a certified extract.
type Note struct {
	Text []typeset.Span
}

// Separator is a thin rule between parts of a paragraph (before Yrkanden).
type Separator struct{}

// PageBreak starts a new page (between paragraphs of a long extract, when
// the template asks for it).
type PageBreak struct{}

func (Heading) block()    {}
func (Paragraph) block()  {}
func (List) block()       {}
func (Table) block()      {}
func (Signatures) block() {}
func (Note) block()       {}
func (Separator) block()  {}
func (PageBreak) block()  {}
