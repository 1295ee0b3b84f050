package render_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"utdrag/extract"
	"utdrag/internal/pdftest"
)

// members of a board with Sami, Nordic and hyphenated names.
var members = []extract.Person{
	{Name: "Áile Ŋuvttás", Party: "S"}, {Name: "Máhtte Čoarvi", Party: "V"}, {Name: "Niillas Šaŧŧe", Party: "-"},
	{Name: "Ánde Žoaivi", Party: "C"}, {Name: "Ingá Ǩiđđa", Party: "MP"}, {Name: "Per Öberg", Party: "M"},
	{Name: "Anna-Karin Åström", Party: "KD"}, {Name: "Siri Øvre", Party: "SD"}, {Name: "Marit Æsøy", Party: "L"},
	{Name: "Ove Ïsaksson", Party: "C"}, {Name: "Britt Nyström", Party: "S"},
}

// largeExtract is 40 paragraphs of another organisation, every fifth with
// a vote, a reservation, a protocol note and a disqualification.
func largeExtract() *extract.Extract {
	x := &extract.Extract{
		Organisation: extract.Organisation{ID: "jokkmokk", Name: "Jåhkåmåhke suohkan – Jokkmokks kommun"},
		Organ:        "Kommunstyrelsen",
		Meeting:      extract.Meeting{Date: "2024-05-14", Place: "Kommunhuset, Jokkmokk"},
		Justering:    extract.Justering{Date: "2024-05-16", Adjusters: members[1:3]},
	}
	for i := range 40 {
		p := extract.Paragraph{
			Number:     200 + i,
			CaseNumber: fmt.Sprintf("KS 2024/%d", 100+i),
			Title:      fmt.Sprintf("Översyn av arbetsmiljöorganisationens samverkansöverenskommelser, del %d", i+1),
			Sections: []extract.Section{{Heading: "Ärendet", Blocks: []extract.Block{{Type: extract.BlockParagraph,
				Text: extract.Text(strings.Repeat("Kommunstyrelseförvaltningen föreslår att budgetöverskottet om 1250000 kronor fördelas enligt bilaga, med stöd av 6 kap. 37 § kommunallagen (2017:725). ", 3))}}}},
			Decision:     []extract.Block{{Type: extract.BlockParagraph, Text: extract.Text("Kommunstyrelsen beslutar att godkänna förslaget.")}},
			DistributeTo: []string{"Kommundirektör"},
		}
		if i%5 == 0 {
			vote := extract.Vote{Proposition: "Ja för förslaget, nej för avslag.", Outcome: "Kommunstyrelsen beslutar enligt förslaget."}
			for j, m := range members {
				choice := []string{"ja", "nej", "avstår"}[(i+j)%3]
				if j == 9 { // the member with jäv is called and does not vote
					choice = extract.VoteDisqualified
				}
				vote.Ballots = append(vote.Ballots, extract.Ballot{Member: m, Vote: choice})
			}
			p.Votes = []extract.Vote{vote}
			p.Reservations = []extract.Reservation{{By: members[5:7], Text: extract.Text("reserverar sig mot beslutet.")}}
			p.Notes = []extract.Note{{By: members[8:9], Text: extract.Text("lämnar en protokollsanteckning.")}}
			p.Disqualifications = []extract.Disqualification{{Member: members[9]}}
		}
		x.Paragraphs = append(x.Paragraphs, p)
	}
	return x
}

func TestLargeExtractOfAnotherOrganisation(t *testing.T) {
	x := largeExtract()
	if err := x.Validate(extract.Limits{}); err != nil {
		t.Fatal(err)
	}
	res, err := newEngine(t).Render(x, nil)
	if err != nil {
		t.Fatal(err)
	}
	pdftest.QPDFCheck(t, res.PDF)
	for _, f := range pdftest.Fonts(t, res.PDF) {
		if !f.Embedded || !f.Subset {
			t.Errorf("font %s: embedded %v subset %v", f.Name, f.Embedded, f.Subset)
		}
	}
	pages, _ := strconv.Atoi(pdftest.Info(t, res.PDF)["Pages"])
	if pages < 15 || pages != res.Pages {
		t.Fatalf("%d pages (engine says %d)", pages, res.Pages)
	}
	text := strings.ReplaceAll(pdftest.Text(t, res.PDF), "\u00a0", " ")
	for n := 1; n <= pages; n++ {
		if !regexp.MustCompile(`(?m)^\s*` + strconv.Itoa(n) + ` \(` + strconv.Itoa(pages) + `\)\s*$`).MatchString(text) {
			t.Errorf("no page label %d (%d)", n, pages)
		}
	}
	if got := strings.Count(text, "Justerandes sign"); got != pages {
		t.Errorf("Justerandes sign on %d of %d pages", got, pages)
	}
	for _, want := range []string{"§ 200", "§ 239", "KS 2024/139", "Áile Ŋuvttás (S)", "Ingá Ǩiđđa (MP)", "Niillas Šaŧŧe (-)",
		"1 250 000 kronor", "Jåhkåmåhke suohkan – Jokkmokks kommun", "anmäler jäv"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	// Every vote's result adds up to the members who voted: all but the
	// one with jäv.
	results := regexp.MustCompile(`(\d+) ja-röst(?:er)?, (\d+) nej-röst(?:er)? och (\d+) avstår`).FindAllStringSubmatch(text, -1)
	if len(results) != 8 {
		t.Errorf("%d vote results, want 8", len(results))
	}
	for _, m := range results {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		c, _ := strconv.Atoi(m[3])
		if a+b+c != len(members)-1 {
			t.Errorf("vote result %q does not add up to %d", m[0], len(members)-1)
		}
	}
}
