package extract_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"utdrag/extract"
)

// council is a kommunfullmäktige extract of another organisation than the
// examples: fifteen members called in a roll call, 8 ja, 5 nej, 1 avstår
// and one with jäv.
func council() map[string]any {
	var ballots []any
	votes := strings.Split("ja ja ja ja ja ja ja ja nej nej nej nej nej avstår jäv", " ")
	for i, v := range votes {
		ballots = append(ballots, map[string]any{"member": map[string]any{"name": fmt.Sprintf("Ledamot %c", 'A'+i), "party": []string{"S", "M", "C"}[i%3]}, "vote": v})
	}
	return map[string]any{
		"organisation": map[string]any{"id": "ornskoldsvik", "name": "Örnsköldsviks kommun"},
		"organ":        "Kommunfullmäktige",
		"meeting":      map[string]any{"date": "2024-03-25", "place": "Stadshuset", "time": "kl. 18.00–21.30"},
		"justering":    map[string]any{"date": "2024-04-02", "adjusters": []any{map[string]any{"name": "Lena Berg", "party": "S"}}},
		"paragraphs": []any{map[string]any{
			"number": 44, "caseNumber": "KS 2024/101", "title": "Ny översiktsplan",
			"disqualifications": []any{map[string]any{"member": map[string]any{"name": "Ledamot O", "party": "C"}}},
			"votes": []any{map[string]any{"proposition": "Ja för kommunstyrelsens förslag, nej för avslag.",
				"ballots": ballots, "outcome": "Med 8 ja-röster mot 5 nej-röster, 1 avstår, beslutar fullmäktige enligt kommunstyrelsens förslag."}},
			"decision": []any{"Fullmäktige antar översiktsplanen."},
		}},
	}
}

func first(doc map[string]any) map[string]any { return doc["paragraphs"].([]any)[0].(map[string]any) }

func ballots(doc map[string]any) []any {
	return first(doc)["votes"].([]any)[0].(map[string]any)["ballots"].([]any)
}

func decode(t *testing.T, doc map[string]any, lim extract.Limits) (*extract.Extract, extract.ValidationError) {
	t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	x, err := extract.Decode(strings.NewReader(string(raw)), lim)
	if err == nil {
		return x, nil
	}
	var verr extract.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("got %v, want a ValidationError", err)
	}
	return nil, verr
}

// refused decodes doc and wants exactly the broken rules want (field: rule).
func refused(t *testing.T, doc map[string]any, lim extract.Limits, want ...string) extract.ValidationError {
	t.Helper()
	_, verr := decode(t, doc, lim)
	var got []string
	for _, fe := range verr {
		got = append(got, fe.Field+": "+fe.Rule)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("broken rules:\n%s\nwant:\n%s\n(%v)", strings.Join(got, "\n"), strings.Join(want, "\n"), verr)
	}
	return verr
}

func TestCouncilRollCallIsAccepted(t *testing.T) {
	x, verr := decode(t, council(), extract.Limits{})
	if verr != nil {
		t.Fatal(verr)
	}
	got := x.Paragraphs[0].Votes[0].Tally()
	if got != (extract.Tally{Yes: 8, No: 5, Abstain: 1, Disqualified: 1}) {
		t.Errorf("tally %+v", got)
	}
}

func TestOutcomeCountsMustAgreeWithBallots(t *testing.T) {
	doc := council()
	vote := first(doc)["votes"].([]any)[0].(map[string]any)
	vote["outcome"] = "Med 9 ja-röster mot 4 nej-röster, 1 avstår, beslutar fullmäktige enligt kommunstyrelsens förslag."
	verr := refused(t, doc, extract.Limits{}, "paragraphs[0].votes[0].outcome: consistency")
	if m := verr[0].Message; !strings.Contains(m, "9 ja och 4 nej") || !strings.Contains(m, "8 ja och 5 nej") {
		t.Errorf("message %q does not say what differs", m)
	}
	// The other ways protocols state counts are read too.
	for outcome, ok := range map[string]bool{
		"8 röstar ja, 5 röstar nej och en ledamot avstår. Förslaget bifalls.":                                 true,
		"Med åtta ja-röster mot fem nej-röster och en nedlagd röst bifalls förslaget.":                        true,
		"Med 8 ja-röster mot 5 nej-röster och 2 avstående bifalls förslaget.":                                 false,
		"Fullmäktige beslutar enligt kommunstyrelsens förslag (omröstning enligt 5 kap. 55 § kommunallagen).": true,
		"Med 8\u00a0ja-röster mot 6\u00a0nej-röster bifalls förslaget.":                                       false,
	} {
		vote["outcome"] = outcome
		_, verr := decode(t, doc, extract.Limits{})
		if (verr == nil) != ok {
			t.Errorf("%q: accepted %v, want %v (%v)", outcome, verr == nil, ok, verr)
		}
	}
}

func TestMemberIsCalledOnce(t *testing.T) {
	doc := council()
	vote := first(doc)["votes"].([]any)[0].(map[string]any)
	vote["ballots"] = append(ballots(doc), map[string]any{"member": map[string]any{"name": "ledamot  b", "party": "M"}, "vote": "nej"})
	vote["outcome"] = "Fullmäktige beslutar enligt kommunstyrelsens förslag."
	verr := refused(t, doc, extract.Limits{}, "paragraphs[0].votes[0].ballots[15].member: unique")
	if !strings.Contains(verr[0].Message, "ballots[1]") {
		t.Errorf("message %q does not point at the first call", verr[0].Message)
	}
	// The same name in two parties is two members.
	ballots(doc)[15].(map[string]any)["member"].(map[string]any)["party"] = "KD"
	if _, verr := decode(t, doc, extract.Limits{}); verr != nil {
		t.Errorf("two members of one name: %v", verr)
	}
}

func TestMemberWithJavDoesNotVote(t *testing.T) {
	doc := council()
	ballots(doc)[14].(map[string]any)["vote"] = "nej"
	first(doc)["votes"].([]any)[0].(map[string]any)["outcome"] = "Förslaget bifalls."
	verr := refused(t, doc, extract.Limits{}, "paragraphs[0].votes[0].ballots[14].vote: consistency")
	if !strings.Contains(verr[0].Message, "Ledamot O (C) har anmält jäv") {
		t.Errorf("message %q", verr[0].Message)
	}

	// Jäv in the roll call needs the jäv of the paragraph, and a member
	// with jäv neither moves nor reserves.
	doc = council()
	first(doc)["disqualifications"] = []any{}
	refused(t, doc, extract.Limits{}, "paragraphs[0].votes[0].ballots[14].vote: consistency")
	doc = council()
	jav := map[string]any{"name": "Ledamot O", "party": "C"}
	first(doc)["motions"] = []any{map[string]any{"by": jav, "text": "yrkar avslag."}}
	first(doc)["reservations"] = []any{map[string]any{"by": []any{map[string]any{"name": "Ledamot J", "party": "S"}, jav}, "text": "reserverar sig."}}
	refused(t, doc, extract.Limits{}, "paragraphs[0].motions[0].by: consistency", "paragraphs[0].reservations[0].by[1]: consistency")
}

func TestAbsentMembersAndNoVoteCast(t *testing.T) {
	doc := council()
	vote := first(doc)["votes"].([]any)[0].(map[string]any)
	vote["ballots"] = append(ballots(doc), map[string]any{"member": map[string]any{"name": "Ledamot P", "party": "-"}, "vote": "frånvarande"})
	x, verr := decode(t, doc, extract.Limits{})
	if verr != nil {
		t.Fatal(verr)
	}
	if got := x.Paragraphs[0].Votes[0].Tally(); got.Absent != 1 || got.Yes != 8 {
		t.Errorf("tally %+v", got)
	}
	vote["ballots"] = []any{map[string]any{"member": map[string]any{"name": "Ledamot P", "party": "-"}, "vote": "frånvarande"}}
	vote["outcome"] = "Förslaget bifalls."
	refused(t, doc, extract.Limits{}, "paragraphs[0].votes[0].ballots: minItems")
	vote["ballots"] = []any{map[string]any{"member": map[string]any{"name": "Ledamot P"}, "vote": "kanske"}}
	refused(t, doc, extract.Limits{}, "paragraphs[0].votes[0].ballots[0].vote: enum", "paragraphs[0].votes[0].ballots: minItems")
}

func TestDatesThatDoNotExist(t *testing.T) {
	for date, want := range map[string]string{
		"2024-02-30": "datumet 2024-02-30 finns inte: februari 2024 har 29 dagar",
		"2023-02-29": "datumet 2023-02-29 finns inte: februari 2023 har 28 dagar",
		"2024-04-31": "datumet 2024-04-31 finns inte: april 2024 har 30 dagar",
		"2024-13-01": "datumet 2024-13-01 finns inte: det finns ingen månad 13",
		"2024-3-1":   `ogiltigt datum "2024-3-1": använd formen ÅÅÅÅ-MM-DD`,
	} {
		doc := council()
		doc["meeting"].(map[string]any)["date"] = date
		verr := refused(t, doc, extract.Limits{}, "meeting.date: format")
		if verr[0].Message != want {
			t.Errorf("%s: %q, want %q", date, verr[0].Message, want)
		}
	}
}

func TestJusteringNotBeforeTheMeeting(t *testing.T) {
	doc := council()
	doc["justering"].(map[string]any)["date"] = "2024-03-24"
	verr := refused(t, doc, extract.Limits{}, "justering.date: minimum")
	if !strings.Contains(verr[0].Message, "2024-03-24") || !strings.Contains(verr[0].Message, "2024-03-25") {
		t.Errorf("message %q", verr[0].Message)
	}
	doc["justering"].(map[string]any)["date"] = "2024-03-25" // the same day is allowed
	if _, verr := decode(t, doc, extract.Limits{}); verr != nil {
		t.Error(verr)
	}
}

func TestParagraphsInProtocolOrder(t *testing.T) {
	doc := council()
	p := first(doc)
	var ps []any
	for _, n := range []int{46, 44, 45} {
		q := map[string]any{}
		for k, v := range p {
			q[k] = v
		}
		q["number"] = n
		ps = append(ps, q)
	}
	doc["paragraphs"] = ps
	verr := refused(t, doc, extract.Limits{}, "paragraphs[1].number: order", "paragraphs[2].number: order")
	if !strings.Contains(verr[0].Message, "§ 44 kommer efter § 46") {
		t.Errorf("message %q", verr[0].Message)
	}
	ps[0], ps[1], ps[2] = ps[1], ps[2], ps[0]
	if _, verr := decode(t, doc, extract.Limits{}); verr != nil {
		t.Error(verr)
	}
}

func TestJusteringState(t *testing.T) {
	type want struct {
		state   string
		pending []int
	}
	cases := []struct {
		name  string
		edit  func(j map[string]any, p map[string]any)
		today string
		want  want
	}{
		{"date come", func(j, p map[string]any) {}, "2024-04-02", want{extract.JusteringAdjusted, nil}},
		{"date ahead", func(j, p map[string]any) {}, "2024-03-28", want{extract.JusteringPending, []int{44}}},
		{"no clock", func(j, p map[string]any) {}, "", want{extract.JusteringAdjusted, nil}},
		{"no date", func(j, p map[string]any) { delete(j, "date") }, "2024-04-10", want{extract.JusteringPending, []int{44}}},
		{"stated pending after its day", func(j, p map[string]any) { j["state"] = "pending" }, "2024-04-10", want{extract.JusteringPending, []int{44}}},
		{"omedelbart justerad", func(j, p map[string]any) { p["immediatelyAdjusted"] = true }, "2024-03-25", want{extract.JusteringPending, nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := council()
			c.edit(doc["justering"].(map[string]any), first(doc))
			x, verr := decode(t, doc, extract.Limits{Today: c.today})
			if verr != nil {
				t.Fatal(verr)
			}
			var pending []int
			for _, j := range x.Unadjusted() {
				pending = append(pending, j.Number)
			}
			if x.Justering.State != c.want.state || fmt.Sprint(pending) != fmt.Sprint(c.want.pending) {
				t.Errorf("state %q, pending %v; want %q, %v", x.Justering.State, pending, c.want.state, c.want.pending)
			}
		})
	}
}

func TestJusteringStatedDoneMustHaveTakenPlace(t *testing.T) {
	doc := council()
	doc["justering"].(map[string]any)["state"] = "adjusted"
	verr := refused(t, doc, extract.Limits{Today: "2024-03-28"}, "justering.date: maximum")
	if !strings.Contains(verr[0].Message, "2024-04-02") {
		t.Errorf("message %q", verr[0].Message)
	}
	delete(doc["justering"].(map[string]any), "adjusters")
	delete(doc["justering"].(map[string]any), "date")
	refused(t, doc, extract.Limits{Today: "2024-04-10"}, "justering.date: required", "justering.adjusters: minItems")
	doc = council()
	doc["justering"] = map[string]any{"state": "pending"}
	first(doc)["immediatelyAdjusted"] = true
	refused(t, doc, extract.Limits{}, "justering.adjusters: minItems")
	doc["justering"] = map[string]any{"state": "klart"}
	refused(t, doc, extract.Limits{}, "justering.state: enum", "justering.adjusters: minItems")
}

func TestJusteringOfEachParagraph(t *testing.T) {
	x := &extract.Extract{
		Meeting:   extract.Meeting{Date: "2024-03-25"},
		Justering: extract.Justering{State: extract.JusteringPending, Date: "2024-04-02"},
		Paragraphs: []extract.Paragraph{
			{Number: 44, ImmediatelyAdjusted: true}, {Number: 45},
		},
	}
	got := fmt.Sprint(x.Justerings())
	if want := "[{44 immediate 2024-03-25} {45 pending 2024-04-02}]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	x.Justering.State = extract.JusteringAdjusted
	if got, want := fmt.Sprint(x.Justerings()), "[{44 immediate 2024-03-25} {45 adjusted 2024-04-02}]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestPartyCodes(t *testing.T) {
	for party, ok := range map[string]bool{"S": true, "KD": true, "ÖrP": true, "-": true, "Fi": true, "s": false, "M!": false, "ΣΥΡΙΖΑ": false} {
		doc := council()
		doc["justering"].(map[string]any)["adjusters"].([]any)[0].(map[string]any)["party"] = party
		if _, verr := decode(t, doc, extract.Limits{}); (verr == nil) != ok {
			t.Errorf("party %q: accepted %v (%v)", party, verr == nil, verr)
		}
	}
}

// BenchmarkValidateRollCalls validates a paragraph at the bounds of a
// roll call: 20 votes of 500 members each, 250 of whom declared jäv. The
// rules look members up by name, not pair by pair.
func BenchmarkValidateRollCalls(b *testing.B) {
	x := &extract.Extract{
		Organisation: extract.Organisation{ID: "stor", Name: "Stor kommun"}, Organ: "Kommunfullmäktige",
		Meeting:    extract.Meeting{Date: "2024-03-25"},
		Paragraphs: []extract.Paragraph{{Number: 1, CaseNumber: "KS 1", Title: "Val", Decision: []extract.Block{{Type: extract.BlockParagraph, Text: extract.Text("Beslut.")}}}},
	}
	p := &x.Paragraphs[0]
	for i := range 250 {
		p.Disqualifications = append(p.Disqualifications, extract.Disqualification{Member: extract.Person{Name: fmt.Sprintf("Ledamot %d", 2*i), Party: "S"}})
	}
	for range 20 {
		v := extract.Vote{Proposition: "Ja för förslaget.", Outcome: "Med 250 ja-röster mot 0 nej-röster bifalls förslaget."}
		for i := range 500 {
			vote := extract.VoteYes
			if i%2 == 0 {
				vote = extract.VoteDisqualified
			}
			v.Ballots = append(v.Ballots, extract.Ballot{Member: extract.Person{Name: fmt.Sprintf("Ledamot %d", i), Party: "S"}, Vote: vote})
		}
		p.Votes = append(p.Votes, v)
	}
	if err := x.Validate(extract.Limits{}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = x.Validate(extract.Limits{})
	}
}
