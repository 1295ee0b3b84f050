// Package fonts embeds the typefaces of the extracts (Liberation Serif for
// running text, Liberation Sans for headings and page furniture; SIL OFL
// 1.1, see LICENSE-Liberation.txt and README.md) and reads their metrics
// with a small TrueType reader, so text can be measured without a PDF
// library. The faces are parsed once, by Load, at start-up, with the glyph
// choices of alternates.go (Ŋ in the Sami N-form) applied.
//
// It may import the standard library only.
package fonts

import (
	"embed"
	"fmt"
)

//go:embed files/*.ttf
var files embed.FS

// Family keys, as templates name them.
const (
	Serif = "serif"
	Sans  = "sans"
)

// embedded lists every face in a fixed order, so whoever registers them
// all (the PDF writer) does it the same way each time.
var embedded = []struct {
	family string
	style  Style
	file   string
}{
	{Serif, Style{}, "LiberationSerif-Regular.ttf"},
	{Serif, Style{Bold: true}, "LiberationSerif-Bold.ttf"},
	{Serif, Style{Italic: true}, "LiberationSerif-Italic.ttf"},
	{Serif, Style{Bold: true, Italic: true}, "LiberationSerif-BoldItalic.ttf"},
	{Sans, Style{}, "LiberationSans-Regular.ttf"},
	{Sans, Style{Bold: true}, "LiberationSans-Bold.ttf"},
}

// Set is every embedded face, parsed.
type Set struct {
	faces     []*Face
	toUnicode []byte
}

// Load parses every embedded face and builds its single-byte subset.
func Load() (*Set, error) {
	enc, err := newEncoding()
	if err != nil {
		return nil, fmt.Errorf("fonts: %w", err)
	}
	s := &Set{toUnicode: enc.toUnicode()}
	for _, e := range embedded {
		data, err := files.ReadFile("files/" + e.file)
		if err != nil {
			return nil, fmt.Errorf("fonts: reading %s: %w", e.file, err)
		}
		m, err := parseTrueType(data)
		if err != nil {
			return nil, fmt.Errorf("fonts: parsing %s: %w", e.file, err)
		}
		if data, err = applyAlternates(data, m, alternates); err != nil {
			return nil, fmt.Errorf("fonts: choosing glyphs of %s: %w", e.file, err)
		}
		f := newFace(e.family, e.style, e.file, data, m)
		f.enc = enc
		if f.src, err = newGlyphSource(data); err != nil {
			return nil, fmt.Errorf("fonts: reading the glyphs of %s: %w", e.file, err)
		}
		f.src.names = f.src.keptNames()
		if f.simple, err = newSimpleFont(f, data, m, enc); err != nil {
			return nil, fmt.Errorf("fonts: %s as a simple font: %w", e.file, err)
		}
		s.faces = append(s.faces, f)
	}
	return s, nil
}

// ToUnicode is the ToUnicode CMap of the simple fonts' shared encoding
// (see Face.Simple), uncompressed; callers must not modify it.
func (s *Set) ToUnicode() []byte { return s.toUnicode }

// Covers reports whether every face has a glyph for r, so that text with
// r can be set in any of them.
func (s *Set) Covers(r rune) bool {
	for _, f := range s.faces {
		if !f.Has(r) {
			return false
		}
	}
	return true
}

// Faces lists every face in a fixed order.
func (s *Set) Faces() []*Face { return s.faces }

// Face returns the family's face of the given style. A family without that
// style falls back to the upright, then to the regular face (the sans family
// has no italics); an unknown family gives nil.
func (s *Set) Face(family string, st Style) *Face {
	for _, want := range []Style{st, {Bold: st.Bold}, {}} {
		for _, f := range s.faces {
			if f.family == family && f.style == want {
				return f
			}
		}
	}
	return nil
}
