package extract

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// IDKind is the kind of a Swedish identity number.
type IDKind uint8

const (
	// Personnummer: YYMMDD-NNNC, the birth date and a check digit.
	Personnummer IDKind = iota + 1
	// Samordningsnummer: a personnummer whose day has 60 added (61–91).
	Samordningsnummer
	// Organisationsnummer: ten digits with the same check digit whose
	// "month" is 20 or more; not personal data of itself.
	Organisationsnummer
)

// String names the kind in Swedish.
func (k IDKind) String() string {
	switch k {
	case Personnummer:
		return "personnummer"
	case Samordningsnummer:
		return "samordningsnummer"
	case Organisationsnummer:
		return "organisationsnummer"
	}
	return "okänt nummer"
}

// IDNumber is an identity number found in text.
type IDNumber struct {
	Kind IDKind
	// Start and End are the byte offsets of the number in the text.
	Start, End int
	// Core is the ten digits YYMMDDNNNC, without century or separator: two
	// spellings of one number have the same Core.
	Core string
}

// Masked writes the number with its last four digits hidden, for a
// message that must not repeat it: "121212-XXXX".
func (n IDNumber) Masked() string { return n.Core[:6] + "-XXXX" }

// ParseIdentityNumber reads s, all of it, as a personnummer,
// samordningsnummer or organisationsnummer with a valid check digit.
func ParseIdentityNumber(s string) (IDNumber, bool) {
	for _, n := range FindIdentityNumbers(s) {
		if n.Start == 0 && n.End == len(s) {
			return n, true
		}
	}
	return IDNumber{}, false
}

// FindIdentityNumbers finds the identity numbers in text, written as
// people write them: YYMMDD-NNNC, YYMMDD+NNNC (a person of a hundred years
// or more), YYYYMMDD-NNNC, or without a separator (YYMMDDNNNC,
// YYYYMMDDNNNC); a hyphen may be any of the dashes word processors put in.
// A number is a run of digits with no digit right before or after it; it
// counts only with a valid check digit (Luhn, over the ten digits from the
// year's last two), and as a personnummer or samordningsnummer only when
// its date exists.
func FindIdentityNumbers(text string) []IDNumber {
	var out []IDNumber
	for i := 0; i < len(text); {
		if !isDigit(text[i]) || i > 0 && isDigit(text[i-1]) {
			i++
			continue
		}
		j := digitsEnd(text, i)
		if n, ok := idAt(text, i, j); ok {
			out = append(out, n)
			i = n.End
			continue
		}
		i = j
	}
	return out
}

// idAt reads a number whose first run of digits is text[i:j].
func idAt(text string, i, j int) (IDNumber, bool) {
	run := j - i
	switch run {
	case 10, 12:
		if j < len(text) && isDigit(text[j]) {
			return IDNumber{}, false
		}
		return classify(text[i:j], i, j)
	case 6, 8:
		sep, w := separator(text[j:])
		if sep == 0 || j+w >= len(text) {
			return IDNumber{}, false
		}
		k := j + w
		end := digitsEnd(text, k)
		if end-k != 4 {
			return IDNumber{}, false
		}
		return classify(text[i:j]+text[k:end], i, end)
	}
	return IDNumber{}, false
}

// separator reads the separator between date and serial number: "-", "+",
// or a hyphen or dash of another code point; it returns 0 for none.
func separator(s string) (rune, int) {
	r, w := utf8.DecodeRuneInString(s)
	switch r {
	case '-', '+', '\u2010', '\u2011', '\u2012', '\u2013', '\u2212':
		return r, w
	}
	return 0, 0
}

// classify reads digits (10 or 12 of them) as an identity number.
func classify(digits string, start, end int) (IDNumber, bool) {
	century := ""
	if len(digits) == 12 {
		century, digits = digits[:2], digits[2:]
		if century != "18" && century != "19" && century != "20" {
			return IDNumber{}, false
		}
	}
	if !luhn(digits) {
		return IDNumber{}, false
	}
	n := IDNumber{Start: start, End: end, Core: digits}
	month, _ := strconv.Atoi(digits[2:4])
	day, _ := strconv.Atoi(digits[4:6])
	switch {
	case month >= 20 && century == "":
		n.Kind = Organisationsnummer
	case month < 1 || month > 12:
		return IDNumber{}, false
	case day > 60 && validDay(century, digits[:2], month, day-60):
		n.Kind = Samordningsnummer
	case validDay(century, digits[:2], month, day):
		n.Kind = Personnummer
	default:
		return IDNumber{}, false
	}
	return n, true
}

// validDay reports whether the day exists in the month: in the year
// written with its century, or, without one, in some year ending yy.
func validDay(century, yy string, month, day int) bool {
	if day < 1 {
		return false
	}
	year, _ := strconv.Atoi(century + yy)
	if century == "" {
		year += 2000 // a leap year whenever yy is divisible by four
	}
	return day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// luhn checks the last of ten digits against the first nine: each digit
// in an even place (from the left, counting from 0) doubled, the digits
// of the products and the others summed, and the sum with the check digit
// a multiple of ten.
func luhn(digits string) bool {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}
