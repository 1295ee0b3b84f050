package pdf

import (
	"bytes"
	"hash/fnv"
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
	// key is the name fpdf writes as BaseFont and FontName ("utf8" + family
	// + style); name is what it becomes: a subset tag, "+", and the face's
	// PostScript-style name, of the same length so offsets stay valid.
	key, name string
}

// addFonts registers the faces the pages use (fpdf parses each added face
// again for every document, so unused ones are left out), in the font set's
// fixed order.
func (r *Renderer) addFonts(doc *fpdf.Fpdf, p *layout.Pages) map[*fonts.Face]embedding {
	used := map[*fonts.Face][]rune{}
	for i := range p.Pages {
		for _, t := range p.Pages[i].Texts {
			used[t.Face] = append(used[t.Face], []rune(t.Text)...)
		}
	}
	out := map[*fonts.Face]embedding{}
	for i, f := range r.fonts.Faces() {
		runes, ok := used[f]
		if !ok {
			continue
		}
		e := newEmbedding(i, f, runes)
		doc.AddUTF8FontFromBytes(e.family, e.style, f.Bytes())
		out[f] = e
	}
	return out
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

// subsetTag is the six capital letters that mark an embedded subset,
// derived from the face and the characters drawn with it, so equal
// documents get equal tags.
func subsetTag(f *fonts.Face, runes []rune) string {
	slices.Sort(runes)
	h := fnv.New64a()
	h.Write([]byte(f.Name()))
	for _, r := range slices.Compact(runes) {
		h.Write([]byte(string(r)))
	}
	v := h.Sum64()
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = byte('A' + v%26)
		v /= 26
	}
	return string(tag)
}

// renameFonts replaces fpdf's internal font names with subset-tagged ones,
// so readers (and pdffonts) see the fonts as the subsets they are. Names
// keep their length, so the cross-reference offsets stay right.
func renameFonts(pdf []byte, embedded map[*fonts.Face]embedding) []byte {
	for _, e := range embedded {
		if len(e.key) != len(e.name) {
			continue
		}
		pdf = bytes.ReplaceAll(pdf, []byte("/"+e.key+"\n"), []byte("/"+e.name+"\n"))
		pdf = bytes.ReplaceAll(pdf, []byte("/"+e.key+" "), []byte("/"+e.name+" "))
	}
	return pdf
}
