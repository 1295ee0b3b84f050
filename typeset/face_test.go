package typeset

import "unicode"

// timesFace approximates Times Roman advance widths (1/1000 em), enough to
// set real text at realistic line lengths.
type timesFace struct{ scale float64 }

var timesLower = [26]float64{444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444}
var timesUpper = [26]float64{722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611}

func (f timesFace) Width(s string) float64 {
	var w float64
	for _, r := range s {
		w += timesRune(r)
	}
	return w * f.scale / 1000
}

func timesRune(r rune) float64 {
	switch {
	case r >= 'a' && r <= 'z':
		return timesLower[r-'a']
	case r >= 'A' && r <= 'Z':
		return timesUpper[r-'A']
	case r >= '0' && r <= '9':
		return 500
	}
	switch r {
	case ' ', '\u00a0', '.', ',':
		return 250
	case 'å', 'ä':
		return 444
	case 'ö':
		return 500
	case 'é':
		return 444
	case 'Å', 'Ä', 'Ö':
		return 722
	case ':', ';', '/', '’':
		return 278
	case '-', '(', ')':
		return 333
	case '§', '–':
		return 500
	case '%':
		return 833
	case '”':
		return 444
	case '…':
		return 1000
	}
	if unicode.IsUpper(r) {
		return 722
	}
	return 500
}

// testFaces gives the regular face, and a bold one 8 % wider.
type testFaces struct{}

func (testFaces) Face(s Style) Face {
	if s&Bold != 0 {
		return timesFace{scale: 1.08}
	}
	return timesFace{scale: 1}
}
