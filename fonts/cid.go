package fonts

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// A document's subset of a face, for a CID-keyed font (Type 0 with
// Identity-H): glyph 0 is .notdef and glyphs 1…n are the characters the
// document draws, in the order the writer asked for them, so that a
// character's code in the content is its glyph index in the subset and
// the PDF maps one to the other with /CIDToGIDMap /Identity. Components
// of composite glyphs follow after n. Only the tables a PDF reader draws
// with are kept, without hinting: no fpgm, prep, cvt or glyph
// instructions, no cmap (the PDF's encoding takes its place) and of the
// names only the copyright and the font's own names.

// Glyph is the glyph index of r in the face's full font, and whether the
// face has one.
func (f *Face) Glyph(r rune) (uint16, bool) {
	if r >= 0 && r < latinRunes {
		return f.latinGID[r], f.hasLatin[r]
	}
	g, ok := f.otherGID[r]
	return g, ok
}

// Advance is the advance width of r in thousandths of an em, as the
// subset's hmtx gives it, rounded: what a PDF's /W array says.
func (f *Face) Advance(r rune) int {
	return int(math.Round(float64(f.advance(r)) * 1000 / f.em))
}

// Descriptor holds the values of a font descriptor, in thousandths of an
// em.
type Descriptor struct {
	Ascent, Descent, CapHeight int
	BBox                       [4]int
	ItalicAngle                int
	StemV                      int
	Flags                      int // PDF font flags: nonsymbolic, serif, italic
}

// Descriptor describes the face for a PDF font descriptor.
func (f *Face) Descriptor() Descriptor {
	k := func(v float64) int { return int(math.Round(v * 1000)) }
	units := func(v int16) int { return int(math.Round(float64(v) * 1000 / f.em)) }
	head, post, os2 := f.src.tables["head"], f.src.tables["post"], f.src.tables["OS/2"]
	d := Descriptor{Ascent: k(f.ascender), Descent: k(f.descender), CapHeight: k(f.capHeight)}
	d.BBox = [4]int{units(int16(u16(head, 36))), units(int16(u16(head, 38))), units(int16(u16(head, 40))), units(int16(u16(head, 42)))}
	d.ItalicAngle = int(math.Round(float64(int32(u32(post, 4))) / 65536))
	d.Flags = flagNonsymbolic
	if f.family == Serif {
		d.Flags |= flagSerif
	}
	if d.ItalicAngle != 0 {
		d.Flags |= flagItalic
	}
	weight := 400.0
	if len(os2) >= 6 {
		weight = float64(u16(os2, 4))
	}
	d.StemV = 50 + int(weight*weight/(65*65))
	return d
}

// PostScriptName is the face's name as a PDF BaseFont names it, without a
// subset tag: "LiberationSerif-Regular".
func (f *Face) PostScriptName() string {
	name := f.file
	if n := len(name) - len(".ttf"); n > 0 && name[n:] == ".ttf" {
		name = name[:n]
	}
	return name
}

// CIDSubset writes the TrueType program of the glyphs of runes, which
// become glyphs 1…len(runes) in that order; every rune must be one the face
// has (Has) and none may repeat.
func (f *Face) CIDSubset(runes []rune) ([]byte, error) { return f.AppendCIDSubset(nil, runes) }

// AppendCIDSubset appends CIDSubset's program to dst, so a caller can
// reuse one buffer.
func (f *Face) AppendCIDSubset(dst []byte, runes []rune) ([]byte, error) {
	s := f.src
	order := make([]int, 0, len(runes)+8)
	order = append(order, 0)
	renum := make(map[int]int, len(runes)+8)
	renum[0] = 0
	for _, r := range runes {
		g, ok := f.Glyph(r)
		if !ok {
			return nil, fmt.Errorf("fonts: %s has no glyph for U+%04X", f.file, r)
		}
		// A character sharing its glyph with another still gets a code
		// of its own: the copy costs a few bytes and keeps code = glyph.
		renum[int(g)] = len(order)
		order = append(order, int(g))
	}
	// Components of composite glyphs go after the characters' glyphs.
	for i := 0; i < len(order); i++ {
		comps, err := s.components(order[i])
		if err != nil {
			return nil, fmt.Errorf("fonts: %s glyph %d: %w", f.file, order[i], err)
		}
		for _, c := range comps {
			if c < 0 || c >= len(s.offs)-1 {
				return nil, fmt.Errorf("fonts: %s: component %d out of range", f.file, c)
			}
			if _, ok := renum[c]; !ok {
				renum[c] = len(order)
				order = append(order, c)
			}
		}
	}
	// The tables in tag order, glyf written in place: one allocation.
	os2, names := s.tables["OS/2"], s.names
	if names == nil {
		names = s.keptNames()
	}
	tags := [...]string{"OS/2", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post"}
	size := 12 + 16*len(tags) + len(os2) + len(names) + 54 + 36 + 4*len(order) + 4*(len(order)+1) + 32 + 32 + 9*3
	for _, g := range order {
		size += s.offs[g+1] - s.offs[g] + 3
	}
	// out is the program, in dst's array after its bytes: size is an upper
	// bound, so appending never moves it.
	buf := slices.Grow(dst, size)
	out := buf[len(dst) : len(dst)+12+16*len(tags)]
	var offs, lens [len(tags)]int
	table := func(i int, t []byte) {
		offs[i] = len(out)
		out = append(out, t...)
		lens[i] = len(out) - offs[i]
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	table(0, os2)
	offs[1] = len(out)
	loca := make([]byte, 4*(len(order)+1))
	var err error
	for i, g := range order {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(out)-offs[1]))
		if out, err = s.appendStripped(out, g, renum); err != nil {
			return nil, fmt.Errorf("fonts: %s glyph %d: %w", f.file, g, err)
		}
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	lens[1] = len(out) - offs[1]
	binary.BigEndian.PutUint32(loca[4*len(order):], uint32(lens[1]))
	table(2, s.head())
	table(3, s.hhea(len(order)))
	table(4, s.hmtx(order))
	table(5, loca)
	table(6, s.maxp(len(order)))
	table(7, names)
	table(8, s.post())
	directory(out, tags[:], offs[:], lens[:])
	if len(dst)+len(out) > cap(buf) || &buf[:len(dst)+1][len(dst)] != &out[0] {
		return append(dst, out...), nil // moved after all
	}
	return buf[:len(dst)+len(out)], nil
}

// keptNames keeps the name table's copyright, family, style, full and
// PostScript names (IDs 0, 1, 2, 4, 6) in their Windows records: the
// font's licence text and other long entries stay out of every document.
func (s *glyphSource) keptNames() []byte {
	t := s.tables["name"]
	if len(t) < 6 {
		return t
	}
	count, strOff := int(u16(t, 2)), int(u16(t, 4))
	type rec struct{ platform, enc, lang, id, length, off uint16 }
	var keep []rec
	for i := range count {
		at := 6 + 12*i
		if at+12 > len(t) {
			break
		}
		r := rec{u16(t, at), u16(t, at+2), u16(t, at+4), u16(t, at+6), u16(t, at+8), u16(t, at+10)}
		if r.platform != 3 || r.lang != 0x409 {
			continue
		}
		switch r.id {
		case 0, 1, 2, 4, 6:
			if strOff+int(r.off)+int(r.length) <= len(t) {
				keep = append(keep, r)
			}
		}
	}
	head := 6 + 12*len(keep)
	out := make([]byte, head)
	binary.BigEndian.PutUint16(out[2:], uint16(len(keep)))
	binary.BigEndian.PutUint16(out[4:], uint16(head))
	for i, r := range keep {
		at := 6 + 12*i
		for j, v := range []uint16{r.platform, r.enc, r.lang, r.id, r.length, uint16(len(out) - head)} {
			binary.BigEndian.PutUint16(out[at+2*j:], v)
		}
		src := strOff + int(r.off)
		out = append(out, t[src:src+int(r.length)]...)
	}
	return out
}
