package web

import (
	"bytes"
)

// KeepDatesWhole puts every ISO date ("2026-12-06") in the text of a page
// rendered from these templates into <span class="date">, which the style
// sheet keeps on one line: browsers break lines after a hyphen, and
// "2026-" / "12-06" on two lines is no date. Dates in tags (attributes),
// comments, and the text of elements that hold no markup (title, option,
// textarea, script, style) are left as they are.
//
// The page must be html/template's output: there, a '<' in text always
// begins a tag or a comment.
func KeepDatesWhole(page []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(page) + len(page)/16)
	skip := "" // the element whose text holds no markup, while inside it
	for i := 0; i < len(page); {
		if page[i] == '<' {
			end := tagEnd(page, i)
			tag := page[i:end]
			out.Write(tag)
			i = end
			if name, closing := tagName(tag); skip == "" && !closing && rawText[name] {
				skip = name
			} else if closing && name == skip {
				skip = ""
			}
			continue
		}
		j := bytes.IndexByte(page[i:], '<')
		if j < 0 {
			j = len(page) - i
		}
		text := page[i : i+j]
		if skip != "" {
			out.Write(text)
		} else {
			wrapDates(&out, text)
		}
		i += j
	}
	return out.Bytes()
}

// rawText are the elements whose text may hold no markup.
var rawText = map[string]bool{"title": true, "option": true, "textarea": true, "script": true, "style": true}

// tagEnd is the index after the tag or comment that starts at i.
func tagEnd(page []byte, i int) int {
	if bytes.HasPrefix(page[i:], []byte("<!--")) {
		if k := bytes.Index(page[i+4:], []byte("-->")); k >= 0 {
			return i + 4 + k + 3
		}
		return len(page)
	}
	quote := byte(0)
	for k := i + 1; k < len(page); k++ {
		switch c := page[k]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return k + 1
		}
	}
	return len(page)
}

// tagName is a tag's element name in lower case, and whether it closes.
func tagName(tag []byte) (string, bool) {
	t := tag[1:]
	closing := len(t) > 0 && t[0] == '/'
	if closing {
		t = t[1:]
	}
	n := 0
	for n < len(t) && (t[n] >= 'a' && t[n] <= 'z' || t[n] >= 'A' && t[n] <= 'Z' || t[n] >= '0' && t[n] <= '9') {
		n++
	}
	return string(bytes.ToLower(t[:n])), closing
}

// wrapDates writes text with each ISO date in a span.
func wrapDates(out *bytes.Buffer, text []byte) {
	for {
		k := nextDate(text)
		if k < 0 {
			out.Write(text)
			return
		}
		out.Write(text[:k])
		out.WriteString(`<span class="date">`)
		out.Write(text[k : k+10])
		out.WriteString(`</span>`)
		text = text[k+10:]
	}
}

// nextDate is the index of the first date in text (four, two and two
// digits joined by hyphens, not inside a longer run of digits), or -1.
func nextDate(text []byte) int {
	digit := func(i int) bool { return i >= 0 && i < len(text) && text[i] >= '0' && text[i] <= '9' }
	for k := 0; k+10 <= len(text); k++ {
		if digit(k) && digit(k+1) && digit(k+2) && digit(k+3) && text[k+4] == '-' && digit(k+5) && digit(k+6) &&
			text[k+7] == '-' && digit(k+8) && digit(k+9) && !digit(k-1) && !digit(k+10) {
			return k
		}
	}
	return -1
}
