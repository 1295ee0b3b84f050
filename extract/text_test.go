package extract

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// exampleWith is the example rs-157 with the first paragraph's title and
// the first adjuster's name replaced.
func exampleWith(t *testing.T, title, name string) string {
	t.Helper()
	raw, err := os.ReadFile("../examples/rs-157-2023.json")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(raw), `"Framtida uppdrag och syfte för Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner (GNS)"`, quote(title), 1)
	if i := strings.LastIndex(s, `"Lars-Erik Olofsson"`); i >= 0 { // the adjuster, after any mention in the text
		s = s[:i] + quote(name) + s[i+len(`"Lars-Erik Olofsson"`):]
	}
	if s == string(raw) {
		t.Fatal("the example changed: nothing replaced")
	}
	return s
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x2028 || r == 0x2029 || r == 0x00AD:
			// Escaped as a JSON \u sequence, as many systems send them.
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func TestDecodeNormalizesText(t *testing.T) {
	cases := []struct{ title, name, wantTitle, wantName string }{
		{"A\u0301ile Ŋuvttás och Ma\u0301htte C\u030coarvi", "A\u0301nde", "Áile Ŋuvttás och Máhtte Čoarvi", "Ánde"}, // combining accents → NFC
		{"Budget\r\n2025\rrad", "Inga-Lill", "Budget\n2025\nrad", "Inga-Lill"},                                       // Windows line ends
		{"Upp\u00ADhand\u00ADling\u200Bssam\u2060ordning\uFEFF", "Sven", "Upphandlingssamordning", "Sven"},           // invisible characters
		{"Kostnad 450\u202F000\u2009kronor\u3000och\u2028mer", "Per", "Kostnad 450\u00A0000 kronor och\nmer", "Per"}, // odd spaces
		{"Oförändrad titel", "Måns", "Oförändrad titel", "Måns"},
	}
	for _, c := range cases {
		x, err := Decode(strings.NewReader(exampleWith(t, c.title, c.name)), Limits{})
		if err != nil {
			t.Fatalf("%q: %v", c.title, err)
		}
		if got := x.Paragraphs[0].Title; got != c.wantTitle {
			t.Errorf("title %q decoded as %q, want %q", c.title, got, c.wantTitle)
		}
		if got := x.Justering.Adjusters[0].Name; got != c.wantName {
			t.Errorf("name %q decoded as %q, want %q", c.name, got, c.wantName)
		}
	}
	nfd, err := Decode(strings.NewReader(exampleWith(t, "Ma\u0301ret", "Ma\u0301ret")), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	nfc, err := Decode(strings.NewReader(exampleWith(t, "Máret", "Máret")), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if nfd.ID("standard@1") != nfc.ID("standard@1") {
		t.Error("the same text in two Unicode spellings gives two extracts")
	}
}

func TestCharactersTheFontsLack(t *testing.T) {
	latin1 := func(r rune) bool { return r < 0x100 || r == '–' || r == '”' || r == '’' } // no Ŋ
	x, err := Decode(strings.NewReader(exampleWith(t, "Beslut 😀 om ✓ och ✓", "Ánde Ŋuolja")), Limits{Drawable: latin1})
	var ve ValidationError
	if x != nil || !errors.As(err, &ve) {
		t.Fatalf("Decode: %v, %v", x, err)
	}
	want := map[string]bool{"paragraphs[0].title": true, "justering.adjusters[0].name": true}
	for _, fe := range ve {
		if !want[fe.Field] || fe.Rule != "characters" {
			t.Errorf("unexpected %+v", fe)
		}
		delete(want, fe.Field)
		if fe.Field == "paragraphs[0].title" && (!strings.Contains(fe.Message, "U+1F600") || !strings.Contains(fe.Message, "U+2713") || strings.Count(fe.Message, "U+2713") != 1) {
			t.Errorf("message does not name each missing character once: %s", fe.Message)
		}
		if fe.Field == "justering.adjusters[0].name" && !strings.Contains(fe.Message, "U+014A") {
			t.Errorf("message does not name Ŋ: %s", fe.Message)
		}
	}
	if len(want) > 0 {
		t.Errorf("no error for %v in %v", want, ve)
	}
	if _, err := Decode(strings.NewReader(exampleWith(t, "Beslut 😀", "Ánde")), Limits{}); err != nil {
		t.Errorf("without Drawable every character is accepted: %v", err)
	}
}
