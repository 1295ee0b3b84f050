package typeset

// Greedy sets a paragraph first-fit, without hyphenation: each line takes as
// many words as fit. It is the baseline the Knuth–Plass breaker is measured
// against.
func Greedy(spans []Span, faces Faces, p Params) []Line {
	words := splitWords(spans)
	var lines []Line
	var cur []word
	curW := p.FirstIndent
	emit := func(ragged bool) {
		lines = append(lines, placeWords(cur, faces, p, len(lines) == 0, ragged))
		cur, curW = nil, 0
	}
	for i, w := range words {
		ww := wordWidth(w, faces, p.Size)
		sp := 0.0
		if len(cur) > 0 {
			sp = spaceWidth(faces, cur[len(cur)-1].frags[len(cur[len(cur)-1].frags)-1].style, p.Size)
		}
		if len(cur) > 0 && curW+sp+ww > p.Width {
			emit(false)
			sp = 0
		}
		cur = append(cur, w)
		curW += sp + ww
		if w.breakAfter && i < len(words)-1 {
			emit(true)
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		emit(true)
	}
	lines[len(lines)-1].Last = true
	return lines
}

func wordWidth(w word, faces Faces, size float64) float64 {
	var total float64
	for _, f := range w.frags {
		total += faces.Face(f.style.Face()).Width(f.text) * size
	}
	return total
}

// placeWords positions whole words on one line, stretching the spaces when
// the paragraph is justified and the line is not ragged (the last, or one
// ended by a forced break).
func placeWords(ws []word, faces Faces, p Params, first, ragged bool) Line {
	indent := 0.0
	if first {
		indent = p.FirstIndent
	}
	var natural, spaces float64
	for i, w := range ws {
		natural += wordWidth(w, faces, p.Size)
		if i > 0 {
			spaces += spaceWidth(faces, lastStyle(ws[i-1]), p.Size)
		}
	}
	line := Line{Width: p.Width, Natural: indent + natural + spaces}
	scale := 1.0
	if p.Justify && !ragged && len(ws) > 1 && spaces > 0 {
		scale = (p.Width - indent - natural) / spaces
		line.Justified = true
		line.Ratio = scale - 1
	}
	x := indent
	for i, w := range ws {
		for j, f := range w.frags {
			fw := faces.Face(f.style.Face()).Width(f.text) * p.Size
			it := Item{Text: f.text, Style: f.style, X: x, W: fw}
			x += fw
			if j == len(w.frags)-1 && i < len(ws)-1 {
				it.SpaceAfter = spaceWidth(faces, f.style, p.Size) * scale
				x += it.SpaceAfter
			}
			line.Items = append(line.Items, it)
		}
	}
	return line
}

func lastStyle(w word) Style { return w.frags[len(w.frags)-1].style }
