package extract

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits bound the size of an extract. Zero sizes mean DefaultLimits.
type Limits struct {
	MaxParagraphs int // paragraphs per extract
	MaxText       int // characters in one text field
	MaxItems      int // entries in any one list (blocks, items, ballots …)
	// Drawable reports whether the documents can show a character (the
	// renderer's fonts have it); nil accepts every character.
	Drawable func(r rune) bool
	// Today is the day (ISO 8601, in Sweden) the input is read: the
	// justering of an input that states no justering state has taken place
	// when its date is today or earlier, and a justering stated done cannot
	// lie after it. Empty counts every date as come: a caller without a
	// clock (tests, tools) passes none.
	Today string
}

// DefaultLimits are generous for real protocols and small enough to keep a
// render within a second.
var DefaultLimits = Limits{MaxParagraphs: 100, MaxText: 20000, MaxItems: 500}

// FieldError is one broken rule at one place of the input.
type FieldError struct {
	Field   string `json:"field"`   // JSON path: paragraphs[0].caseNumber
	Rule    string `json:"rule"`    // required, format, maxLength, enum, …
	Message string `json:"message"` // for the clerk, in Swedish
}

// ValidationError lists every broken rule of an input.
type ValidationError []FieldError

func (v ValidationError) Error() string {
	parts := make([]string, len(v))
	for i, e := range v {
		parts[i] = e.Field + ": " + e.Message
	}
	return "extract: invalid input: " + strings.Join(parts, "; ")
}

// Patterns shared with the JSON Schema, written so that every common
// validator compiles them (no \p{…} classes): a party code is "-" or a
// capital and up to nine letters of the Nordic alphabets.
var (
	orgIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	partyPattern = regexp.MustCompile(`^(-|[A-ZÅÄÖÆØÜÉ][A-Za-zÅÄÖåäöÆØæøÜüÉé]{0,9})$`)
	datePattern  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// Validate checks the extract against the rules of the domain and returns a
// ValidationError naming every broken rule, or nil.
func (x *Extract) Validate(lim Limits) error {
	if lim.MaxParagraphs == 0 && lim.MaxText == 0 && lim.MaxItems == 0 {
		lim.MaxParagraphs, lim.MaxText, lim.MaxItems = DefaultLimits.MaxParagraphs, DefaultLimits.MaxText, DefaultLimits.MaxItems
	}
	v := &validator{lim: lim}
	v.extract(x)
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

type validator struct {
	lim  Limits
	errs ValidationError
}

func (v *validator) add(field, rule, msg string) {
	v.errs = append(v.errs, FieldError{Field: field, Rule: rule, Message: msg})
}

func (v *validator) extract(x *Extract) {
	v.requiredText("organisation.id", x.Organisation.ID, 64)
	if x.Organisation.ID != "" && !orgIDPattern.MatchString(x.Organisation.ID) {
		v.add("organisation.id", "pattern", "får bara innehålla gemena a–z, siffror och bindestreck")
	}
	v.requiredText("organisation.name", x.Organisation.Name, 200)
	v.requiredText("organ", x.Organ, 200)
	meetingOK := v.date("meeting.date", x.Meeting.Date, true)
	v.optionalText("meeting.place", x.Meeting.Place, 200)
	v.optionalText("meeting.time", x.Meeting.Time, 100)
	v.optionalText("template", x.Template, 64)
	switch n := len(x.Paragraphs); {
	case n == 0:
		v.add("paragraphs", "minItems", "minst en paragraf krävs")
	case n > v.lim.MaxParagraphs:
		v.add("paragraphs", "maxItems", fmt.Sprintf("högst %d paragrafer per utdrag", v.lim.MaxParagraphs))
	}
	seen := map[int]bool{}
	last := 0
	for i := range x.Paragraphs {
		p := &x.Paragraphs[i]
		path := fmt.Sprintf("paragraphs[%d]", i)
		v.paragraph(path, p)
		switch {
		case p.Number > 0 && seen[p.Number]:
			v.add(path+".number", "unique", fmt.Sprintf("§ %d förekommer mer än en gång", p.Number))
		case p.Number > 0 && p.Number < last:
			v.add(path+".number", "order", fmt.Sprintf("§ %d kommer efter § %d: paragraferna ska stå i protokollets ordning", p.Number, last))
		}
		seen[p.Number] = true
		last = max(last, p.Number)
	}
	v.justering(x, meetingOK)
	if x.Chair != nil {
		v.person("chair", *x.Chair)
	}
	if x.Secretary != nil {
		v.person("secretary", *x.Secretary)
	}
	v.confidentiality(x)
}

func (v *validator) paragraph(path string, p *Paragraph) {
	if p.Number < 1 || p.Number > 99999 {
		v.add(path+".number", "range", "paragrafnumret måste vara ett heltal 1–99999")
	}
	v.requiredText(path+".caseNumber", p.CaseNumber, 64)
	v.requiredText(path+".title", p.Title, 1000)
	v.count(path+".sections", len(p.Sections))
	for i, s := range p.Sections {
		sp := fmt.Sprintf("%s.sections[%d]", path, i)
		v.requiredText(sp+".heading", s.Heading, 200)
		if s.Level < 0 || s.Level > 3 {
			v.add(sp+".level", "range", "rubriknivån måste vara 1, 2 eller 3")
		}
		v.blocks(sp+".blocks", s.Blocks, false)
	}
	v.blocks(path+".proposal", p.Proposal, false)
	jav := disqualified(p)
	v.count(path+".motions", len(p.Motions))
	for i, m := range p.Motions {
		mp := fmt.Sprintf("%s.motions[%d]", path, i)
		v.person(mp+".by", m.By)
		v.takesPart(mp+".by", jav, m.By)
		v.richText(mp+".text", m.Text, true)
		v.blocks(mp+".wording", m.Wording, false)
	}
	v.count(path+".propositions", len(p.Propositions))
	for i, t := range p.Propositions {
		v.richText(fmt.Sprintf("%s.propositions[%d]", path, i), t, true)
	}
	v.count(path+".votes", len(p.Votes))
	for i, vote := range p.Votes {
		v.vote(fmt.Sprintf("%s.votes[%d]", path, i), vote, jav)
	}
	v.blocks(path+".decision", p.Decision, true)
	v.count(path+".reservations", len(p.Reservations))
	for i, r := range p.Reservations {
		rp := fmt.Sprintf("%s.reservations[%d]", path, i)
		v.people(rp+".by", r.By, true)
		for j, m := range r.By {
			v.takesPart(fmt.Sprintf("%s.by[%d]", rp, j), jav, m)
		}
		v.richText(rp+".text", r.Text, true)
	}
	v.count(path+".notes", len(p.Notes))
	for i, n := range p.Notes {
		np := fmt.Sprintf("%s.notes[%d]", path, i)
		v.people(np+".by", n.By, true)
		v.richText(np+".text", n.Text, true)
	}
	v.count(path+".disqualifications", len(p.Disqualifications))
	for i, d := range p.Disqualifications {
		dp := fmt.Sprintf("%s.disqualifications[%d]", path, i)
		v.person(dp+".member", d.Member)
		v.optionalText(dp+".text", d.Text, v.lim.MaxText)
	}
	v.strings(path+".distributeTo", p.DistributeTo, 200)
	v.appeal(path+".appeal", p)
	v.strings(path+".basis", p.Basis, 1000)
}

// vote checks a votering: the roll call calls each member once, a member
// with jäv (in jav) does not vote, and the counts the outcome states are
// the ballots'.
func (v *validator) vote(path string, vote Vote, jav roster) {
	v.requiredText(path+".proposition", vote.Proposition, v.lim.MaxText)
	v.requiredText(path+".outcome", vote.Outcome, v.lim.MaxText)
	if len(vote.Ballots) == 0 {
		v.add(path+".ballots", "minItems", "en votering måste ha minst en röst")
	}
	v.count(path+".ballots", len(vote.Ballots))
	called := roster{}
	for i, b := range vote.Ballots {
		bp := fmt.Sprintf("%s.ballots[%d]", path, i)
		v.person(bp+".member", b.Member)
		_, isJav := jav.find(b.Member)
		v.ballot(bp, b, isJav)
		if j, twice := called.find(b.Member); twice {
			v.add(bp+".member", "unique", fmt.Sprintf("%s är redan uppropad i voteringen (ballots[%d]): varje ledamot ropas upp en gång", displayName(b.Member), j))
		}
		called.add(b.Member, i)
	}
	t := vote.Tally()
	if len(vote.Ballots) > 0 && t.Yes+t.No+t.Abstain == 0 {
		v.add(path+".ballots", "minItems", "ingen röstar i voteringen: minst en ledamot svarar ja, nej eller avstår")
	}
	v.outcome(path+".outcome", vote.Outcome, t)
}

// ballot checks one answer of the roll call against the paragraph's jäv
// (jav: the member declared it).
func (v *validator) ballot(path string, b Ballot, jav bool) {
	switch b.Vote {
	case VoteYes, VoteNo, VoteAbstain:
		if jav {
			v.add(path+".vote", "consistency", fmt.Sprintf("%s har anmält jäv i paragrafen och kan inte rösta (ange %q)", displayName(b.Member), VoteDisqualified))
		}
	case VoteDisqualified:
		if !jav {
			v.add(path+".vote", "consistency", fmt.Sprintf("%s anges som jävig i voteringen men saknas bland paragrafens jäv (disqualifications)", displayName(b.Member)))
		}
	case VoteAbsent:
	case "":
		v.add(path+".vote", "required", "rösten saknas (ja, nej, avstår, jäv eller frånvarande)")
	default:
		v.add(path+".vote", "enum", fmt.Sprintf("okänd röst %q: tillåtna värden är ja, nej, avstår, jäv och frånvarande", b.Vote))
	}
}

// outcome checks the counts an outcome sentence states against the
// ballots.
func (v *validator) outcome(path, outcome string, t Tally) {
	have := map[string]int{VoteYes: t.Yes, VoteNo: t.No, VoteAbstain: t.Abstain}
	var said, counted []string
	for _, c := range statedCounts(outcome) {
		if c.n != have[c.kind] {
			said = append(said, countPhrase(c.kind, c.n))
			counted = append(counted, countPhrase(c.kind, have[c.kind]))
		}
	}
	if len(said) > 0 {
		v.add(path, "consistency", fmt.Sprintf("utfallet anger %s men röstlängden ger %s", joinSwedish(said), joinSwedish(counted)))
	}
}

func countPhrase(kind string, n int) string {
	switch kind {
	case VoteYes:
		return strconv.Itoa(n) + " ja"
	case VoteNo:
		return strconv.Itoa(n) + " nej"
	}
	return strconv.Itoa(n) + " avstår"
}

// joinSwedish lists "a, b och c".
func joinSwedish(ss []string) string {
	if len(ss) < 2 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " och " + ss[len(ss)-1]
}

// takesPart refuses a member who declared jäv in the paragraph where only
// those taking part can appear (motions, reservations).
func (v *validator) takesPart(path string, jav roster, m Person) {
	if _, ok := jav.find(m); ok {
		v.add(path, "consistency", fmt.Sprintf("%s har anmält jäv i paragrafen och deltar inte i handläggningen", displayName(m)))
	}
}

func displayName(p Person) string {
	if p.Party == "" {
		return p.Name
	}
	return p.Name + " (" + p.Party + ")"
}

// justering checks the protocol's justering: its state, that it does not
// come before the meeting, and that a justering that took place (or an
// omedelbar justering) names its justerare.
func (v *validator) justering(x *Extract, meetingOK bool) {
	j := x.Justering
	dateOK := v.date("justering.date", j.Date, false)
	v.optionalText("justering.place", j.Place, 200)
	v.people("justering.adjusters", j.Adjusters, false)
	switch j.State {
	case "", JusteringPending, JusteringAdjusted:
	default:
		v.add("justering.state", "enum", fmt.Sprintf("okänt justeringsläge %q: tillåtna värden är pending (ej justerat) och adjusted (justerat)", j.State))
	}
	if meetingOK && dateOK && j.Date != "" && j.Date < x.Meeting.Date {
		v.add("justering.date", "minimum", fmt.Sprintf("justeringen (%s) kan inte ligga före sammanträdet (%s)", j.Date, x.Meeting.Date))
	}
	immediate := 0
	for _, p := range x.Paragraphs {
		if p.ImmediatelyAdjusted {
			immediate = p.Number
			break
		}
	}
	if j.state() == JusteringAdjusted {
		if j.Date == "" {
			v.add("justering.date", "required", "ett justerat protokoll har ett justeringsdatum")
		} else if dateOK && v.lim.Today != "" && j.Date > v.lim.Today {
			v.add("justering.date", "maximum", fmt.Sprintf("protokollet kan inte vara justerat %s, en dag som inte har kommit (i dag är det %s): ange state pending", j.Date, v.lim.Today))
		}
	}
	switch {
	case len(j.Adjusters) > 0:
	case j.state() == JusteringAdjusted:
		v.add("justering.adjusters", "minItems", "ett justerat protokoll anger vilka som justerade det")
	case immediate > 0:
		v.add("justering.adjusters", "minItems", fmt.Sprintf("§ %d är omedelbart justerad: ange justerarna", immediate))
	}
}

func (v *validator) blocks(path string, blocks []Block, required bool) {
	if required && len(blocks) == 0 {
		v.add(path, "minItems", "minst ett stycke krävs")
	}
	v.count(path, len(blocks))
	for i, b := range blocks {
		bp := fmt.Sprintf("%s[%d]", path, i)
		switch b.Type {
		case BlockParagraph:
			v.richText(bp+".text", b.Text, true)
			if len(b.Items) > 0 {
				v.add(bp+".items", "forbidden", "ett textstycke har ingen lista")
			}
		case BlockNumbered, BlockBulleted:
			if len(b.Items) == 0 {
				v.add(bp+".items", "minItems", "en lista måste ha minst en punkt")
			}
			v.count(bp+".items", len(b.Items))
			for j, it := range b.Items {
				v.richText(fmt.Sprintf("%s.items[%d]", bp, j), it, true)
			}
			if b.Start < 0 {
				v.add(bp+".start", "minimum", "listans första nummer får inte vara negativt")
			}
		case "":
			v.add(bp+".type", "required", "blocktyp saknas (paragraph, numbered eller bulleted)")
		default:
			v.add(bp+".type", "enum", fmt.Sprintf("okänd blocktyp %q: tillåtna värden är paragraph, numbered och bulleted", b.Type))
		}
	}
}

func (v *validator) richText(path string, r RichText, required bool) {
	total := 0
	for i, s := range r {
		total += utf8.RuneCountInString(s.Text)
		if s.Deleted && s.Inserted {
			v.add(fmt.Sprintf("%s[%d]", path, i), "conflict", "ett textavsnitt kan inte vara både struket och infogat")
		}
		v.clean(fmt.Sprintf("%s[%d].text", path, i), s.Text)
		if s.Lang != "" && !langTag.MatchString(s.Lang) {
			v.add(fmt.Sprintf("%s[%d].lang", path, i), "pattern", "språket anges som en språkkod enligt BCP 47, till exempel se, sma eller en")
		}
	}
	if required && strings.TrimSpace(r.Plain()) == "" {
		v.add(path, "required", "texten saknas")
	}
	if total > v.lim.MaxText {
		v.add(path, "maxLength", fmt.Sprintf("texten är för lång (högst %d tecken)", v.lim.MaxText))
	}
}

// langTag is a BCP 47 language tag as far as a PDF's /Lang and HTML's
// lang need: a language of two or three letters and subtags.
var langTag = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$`)

func (v *validator) people(path string, ps []Person, required bool) {
	if required && len(ps) == 0 {
		v.add(path, "minItems", "minst en person krävs")
	}
	v.count(path, len(ps))
	for i, p := range ps {
		v.person(fmt.Sprintf("%s[%d]", path, i), p)
	}
}

func (v *validator) person(path string, p Person) {
	v.requiredText(path+".name", p.Name, 200)
	if p.Party != "" && !partyPattern.MatchString(p.Party) {
		v.add(path+".party", "pattern", "partibeteckningen ska vara en förkortning som M, S, KD eller - för partilös")
	}
	v.optionalText(path+".title", p.Title, 200)
}

func (v *validator) strings(path string, ss []string, max int) {
	v.count(path, len(ss))
	for i, s := range ss {
		v.requiredText(fmt.Sprintf("%s[%d]", path, i), s, max)
	}
}

func (v *validator) count(path string, n int) {
	if n > v.lim.MaxItems {
		v.add(path, "maxItems", fmt.Sprintf("för många poster (högst %d)", v.lim.MaxItems))
	}
}

// date checks an ISO date and reports whether it is one; an empty optional
// date is not.
func (v *validator) date(path, s string, required bool) bool {
	if s == "" {
		if required {
			v.add(path, "required", "datum saknas")
		}
		return false
	}
	if !datePattern.MatchString(s) {
		v.add(path, "format", fmt.Sprintf("ogiltigt datum %q: använd formen ÅÅÅÅ-MM-DD", s))
		return false
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		v.add(path, "format", missingDate(s))
		return false
	}
	return true
}

// missingDate says why a date of the right form does not exist:
// "datumet 2024-02-30 finns inte: februari 2024 har 29 dagar".
func missingDate(s string) string {
	year, _ := strconv.Atoi(s[:4])
	month, _ := strconv.Atoi(s[5:7])
	if month < 1 || month > 12 {
		return fmt.Sprintf("datumet %s finns inte: det finns ingen månad %d", s, month)
	}
	days := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return fmt.Sprintf("datumet %s finns inte: %s %d har %d dagar", s, monthNames[month-1], year, days)
}

var monthNames = [12]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

func (v *validator) requiredText(path, s string, max int) {
	if strings.TrimSpace(s) == "" {
		v.add(path, "required", "uppgiften saknas")
		return
	}
	v.optionalText(path, s, max)
}

func (v *validator) optionalText(path, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		v.add(path, "maxLength", fmt.Sprintf("texten är för lång (%d tecken, högst %d)", n, max))
	}
	v.clean(path, s)
}

// clean rejects text a renderer cannot draw: invalid UTF-8, control
// characters other than line breaks and tabs, and characters the fonts
// lack (up to three named).
func (v *validator) clean(path, s string) {
	if !utf8.ValidString(s) {
		v.add(path, "encoding", "texten är inte giltig UTF-8")
		return
	}
	var missing []rune
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			v.add(path, "characters", fmt.Sprintf("otillåtet styrtecken U+%04X i texten", r))
			return
		}
		if r >= 0x80 && v.lim.Drawable != nil && !v.lim.Drawable(r) && !slices.Contains(missing, r) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		v.add(path, "characters", missingMessage(missing))
	}
}

// missingMessage tells the clerk which characters the documents cannot show.
func missingMessage(missing []rune) string {
	names := make([]string, 0, 3)
	for _, r := range missing[:min(len(missing), 3)] {
		names = append(names, fmt.Sprintf("”%c” (U+%04X)", r, r))
	}
	msg := "tecknet " + names[0]
	if len(missing) > 1 {
		msg = "tecknen " + strings.Join(names, ", ")
	}
	if len(missing) > 3 {
		msg += fmt.Sprintf(" och %d till", len(missing)-3)
	}
	return msg + " finns inte i dokumentets typsnitt och kan inte återges"
}

// TextErrors checks one text that is not part of an extract but is drawn
// on its documents (a certifier's name, say) by the rules every text of an
// extract follows: at most max characters, valid UTF-8, no control
// characters, only characters the documents can show (lim.Drawable).
func TextErrors(field, s string, max int, lim Limits) []FieldError {
	v := &validator{lim: lim}
	v.optionalText(field, s, max)
	return v.errs
}
