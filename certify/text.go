package certify

import (
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// textValue decodes a text string entry: UTF-16BE or UTF-8 with a byte order
// mark, else PDFDocEncoding, read as Latin-1.
func textValue(d pdfDict, key string) string {
	v, _ := d.get(key)
	b, _ := v.([]byte)
	return decodeText(b)
}

func decodeText(b []byte) string {
	switch {
	case len(b) >= 2 && b[0] == 0xfe && b[1] == 0xff:
		units := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			units = append(units, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(units))
	case len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf && utf8.Valid(b[3:]):
		return string(b[3:])
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// dateValue parses a PDF date entry ("D:YYYYMMDDHHmmSSOHH'mm'"); missing
// parts take their defaults. A missing or malformed date is the zero time.
func dateValue(d pdfDict, key string) time.Time {
	v, _ := d.get(key)
	b, _ := v.([]byte)
	return parsePDFDate(string(b))
}

func parsePDFDate(s string) time.Time {
	if len(s) >= 2 && s[:2] == "D:" {
		s = s[2:]
	}
	fields := []int{0, 1, 1, 0, 0, 0} // year, month, day, hour, minute, second
	widths := []int{4, 2, 2, 2, 2, 2}
	for i, w := range widths {
		if len(s) < w || s[0] < '0' || s[0] > '9' {
			if i == 0 {
				return time.Time{}
			}
			break
		}
		n, err := strconv.Atoi(s[:w])
		if err != nil {
			return time.Time{}
		}
		fields[i], s = n, s[w:]
	}
	return time.Date(fields[0], time.Month(fields[1]), fields[2], fields[3], fields[4], fields[5], 0, pdfZone(s))
}

// pdfZone reads the "Z", "+HH'mm'" or "-HH'mm'" suffix of a PDF date.
func pdfZone(s string) *time.Location {
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return time.UTC
	}
	h, err := strconv.Atoi(s[1:3])
	if err != nil {
		return time.UTC
	}
	m := 0
	if len(s) >= 6 && s[3] == '\'' {
		m, _ = strconv.Atoi(s[4:6])
	}
	offset := h*3600 + m*60
	if s[0] == '-' {
		offset = -offset
	}
	return time.FixedZone("", offset)
}
