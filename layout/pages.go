package layout

import (
	"utdrag/fonts"
	"utdrag/typeset"
)

// Pages is a laid-out document: every page with its elements positioned in
// points from the page's top-left corner, the page furniture included.
type Pages struct {
	Width, Height float64 // page size, points
	// Body is the text area: body elements lie inside it, the running
	// header above and the footer boxes below.
	Body Rect
	// Margins is the printable area: nothing is drawn outside it.
	Margins Rect
	Pages   []Page
	// texts is the array the pages' texts are cut from (Release).
	texts *textArray
}

// Page is one page's elements, in reading order within each kind.
type Page struct {
	Number int    // 1-based
	Label  string // "1 (4)"
	Texts  []Text
	Rules  []Rule
	Rects  []Rect
	// Blocks records which part of the document each body block on the page
	// came from, top to bottom: what page-breaking tests look at.
	Blocks []Placed
}

// Role says what an element is part of.
type Role uint8

const (
	RoleBody      Role = iota
	RoleHeading        // headings of every level
	RoleTable          // table cells, rules and header fills
	RoleNote           // small notes
	RoleSignature      // the signature block
	RoleHeader         // running header: organisation, kind, organ, date, page
	RoleFooter         // footer boxes
	RoleStrike         // a line through struck words
	RoleUnderline      // a line under inserted words
	RoleQR             // the verification QR code's modules and address
	RoleShade          // the shading behind secret text in an internal rendition
)

// Text is a run of text set on one baseline: a word, a part of one, or a
// furniture field.
type Text struct {
	X, Y  float64 // start of the baseline
	Text  string
	Face  *fonts.Face
	Size  float64 // points
	Width float64 // advance width, points
	// Tracking is letter spacing, points added after every character
	// (included in Width); 0 for most text.
	Tracking float64
	// Space marks a word followed by a word space in reading order; the
	// renderer writes one so extracted text has real spaces.
	Space bool
	// Marks are the inline marks the text was set with (bold, italic,
	// strike, underline); the lines of strike and underline are Rules.
	Marks typeset.Style
	Role  Role
	// Label marks a list item's number or bullet.
	Label bool
	// Joined marks the first piece of a word broken across lines: the
	// next text of the same block goes on with it. Added counts the bytes
	// at the end of Text that the word itself lacks (an inserted hyphen).
	Joined bool
	Added  uint8
	// Where the text belongs in the document's structure, for a tagged
	// rendition: Block is the index of the document block it comes from
	// (-1 for the page furniture and a repeated table header), Part the
	// list item or table row (-1 the table's header row), Col the table
	// column or the signer of a signature block.
	Part, Col int16
	Block     int32
}

// Rule is a straight line.
type Rule struct {
	X1, Y1, X2, Y2 float64
	Width          float64 // line width, points
	Gray           float64 // 0 black … 1 white
	Role           Role
}

// Rect is a rectangle, framed, filled or both.
type Rect struct {
	X, Y, W, H float64
	Line       float64 // frame width; 0: no frame
	Filled     bool
	Fill       float64 // gray level of the fill: 0 black … 1 white
	Role       Role
}

// Kind is the kind of a body block.
type Kind uint8

const (
	KindHeading Kind = iota
	KindParagraph
	KindListItem
	KindTableHeader
	KindTableRow
	KindNote
	KindSeparator
	KindSignatures
)

// Placed is one unbreakable piece of the body on a page: a line of text, a
// table row, the whole signature block.
type Placed struct {
	Kind   Kind
	Source int // index of the document block it comes from
	// Part is the list item or table row within the source block.
	Part int
	// Line is the piece's index among the Lines of its part (a paragraph's
	// lines; a table row or signature block is one line).
	Line, Lines int
	Top, Height float64
	// Repeated marks a table header drawn again on a continuation page.
	Repeated bool
}
