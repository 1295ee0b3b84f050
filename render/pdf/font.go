package pdf

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"utdrag/fonts"
	"utdrag/layout"
)

// docFont is one face as a document draws it: a Type 0 font with
// Identity-H encoding whose descendant is the document's own subset of the
// face. A character's code is two bytes, its CID, which is also its glyph
// index in the subset (CIDToGIDMap Identity): CIDs are given in the order
// the characters first appear, from 1. Every character PDF/A and text
// extraction need is there, with one encoding for all.
type docFont struct {
	face  *fonts.Face
	res   string // resource name: F1, F2 …
	runes []rune // runes[c-1] has CID c
	latin [latinCIDs]uint16
	other map[rune]uint16
}

// latinCIDs is the range of characters looked up in an array.
const latinCIDs = 0x250

// cid returns r's code, giving it the next one if it has none yet.
func (f *docFont) cid(r rune) (uint16, error) {
	if r >= 0 && r < latinCIDs {
		if c := f.latin[r]; c != 0 {
			return c, nil
		}
	} else if c, ok := f.other[r]; ok {
		return c, nil
	}
	if !f.face.Has(r) {
		return 0, fmt.Errorf("pdf: %s has no glyph for %q (U+%04X)", f.face.Name(), r, r)
	}
	if len(f.runes) >= 0xFFFE {
		return 0, fmt.Errorf("pdf: too many characters in %s", f.face.Name())
	}
	f.runes = append(f.runes, r)
	c := uint16(len(f.runes))
	if r >= 0 && r < latinCIDs {
		f.latin[r] = c
	} else {
		if f.other == nil {
			f.other = map[rune]uint16{}
		}
		f.other[r] = c
	}
	return c, nil
}

// code is r's CID, known to be given (collect ran first).
func (f *docFont) code(r rune) uint16 {
	if r >= 0 && r < latinCIDs {
		return f.latin[r]
	}
	return f.other[r]
}

// fontSet is the fonts of one document, in the order first used.
type fontSet struct {
	list []*docFont
	last *docFont // the font of the previous lookup
}

func (s *fontSet) of(face *fonts.Face) *docFont {
	if s.last != nil && s.last.face == face {
		return s.last
	}
	for _, f := range s.list {
		if f.face == face {
			s.last = f
			return f
		}
	}
	f := &docFont{face: face, res: "F" + strconv.Itoa(len(s.list)+1)}
	s.list = append(s.list, f)
	s.last = f
	return f
}

// collect gives every character the pages draw its code, so that each
// font's subset is known before any content is written, and fails on a
// character its face lacks: input is checked against the fonts before it
// gets here (extract.Limits.Drawable), and nothing is drawn as an empty
// box.
func (s *fontSet) collect(p *layout.Pages) error {
	for i := range p.Pages {
		for _, t := range p.Pages[i].Texts {
			f := s.of(t.Face)
			for _, r := range t.Text {
				if r >= 0 && r < latinCIDs && f.latin[r] != 0 {
					continue
				}
				if r == utf8.RuneError {
					return fmt.Errorf("pdf: text %q is not UTF-8", t.Text)
				}
				if _, err := f.cid(r); err != nil {
					return err
				}
			}
			if f.latin[' '] == 0 {
				// Words end with a space, lines too.
				if _, err := f.cid(' '); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// write writes the font's objects: the Type 0 font (number n, which the
// page resources name), its CID font, descriptor, font program, CIDSet
// and ToUnicode map.
func (f *docFont) write(o *objects, n int) error {
	program, err := f.face.CIDSubset(f.runes)
	if err != nil {
		return err
	}
	cidFont, desc, file, cidSet, toUni := o.alloc(), o.alloc(), o.alloc(), o.alloc(), o.alloc()
	name := fonts.SubsetTag(f.face.Name(), f.runes) + "+" + f.face.PostScriptName()
	ref := func(n int) string { return strconv.Itoa(n) + " 0 R" }
	o.object(n, "<</Type/Font/Subtype/Type0/BaseFont/"+name+"/Encoding/Identity-H/DescendantFonts["+ref(cidFont)+"]/ToUnicode "+ref(toUni)+">>")

	b := o.begin(cidFont)
	b.WriteString("<</Type/Font/Subtype/CIDFontType2/BaseFont/" + name +
		"/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/FontDescriptor " + ref(desc) +
		"/CIDToGIDMap/Identity/DW 1000/W[1[")
	var num [20]byte
	for i, r := range f.runes {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(strconv.AppendInt(num[:0], int64(f.face.Advance(r)), 10))
	}
	b.WriteString("]]>>")
	o.end()

	d := f.face.Descriptor()
	o.object(desc, fmt.Sprintf("<</Type/FontDescriptor/FontName/%s/Flags %d/FontBBox[%d %d %d %d]/ItalicAngle %d"+
		"/Ascent %d/Descent %d/CapHeight %d/StemV %d/FontFile2 %s/CIDSet %s>>",
		name, d.Flags, d.BBox[0], d.BBox[1], d.BBox[2], d.BBox[3], d.ItalicAngle,
		d.Ascent, d.Descent, d.CapHeight, d.StemV, ref(file), ref(cidSet)))
	if err := o.stream(file, "/Length1 "+strconv.Itoa(len(program)), false, program); err != nil {
		return err
	}
	// Every CID from 0 (.notdef) to the last is in the subset.
	set := make([]byte, (len(f.runes)+1+7)/8)
	for c := 0; c <= len(f.runes); c++ {
		set[c/8] |= 0x80 >> (c % 8)
	}
	if err := o.stream(cidSet, "", false, set); err != nil {
		return err
	}
	return o.stream(toUni, "", false, f.toUnicode())
}

// toUnicode is the font's ToUnicode CMap: each CID to its character.
func (f *docFont) toUnicode() []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit/ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def\n" +
		"/CMapName/Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000><FFFF>\nendcodespacerange\n")
	for from := 0; from < len(f.runes); from += 100 {
		to := min(from+100, len(f.runes))
		b.WriteString(strconv.Itoa(to-from) + " beginbfchar\n")
		for i := from; i < to; i++ {
			b.WriteByte('<')
			b.WriteString(hex4(uint16(i + 1)))
			b.WriteString("><")
			for _, u := range utf16.Encode([]rune{f.runes[i]}) {
				b.WriteString(hex4(u))
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict/CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

func hex4(v uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]})
}
