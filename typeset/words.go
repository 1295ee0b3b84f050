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
// line break; U+00A0 (no-break space) stays inside its word. All words share
// one array of fragments.
func splitWords(spans []Span) []word {
	return new(wordBuf).split(spans)
}

// wordBuf holds the arrays splitWords fills, for reuse from paragraph to
// paragraph.
type wordBuf struct {
	frags  []fragment
	ends   []int
	forced []bool
	words  []word
}

// split is splitWords into the buffer's arrays: the words are valid until
// the next call.
func (wb *wordBuf) split(spans []Span) []word {
	n := len(spans)
	for _, sp := range spans {
		n += strings.Count(sp.Text, " ")
	}
	frags := grow(wb.frags, n)
	ends := grow(wb.ends, n) // end of each word's fragments in frags
	forced := grow(wb.forced, n)
	start := 0 // first fragment of the current word
	flush := func(force bool) {
		if len(frags) > start {
			ends = append(ends, len(frags))
			forced = append(forced, force)
			start = len(frags)
		} else if force && len(forced) > 0 {
			forced[len(forced)-1] = true
		}
	}
	for _, sp := range spans {
		from := 0
		if strings.IndexByte(sp.Text, '\n') < 0 && strings.IndexByte(sp.Text, '\t') < 0 {
			// Only spaces part the words: found a word at a time.
			for {
				i := strings.IndexByte(sp.Text[from:], ' ')
				if i < 0 {
					break
				}
				if i > 0 {
					frags = append(frags, fragment{sp.Text[from : from+i], sp.Style})
				}
				flush(false)
				from += i + 1
			}
		}
		for i := from; i < len(sp.Text); i++ {
			c := sp.Text[i]
			if c != ' ' && c != '\n' && c != '\t' {
				continue
			}
			if i > from {
				frags = append(frags, fragment{sp.Text[from:i], sp.Style})
			}
			flush(c == '\n')
			from = i + 1
		}
		if from < len(sp.Text) {
			frags = append(frags, fragment{sp.Text[from:], sp.Style})
		}
	}
	flush(false)
	wb.frags, wb.ends, wb.forced = frags, ends, forced
	words := grow(wb.words, len(ends))[:len(ends)]
	wb.words = words
	prev := 0
	for i, e := range ends {
		words[i] = word{frags: frags[prev:e:e], breakAfter: forced[i]}
		prev = e
	}
	return words
}

// clear drops the references to the last paragraph's text.
func (wb *wordBuf) clear() {
	clear(wb.frags)
	clear(wb.words)
}

// grow returns s emptied, with room for n elements.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, 0, n)
	}
	return s[:0]
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
