package typeset

import (
	"strings"
	"testing"
	"unicode"
)

// lineText is a set line's text as drawn, spaces between items.
func lineText(l Line) string {
	var b strings.Builder
	for i, it := range l.Items {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(it.Text)
	}
	return b.String()
}

func TestURLBreaksAtItsSeparators(t *testing.T) {
	ts := newTypesetter(t)
	url := "https://www.example.se/kommun/protokoll/2025/beslutsunderlag_miljo-och-byggnadsnamnden.pdf?version=2&format=a4"
	mail := "registrator.miljo-och-byggnadsnamnden@jokkmokk-gallivare.example.se"
	spans := []Span{{Text: "Underlaget finns på " + url + " och frågor skickas till " + mail + " före mötet."}}
	seen := map[string]bool{}
	for w := 90.0; w <= 330; w += 4 {
		p := Params{Width: w, Size: 11, Justify: true, Hyphenate: true}
		lines := ts.Set(spans, testFaces{}, p)
		sameStyled(t, fromLines(t, lines), fromSpans(spans))
		checkGeometry(t, lines, p)
		for i := range len(lines) - 1 {
			end, next := lines[i].Items[len(lines[i].Items)-1], lines[i+1].Items[0]
			joined := end.Text + next.Text
			if !strings.Contains(url, joined) && !strings.Contains(mail, joined) {
				continue // a break between words
			}
			if lines[i].Hyphenated {
				t.Errorf("width %v: a hyphen drawn inside an address: %q", w, end.Text)
			}
			rs := []rune(joined)
			at := len([]rune(end.Text))
			if !urlBreak(rs, at) {
				t.Errorf("width %v: address broken at %q|%q, not at a separator", w, end.Text, next.Text)
			}
			seen[end.Text[len(end.Text)-1:]+"|"+next.Text[:1]] = true
		}
	}
	for _, want := range []string{"/|w", "e|/", "n|@"} {
		if !seen[want] {
			t.Errorf("never broke as %s (https://|www, before a slash, before @); seen %v", want, seen)
		}
	}
}

// TestWordWiderThanTheMeasure: a word no line can hold, in a paragraph
// that is hyphenated and in one that is not (a heading), is broken rather
// than run past the margin; hyphens are drawn only between letters.
func TestWordWiderThanTheMeasure(t *testing.T) {
	ts := newTypesetter(t)
	words := []string{
		"Naturvårdsverketsmiljöövervakningsprogramsutvärderingsarbetsgruppsordförandeskapet",
		"ÁILEŊUVTTÁSČOARVIMÁHTTEJÅHKÅMÅHKESUOHKANSÁMEDIGGI", // capitals only: never hyphenated by patterns
		"4711081512345678901234567890123456789012345678901234567890",
		"https://example.se/" + strings.Repeat("x", 90),
	}
	for _, word := range words {
		for _, hyph := range []bool{true, false} {
			spans := []Span{{Text: "Se " + word + " i bilagan."}}
			p := Params{Width: 150, Size: 11, Justify: true, Hyphenate: hyph}
			lines := ts.Set(spans, testFaces{}, p)
			sameStyled(t, fromLines(t, lines), fromSpans(spans))
			checkGeometry(t, lines, p)
			if len(lines) < 3 {
				t.Errorf("%.20s…: %d lines; a word this long needs more", word, len(lines))
			}
			for _, l := range lines {
				if !l.Hyphenated {
					continue
				}
				end := []rune(l.Items[len(l.Items)-1].Text)
				if len(end) < 2 || !unicode.IsLetter(end[len(end)-2]) || strings.HasPrefix(word, "https") {
					t.Errorf("%.20s…: hyphen drawn after %q", word, string(end))
				}
			}
		}
	}
}

// TestEmergencyLeavesOrdinaryTextAlone: breaks between any two letters
// are the last resort, never taken while the words fit the measure.
func TestEmergencyLeavesOrdinaryTextAlone(t *testing.T) {
	ts := newTypesetter(t)
	h := newHyphenator(t)
	spans := []Span{{Text: "Regionstyrelsen ger regiondirektören i uppdrag att utreda samverkansöverenskommelsen och informationssäkerhetsarbetet inom förvaltningen."}}
	for w := 130.0; w <= 320; w += 5 {
		lines := ts.Set(spans, testFaces{}, Params{Width: w, Size: 11, Justify: true, Hyphenate: true})
		for i, l := range lines {
			if !l.Hyphenated {
				continue
			}
			head := l.Items[len(l.Items)-1].Text
			head = head[:len(head)-l.Items[len(l.Items)-1].Added]
			word := head + strings.TrimRight(lines[i+1].Items[0].Text, ".")
			at := len([]rune(head))
			ok := false
			for _, b := range h.Breaks(word) {
				ok = ok || b.At == at
			}
			if !ok {
				t.Errorf("width %v: %q broken at %d, not a hyphenation point of %v", w, word, at, h.Hyphenate(word))
			}
		}
	}
}

func TestLongCompoundIsHyphenated(t *testing.T) {
	h := newHyphenator(t)
	word := "miljöövervakningsprogramsutvärderingsarbetsgruppsordförandeskapet" // 66 letters
	got := h.Hyphenate(word)
	if len(got) < 10 {
		t.Fatalf("%s: breaks %v", word, got)
	}
	for _, want := range []int{5, 17, 27, 37, 49} { // miljö-över…-programs-utvärderings-arbets-grupps-
		found := false
		for _, at := range got {
			found = found || at == want
		}
		if !found {
			t.Errorf("%s: no break at %d (%s|%s); breaks %v", word, want, string([]rune(word)[:want]), string([]rune(word)[want:]), got)
		}
	}
	if h.Hyphenate(strings.Repeat("ab", maxWord)) != nil {
		t.Error("a 'word' over maxWord letters hyphenated")
	}
}

// TestHolesAreSetFlushLeft: a line whose spaces would have to grow past
// five times their width, before an address that cannot break further, is
// set flush left rather than with holes.
func TestHolesAreSetFlushLeft(t *testing.T) {
	ts := newTypesetter(t)
	spans := []Span{{Text: "Se https://www.example.se/mycket/lang/sokvag/till/ett/dokument/som/inte/kan/brytas/alls/beslutsunderlag_2025_12_31_version_final.pdf för underlaget."}}
	p := Params{Width: 440, Size: 11, Justify: true, Hyphenate: true}
	lines := ts.Set(spans, testFaces{}, p)
	checkGeometry(t, lines, p)
	flush := false
	for _, l := range lines {
		if l.Ratio > limitRatio+limitSlack {
			t.Errorf("line %q stretched by %.1f", lineText(l), l.Ratio)
		}
		if !l.Last && !l.Justified {
			flush = true
			for _, it := range l.Items {
				if it.SpaceAfter > (testFaces{}).Face(0).Width(" ")*p.Size+1e-9 {
					t.Errorf("flush-left line %q has a stretched space", lineText(l))
				}
			}
		}
	}
	if !flush {
		t.Errorf("no line set flush left; the test proves nothing: %d lines", len(lines))
	}
}

// TestLetterSpacingTakesTheExcess: a justified line whose spaces would
// grow past trackFrom gives the rest to the gaps between its letters, up to
// Params.Tracking; the line still fills the measure exactly, and nothing
// changes without Tracking or on lines tight enough already. (The breaks
// may differ: the breaker counts on the letter spacing to keep a line
// within MaxSpace.)
func TestLetterSpacingTakesTheExcess(t *testing.T) {
	ts := newTypesetter(t)
	spans := []Span{{Text: "Beslutsunderlagsframtagningen har skett i samråd med personalorganisationerna, pensionärsorganisationernas samverkansråd och funktionshindersorganisationernas samverkansgrupp. Regionfullmäktiges investeringsbudgetramar för fastighetsförvaltningsverksamheten påverkas inte."}}
	const size, most = 11.0, 0.01
	tracked, capped := 0, 0
	for w := 180.0; w <= 300; w += 6 {
		for _, l := range ts.Set(spans, testFaces{}, Params{Width: w, Size: size, Justify: true, Hyphenate: true}) {
			if l.Tracking != 0 {
				t.Fatalf("width %v: letter spacing without Params.Tracking", w)
			}
		}
		p := Params{Width: w, Size: size, Justify: true, Hyphenate: true, Tracking: most}
		lines := ts.Set(spans, testFaces{}, p)
		sameStyled(t, fromLines(t, lines), fromSpans(spans))
		for i, l := range lines {
			if l.Tracking == 0 {
				if l.Justified && !l.Last && l.Ratio > trackFrom+1e-9 {
					t.Errorf("width %v line %d: ratio %.2f and no letter spacing", w, i, l.Ratio)
				}
				continue
			}
			tracked++
			if l.Tracking > most*size+1e-9 {
				t.Errorf("width %v line %d: letter spacing %.3f pt, more than %.3f", w, i, l.Tracking, most*size)
			}
			if l.Tracking < most*size-1e-9 && l.Ratio-trackFrom > 1e-9 || l.Ratio < trackFrom-1e-9 {
				t.Errorf("width %v line %d: spaces at ratio %.3f with %.3f pt letter spacing", w, i, l.Ratio, l.Tracking)
			}
			if l.Tracking > most*size-1e-9 {
				capped++
			}
			last := l.Items[len(l.Items)-1]
			if end := last.X + last.W; end-w > 1e-6 || w-end > 1e-6 {
				t.Errorf("width %v line %d ends at %.4f", w, i, end)
			}
		}
	}
	if tracked == 0 || capped == 0 {
		t.Errorf("%d lines letter-spaced, %d to the most: the test proves nothing", tracked, capped)
	}
}
