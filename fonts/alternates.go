package fonts

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Glyph choices. A font may draw a character in another form than the
// one the orthography of the text wants, while holding the wanted form as
// an alternate glyph that no character maps to. Load points such
// characters at the alternate, as a text-layout engine does when it
// applies an OpenType substitution: the font files stay as shipped, and
// the choice lives in the parsed face, in memory only, so that measuring,
// the simple fonts' subsets and the full file given to the PDF writer
// all draw and measure the same glyph.

// alternate is a character drawn with the glyph of the given name (as the
// font's post table names it) instead of the glyph its cmap gives.
type alternate struct {
	r     rune
	glyph string
	why   string
}

// alternates applies to every face; each face must have the glyph.
var alternates = []alternate{
	// Liberation draws Ŋ as a wide "large n" (the form of African
	// orthographies). Sami orthography writes an N whose right stem
	// descends into a hook; Liberation has that form, as wide as its N, in
	// the unmapped glyph Eng.alt2 of every face.
	{'Ŋ', "Eng.alt2", "Sami capital eng: N-form"},
}

// applyAlternates points each alternate's character at the alternate glyph
// in m, the font's parsed metrics, and returns the font file with its
// Unicode cmap rebuilt to match; every other table is copied unchanged.
func applyAlternates(data []byte, m *metrics, alts []alternate) ([]byte, error) {
	if len(alts) == 0 {
		return data, nil
	}
	tables, err := tableDirectory(data)
	if err != nil {
		return nil, err
	}
	for _, tag := range []string{"head", "post", "cmap"} {
		if _, ok := tables[tag]; !ok {
			return nil, fmt.Errorf("missing %s table", tag)
		}
	}
	cmap := m.cmap
	for _, a := range alts {
		g, err := glyphNamed(tables["post"], a.glyph)
		if err != nil {
			return nil, fmt.Errorf("%s for %q (%s): %w", a.glyph, a.r, a.why, err)
		}
		if g >= len(m.advances) {
			return nil, fmt.Errorf("%s: glyph %d out of range", a.glyph, g)
		}
		if _, ok := cmap[a.r]; !ok {
			return nil, fmt.Errorf("%s: the font has no %q to replace", a.glyph, a.r)
		}
		cmap[a.r] = uint16(g)
	}
	newCmap, err := replaceUnicodeCmap(tables["cmap"], cmap)
	if err != nil {
		return nil, fmt.Errorf("rebuilding cmap: %w", err)
	}
	out := make(map[string][]byte, len(tables))
	for tag, t := range tables {
		out[tag] = t
	}
	out["cmap"] = newCmap
	head := slices.Clone(tables["head"])
	if len(head) < 12 {
		return nil, errShort
	}
	binary.BigEndian.PutUint32(head[8:], 0) // checkSumAdjustment, set by assemble
	out["head"] = head
	return assemble(out), nil
}

// glyphNamed finds a glyph by its name in a version 2 post table. Only
// names outside the 258 standard Macintosh ones are looked for: the
// alternates are never among those.
func glyphNamed(post []byte, name string) (int, error) {
	if len(post) < 34 || u32(post, 0) != 0x00020000 {
		return 0, fmt.Errorf("the post table carries no glyph names")
	}
	n := int(u16(post, 32))
	strs := 34 + 2*n
	if len(post) < strs {
		return 0, errShort
	}
	k := -1
	for at, i := strs, 0; at < len(post); i++ {
		l := int(post[at])
		if at+1+l > len(post) {
			return 0, errShort
		}
		if string(post[at+1:at+1+l]) == name {
			k = i
			break
		}
		at += 1 + l
	}
	if k >= 0 {
		for g := range n {
			if int(u16(post, 34+2*g)) == 258+k {
				return g, nil
			}
		}
	}
	return 0, fmt.Errorf("no glyph named %s", name)
}

// replaceUnicodeCmap writes a cmap table whose Unicode BMP records
// (platform 0, or Windows Unicode BMP) point at one new format 4 subtable
// built from m; the other subtables (Macintosh Roman …) are kept as they
// are. A font with a full-Unicode (format 12) subtable is refused: m
// would be lost for characters beyond the BMP.
func replaceUnicodeCmap(t []byte, m map[rune]uint16) ([]byte, error) {
	if len(t) < 4 {
		return nil, errShort
	}
	n := int(u16(t, 2))
	if len(t) < 4+8*n {
		return nil, errShort
	}
	wide := map[rune]int{}
	for r, g := range m {
		if r > 0xFFFF {
			return nil, fmt.Errorf("character U+%04X beyond the BMP", r)
		}
		wide[r] = int(g)
	}
	bmp := buildCmap(wide)[12:] // the subtable, without buildCmap's header
	out := make([]byte, 4+8*n)
	copy(out, t[:4+8*n])
	kept := map[int]int{} // old offset → new
	var newAt int
	for i := range n {
		rec := 4 + 8*i // out grows: index it afresh for each write
		platform, encoding, off := u16(out, rec), u16(out, rec+2), int(u32(out, rec+4))
		length, err := cmapSubtableLength(t, off)
		if err != nil {
			return nil, err
		}
		format := u16(t, off)
		if unicode := platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10)); unicode {
			switch format {
			case 4:
				if newAt == 0 {
					newAt = len(out)
					out = append(out, bmp...)
				}
				binary.BigEndian.PutUint32(out[rec+4:], uint32(newAt))
				continue
			case 12:
				return nil, fmt.Errorf("format 12 subtable not supported")
			}
		}
		at, ok := kept[off]
		if !ok {
			at = len(out)
			kept[off] = at
			out = append(out, t[off:off+length]...)
		}
		binary.BigEndian.PutUint32(out[rec+4:], uint32(at))
	}
	if newAt == 0 {
		return nil, fmt.Errorf("no Unicode subtable of format 4")
	}
	return out, nil
}

// cmapSubtableLength reads the length of the subtable at off.
func cmapSubtableLength(t []byte, off int) (int, error) {
	if off+8 > len(t) {
		return 0, errShort
	}
	var l int
	switch f := u16(t, off); f {
	case 0, 2, 4, 6:
		l = int(u16(t, off+2))
	case 8, 10, 12, 13:
		l = int(u32(t, off+4))
	case 14:
		l = int(u32(t, off+2))
	default:
		return 0, fmt.Errorf("unknown cmap subtable format %d", f)
	}
	if off+l > len(t) {
		return 0, errShort
	}
	return l, nil
}
