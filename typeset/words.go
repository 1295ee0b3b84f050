package typeset

import "strings"

// fragment is a part of a word in one style.
type fragment struct {
	text  string
	style Style
}

// word is what lies between two breakable spaces. A forced line break
// follows it when breakAfter is set.
type word struct {
	frags      []fragment
	breakAfter bool
}

// splitWords turns spans into words: U+0020 separates words, "\n" forces a
// line break; U+00A0 (no-break space) stays inside its word.
func splitWords(spans []Span) []word {
	var words []word
	var cur word
	flush := func(forced bool) {
		if len(cur.frags) > 0 {
			cur.breakAfter = forced
			words = append(words, cur)
		} else if forced && len(words) > 0 {
			words[len(words)-1].breakAfter = true
		}
		cur = word{}
	}
	for _, sp := range spans {
		start := 0
		for i := 0; i < len(sp.Text); i++ {
			c := sp.Text[i]
			if c != ' ' && c != '\n' && c != '\t' {
				continue
			}
			if i > start {
				cur.frags = append(cur.frags, fragment{sp.Text[start:i], sp.Style})
			}
			flush(c == '\n')
			start = i + 1
		}
		if start < len(sp.Text) {
			cur.frags = append(cur.frags, fragment{sp.Text[start:], sp.Style})
		}
	}
	flush(false)
	return words
}

func (w word) text() string {
	if len(w.frags) == 1 {
		return w.frags[0].text
	}
	var b strings.Builder
	for _, f := range w.frags {
		b.WriteString(f.text)
	}
	return b.String()
}

// spaceWidth is the normal interword space of the style, in points.
func spaceWidth(faces Faces, st Style, size float64) float64 {
	return faces.Face(st.Face()).Width(" ") * size
}
