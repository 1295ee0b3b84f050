package fonts

import (
	"fmt"
	"strings"
)

// The simple-font encoding: one byte per character, the same for every
// face. It is WinAnsiEncoding (the base encoding PDF writers name) with the
// slots that Swedish protocols never need given to the Sami letters and a
// few others, so that almost every document can be drawn with small
// single-byte fonts built once at start-up.

// firstCode is the first code a simple font maps: the PDF writer writes
// widths for codes 32 to 255 only.
const firstCode = 0x20

// winAnsiHigh is WinAnsiEncoding from 0x80 to 0x9F; 0 marks a code it
// leaves undefined.
var winAnsiHigh = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

// freeSlots are the codes given away, in the order they are filled: first
// those WinAnsi leaves undefined, then rare signs (ƒ ˆ ˜ ‹ › Œ œ Ÿ),
// spacing accents and other Latin-1 signs that protocols do not use
// (¤ ¦ ¨ ¯ ¸), then † ‡ ™ ¬.
var freeSlots = []byte{
	0x81, 0x8D, 0x8F, 0x90, 0x9D, 0x7F,
	0x83, 0x88, 0x98, 0x8B, 0x9B, 0x8C, 0x9C, 0x9F,
	0xA4, 0xA6, 0xA8, 0xAF, 0xB8,
	0x86, 0x87, 0x99, 0xAC,
}

// extraRunes are the characters put into the free slots, most needed
// first: the Sami letters outside WinAnsi (North, Lule, South, Skolt and
// Inari Sami), then ć and ł of names, then the minus sign.
var extraRunes = []rune("ČčĐđŊŋŦŧǤǥǦǧǨǩƷʒǮǯĆćŁł−")

// encoding maps the codes of the simple fonts to characters and back.
type encoding struct {
	runes [256]rune // 0: code unused
	low   [latinRunes]byte
	high  map[rune]byte
	// differences is the PDF /Differences array's content against
	// WinAnsiEncoding, with AGL-style uniXXXX glyph names.
	differences string
}

// newEncoding builds the encoding; the extras must fit in the free slots.
func newEncoding() (*encoding, error) {
	if len(extraRunes) > len(freeSlots) {
		return nil, fmt.Errorf("%d extra characters for %d free codes", len(extraRunes), len(freeSlots))
	}
	e := &encoding{high: map[rune]byte{}}
	for c := firstCode; c < 0x7F; c++ {
		e.runes[c] = rune(c)
	}
	for c := 0x80; c < 0xA0; c++ {
		e.runes[c] = winAnsiHigh[c-0x80]
	}
	for c := 0xA0; c < 0x100; c++ {
		e.runes[c] = rune(c)
	}
	changed := map[byte]bool{0xA0: true} // WinAnsi reads 0xA0 as a space
	for _, c := range freeSlots {
		e.runes[c] = 0
	}
	for i, r := range extraRunes {
		e.runes[freeSlots[i]], changed[freeSlots[i]] = r, true
	}
	var diff []string
	for c, r := range e.runes {
		if r == 0 {
			continue
		}
		if r < latinRunes {
			e.low[r] = byte(c)
		} else {
			e.high[r] = byte(c)
		}
		if changed[byte(c)] {
			diff = append(diff, fmt.Sprintf("%d /uni%04X", c, r))
		}
	}
	e.differences = strings.Join(diff, " ")
	return e, nil
}

// code returns r's code, or 0 when the encoding lacks r.
func (e *encoding) code(r rune) byte {
	if r >= 0 && r < latinRunes {
		return e.low[r]
	}
	return e.high[r]
}

// toUnicode is a ToUnicode CMap for the encoding: runs of consecutive
// codes mapping to consecutive characters become one bfrange.
func (e *encoding) toUnicode() []byte {
	type span struct {
		from, to byte
		r        rune
	}
	var spans []span
	for c := firstCode; c < 256; c++ {
		r := e.runes[c]
		if r == 0 {
			continue
		}
		if n := len(spans); n > 0 && int(spans[n-1].to)+1 == c && spans[n-1].r+rune(c)-rune(spans[n-1].from) == r {
			spans[n-1].to = byte(c)
			continue
		}
		spans = append(spans, span{byte(c), byte(c), r})
	}
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n")
	for len(spans) > 0 {
		n := min(len(spans), 100)
		fmt.Fprintf(&b, "%d beginbfrange\n", n)
		for _, s := range spans[:n] {
			fmt.Fprintf(&b, "<%02X> <%02X> <%04X>\n", s.from, s.to, s.r)
		}
		b.WriteString("endbfrange\n")
		spans = spans[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
	return []byte(b.String())
}
