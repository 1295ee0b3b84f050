package pdf

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"codeberg.org/go-pdf/fpdf"

	"utdrag/fonts"
	"utdrag/layout"
)

// embedding is how one face is known to fpdf and in the finished file.
type embedding struct {
	family string // fpdf's family key
	style  string // fpdf's style: "", "B", "I", "BI"
	// simple marks a face drawn with its ready-made single-byte subset
	// (fonts.Face.Simple): every text run is encoded with Face.Encode.
	// Otherwise the face goes through fpdf's UTF-8 path, which parses and
	// subsets the whole font for the document.
	simple bool
	sf     *simpleFont // the simple font's objects
	// For the UTF-8 path: key is the name fpdf writes as BaseFont and
	// FontName ("utf8" + family + style); name is what it becomes: a subset
	// tag, "+", and the face's PostScript-style name, of the same length so
	// offsets stay valid.
	key, name string
}

// addFonts registers the faces the pages use, in the font set's fixed
// order. A face whose every text run on the pages is in the simple
// fonts' encoding is added as its prepared simple font; any other face
// (a character outside the encoding) goes through the UTF-8 path, so
// every character the face has is still drawn. A character the face
// lacks is an error: input is checked against the fonts before it gets
// here (extract.Limits.Drawable), and nothing is drawn as an empty box.
func (r *Renderer) addFonts(doc *fpdf.Fpdf, p *layout.Pages) (map[*fonts.Face]embedding, error) {
	simple := usage(p)
	out := map[*fonts.Face]embedding{}
	for i, f := range r.fonts.Faces() {
		ok, used := simple[f]
		if !used {
			continue
		}
		if sf := r.simple[i]; ok && sf != nil {
			e := embedding{family: "s" + string(rune('a'+i)), style: f.Style().String(), simple: true, sf: sf}
			doc.AddFontFromBytes(e.family, e.style, sf.def, nil)
			out[f] = e
			continue
		}
		runes := facerunes(p, f)
		for _, c := range runes {
			if c > 0xFFFF || !f.Has(c) {
				return nil, fmt.Errorf("pdf: %s has no glyph for %q (U+%04X)", f.Name(), c, c)
			}
		}
		e := newEmbedding(i, f, runes)
		doc.AddUTF8FontFromBytes(e.family, e.style, f.Bytes())
		out[f] = e
	}
	return out, nil
}

// usage lists the faces the pages use, each with whether all its text
// runs can be drawn with the simple font.
func usage(p *layout.Pages) map[*fonts.Face]bool {
	simple := map[*fonts.Face]bool{}
	for i := range p.Pages {
		for _, t := range p.Pages[i].Texts {
			// Written only when it changes: most runs only look it up.
			switch ok, seen := simple[t.Face]; {
			case !seen:
				simple[t.Face] = t.Face.Encodable(t.Text)
			case ok && !t.Face.Encodable(t.Text):
				simple[t.Face] = false
			}
		}
	}
	return simple
}

// facerunes is every character drawn with f.
func facerunes(p *layout.Pages, f *fonts.Face) []rune {
	var runes []rune
	for i := range p.Pages {
		for _, t := range p.Pages[i].Texts {
			if t.Face == f {
				runes = append(runes, []rune(t.Text)...)
			}
		}
	}
	return runes
}

func newEmbedding(i int, f *fonts.Face, runes []rune) embedding {
	name := subsetTag(f, runes) + "+" + strings.TrimSuffix(f.Name(), ".ttf")
	style := f.Style().String()
	// fpdf lowercases the family and appends the style; pad the family so
	// that "utf8" + family + style is exactly as long as the final name.
	family := "u" + string(rune('a'+i))
	if pad := len(name) - len("utf8") - len(family) - len(style); pad > 0 {
		family += strings.Repeat("z", pad)
	}
	return embedding{family: family, style: style, key: "utf8" + family + style, name: name}
}

// subsetTag tags the subset of f holding runes; equal subsets in different
// documents get equal tags.
func subsetTag(f *fonts.Face, runes []rune) string {
	slices.Sort(runes)
	return fonts.SubsetTag(f.Name(), slices.Compact(runes))
}

// renameFonts replaces fpdf's internal names of the UTF-8 fonts with
// subset-tagged ones, so readers (and pdffonts) see the fonts as the
// subsets they are. Names keep their length, so the cross-reference
// offsets stay right.
func renameFonts(pdf []byte, embedded map[*fonts.Face]embedding) []byte {
	for _, e := range embedded {
		if e.simple || len(e.key) != len(e.name) {
			continue
		}
		pdf = bytes.ReplaceAll(pdf, []byte("/"+e.key+"\n"), []byte("/"+e.name+"\n"))
		pdf = bytes.ReplaceAll(pdf, []byte("/"+e.key+" "), []byte("/"+e.name+" "))
	}
	return pdf
}
