package fonts

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// A subset keeps the outlines of the glyphs a simple font needs and the
// tables a PDF reader uses to draw them; hinting (instructions, cvt, fpgm,
// prep) and layout tables (GPOS, GSUB, kern) are left out. The font keeps
// its names: it is embedded in documents, never shipped on its own.

// keptTables are copied unchanged (OS/2, name) or rebuilt; sorted by tag as
// the table directory must be.
var keptTables = []string{"OS/2", "cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "name", "post"}

// Composite glyph flags.
const (
	argsAreWords    = 0x0001
	haveScale       = 0x0008
	moreComponents  = 0x0020
	haveXYScale     = 0x0040
	haveTwoByTwo    = 0x0080
	haveInstrutions = 0x0100
)

// glyphSource is the parts of a TrueType file that a subset is cut from.
type glyphSource struct {
	tables map[string][]byte
	names  []byte // the kept names (cid.go), cut once
	offs   []int  // glyph g is glyf[offs[g]:offs[g+1]]
	nh     int    // numberOfHMetrics
}

func newGlyphSource(data []byte) (*glyphSource, error) {
	tables, err := tableDirectory(data)
	if err != nil {
		return nil, err
	}
	for _, tag := range keptTables {
		if _, ok := tables[tag]; !ok {
			return nil, fmt.Errorf("missing %s table", tag)
		}
	}
	src := &glyphSource{tables: tables}
	head, hhea, maxp := tables["head"], tables["hhea"], tables["maxp"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 32 {
		return nil, errShort
	}
	src.nh = int(u16(hhea, 34))
	if src.offs, err = parseLoca(tables["loca"], int(u16(maxp, 4)), int16(u16(head, 50)) == 1); err != nil {
		return nil, fmt.Errorf("reading loca: %w", err)
	}
	if last := src.offs[len(src.offs)-1]; last > len(tables["glyf"]) {
		return nil, errors.New("loca points past glyf")
	}
	if len(tables["hmtx"]) < 4*src.nh+2*(len(src.offs)-1-src.nh) {
		return nil, errors.New("hmtx too short")
	}
	return src, nil
}

func parseLoca(loca []byte, glyphs int, long bool) ([]int, error) {
	offs := make([]int, glyphs+1)
	size := 2
	if long {
		size = 4
	}
	if len(loca) < size*(glyphs+1) {
		return nil, errShort
	}
	for g := range offs {
		if long {
			offs[g] = int(u32(loca, 4*g))
		} else {
			offs[g] = 2 * int(u16(loca, 2*g))
		}
		if g > 0 && offs[g] < offs[g-1] {
			return nil, fmt.Errorf("loca not ascending at glyph %d", g)
		}
	}
	return offs, nil
}

func (s *glyphSource) glyph(g int) []byte {
	return s.tables["glyf"][s.offs[g]:s.offs[g+1]]
}

// components lists the glyphs a composite glyph is built from.
func (s *glyphSource) components(g int) ([]int, error) {
	var out []int
	err := s.walkComponents(s.glyph(g), func(at int) { out = append(out, int(u16(s.glyph(g), at))) })
	return out, err
}

// walkComponents calls fn with the offset of each component's glyph index
// in a composite glyph; a simple glyph has none.
func (s *glyphSource) walkComponents(b []byte, fn func(at int)) error {
	if len(b) < 10 || int16(u16(b, 0)) >= 0 {
		return nil
	}
	for at := 10; ; {
		if at+4 > len(b) {
			return errShort
		}
		flags := u16(b, at)
		fn(at + 2)
		at += 4 + componentSize(flags)
		if flags&moreComponents == 0 {
			return nil
		}
	}
}

// componentSize is the size of a component's arguments and transform.
func componentSize(flags uint16) int {
	n := 2
	if flags&argsAreWords != 0 {
		n = 4
	}
	switch {
	case flags&haveScale != 0:
		n += 2
	case flags&haveXYScale != 0:
		n += 4
	case flags&haveTwoByTwo != 0:
		n += 8
	}
	return n
}

// closure returns the glyphs, with .notdef and every component, in
// ascending order.
func (s *glyphSource) closure(glyphs []int) ([]int, error) {
	seen := map[int]bool{0: true}
	todo := append([]int{0}, glyphs...)
	for len(todo) > 0 {
		g := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if g < 0 || g >= len(s.offs)-1 {
			return nil, fmt.Errorf("glyph %d out of range", g)
		}
		seen[g] = true
		comps, err := s.components(g)
		if err != nil {
			return nil, fmt.Errorf("glyph %d: %w", g, err)
		}
		for _, c := range comps {
			if !seen[c] {
				todo = append(todo, c)
			}
		}
	}
	out := make([]int, 0, len(seen))
	for g := range seen {
		out = append(out, g)
	}
	slices.Sort(out)
	return out, nil
}

// subset builds a TrueType file with the glyphs of cmap (character to glyph
// of the full font), their components and .notdef, renumbered in their
// original order, and a Unicode cmap for those characters.
func (s *glyphSource) subset(cmap map[rune]int) ([]byte, error) {
	var want []int
	for _, g := range cmap {
		want = append(want, g)
	}
	old, err := s.closure(want)
	if err != nil {
		return nil, err
	}
	renum := make(map[int]int, len(old))
	for i, g := range old {
		renum[g] = i
	}
	glyf, loca, err := s.glyfLoca(old, renum)
	if err != nil {
		return nil, err
	}
	newCmap := make(map[rune]int, len(cmap))
	for r, g := range cmap {
		newCmap[r] = renum[g]
	}
	tables := map[string][]byte{
		"OS/2": s.tables["OS/2"], "name": s.tables["name"],
		"cmap": buildCmap(newCmap), "glyf": glyf, "loca": loca,
		"head": s.head(), "hhea": s.hhea(len(old)), "hmtx": s.hmtx(old),
		"maxp": s.maxp(len(old)), "post": s.post(),
	}
	return assemble(tables), nil
}

// glyfLoca copies the glyphs without instructions, renumbering the
// components of composites, with a long-format loca.
func (s *glyphSource) glyfLoca(old []int, renum map[int]int) (glyf, loca []byte, err error) {
	loca = make([]byte, 4*(len(old)+1))
	size := 0
	for _, g := range old {
		size += s.offs[g+1] - s.offs[g] + 3
	}
	glyf = make([]byte, 0, size)
	for i, g := range old {
		binary.BigEndian.PutUint32(loca[4*i:], uint32(len(glyf)))
		if glyf, err = s.appendStripped(glyf, g, renum); err != nil {
			return nil, nil, fmt.Errorf("glyph %d: %w", g, err)
		}
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	binary.BigEndian.PutUint32(loca[4*len(old):], uint32(len(glyf)))
	return glyf, loca, nil
}

// appendStripped appends glyph g without its instructions, components
// renumbered.
func (s *glyphSource) appendStripped(out []byte, g int, renum map[int]int) ([]byte, error) {
	b := s.glyph(g)
	if len(b) == 0 {
		return out, nil
	}
	if len(b) < 10 {
		return nil, errShort
	}
	if n := int(int16(u16(b, 0))); n >= 0 {
		at := 10 + 2*n // instructionLength
		if at+2 > len(b) || at+2+int(u16(b, at)) > len(b) {
			return nil, errShort
		}
		out = append(out, b[:at]...)
		out = append(out, 0, 0)
		return append(out, b[at+2+int(u16(b, at)):]...), nil
	}
	start := len(out)
	out = append(out, b...)
	c := out[start:]
	end := 10
	err := s.walkComponents(c, func(at int) {
		binary.BigEndian.PutUint16(c[at:], uint16(renum[int(u16(c, at))]))
		flags := u16(c, at-2) &^ haveInstrutions
		binary.BigEndian.PutUint16(c[at-2:], flags)
		end = at + 2 + componentSize(flags)
	})
	return out[:start+end], err
}

func (s *glyphSource) head() []byte {
	h := slices.Clone(s.tables["head"][:54])
	binary.BigEndian.PutUint32(h[8:], 0)  // checkSumAdjustment, set by assemble
	binary.BigEndian.PutUint16(h[50:], 1) // long loca
	return h
}

func (s *glyphSource) hhea(glyphs int) []byte {
	h := slices.Clone(s.tables["hhea"][:36])
	binary.BigEndian.PutUint16(h[34:], uint16(glyphs))
	return h
}

// hmtx gives every kept glyph a full metric: advance and left side bearing.
func (s *glyphSource) hmtx(old []int) []byte {
	src := s.tables["hmtx"]
	out := make([]byte, 4*len(old))
	for i, g := range old {
		adv, lsb := u16(src, 4*(s.nh-1)), uint16(0)
		if g < s.nh {
			adv, lsb = u16(src, 4*g), u16(src, 4*g+2)
		} else {
			lsb = u16(src, 4*s.nh+2*(g-s.nh))
		}
		binary.BigEndian.PutUint16(out[4*i:], adv)
		binary.BigEndian.PutUint16(out[4*i+2:], lsb)
	}
	return out
}

// maxp keeps the outline limits and clears those of the dropped hinting.
func (s *glyphSource) maxp(glyphs int) []byte {
	m := slices.Clone(s.tables["maxp"][:32])
	binary.BigEndian.PutUint16(m[4:], uint16(glyphs))
	binary.BigEndian.PutUint16(m[14:], 1) // maxZones
	for _, off := range []int{16, 18, 20, 22, 24, 26} {
		binary.BigEndian.PutUint16(m[off:], 0)
	}
	return m
}

// post is version 3: the metrics without glyph names.
func (s *glyphSource) post() []byte {
	p := slices.Clone(s.tables["post"][:32])
	binary.BigEndian.PutUint32(p, 0x00030000)
	return p
}

// buildCmap writes a cmap with one Windows Unicode BMP subtable (format 4):
// a segment per run of consecutive characters with consecutive glyphs.
func buildCmap(m map[rune]int) []byte {
	runes := make([]rune, 0, len(m))
	for r := range m {
		if r < 0xFFFF {
			runes = append(runes, r)
		}
	}
	slices.Sort(runes)
	type seg struct{ start, end, delta int }
	var segs []seg
	for _, r := range runes {
		d := m[r] - int(r)
		if n := len(segs); n > 0 && segs[n-1].end+1 == int(r) && segs[n-1].delta == d {
			segs[n-1].end = int(r)
			continue
		}
		segs = append(segs, seg{int(r), int(r), d})
	}
	segs = append(segs, seg{0xFFFF, 0xFFFF, 1})
	n := len(segs)
	sub := make([]byte, 16+8*n)
	put := func(off, v int) { binary.BigEndian.PutUint16(sub[off:], uint16(v)) }
	search, sel := searchParams(n, 2)
	put(0, 4)
	put(2, len(sub))
	put(6, 2*n)
	put(8, search)
	put(10, sel)
	put(12, 2*n-search)
	for i, sg := range segs {
		put(14+2*i, sg.end)
		put(16+2*n+2*i, sg.start)
		put(16+4*n+2*i, sg.delta&0xFFFF) // idDelta; idRangeOffset stays 0
	}
	head := []byte{0, 0, 0, 1, 0, 3, 0, 1, 0, 0, 0, 12}
	return append(head, sub...)
}

// searchParams gives searchRange and entrySelector for n entries of the
// given size: the largest power of two ≤ n, times size, and its log2.
func searchParams(n, size int) (searchRange, entrySelector int) {
	p := 1
	for p*2 <= n {
		p *= 2
		entrySelector++
	}
	return p * size, entrySelector
}

// assemble writes the table directory and the tables, 4-byte aligned, and
// sets head's checkSumAdjustment.
func assemble(tables map[string][]byte) []byte {
	tags := make([]string, 0, len(tables))
	for t := range tables {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	n := len(tags)
	size := 12 + 16*n
	offs, lens := make([]int, n), make([]int, n)
	for i, tag := range tags {
		offs[i], lens[i] = size, len(tables[tag])
		size += (lens[i] + 3) &^ 3
	}
	out := make([]byte, size)
	for i, tag := range tags {
		copy(out[offs[i]:], tables[tag])
	}
	return directory(out, tags, offs, lens)
}

// directory fills in the table directory at the start of out, whose
// tables (tags, in tag order) are at offs with lengths lens, and sets
// head's checkSumAdjustment.
func directory(out []byte, tags []string, offs, lens []int) []byte {
	n := len(tags)
	binary.BigEndian.PutUint32(out, 0x00010000)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	search, sel := searchParams(n, 16)
	binary.BigEndian.PutUint16(out[6:], uint16(search))
	binary.BigEndian.PutUint16(out[8:], uint16(sel))
	binary.BigEndian.PutUint16(out[10:], uint16(16*n-search))
	headAt := 0
	for i, tag := range tags {
		rec := out[12+16*i:]
		copy(rec, tag)
		binary.BigEndian.PutUint32(rec[4:], checksum(out[offs[i]:offs[i]+lens[i]]))
		binary.BigEndian.PutUint32(rec[8:], uint32(offs[i]))
		binary.BigEndian.PutUint32(rec[12:], uint32(lens[i]))
		if tag == "head" {
			headAt = offs[i]
		}
	}
	binary.BigEndian.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	return out
}

// checksum is the sum of the big-endian 32-bit words of b, zero-padded.
func checksum(b []byte) uint32 {
	var sum uint32
	n := len(b) &^ 3
	for i := 0; i < n; i += 4 {
		sum += binary.BigEndian.Uint32(b[i:])
	}
	if n < len(b) {
		var w [4]byte
		copy(w[:], b[n:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}
