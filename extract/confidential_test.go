package extract_test

import (
	"encoding/json"
	"strings"
	"testing"

	"utdrag/extract"
)

// The numbers below were made by a separate program (check digit by the
// Luhn rule over the ten digits): ten valid ones of each kind, written in
// every form people use, and ten that are not numbers of that kind.
var (
	validPersonnummer = []string{
		"121212-5346", "19850301-4246", "1603148261", "194402293106", "000229+9832",
		"991231-3740", "19230704-2966", "1010101788", "196701317841", "010520+7229",
	}
	validSamordningsnummer = []string{
		"121272-7216", "19850361-5539", "1603746775", "194402892840", "000289+1125",
		"991291-9397", "19230764-0272", "1010702544", "196701913938", "010580+8349",
	}
	validOrganisationsnummer = []string{
		"966856-2805", "2348835816", "916618-7923", "9670659052", "177906-3187",
		"2370414399", "884445-5256", "1965005075", "949034-4174", "1946796230",
	}
	// Not a personnummer: a wrong check digit, a date that does not exist
	// (with a right check digit), a wrong length or century.
	invalidPersonnummer = []string{
		"121212-1213", "19850301-4247", "851301-1232", "850132-4563", "230229-7896",
		"19230229-7896", "000001-1114", "991200-2228", "17121212-5346", "121212-53461",
	}
	// Not a samordningsnummer: a wrong check digit, a day that is no day
	// plus 60 (92, 60, 30 February, 31 April), a wrong length.
	invalidSamordningsnummer = []string{
		"121272-7217", "19850361-5530", "850192-3331", "850160-4444", "230290-5555",
		"850491-8882", "1603746776", "16037467750", "603746775", "194402892841",
	}
	// Not an organisationsnummer: a wrong check digit, or a length or
	// century that no organisationsnummer has.
	invalidOrganisationsnummer = []string{
		"966856-2806", "2348835817", "916618-7924", "9670659053", "177906-3180",
		"2370414398", "884445-525", "19965005075", "16966856-2805", "949034+41745",
	}
)

func TestIdentityNumbersOfEachKind(t *testing.T) {
	for _, c := range []struct {
		kind           extract.IDKind
		valid, invalid []string
	}{
		{extract.Personnummer, validPersonnummer, invalidPersonnummer},
		{extract.Samordningsnummer, validSamordningsnummer, invalidSamordningsnummer},
		{extract.Organisationsnummer, validOrganisationsnummer, invalidOrganisationsnummer},
	} {
		if len(c.valid) != 10 || len(c.invalid) != 10 {
			t.Fatalf("%s: %d valid and %d invalid numbers, want ten of each", c.kind, len(c.valid), len(c.invalid))
		}
		for _, s := range c.valid {
			n, ok := extract.ParseIdentityNumber(s)
			if !ok || n.Kind != c.kind {
				t.Errorf("%s: read as %v (%v), want a %s", s, n.Kind, ok, c.kind)
			}
			// The same number inside running text, between words and
			// punctuation, is found where it stands.
			text := "Beslutet gäller (" + s + "), se bilaga."
			found := extract.FindIdentityNumbers(text)
			if len(found) != 1 || text[found[0].Start:found[0].End] != s || found[0].Kind != c.kind {
				t.Errorf("%s in running text: found %+v", s, found)
			}
		}
		for _, s := range c.invalid {
			if n, ok := extract.ParseIdentityNumber(s); ok && n.Kind == c.kind {
				t.Errorf("%s: read as a valid %s", s, c.kind)
			}
		}
	}
}

func TestIdentityNumberSpellingsShareTheirCore(t *testing.T) {
	for _, s := range []string{"121212-1212", "121212+1212", "1212121212", "19121212-1212", "191212121212", "121212\u20111212"} {
		n, ok := extract.ParseIdentityNumber(s)
		if !ok || n.Core != "1212121212" || n.Kind != extract.Personnummer {
			t.Errorf("%q: %+v %v, want personnummer 1212121212", s, n, ok)
		}
	}
	// Digits glued to more digits are another number.
	for _, s := range []string{"1212121212121", "x 121212-12121", "0121212-1212 "} {
		for _, n := range extract.FindIdentityNumbers(s) {
			if n.Core == "1212121212" {
				t.Errorf("%q: found %+v inside a longer run of digits", s, n)
			}
		}
	}
}

// socialDecision is an individual decision of a social welfare board,
// its child's name and personnummer to be marked.
func socialDecision() map[string]any {
	return map[string]any{
		"organisation": map[string]any{"id": "kommun", "name": "Exempels kommun"},
		"organ":        "Socialnämnden",
		"meeting":      map[string]any{"date": "2024-03-20"},
		"justering":    map[string]any{"date": "2024-03-22", "adjusters": []any{map[string]any{"name": "Eva Ek", "party": "S"}}},
		"paragraphs": []any{map[string]any{
			"number": 45, "caseNumber": "SN 2024/12", "title": "Vård enligt LVU",
			"decision": []any{map[string]any{"type": "paragraph", "text": []any{
				map[string]any{"text": "Nämnden ansöker om vård för "},
				map[string]any{"text": "Kim Svensson, 160314-9822", "confidential": "OSL 26 kap. 1 §"},
				map[string]any{"text": "."},
			}}},
		}},
	}
}

func decisionSpans(doc map[string]any) []any {
	return first(doc)["decision"].([]any)[0].(map[string]any)["text"].([]any)
}

func TestIdentityNumberGuard(t *testing.T) {
	const field = "paragraphs[0].decision[0].text[0].text"
	for _, s := range append(append([]string{}, validPersonnummer...), validSamordningsnummer...) {
		doc := socialDecision()
		decisionSpans(doc)[0].(map[string]any)["text"] = "Nämnden ansöker om vård för " + s + " och "
		_, errs := decode(t, doc, extract.Limits{})
		if !hasRule(errs, field, "identityNumber") {
			t.Errorf("%s unmarked: errors %v, want identityNumber at %s", s, errs, field)
		}
		for _, e := range errs {
			if strings.Contains(e.Message, s) || strings.Contains(e.Message, s[len(s)-4:]) {
				t.Errorf("%s: the message repeats the number: %s", s, e.Message)
			}
		}
		// The permission names the number in any spelling.
		n, _ := extract.ParseIdentityNumber(s)
		doc["publicIdentityNumbers"] = []any{n.Core[:6] + "-" + n.Core[6:]}
		if _, errs := decode(t, doc, extract.Limits{}); len(errs) > 0 {
			t.Errorf("%s allowed in publicIdentityNumbers: refused %v", s, errs)
		}
	}
	for _, s := range append(append(append([]string{}, validOrganisationsnummer...), invalidPersonnummer...), invalidSamordningsnummer...) {
		doc := socialDecision()
		decisionSpans(doc)[0].(map[string]any)["text"] = "Bolaget med nummer " + s + " och "
		if _, errs := decode(t, doc, extract.Limits{}); len(errs) > 0 {
			t.Errorf("%s is no personnummer or samordningsnummer but is refused: %v", s, errs)
		}
	}
	// A number elsewhere than in rich text: a title, a basis item, a name.
	doc := socialDecision()
	first(doc)["title"] = "Vård för 19160314-9822"
	first(doc)["basis"] = []any{"Utredning 160314-9822"}
	_, errs := decode(t, doc, extract.Limits{})
	if !hasRule(errs, "paragraphs[0].title", "identityNumber") || !hasRule(errs, "paragraphs[0].basis[0]", "identityNumber") {
		t.Errorf("numbers in a title and a basis item: %v", errs)
	}
	// The permission holds only numbers.
	doc = socialDecision()
	doc["publicIdentityNumbers"] = []any{"121212-1213", "556016-0680"}
	_, errs = decode(t, doc, extract.Limits{})
	if !hasRule(errs, "publicIdentityNumbers[0]", "format") || !hasRule(errs, "publicIdentityNumbers[1]", "format") {
		t.Errorf("a wrong number and an organisationsnummer in publicIdentityNumbers: %v", errs)
	}
}

func hasRule(errs extract.ValidationError, field, rule string) bool {
	for _, e := range errs {
		if e.Field == field && e.Rule == rule {
			return true
		}
	}
	return false
}

func TestMarksAtEveryLevel(t *testing.T) {
	doc := socialDecision()
	p := first(doc)
	p["sections"] = []any{
		map[string]any{"heading": "Bakgrund", "confidential": "OSL 26 kap. 1 §", "blocks": []any{"Barnet bor hos sin mor."}},
		map[string]any{"heading": "Utredning", "blocks": []any{
			map[string]any{"type": "paragraph", "text": "Hela stycket är hemligt.", "confidential": "OSL 26 kap. 1 §"},
			map[string]any{"type": "bulleted", "items": []any{
				"Öppen punkt",
				map[string]any{"text": "Hemlig punkt", "confidential": "26 kap. 1 § OSL"},
			}},
		}},
	}
	p["votes"] = []any{map[string]any{"proposition": "Ja för förslaget.", "outcome": "Nämnden beslutar enligt förslaget.",
		"ballots": []any{
			map[string]any{"member": map[string]any{"name": "Lena Berg", "party": "S"}, "vote": "ja", "confidential": "OSL 39 kap. 3 §"},
			map[string]any{"member": map[string]any{"name": "Per Ek", "party": "M"}, "vote": "nej"},
		}}}
	second := map[string]any{"number": 46, "caseNumber": "SN 2024/13", "title": "Placering",
		"confidential": "LSS 29 §", "decision": []any{"Beslut i ärendet."}}
	doc["paragraphs"] = append(doc["paragraphs"].([]any), second)
	x, errs := decode(t, doc, extract.Limits{})
	if len(errs) > 0 {
		t.Fatalf("refused: %v", errs)
	}
	if !x.Marked() || len(x.Renditions()) != 2 {
		t.Errorf("marked extract: Marked %v, renditions %v", x.Marked(), x.Renditions())
	}
	// The marks survive the canonical form, which is what is stored.
	var back extract.Extract
	if err := json.Unmarshal(x.Canonical(), &back); err != nil || !back.Marked() || string(back.Canonical()) != string(x.Canonical()) {
		t.Errorf("canonical round trip: %v", err)
	}
	plain, errs := decode(t, council(), extract.Limits{})
	if len(errs) > 0 || plain.Marked() || len(plain.Renditions()) != 1 || plain.Renditions()[0] != extract.Public {
		t.Errorf("unmarked extract: %v, renditions %v", errs, plain.Renditions())
	}
}

func TestGrounds(t *testing.T) {
	good := []string{
		"OSL 26 kap. 1 §", "26 kap. 1 § OSL", "OSL 25 kap. 1 §", "OSL 23 kap. 2 § första stycket",
		"OSL 21 kap. 7 §", "LSS 29 §", "SoL 12 kap. 6 §", "12 kap. 6 § SoL", "OSL 26 kap. 5 a §", "lagen (1990:52) 11 §",
	}
	bad := map[string]string{
		"sekretess":        "pattern",
		"OSL 26:1":         "pattern",
		"OSL 1 §":          "pattern", // OSL is cited by chapter
		"OSL 45 kap. 1 §":  "range",   // OSL has 44 chapters
		"OSL  26 kap. 1 §": "pattern",
		"osl 26 kap. 1 §":  "pattern",
		"OSL 26 kap 1 §":   "pattern",
		"OSL 26 kap. 1":    "pattern",
	}
	for _, g := range good {
		doc := socialDecision()
		decisionSpans(doc)[1].(map[string]any)["confidential"] = g
		if _, errs := decode(t, doc, extract.Limits{}); len(errs) > 0 {
			t.Errorf("%q refused: %v", g, errs)
		}
	}
	for g, rule := range bad {
		doc := socialDecision()
		decisionSpans(doc)[1].(map[string]any)["confidential"] = g
		_, errs := decode(t, doc, extract.Limits{})
		if !hasRule(errs, "paragraphs[0].decision[0].text[1].confidential", rule) {
			t.Errorf("%q: %v, want %s", g, errs, rule)
		}
	}
}

func TestMarksThatCannotBe(t *testing.T) {
	cases := []struct {
		name, field, rule string
		change            func(map[string]any)
	}{
		{"withheld in the input", "paragraphs[0].decision[0].text[1].withheld", "forbidden", func(d map[string]any) {
			decisionSpans(d)[1].(map[string]any)["withheld"] = "OSL 26 kap. 1 §"
		}},
		{"marked span without text", "paragraphs[0].decision[0].text[1].text", "required", func(d map[string]any) {
			decisionSpans(d)[1].(map[string]any)["text"] = " "
		}},
		{"misspelt mark", "paragraphs[0].decision[0].text[1].confidental", "unknownField", func(d map[string]any) {
			sp := decisionSpans(d)[1].(map[string]any)
			sp["confidental"] = sp["confidential"]
			delete(sp, "confidential")
		}},
		{"marked name unmarked elsewhere", "paragraphs[0].title", "confidential", func(d map[string]any) {
			decisionSpans(d)[1].(map[string]any)["text"] = "Kim Svensson"
			first(d)["title"] = "Vård enligt LVU för kim  SVENSSON"
		}},
		{"marked member named in a reservation", "paragraphs[0].reservations[0].by[0].name", "confidential", func(d map[string]any) {
			p := first(d)
			p["votes"] = []any{map[string]any{"proposition": "Ja för förslaget.", "outcome": "Nämnden beslutar enligt förslaget.",
				"ballots": []any{
					map[string]any{"member": map[string]any{"name": "Lena Berg", "party": "S"}, "vote": "nej", "confidential": "OSL 39 kap. 3 §"},
					map[string]any{"member": map[string]any{"name": "Per Ek", "party": "M"}, "vote": "ja"},
				}}}
			p["reservations"] = []any{map[string]any{"by": []any{map[string]any{"name": "Lena Berg", "party": "S"}}, "text": "reserverar sig."}}
		}},
	}
	for _, c := range cases {
		doc := socialDecision()
		c.change(doc)
		_, errs := decode(t, doc, extract.Limits{})
		if !hasRule(errs, c.field, c.rule) {
			t.Errorf("%s: %v, want %s at %s", c.name, errs, c.rule, c.field)
		}
	}
	// A word of the marked name alone, or the name inside a longer word,
	// is not the name.
	doc := socialDecision()
	decisionSpans(doc)[1].(map[string]any)["text"] = "Kim Svensson"
	first(doc)["title"] = "Vård för Kim; Svenssonska gården"
	if _, errs := decode(t, doc, extract.Limits{}); len(errs) > 0 {
		t.Errorf("parts of a marked name refused: %v", errs)
	}
}

// TestWithheldAtEveryLevel: a public copy is told by a withheld ground on
// a paragraph, a ballot or a span deep in a list item; a copy with none,
// or with only a confidential mark, is not one.
func TestWithheldAtEveryLevel(t *testing.T) {
	doc := council()
	first(doc)["proposal"] = []any{map[string]any{"type": "bulleted", "items": []any{[]any{map[string]any{"text": "Första punkten."}}}}}
	const ground = "OSL 26 kap. 1 §"
	for _, c := range []struct {
		name string
		set  func(x *extract.Extract)
		want bool
	}{
		{"nothing", func(*extract.Extract) {}, false},
		{"confidential only", func(x *extract.Extract) { x.Paragraphs[0].Confidential = ground }, false},
		{"paragraph", func(x *extract.Extract) { x.Paragraphs[0].Withheld = ground }, true},
		{"ballot", func(x *extract.Extract) { x.Paragraphs[0].Votes[0].Ballots[14].Withheld = ground }, true},
		{"list item span", func(x *extract.Extract) { x.Paragraphs[0].Proposal[0].Items[0][0].Withheld = ground }, true},
	} {
		x, errs := decode(t, doc, extract.Limits{})
		if errs != nil {
			t.Fatalf("%s: %v", c.name, errs)
		}
		c.set(x)
		if got := x.Withheld(); got != c.want {
			t.Errorf("%s: Withheld() = %v, want %v", c.name, got, c.want)
		}
	}
}
