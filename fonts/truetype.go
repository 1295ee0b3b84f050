package fonts

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// metrics is what the reader takes from a TrueType file: enough to measure
// text and to place lines, nothing to draw glyphs.
type metrics struct {
	unitsPerEm         int
	ascender           int
	descender          int
	lineGap            int
	capHeight          int
	underlinePosition  int
	underlineThickness int
	advances           []uint16        // per glyph, font units
	cmap               map[rune]uint16 // code point to glyph
}

var errShort = errors.New("table too short")

// parseTrueType reads the head, hhea, hmtx, maxp, post, OS/2 and cmap
// tables of a TrueType font.
func parseTrueType(b []byte) (*metrics, error) {
	tables, err := tableDirectory(b)
	if err != nil {
		return nil, err
	}
	for _, tag := range []string{"head", "hhea", "hmtx", "maxp", "post", "cmap"} {
		if _, ok := tables[tag]; !ok {
			return nil, fmt.Errorf("missing %s table", tag)
		}
	}
	m := &metrics{}
	if err := m.parseHead(tables["head"]); err != nil {
		return nil, fmt.Errorf("reading head: %w", err)
	}
	if err := m.parsePost(tables["post"]); err != nil {
		return nil, fmt.Errorf("reading post: %w", err)
	}
	if err := m.parseHorizontal(tables["hhea"], tables["hmtx"], tables["maxp"]); err != nil {
		return nil, fmt.Errorf("reading hhea/hmtx: %w", err)
	}
	if os2, ok := tables["OS/2"]; ok && len(os2) >= 90 && u16(os2, 0) >= 2 {
		m.capHeight = int(int16(u16(os2, 88)))
	}
	if m.cmap, err = parseCmap(tables["cmap"]); err != nil {
		return nil, fmt.Errorf("reading cmap: %w", err)
	}
	return m, nil
}

// tableDirectory maps each table tag to its bytes.
func tableDirectory(b []byte) (map[string][]byte, error) {
	if len(b) < 12 {
		return nil, errors.New("not a TrueType file")
	}
	if v := u32(b, 0); v != 0x00010000 && v != 0x74727565 { // 1.0 or 'true'
		return nil, fmt.Errorf("not a TrueType file (version %#x)", v)
	}
	n := int(u16(b, 4))
	if len(b) < 12+16*n {
		return nil, errors.New("table directory truncated")
	}
	tables := make(map[string][]byte, n)
	for i := 0; i < n; i++ {
		rec := b[12+16*i:]
		off, length := int(u32(rec, 8)), int(u32(rec, 12))
		if off < 0 || length < 0 || off+length > len(b) {
			return nil, fmt.Errorf("table %q outside the file", rec[:4])
		}
		tables[string(rec[:4])] = b[off : off+length]
	}
	return tables, nil
}

func (m *metrics) parseHead(t []byte) error {
	if len(t) < 54 {
		return errShort
	}
	m.unitsPerEm = int(u16(t, 18))
	if m.unitsPerEm == 0 {
		return errors.New("unitsPerEm is 0")
	}
	return nil
}

func (m *metrics) parsePost(t []byte) error {
	if len(t) < 12 {
		return errShort
	}
	m.underlinePosition = int(int16(u16(t, 8)))
	m.underlineThickness = int(int16(u16(t, 10)))
	return nil
}

// parseHorizontal reads vertical extents and the advance of every glyph;
// glyphs past numberOfHMetrics share the last advance.
func (m *metrics) parseHorizontal(hhea, hmtx, maxp []byte) error {
	if len(hhea) < 36 || len(maxp) < 6 {
		return errShort
	}
	m.ascender = int(int16(u16(hhea, 4)))
	m.descender = int(int16(u16(hhea, 6)))
	m.lineGap = int(int16(u16(hhea, 8)))
	nh, ng := int(u16(hhea, 34)), int(u16(maxp, 4))
	if nh == 0 || len(hmtx) < 4*nh {
		return errors.New("hmtx shorter than numberOfHMetrics")
	}
	m.advances = make([]uint16, max(ng, nh))
	for g := range m.advances {
		if g < nh {
			m.advances[g] = u16(hmtx, 4*g)
		} else {
			m.advances[g] = m.advances[nh-1]
		}
	}
	return nil
}

// parseCmap prefers the full-Unicode subtable (format 12) and falls back to
// the BMP one (format 4).
func parseCmap(t []byte) (map[rune]uint16, error) {
	if len(t) < 4 {
		return nil, errShort
	}
	var bmp, full []byte
	for i := 0; i < int(u16(t, 2)); i++ {
		if len(t) < 4+8*(i+1) {
			return nil, errShort
		}
		rec := t[4+8*i:]
		platform, encoding, off := u16(rec, 0), u16(rec, 2), int(u32(rec, 4))
		if off+2 > len(t) {
			return nil, errShort
		}
		sub := t[off:]
		unicode := platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10))
		switch {
		case unicode && u16(sub, 0) == 12:
			full = sub
		case unicode && u16(sub, 0) == 4:
			bmp = sub
		}
	}
	switch {
	case full != nil:
		return parseFormat12(full)
	case bmp != nil:
		return parseFormat4(bmp)
	}
	return nil, errors.New("no Unicode subtable of format 4 or 12")
}

func parseFormat4(t []byte) (map[rune]uint16, error) {
	if len(t) < 14 {
		return nil, errShort
	}
	segs := int(u16(t, 6)) / 2
	ends, starts := 14, 16+2*segs
	deltas, ranges := starts+2*segs, starts+4*segs
	if len(t) < ranges+2*segs {
		return nil, errShort
	}
	cmap := make(map[rune]uint16, 1024)
	for s := 0; s < segs; s++ {
		end, start := u16(t, ends+2*s), u16(t, starts+2*s)
		delta, ro := u16(t, deltas+2*s), int(u16(t, ranges+2*s))
		for c := int(start); c <= int(end) && c != 0xFFFF; c++ {
			g := uint16(c) + delta
			if ro != 0 {
				at := ranges + 2*s + ro + 2*(c-int(start))
				if at+2 > len(t) {
					return nil, errShort
				}
				if g = u16(t, at); g != 0 {
					g += delta
				}
			}
			if g != 0 {
				cmap[rune(c)] = g
			}
		}
	}
	return cmap, nil
}

func parseFormat12(t []byte) (map[rune]uint16, error) {
	if len(t) < 16 {
		return nil, errShort
	}
	n := int(u32(t, 12))
	if len(t) < 16+12*n {
		return nil, errShort
	}
	cmap := make(map[rune]uint16, 1024)
	for i := 0; i < n; i++ {
		grp := t[16+12*i:]
		start, end, glyph := u32(grp, 0), u32(grp, 4), u32(grp, 8)
		if end < start || end > 0x10FFFF {
			return nil, fmt.Errorf("bad group %d", i)
		}
		for c := start; c <= end; c++ {
			cmap[rune(c)] = uint16(glyph + c - start)
		}
	}
	return cmap, nil
}

func u16(b []byte, off int) uint16 { return binary.BigEndian.Uint16(b[off:]) }
func u32(b []byte, off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }
