package extract

import (
	"reflect"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normalizeText brings every string of x to one spelling of the same
// text, before validation: Unicode NFC (a Sami or Swedish letter typed as
// a base letter and a combining accent becomes the one precomposed letter
// the fonts have); line breaks as "\n" (CR LF and CR from Windows
// systems, U+2028, U+2029); the invisible characters word processors
// leave dropped (soft hyphens, zero-width spaces, word joiners, byte order
// marks): the typesetter hyphenates by its own rules; spaces of other
// widths as a plain space, and the narrow no-break space as U+00A0.
func (x *Extract) normalizeText() {
	walkStrings(reflect.ValueOf(x).Elem(), func(s string) string {
		if plainASCII(s) {
			return s
		}
		return cleanText(s)
	})
}

// walkStrings replaces every string reachable from v (structs, pointers,
// slices) with f of it.
func walkStrings(v reflect.Value, f func(string) string) {
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); s != "" {
			if t := f(s); t != s {
				v.SetString(t)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(v.Elem(), f)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), f)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkStrings(v.Index(i), f)
		}
	}
}

// plainASCII reports whether s is printable ASCII, which needs nothing.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c == '\r' {
			return false
		}
	}
	return true
}

// cleanPairs are what cleanText replaces, old and new in turn.
var cleanPairs = []string{
	"\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n",
	"\u00AD", "", "\u200B", "", "\u2060", "", "\uFEFF", "",
	"\u2000", " ", "\u2001", " ", "\u2002", " ", "\u2003", " ", "\u2004", " ", "\u2005", " ",
	"\u2006", " ", "\u2007", " ", "\u2008", " ", "\u2009", " ", "\u200A", " ", "\u205F", " ", "\u3000", " ",
	"\u202F", "\u00A0",
}

var textCleaner = strings.NewReplacer(cleanPairs...)

// oddChars holds every character textCleaner replaces.
var oddChars = func() string {
	var b strings.Builder
	for i := 0; i < len(cleanPairs); i += 2 {
		b.WriteString(cleanPairs[i])
	}
	return b.String()
}()

// cleanText is s as normalizeText wants it; text that needs nothing is
// returned as it is, without a copy.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		return s // validation reports it
	}
	if strings.ContainsAny(s, oddChars) {
		s = textCleaner.Replace(s)
	}
	return norm.NFC.String(s)
}
