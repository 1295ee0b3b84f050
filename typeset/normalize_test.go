package typeset

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// In the cases "~" stands for a no-break space, to keep them readable.
var normalizeCases = []struct{ in, want string }{
	// § and chapters.
	{"enligt § 157 i protokollet", "enligt §~157 i protokollet"},
	{"§157", "§~157"},
	{"i 9 kap. 37 § kommunallagen", "i 9~kap.~37~§ kommunallagen"},
	{"enligt 37 § ska", "enligt 37~§ ska"},
	{"se §§ 12-14", "se §§~12–14"},
	{"beslut § 7-9.", "beslut §~7–9."},
	{"den 9 november 2020, § 63, att", "den 9~november 2020, §~63, att"},
	// Numbers with units.
	{"totalt 450 000 kronor", "totalt 450~000~kronor"},
	{"omsättningen är 6746750 kronor", "omsättningen är 6~746~750~kronor"},
	{"omsättningen är 6 746 750 kronor", "omsättningen är 6~746~750~kronor"},
	{"ökade med 21 %", "ökade med 21~%"},
	{"ökade med 21%", "ökade med 21~%"},
	{"cirka 1,6 miljoner", "cirka 1,6~miljoner"},
	{"kostar 4500 kronor", "kostar 4~500~kronor"},
	{"har 125000 invånare", "har 125~000~invånare"},
	{"summan 1234567,50 kr.", "summan 1~234~567,50~kr."},
	{"ett belopp på 12345678", "ett belopp på 12~345~678"},
	{"räntan 4,3 procent", "räntan 4,3~procent"},
	{"under 3 år", "under 3~år"},
	// Dates in running text.
	{"sammanträde den 5-6 oktober 2023", "sammanträde den 5–6~oktober 2023"},
	{"sammanträde 26-27 mars 2024", "sammanträde 26–27~mars 2024"},
	{"den 1 juli 2018", "den 1~juli 2018"},
	// Ranges.
	{"mandatperioden 2019-2022 var", "mandatperioden 2019–2022 var"},
	{"(2019-2022)", "(2019–2022)"},
	{"se s. 12-15", "se s.~12–15"},
	// Abbreviations.
	{"kl. 13.30", "kl.~13.30"},
	{"öppet kl. 08.30–16.00", "öppet kl.~08.30–16.00"},
	{"se s. 4", "se s.~4"},
	{"ärende nr 5", "ärende nr~5"},
	{"Dnr RS/412/2023", "Dnr~RS/412/2023"},
	// Without a digit or a sign anywhere: only the word itself says.
	{"skrivelse Dnr KS om bygget", "skrivelse Dnr~KS om bygget"},
	{"enligt ärende nr A i listan", "enligt ärende nr~A i listan"},
	{"se (dnr Kommunstyrelsen)", "se (dnr~Kommunstyrelsen)"},
	{"Anna Svensson (S) yrkar bifall", "Anna Svensson~(S) yrkar bifall"},
	{"Dnr saknas", ""},
	{"varken nr eller dnr anges", ""},
	{"fler (S) än väntat", ""},
	{"se (nr) och (Dnr)", ""},
	// Party codes.
	{"Lars-Erik Olofsson (KD) yrkar", "Lars-Erik Olofsson~(KD) yrkar"},
	{"Björn Hammarberg (M), Joel Nordqvist (M) och Cristine Persson (C) reserverar", "Björn Hammarberg~(M), Joel Nordqvist~(M) och Cristine Persson~(C) reserverar"},
	{"Anna Svensson (-) deltar", "Anna Svensson~(-) deltar"},
	// Dashes.
	{"frågan - som är svår - avgörs", "frågan~– som är svår~– avgörs"},
	{"frågan – som är svår – avgörs", "frågan~– som är svår~– avgörs"},
	// Quotes, apostrophes, ellipses.
	{`han sa "nej" till förslaget`, "han sa ”nej” till förslaget"},
	{`"Han sa 'nej' i går"`, "”Han sa ’nej’ i går”"},
	{"GNS's uppdrag", "GNS’s uppdrag"},
	{"och så vidare...", "och så vidare…"},

	// Never changed.
	{"Mötesdatum 2023-10-06", ""},
	{"gälla 2022-12-31.", ""},
	{"(RS/412/2023)", ""},
	{"ärendet RUN/59/2022 avser", ""},
	{"KS 2023/123", ""},
	{"organisationsnummer 556677-8899", ""},
	{"personnummer 19850101-1234", ""},
	{"ring 063-14 75 00 eller 070-123 45 67", ""},
	{"08-123 456 78", ""},
	{"SFS 2017:725", ""},
	{"prop. 2016/17:171", ""},
	{"kommunallagen (2017:725).", ""},
	{"mötet börjar 13.30", ""},
	{"se https://www.regionjh.se/a-b?x=1&y='2' för mer", ""},
	{"skriv till registrator@regionjh.se i dag", ""},
	{"Anna-Karin Svensson", ""},
	{"ett nytt EU-direktiv om IT-drift", ""},
	{"verksamhets- och administrativa system", ""},
	{"Anders Berg (-)", "Anders Berg~(-)"},
	{"decimaltalet 4,3", ""},
	{"under 2023 och 2024", ""},
	{"sedan år 2015", ""},
	{"på sidan 12345", ""},
	{"ärende nr 12345", "ärende nr~12345"},
	{"bl.a. information, t.ex. samråd, dvs. m.m.", ""},
	{"GNS:s verksamhet", ""},
	{"under 2010-talet", ""},
	{"punkt 2 och 3", ""},
	{"specialistfunktioner (GNS) den", ""},
	{"lagen om offentlig upphandling (LOU)", ""},
	{"10 - 12", ""},
	{"- en punkt i en lista", ""},
	{"postnummer 831 82", ""},
	{"version 2.3.1", ""},
	{"Mellan åren 2011 och 2015", ""},
	{"tre-fyra gånger", ""},
	{"2022-\n01-28", ""},
	{"ord  -  ord", ""},
	{"§ 157", "§~157"},
	{"", ""},
	{"Regionstyrelsen 2023-10-06", ""},
	{"se www.regionjh.se/protokoll-2023", ""},
	{"budgetåret 2023/24", ""},
	{"Rätt utdraget intygar", ""},
	{"röstade 8-5 för", ""},
}

func TestNormalize(t *testing.T) {
	unchanged := 0
	for _, c := range normalizeCases {
		want := c.want
		if want == "" {
			want = c.in
		}
		if want == c.in {
			unchanged++
		}
		want = strings.ReplaceAll(want, "~", nbsp)
		got := Normalize(c.in)
		if got != want {
			t.Errorf("Normalize(%q)\n got %q\nwant %q", c.in, show(got), show(want))
		}
		if again := Normalize(got); again != got {
			t.Errorf("Normalize is not idempotent on %q: %q then %q", c.in, show(got), show(again))
		}
	}
	if len(normalizeCases) < 60 || unchanged*2 < len(normalizeCases) {
		t.Errorf("%d cases, %d unchanged: want at least 60, half unchanged", len(normalizeCases), unchanged)
	}
}

// show writes no-break spaces as "~" in messages.
func show(s string) string { return strings.ReplaceAll(s, nbsp, "~") }

func TestNormalizeSeed(t *testing.T) {
	paras := seedParagraphs(t)
	text := strings.Join(paras, "\n")
	got := Normalize(text)
	for _, want := range []string{
		"den 1~december 2016", "2019–2022", "(RS/559/2019)", "9~november 2020, §~63,",
		"den 31~maj 2023, §~83,", "5–6~oktober 2023", "GNS:s",
	} {
		if !strings.Contains(got, strings.ReplaceAll(want, "~", nbsp)) {
			t.Errorf("normalised seed lacks %q", want)
		}
	}
	if Normalize(got) != got {
		t.Error("normalising the seed twice changes it")
	}
}

// letters keeps the letters and digits of s, which Normalize never changes.
func letters(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func FuzzNormalize(f *testing.F) {
	for _, c := range normalizeCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, got)
		}
		if again := Normalize(got); again != got {
			t.Fatalf("not idempotent: %q → %q → %q", s, got, again)
		}
		if utf8.ValidString(s) && letters(got) != letters(s) {
			t.Fatalf("letters or digits changed: %q → %q", s, got)
		}
	})
}
