package pdf

import (
	"encoding/json"
	"fmt"
	"strconv"

	"utdrag/fonts"
)

// simpleFont is a face's prepared single-byte font as the objects of a
// PDF, written once per Renderer. fpdf knows the face only by a minimal
// definition of a core font: that gives it a resource name for SetFont
// without parsing the face's widths per document, and finish replaces the
// core font's dictionary with the real one and appends the objects below.
type simpleFont struct {
	name  string // BaseFont
	res   string // the page resource name content streams select it by: "Ua", "Ub" …
	def   []byte // the minimal definition handed to fpdf
	diff  string // the encoding's /Differences
	dict  []byte // the dictionary fpdf writes for the core font
	words []byte // the /Widths array, codes 32–255
	// desc is the font descriptor up to the font file's object number.
	desc []byte
	// file is the font file stream's dictionary and data, without the
	// object's first line.
	file []byte
}

// fontDef is the part of a fonts definition (fpdf's JSON form) that the
// objects are written from.
type fontDef struct {
	Name string
	Desc struct {
		Ascent, Descent, CapHeight, Flags int
		FontBBox                          struct{ Xmin, Ymin, Xmax, Ymax int }
		ItalicAngle, StemV, MissingWidth  int
	}
	Cw           []int
	Diff         string
	OriginalSize int
}

// newSimpleFont writes the objects of f's simple font as fpdf writes those
// of a TrueType font definition.
func newSimpleFont(f *fonts.Face) (*simpleFont, error) {
	raw, z := f.Simple()
	var d fontDef
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("font %s: %w", f.Name(), err)
	}
	if len(d.Cw) < 256 || d.Name == "" {
		return nil, fmt.Errorf("font %s: incomplete definition", f.Name())
	}
	def, err := json.Marshal(struct{ Tp, Name string }{"Core", d.Name})
	if err != nil {
		return nil, err
	}
	s := &simpleFont{name: d.Name, def: def, diff: d.Diff,
		dict: []byte("<</Type /Font\n/BaseFont /" + d.Name + "\n/Subtype /Type1\n/Encoding /WinAnsiEncoding\n>>\nendobj\n")}
	w := []byte("[")
	for _, c := range d.Cw[32:256] {
		w = strconv.AppendInt(w, int64(c), 10)
		w = append(w, ' ')
	}
	s.words = append(w, "]\nendobj\n"...)
	s.desc = fmt.Appendf(nil, "<</Type /FontDescriptor /FontName /%s /Ascent %d /Descent %d /CapHeight %d /Flags %d "+
		"/FontBBox [%d %d %d %d] /ItalicAngle %d /StemV %d /MissingWidth %d /FontFile2 ",
		d.Name, d.Desc.Ascent, d.Desc.Descent, d.Desc.CapHeight, d.Desc.Flags,
		d.Desc.FontBBox.Xmin, d.Desc.FontBBox.Ymin, d.Desc.FontBBox.Xmax, d.Desc.FontBBox.Ymax,
		d.Desc.ItalicAngle, d.Desc.StemV, d.Desc.MissingWidth)
	file := fmt.Appendf(nil, "<</Length %d\n/Filter /FlateDecode\n/Length1 %d\n>>\nstream\n", len(z), d.OriginalSize)
	file = append(file, z...)
	s.file = append(file, "\nendstream\nendobj\n"...)
	return s, nil
}
