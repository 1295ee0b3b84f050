// Package typeset knows Swedish typography and nothing of PDF or protocols:
// the text normaliser (Normalize: no-break spaces, dashes, quotes), Swedish
// hyphenation (Hyphenator: LibreOffice's patterns plus an exception list,
// embedded under patterns/), Knuth–Plass line breaking of rich text into
// justified or ragged lines (Typesetter.Set; Greedy is the first-fit
// baseline), page breaking of a vertical list with club, widow and
// keep-together rules (BreakPages, ParagraphPenalties), and a measure of the
// grey of set lines (Measure). Widths come through the Face interface.
//
// Build one Hyphenator and one Typesetter at start-up and share them: both
// are safe for concurrent use, and what they keep between calls (the breaks
// of words seen, working arrays) is bounded and never changes a result.
//
// It may import the standard library and the hyphenation library.
package typeset

// Style is a set of inline marks carried through line breaking.
type Style uint16

const (
	Bold         Style = 1 << iota
	Italic             // with Bold: bold italic
	Strike             // struck-out (deleted) words of an amendment
	Underline          // inserted words of an amendment
	NoHyphen           // names, case numbers: never hyphenated
	Confidential       // secret text shown in an internal rendition: drawn shaded
)

// LangMask holds a span's language, for the renderer: an index (1–7) into
// the document's list of other languages, 0 for the document's own.
// Typesetting carries it through untouched.
const LangMask Style = 7 << langShift

const langShift = 8

// Lang is the language index of s (LangMask).
func (s Style) Lang() int { return int(s&LangMask) >> langShift }

// WithLang returns s with language index n (0–7).
func (s Style) WithLang(n int) Style { return s&^LangMask | Style(n&7)<<langShift }

// Face reports the set of glyph faces a style needs: only Bold and Italic
// choose the face; the other marks are drawn by the renderer.
func (s Style) Face() Style { return s & (Bold | Italic) }

// Span is a run of text in one style.
type Span struct {
	Text  string
	Style Style
}

// Face measures text set in one font face.
type Face interface {
	// Width returns the advance width of s at font size 1 (in ems): multiply
	// by the font size in points to get points.
	Width(s string) float64
}

// Faces gives the face for a style (only Style.Face() bits matter).
type Faces interface {
	Face(Style) Face
}

// Params describe one paragraph's measure and settings.
type Params struct {
	Width       float64 // line width in points
	Size        float64 // font size in points
	FirstIndent float64 // extra indent of the first line, points
	Justify     bool    // justified; false: ragged right
	Hyphenate   bool
	// Tracking is the most letter spacing a loose justified line may take,
	// in ems per gap between two characters (0: none). A line whose spaces
	// would grow beyond trackFrom gives the rest of its white to the gaps
	// between its letters, up to this much, as pdfTeX's font expansion
	// does with the glyphs' widths.
	Tracking float64
}

// Item is a positioned fragment of a line: a word, or a part of one.
type Item struct {
	Text  string // as drawn; ends with "-" when the line breaks inside a word here
	Style Style
	X     float64 // from the line's start, points
	W     float64 // width of Text as drawn (with the line's Tracking), points
	// SpaceAfter is the width of the (justified) space that follows the item
	// on this line; 0 for the line's last item or inside a word.
	SpaceAfter float64
	// Added counts the bytes at the end of Text that the source text lacks:
	// an inserted hyphen, with the consonant it restores (till-|låta). Text
	// extraction and accessible renderings leave them out.
	Added int
}

// Line is one set line.
type Line struct {
	Items      []Item
	Width      float64 // the measure the line was set to
	Natural    float64 // natural width of its content with normal spaces
	Ratio      float64 // adjustment ratio used: 0 natural, >0 stretched, <0 shrunk
	Justified  bool    // spaces were stretched or shrunk to fill the measure
	Tracking   float64 // letter spacing, points added after every character (Params.Tracking)
	Hyphenated bool    // ends inside a word with an inserted hyphen (not after the word's own: EU-|direktiv)
	// Continues marks a line that ends inside a word, which the next line
	// goes on with: hyphenated, broken after the word's own hyphen, or an
	// address broken at a slash.
	Continues bool
	// Flush marks a line of a justified paragraph set flush left, with
	// natural spaces, because no breaking of the paragraph kept its spaces
	// within MaxSpace.
	Flush bool
	Last  bool // the paragraph's last line (set ragged)
}
