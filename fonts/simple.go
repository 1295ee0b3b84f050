package fonts

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"unicode/utf8"
)

// simpleFont is a face as a single-byte TrueType font for a PDF writer: a
// subset with the glyphs of the shared encoding, compressed, and its
// definition in the JSON form of fpdf's font definition files.
type simpleFont struct {
	name string // BaseFont: subset tag and PostScript-style name
	def  []byte // JSON font definition
	z    []byte // zlib-compressed TrueType subset
}

// fontDef mirrors the fields of fpdf's JSON font definition that a
// TrueType font uses.
type fontDef struct {
	Tp           string
	Name         string
	Desc         fontDesc
	Up, Ut       int
	Cw           []int
	Enc          string
	Diff         string
	File         string
	OriginalSize int
}

type fontDesc struct {
	Ascent, Descent, CapHeight, Flags int
	FontBBox                          struct{ Xmin, Ymin, Xmax, Ymax int }
	ItalicAngle, StemV, MissingWidth  int
}

// PDF font descriptor flags.
const (
	flagSerif       = 1 << 1
	flagNonsymbolic = 1 << 5
	flagItalic      = 1 << 6
)

// newSimpleFont cuts the face's subset for enc and describes it.
func newSimpleFont(f *Face, data []byte, m *metrics, enc *encoding) (*simpleFont, error) {
	src, err := newGlyphSource(data)
	if err != nil {
		return nil, err
	}
	cmap := map[rune]int{}
	for _, r := range enc.runes {
		if g, ok := m.cmap[r]; ok && r != 0 {
			cmap[r] = int(g)
		}
	}
	sub, err := src.subset(cmap)
	if err != nil {
		return nil, fmt.Errorf("subsetting: %w", err)
	}
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(sub); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	d := f.definition(src, enc, len(sub))
	def, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return &simpleFont{name: d.Name, def: def, z: z.Bytes()}, nil
}

// definition is the font's fpdf definition: widths per code in
// thousandths of an em (rounded as fpdf rounds those of its own TrueType
// reader) and the descriptor.
func (f *Face) definition(src *glyphSource, enc *encoding, size int) fontDef {
	k := func(v float64) int { return int(math.Round(v * 1000)) }
	units := func(v int16) int { return int(math.Round(float64(v) * 1000 / f.em)) }
	head, post, os2 := src.tables["head"], src.tables["post"], src.tables["OS/2"]
	name := strings.TrimSuffix(f.file, ".ttf")
	d := fontDef{
		Tp: "TrueType", Name: subsetTag(name, enc) + "+" + name,
		Up: k(f.ulPos), Ut: k(f.ulThick), Cw: make([]int, 256),
		Enc: "utdrag", Diff: enc.differences, File: name + ".z", OriginalSize: size,
	}
	d.Desc.Ascent, d.Desc.Descent, d.Desc.CapHeight = k(f.ascender), k(f.descender), k(f.capHeight)
	d.Desc.FontBBox.Xmin, d.Desc.FontBBox.Ymin = units(int16(u16(head, 36))), units(int16(u16(head, 38)))
	d.Desc.FontBBox.Xmax, d.Desc.FontBBox.Ymax = units(int16(u16(head, 40))), units(int16(u16(head, 42)))
	d.Desc.ItalicAngle = int(math.Round(float64(int32(u32(post, 4))) / 65536))
	d.Desc.Flags = flagNonsymbolic
	if f.family == Serif {
		d.Desc.Flags |= flagSerif
	}
	if d.Desc.ItalicAngle != 0 {
		d.Desc.Flags |= flagItalic
	}
	weight := 400.0
	if len(os2) >= 6 {
		weight = float64(u16(os2, 4))
	}
	d.Desc.StemV = 50 + int(weight*weight/(65*65))
	d.Desc.MissingWidth = units(int16(f.notdef))
	for c, r := range enc.runes {
		d.Cw[c] = d.Desc.MissingWidth
		if r != 0 && f.Has(r) {
			d.Cw[c] = units(int16(f.advance(r)))
		}
	}
	return d
}

// subsetTag is the six capital letters that mark an embedded subset,
// derived from the font's name and the encoding, so it never changes
// between documents.
func subsetTag(name string, enc *encoding) string {
	return SubsetTag(name, enc.runes[:])
}

// SubsetTag is the six capital letters that mark a subset of the font name
// holding the characters runes (in a fixed order): the same subset always
// gets the same tag. The glyph choices (alternates.go) are part of what
// the subset holds, so a subset drawing another form gets another tag.
func SubsetTag(name string, runes []rune) string {
	h := fnv.New64a()
	var buf [512]byte
	b := append(buf[:0], name...)
	for _, a := range alternates {
		b = utf8.AppendRune(b, a.r)
		b = append(b, a.glyph...)
	}
	b = append(b, 0)
	for _, r := range runes {
		if len(b)+utf8.UTFMax > len(buf) {
			h.Write(b)
			b = buf[:0]
		}
		b = utf8.AppendRune(b, r)
	}
	h.Write(b)
	v := h.Sum64()
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = byte('A' + v%26)
		v /= 26
	}
	return string(tag)
}

// Simple returns the face as a single-byte TrueType font for fpdf's
// AddFontFromBytes: the JSON definition and the zlib-compressed subset,
// built once by Load. Text drawn with it must be encoded with Encode.
// Callers must not modify the slices.
func (f *Face) Simple() (def, z []byte) { return f.simple.def, f.simple.z }

// SimpleName is the simple font's BaseFont name, e.g.
// "OJDYYY+LiberationSerif-Regular": a subset tag that never changes and
// the face's name.
func (f *Face) SimpleName() string { return f.simple.name }

// Encode converts s to the codes of the simple font. ok is false when a
// character is not in the encoding or the face has no glyph for it; then
// s must be drawn with the full font.
func (f *Face) Encode(s string) (string, bool) {
	i := 0
	for i < len(s) && s[i] >= firstCode && s[i] < 0x7F {
		i++
	}
	if i == len(s) {
		return s, true
	}
	b := make([]byte, i, len(s))
	copy(b, s)
	for _, r := range s[i:] {
		c := f.enc.code(r)
		if c == 0 || !f.Has(r) {
			return "", false
		}
		b = append(b, c)
	}
	return string(b), true
}

// Encodable reports whether Encode would succeed, without allocating.
func (f *Face) Encodable(s string) bool {
	for _, r := range s {
		if r < 0x7F && r >= firstCode {
			continue
		}
		if f.enc.code(r) == 0 || !f.Has(r) {
			return false
		}
	}
	return true
}
