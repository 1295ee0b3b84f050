package pdf

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"utdrag/fonts"
	"utdrag/layout"
)

// docFont is one face as a document draws it: a Type 0 font whose
// descendant is the document's own subset of the face. A character's
// code is its CID, which is also its glyph index in the subset
// (CIDToGIDMap Identity): CIDs number the document's characters from 1 in
// Unicode order, so that runs of letters are runs of codes and the
// ToUnicode map is a few ranges. A font of at most 255 characters, as
// nearly every one is, has one-byte codes (the embedded CMap identity8
// maps them to CIDs as they are); a larger one two (Identity-H). Every
// character PDF/A and text extraction need is there, with one encoding
// for all.
type docFont struct {
	face  *fonts.Face
	res   string // resource name: F1, F2 …
	runes []rune // runes[c-1] has CID c
	// widths[c] is CID c's advance in thousandths of an em, as the /W
	// array says.
	widths []int16
	wide   bool // two-byte codes
	latin  [latinCIDs]uint16
	other  map[rune]uint16
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
	if len(f.widths) == 0 {
		f.widths = append(f.widths, 0) // .notdef, never drawn
	}
	f.widths = append(f.widths, int16(f.face.Advance(r)))
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
		texts := p.Pages[i].Texts
		for j := range texts {
			t := &texts[j]
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
	for _, f := range s.list {
		f.sort()
	}
	return nil
}

// sort renumbers the characters in Unicode order.
func (f *docFont) sort() {
	slices.Sort(f.runes)
	f.wide = len(f.runes) > 255
	for i, r := range f.runes {
		c := uint16(i + 1)
		if r >= 0 && r < latinCIDs {
			f.latin[r] = c
		} else {
			f.other[r] = c
		}
		f.widths[c] = int16(f.face.Advance(r))
	}
}

// write writes the font's objects: the Type 0 font (number n, which the
// page resources name), its CID font, descriptor, font program and
// ToUnicode map, and with cidSet the CIDSet PDF/A-1 asks of a subset
// (PDF/A-2 makes it optional). cmap is the one-byte CMap's number.
func (f *docFont) write(o *objects, n int, withCIDSet bool, cmap int) error {
	program, err := f.face.AppendCIDSubset(o.font[:0], f.runes)
	if err != nil {
		return err
	}
	defer func() { o.font = program[:0] }()
	cidFont, desc, file, toUni := o.alloc(), o.alloc(), o.alloc(), o.alloc()
	cidSet := 0
	if withCIDSet {
		cidSet = o.alloc()
	}
	name := fonts.SubsetTag(f.face.Name(), f.runes) + "+" + f.face.PostScriptName()
	ref := func(n int) string { return strconv.Itoa(n) + " 0 R" }
	enc := "/Identity-H"
	if !f.wide {
		enc = " " + ref(cmap)
	}
	o.object(n, "<</Type/Font/Subtype/Type0/BaseFont/"+name+"/Encoding"+enc+"/DescendantFonts["+ref(cidFont)+"]/ToUnicode "+ref(toUni)+">>")

	b := o.begin(cidFont)
	b.WriteString("<</Type/Font/Subtype/CIDFontType2/BaseFont/" + name +
		"/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/FontDescriptor " + ref(desc) +
		"/CIDToGIDMap/Identity/DW 1000/W[1[")
	var num [20]byte
	for i := range f.runes {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(strconv.AppendInt(num[:0], int64(f.widths[i+1]), 10))
	}
	b.WriteString("]]>>")
	o.end()

	d := f.face.Descriptor()
	set := ""
	if cidSet > 0 {
		set = "/CIDSet " + ref(cidSet)
	}
	o.object(desc, fmt.Sprintf("<</Type/FontDescriptor/FontName/%s/Flags %d/FontBBox[%d %d %d %d]/ItalicAngle %d"+
		"/Ascent %d/Descent %d/CapHeight %d/StemV %d/FontFile2 %s%s>>",
		name, d.Flags, d.BBox[0], d.BBox[1], d.BBox[2], d.BBox[3], d.ItalicAngle,
		d.Ascent, d.Descent, d.CapHeight, d.StemV, ref(file), set))
	// Glyph outlines without hints hardly compress (by a fifth, at a
	// third of the render's time): the program goes in as it is.
	if err := o.stream(file, "/Length1 "+strconv.Itoa(len(program)), true, program); err != nil {
		return err
	}
	if cidSet > 0 {
		// Every CID from 0 (.notdef) to the last is in the subset.
		bits := make([]byte, (len(f.runes)+1+7)/8)
		for c := 0; c <= len(f.runes); c++ {
			bits[c/8] |= 0x80 >> (c % 8)
		}
		if err := o.stream(cidSet, "", false, bits); err != nil {
			return err
		}
	}
	// A few hundred bytes of ranges: not worth compressing.
	return o.stream(toUni, "", true, f.toUnicode())
}

// toUnicode is the font's ToUnicode CMap: each CID to its character, as
// ranges of consecutive codes for consecutive characters.
func (f *docFont) toUnicode() []byte {
	type span struct{ from, to int } // indices into runes
	var spans []span
	for i, r := range f.runes {
		if n := len(spans); n > 0 {
			sp := &spans[n-1]
			// A range keeps the code's high byte and the character's
			// last byte from wrapping (and stays in the BMP).
			if last := f.runes[sp.to]; r == last+1 && r <= 0xFFFF && r&0xFF != 0 && (i+1)&0xFF != 0 {
				sp.to = i
				continue
			}
		}
		spans = append(spans, span{i, i})
	}
	code, space := appendHex4, "<0000><FFFF>"
	if !f.wide {
		code, space = appendHex2, "<00><FF>"
	}
	var b bytes.Buffer
	b.Grow(400 + 24*len(spans))
	var line [32]byte
	b.WriteString("/CIDInit/ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def\n" +
		"/CMapName/Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n" + space + "\nendcodespacerange\n")
	for from := 0; from < len(spans); from += 100 {
		to := min(from+100, len(spans))
		b.WriteString(strconv.Itoa(to-from) + " beginbfrange\n")
		for _, sp := range spans[from:to] {
			l := append(line[:0], '<')
			l = code(l, uint16(sp.from+1))
			l = append(l, '>', '<')
			l = code(l, uint16(sp.to+1))
			l = append(l, '>', '<')
			var pair [2]uint16
			for _, u := range utf16.AppendRune(pair[:0], f.runes[sp.from]) {
				l = appendHex4(l, u)
			}
			b.Write(append(l, '>', '\n'))
		}
		b.WriteString("endbfrange\n")
	}
	b.WriteString("endcmap\nCMapName currentdict/CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// identity8 is the one-byte CMap of the fonts of at most 255 characters:
// each code is the CID of the same number. PDF/A wants every CMap but
// Identity-H and -V embedded.
const identity8 = "/CIDInit/ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
	"/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>def\n" +
	"/CMapName/Utdrag-Identity8 def\n/CMapType 1 def\n/WMode 0 def\n" +
	"1 begincodespacerange\n<00><FF>\nendcodespacerange\n" +
	"1 begincidrange\n<00><FF>0\nendcidrange\n" +
	"endcmap\nCMapName currentdict/CMap defineresource pop\nend\nend\n"

// identity8Dict is its stream dictionary's entries.
const identity8Dict = "/Type/CMap/CMapName/Utdrag-Identity8/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>/WMode 0"

func appendHex2(b []byte, v uint16) []byte {
	const digits = "0123456789ABCDEF"
	return append(b, digits[v>>4&15], digits[v&15])
}

func appendHex4(b []byte, v uint16) []byte {
	const digits = "0123456789ABCDEF"
	return append(b, digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15])
}
