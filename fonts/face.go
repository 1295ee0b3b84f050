package fonts

import "unicode/utf8"

// Style picks a face within a family.
type Style struct {
	Bold, Italic bool
}

// String names the style the way fpdf does: "", "B", "I" or "BI".
func (s Style) String() string {
	switch {
	case s.Bold && s.Italic:
		return "BI"
	case s.Bold:
		return "B"
	case s.Italic:
		return "I"
	}
	return ""
}

// latinRunes is the range served from a flat table; Swedish and Sami text
// rarely leaves it, so measuring never touches the map.
const latinRunes = 0x250

// Face is one parsed font file: its metrics for measuring and placing text
// and its bytes for embedding. It is read-only after Load, so it can be
// shared between goroutines.
type Face struct {
	family string
	style  Style
	file   string
	data   []byte

	em        float64
	ascender  float64
	descender float64
	lineGap   float64
	capHeight float64
	ulPos     float64
	ulThick   float64

	latin [latinRunes]uint16 // advance in font units; 0: no glyph
	other map[rune]uint16
	// Glyph indices, for the subsets of documents (cid.go).
	latinGID [latinRunes]uint16
	otherGID map[rune]uint16
	src      *glyphSource
	notdef   uint16 // advance of the missing-glyph box
	hasLatin [latinRunes]bool
	// ascii is the advance of each ASCII character, the missing-glyph
	// box's where the face has none: what Width adds up most.
	ascii [utf8.RuneSelf]uint16

	enc    *encoding   // shared by every face of the set
	simple *simpleFont // the face as a single-byte font
}

func newFace(family string, style Style, file string, data []byte, m *metrics) *Face {
	em := float64(m.unitsPerEm)
	f := &Face{
		family: family, style: style, file: file, data: data,
		em:        em,
		ascender:  float64(m.ascender) / em,
		descender: float64(m.descender) / em,
		lineGap:   float64(m.lineGap) / em,
		capHeight: float64(m.capHeight) / em,
		ulPos:     float64(m.underlinePosition) / em,
		ulThick:   float64(m.underlineThickness) / em,
		other:     map[rune]uint16{},
		otherGID:  map[rune]uint16{},
		notdef:    m.advances[0],
	}
	for r, g := range m.cmap {
		if int(g) >= len(m.advances) {
			continue
		}
		if r < latinRunes {
			f.latin[r], f.hasLatin[r], f.latinGID[r] = m.advances[g], true, g
		} else {
			f.other[r], f.otherGID[r] = m.advances[g], g
		}
	}
	for c := range f.ascii {
		f.ascii[c] = f.advance(rune(c))
	}
	return f
}

// Family is the family key ("serif", "sans").
func (f *Face) Family() string { return f.family }

// Style is the face's style within its family.
func (f *Face) Style() Style { return f.style }

// Name is the font file's name, e.g. "LiberationSerif-Bold.ttf".
func (f *Face) Name() string { return f.file }

// Bytes is the TrueType file for embedding: the embedded file with the
// glyph choices of alternates.go in its cmap. Callers must not modify it.
func (f *Face) Bytes() []byte { return f.data }

// Width is the advance width of s in ems (multiply by the size in points
// to get points). Characters without a glyph count as the missing-glyph box.
func (f *Face) Width(s string) float64 {
	units := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			units += int(f.ascii[c])
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		units += int(f.advance(r))
		i += n
	}
	return float64(units) / f.em
}

func (f *Face) advance(r rune) uint16 {
	if r >= 0 && r < latinRunes {
		if f.hasLatin[r] {
			return f.latin[r]
		}
		return f.notdef
	}
	if a, ok := f.other[r]; ok {
		return a
	}
	return f.notdef
}

// Has reports whether the face has a glyph for r.
func (f *Face) Has(r rune) bool {
	if r >= 0 && r < latinRunes {
		return f.hasLatin[r]
	}
	_, ok := f.other[r]
	return ok
}

// Ascender is the height above the baseline, in ems (hhea).
func (f *Face) Ascender() float64 { return f.ascender }

// Descender is the depth below the baseline, in ems; negative (hhea).
func (f *Face) Descender() float64 { return f.descender }

// LineGap is the font's recommended extra leading, in ems.
func (f *Face) LineGap() float64 { return f.lineGap }

// CapHeight is the height of capital letters, in ems (0 if unknown).
func (f *Face) CapHeight() float64 { return f.capHeight }

// Underline gives the underline's position (negative: below the baseline)
// and thickness, in ems.
func (f *Face) Underline() (position, thickness float64) { return f.ulPos, f.ulThick }
