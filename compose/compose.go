package compose

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"utdrag/extract"
	"utdrag/templates"
	"utdrag/typeset"
)

// Certification fills the "Rätt utdraget intygar" block and the
// "Utdragsbestyrkande" box of a certified extract.
type Certification struct {
	Name     string
	Title    string
	Place    string
	Date     string // ISO date
	Initials string // shown in the Utdragsbestyrkande box on every page
	// Summary lines of the digital signature (who, when, certificate), set
	// small at the end of the last page.
	Summary []string
	// VerifyURL is the short verification address printed with the summary.
	VerifyURL string
}

// Build composes an extract into a Document with the labels of template t.
// cert is nil for an extract not yet certified.
func Build(x *extract.Extract, t *templates.Template, cert *Certification) Document {
	b := builder{x: x, l: t.Labels, norm: make(map[string]string)}
	b.placeAndTime()
	for i := range x.Paragraphs {
		if i > 0 && t.Page.ParagraphPerPage {
			b.add(PageBreak{})
		}
		b.paragraph(&x.Paragraphs[i])
	}
	b.closing(cert)
	meta := b.meta()
	meta.Languages = b.langs
	return Document{Meta: meta, Header: header(x, t.Labels, cert), Blocks: b.blocks}
}

type builder struct {
	x      *extract.Extract
	l      templates.Labels
	blocks []Block
	// norm holds the normalised form of the strings met so far: titles,
	// labels and names recur within a document.
	norm map[string]string
	// langs are the other languages of spans (Meta.Languages).
	langs []string
	// secret is the ground of the confidential part being composed (a
	// paragraph, section or block marked whole); "" outside one. Text added
	// meanwhile is shaded.
	secret string
}

// normalize is typeset.Normalize, once per distinct string of the document.
func (b *builder) normalize(s string) string {
	if n, ok := b.norm[s]; ok {
		return n
	}
	n := typeset.Normalize(s)
	b.norm[s] = n
	return n
}

func (b *builder) add(bl ...Block) {
	if b.secret != "" {
		for i := range bl {
			bl[i] = shadeBlock(bl[i])
		}
	}
	b.blocks = append(b.blocks, bl...)
}

func (b *builder) heading(level int, text string) {
	b.add(Heading{Level: level, Text: b.plain(text)})
}

func (b *builder) paragraph(p *extract.Paragraph) {
	title := typeset.Span{Text: b.normalize(p.Title) + " ", Style: typeset.Bold}
	switch {
	case p.Confidential != "":
		title.Style |= typeset.Confidential
	case p.Withheld != "":
		title.Style |= typeset.Italic | typeset.NoHyphen
	}
	b.add(Heading{Level: 1, Text: []typeset.Span{
		{Text: "§\u00a0" + strconv.Itoa(p.Number) + " ", Style: typeset.Bold | typeset.NoHyphen},
		title,
		// A case number is one unit: "(Dnr KS 2024/112)" never breaks
		// inside, and the label is glued to it.
		{Text: "(" + caseNumber(b.l.CaseNumber, p.CaseNumber) + ")", Style: typeset.Bold | typeset.NoHyphen},
	}})
	defer b.enter(p.Confidential, b.l.ConfidentialParagraph)()
	for _, s := range p.Sections {
		level := 2
		if s.Level >= 2 {
			level = 3
		}
		heading := b.plain(s.Heading)
		if b.secret != "" {
			heading = shade(heading)
		}
		b.add(Heading{Level: level, Text: heading})
		leave := b.enter(s.Confidential, b.l.ConfidentialSection)
		b.contents(s.Blocks, 0)
		leave()
	}
	b.disqualifications(p.Disqualifications)
	if len(p.Proposal) > 0 {
		b.heading(2, b.l.Proposal)
		b.contents(p.Proposal, 0)
	}
	b.motions(p.Motions)
	if len(p.Propositions) > 0 {
		b.heading(2, b.l.Propositions)
		for _, pr := range p.Propositions {
			b.add(Paragraph{Text: b.rich(pr)})
		}
	}
	for _, v := range p.Votes {
		b.vote(v)
	}
	b.heading(2, b.l.Decision)
	b.contents(p.Decision, 0)
	if p.ImmediatelyAdjusted {
		// Part of the decision, as registrars write it: the organ decided
		// it together with the matter. A public copy keeps it, so it is
		// never shaded.
		secret := b.secret
		b.secret = ""
		b.add(Paragraph{Text: b.plain(b.l.ImmediatelyAdjusted)})
		b.secret = secret
	}
	b.statements(b.l.Reservations, reservers(p.Reservations), b.reservations(p.Reservations))
	b.statements(b.l.Notes, len(p.Notes), b.notes(p.Notes))
	if len(p.DistributeTo) > 0 {
		b.heading(2, b.l.DistributeTo)
		b.add(Paragraph{Text: b.plain(strings.Join(p.DistributeTo, "\n")), Plain: true})
	}
	if len(p.Basis) > 0 {
		b.heading(2, b.l.Basis)
		items := make([][]typeset.Span, len(p.Basis))
		for i, s := range p.Basis {
			items[i] = b.plain(s)
		}
		b.add(List{Items: items})
	}
}

// placeAndTime opens the extract with where and when the organ met, as
// the protocol's first page gives it: "Plats och tid: Regionens hus,
// Östersund, 2023-10-06 kl. 08.30–16.00".
func (b *builder) placeAndTime() {
	m := b.x.Meeting
	if m.Place == "" && m.Time == "" {
		return // the date alone is in the running header
	}
	when := strings.TrimSpace(m.Date + " " + m.Time)
	// Set in the body face alone: a bold label would add a font to every
	// PDF for two words.
	b.add(Paragraph{Text: b.plain(b.l.PlaceAndTime + ": " + strings.Join(nonEmpty(m.Place, when), ", ")), Plain: true})
}

// caseNumber writes the case number with its label, glued by no-break
// spaces: "Dnr\u00a0KS\u00a02024/112".
func caseNumber(label, n string) string {
	n = strings.ReplaceAll(n, " ", "\u00a0")
	if label == "" {
		return n
	}
	return label + "\u00a0" + n
}

func (b *builder) contents(blocks []extract.Block, indent int) {
	for _, bl := range blocks {
		// A block marked whole is shaded, with its ground after its
		// last word (unless the part around it has the same ground).
		prev := b.secret
		if bl.Confidential != "" {
			b.secret = bl.Confidential
		}
		var mark []typeset.Span
		if bl.Confidential != "" && bl.Confidential != prev {
			mark = []typeset.Span{b.groundMark(bl.Confidential)}
		}
		switch bl.Type {
		case extract.BlockParagraph:
			b.add(Paragraph{Text: append(b.rich(bl.Text), mark...), Indent: indent})
		case extract.BlockNumbered, extract.BlockBulleted:
			items := make([][]typeset.Span, len(bl.Items))
			for i, it := range bl.Items {
				items[i] = b.rich(it)
			}
			if n := len(items); n > 0 {
				items[n-1] = append(items[n-1], mark...)
			}
			start := bl.Start
			if start == 0 {
				start = 1
			}
			b.add(List{Ordered: bl.Type == extract.BlockNumbered, Start: start, Items: items, Indent: indent})
		}
		b.secret = prev
	}
}

func (b *builder) disqualifications(ds []extract.Disqualification) {
	if len(ds) == 0 {
		return
	}
	b.heading(2, b.l.Disqualifications)
	for _, d := range ds {
		text := d.Text
		if text == "" {
			text = b.l.DisqualifiedDefault
		}
		b.add(Paragraph{Text: append(names([]extract.Person{d.Member}), b.plain(" "+text)...)})
	}
}

func (b *builder) motions(ms []extract.Motion) {
	if len(ms) == 0 {
		return
	}
	b.add(Separator{})
	b.heading(2, b.l.Motions)
	for _, m := range ms {
		text := append(names([]extract.Person{m.By}), typeset.Span{Text: " "})
		b.add(Paragraph{Text: append(text, b.rich(m.Text)...)})
		b.contents(m.Wording, 1)
	}
}

func (b *builder) vote(v extract.Vote) {
	b.heading(2, b.l.Vote)
	b.add(Paragraph{Text: b.plain(v.Proposition)})
	t := v.Tally()
	table := Table{
		Caption: b.l.Vote,
		Columns: []Column{
			{Label: b.l.Member, Width: 0.64},
			{Label: b.l.Yes, Width: 0.12},
			{Label: b.l.No, Width: 0.12},
			{Label: b.l.Abstain, Width: 0.12},
		},
	}
	// A member called who did not vote (jäv, absent) is listed with the
	// reason in a column of its own, there only when needed.
	remarks := t.Disqualified+t.Absent > 0
	if remarks {
		table.Columns = []Column{
			{Label: b.l.Member, Width: 0.44},
			{Label: b.l.Yes, Width: 0.1},
			{Label: b.l.No, Width: 0.1},
			{Label: b.l.Abstain, Width: 0.1},
			{Label: b.l.Remark, Width: 0.26},
		}
	}
	var grounds []string // of the names marked, in order
	for i, ballot := range v.Ballots {
		row := make([]string, len(table.Columns))
		row[0] = personName(ballot.Member)
		if g := cmp.Or(ballot.Confidential, b.secret); g != "" {
			table.Shade = append(table.Shade, make([][]bool, i+1-len(table.Shade))...)
			table.Shade[i] = []bool{true}
			if ballot.Confidential != "" && ballot.Confidential != b.secret && !slices.Contains(grounds, g) {
				grounds = append(grounds, g)
			}
		}
		switch ballot.Vote {
		case extract.VoteYes:
			row[1] = "X"
		case extract.VoteNo:
			row[2] = "X"
		case extract.VoteAbstain:
			row[3] = "X"
		case extract.VoteDisqualified:
			row[4] = b.l.BallotDisqualified
		case extract.VoteAbsent:
			row[4] = b.l.BallotAbsent
		}
		table.Rows = append(table.Rows, row)
	}
	sum := []string{b.l.Sum, strconv.Itoa(t.Yes), strconv.Itoa(t.No), strconv.Itoa(t.Abstain)}
	if remarks {
		sum = append(sum, "")
	}
	table.Rows = append(table.Rows, sum)
	b.add(table)
	for _, g := range grounds {
		b.add(b.notice(b.l.ConfidentialNames, g))
	}
	// The result is said once: by the outcome when it states the counts
	// (validation holds them to the ballots), else by a line counted here.
	if !v.OutcomeStatesCounts() {
		b.add(Paragraph{Text: b.plain(b.result(t))})
	}
	b.add(Paragraph{Text: b.plain(v.Outcome)})
}

// result is the counted result: "Omröstningsresultat: 8 ja-röster,
// 5 nej-röster och 1 avstår."
func (b *builder) result(t extract.Tally) string {
	if t.Abstain == 0 && b.l.VoteResultAll != "" {
		return fmt.Sprintf(b.l.VoteResultAll, count(t.Yes, b.l.YesVotes), count(t.No, b.l.NoVotes))
	}
	return fmt.Sprintf(b.l.VoteResult, count(t.Yes, b.l.YesVotes), count(t.No, b.l.NoVotes), t.Abstain)
}

// statements sets reservations and protocol notes under a label in the
// singular or the plural: the members' names, then what they state.
func (b *builder) statements(label [2]string, n int, items [][]typeset.Span) {
	if len(items) == 0 {
		return
	}
	b.heading(2, plural(label, n))
	for _, it := range items {
		b.add(Paragraph{Text: it})
	}
}

// plural picks a label's form for n.
func plural(label [2]string, n int) string {
	if n == 1 || label[1] == "" {
		return label[0]
	}
	return label[1]
}

// reservers counts the reservations made: each member reserves for
// themselves, so one statement by three members is three reservations
// ("Reservationer"), as protocols write it.
func reservers(rs []extract.Reservation) int {
	n := 0
	for _, r := range rs {
		n += max(len(r.By), 1)
	}
	return n
}

// count writes a number with the singular or plural noun: "1 nej-röst",
// "5 nej-röster".
func count(n int, noun [2]string) string {
	if n == 1 {
		return "1 " + noun[0]
	}
	return strconv.Itoa(n) + " " + noun[1]
}

func (b *builder) reservations(rs []extract.Reservation) [][]typeset.Span {
	out := make([][]typeset.Span, len(rs))
	for i, r := range rs {
		out[i] = append(append(names(r.By), typeset.Span{Text: " "}), b.rich(r.Text)...)
	}
	return out
}

func (b *builder) notes(ns []extract.Note) [][]typeset.Span {
	out := make([][]typeset.Span, len(ns))
	for i, n := range ns {
		out[i] = append(append(names(n.By), typeset.Span{Text: " "}), b.rich(n.Text)...)
	}
	return out
}

// closing adds the justering line and the signature block: the
// protocol's signatories in the order protocols sign (sekreterare,
// ordförande, justerare), then the certification.
func (b *builder) closing(cert *Certification) {
	x := b.x
	j := x.Justering
	if x.Withheld() {
		// What is certified is the protocol less what secrecy withholds:
		// the copy says so before the signatures.
		b.add(Note{Text: b.plain(b.l.WithheldNote)})
	}
	if j.Date != "" || j.Place != "" {
		where := strings.TrimSpace(strings.Join(nonEmpty(j.Place, j.Date), " "))
		b.add(Note{Text: b.plain(b.l.Adjustment + ": " + where)})
	}
	var sig Signatures
	if x.Secretary != nil {
		sig.Signers = append(sig.Signers, signatory(b.l.Secretary, *x.Secretary))
	}
	if x.Chair != nil {
		sig.Signers = append(sig.Signers, signatory(b.l.Chair, *x.Chair))
	}
	for _, a := range j.Adjusters {
		sig.Signers = append(sig.Signers, signatory(b.l.Adjuster, a))
	}
	certifier := Signer{Role: b.l.Certifies}
	if cert != nil {
		certifier = Signer{Role: b.l.Certifies, Name: cert.Name, Title: cert.Title,
			Place: cert.Place, Date: cert.Date, Electronic: true, SignedLabel: b.l.ElectronicSigned}
	}
	sig.Signers = append(sig.Signers, certifier)
	b.add(sig)
	if cert != nil && len(cert.Summary) > 0 {
		lines := append([]string{}, cert.Summary...)
		if cert.VerifyURL != "" {
			lines = append(lines, "Kontrollera äktheten: "+cert.VerifyURL)
		}
		b.add(Note{Text: []typeset.Span{{Text: strings.Join(lines, "\n"), Style: typeset.NoHyphen}}})
	}
}

// signatory is one who signed the protocol, with the title under the name
// unless it only repeats the role ("Ordförande").
func signatory(role string, p extract.Person) Signer {
	s := Signer{Role: role, Name: personName(p), Title: p.Title}
	if strings.EqualFold(strings.TrimSpace(p.Title), role) {
		s.Title = ""
	}
	return s
}

func header(x *extract.Extract, l templates.Labels, cert *Certification) Header {
	h := Header{
		Organisation: x.Organisation.Name,
		Kind:         l.Kind,
		Organ:        x.Organ,
		DateLabel:    l.MeetingDate,
		Date:         x.Meeting.Date,
		PageLabel:    l.Page,
		Draft:        draft(x, l),
		Confidential: confidential(x, l),
		Boxes: []Box{
			{Label: l.AdjustersSign},
			{Label: l.ExtractCertified},
		},
	}
	if cert != nil {
		h.Boxes[1].Content = cert.Initials
		h.VerifyURL = cert.VerifyURL
	}
	return h
}

// draft is the running header's mark of an extract with a paragraph not
// yet justerad: it may be read, not certified.
func draft(x *extract.Extract, l templates.Labels) string {
	if len(x.Unadjusted()) == 0 {
		return ""
	}
	return l.Draft
}

func (b *builder) meta() Meta {
	x := b.x
	titles := make([]string, len(x.Paragraphs))
	for i, p := range x.Paragraphs {
		titles[i] = b.normalize(p.Title)
	}
	date := x.Justering.Date
	if date == "" {
		date = x.Meeting.Date
	}
	keywords := strings.Join(x.CaseNumbers(), ", ")
	if x.Source != nil {
		// The protocol and the paragraph digests the extract was taken
		// with, for anyone holding only the PDF.
		keywords += ", " + x.Source.Keywords()
	}
	return Meta{
		Title:    fmt.Sprintf("Protokollsutdrag %s %s %s", x.Organ, x.Meeting.Date, ParagraphLabel(x.Numbers())),
		Subject:  strings.Join(titles, "; "),
		Author:   x.Organisation.Name,
		Keywords: keywords,
		Language: "sv-SE",
		Date:     date,
	}
}

// Filename is the readable Swedish name of the extract's PDF:
// "Protokollsutdrag Regionstyrelsen 2023-10-06 § 157.pdf". It is a name
// every file system takes: characters they reserve become "-" or go, a
// long organ is cut short with "…", and a long list of paragraphs ends
// with "m.fl."; it stays well under 255 bytes.
func Filename(x *extract.Extract) string {
	nums := x.Numbers()
	label := ParagraphLabel(nums)
	if len(nums) > maxFileParagraphs && !strings.Contains(label, "–") {
		label = ParagraphLabel(nums[:maxFileParagraphs]) + " m.fl" // the extension's dot ends the abbreviation
	}
	return fmt.Sprintf("Protokollsutdrag %s %s %s.pdf", fileSafe(x.Organ, maxFileOrgan), x.Meeting.Date, label)
}

// Bounds of a filename's parts: an organ's name in characters (at most
// two bytes each in Swedish) and the paragraphs listed one by one.
const (
	maxFileOrgan      = 80
	maxFileParagraphs = 5
)

// fileSafe is s without the characters file systems reserve (a slash
// becomes "-", so "Barn-/utbildningsnämnden" keeps its sense) and cut to
// at most max characters.
func fileSafe(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\':
			return '-'
		case r < ' ' || strings.ContainsRune(`:*?"<>|`, r):
			return -1
		}
		return r
	}, s)
	if rs := []rune(s); len(rs) > max {
		s = strings.TrimRight(string(rs[:max-1]), " ,.-") + "…"
	}
	return s
}

// ParagraphLabel writes paragraph numbers the Swedish way: "§ 157",
// "§§ 12–14", "§§ 3, 7".
func ParagraphLabel(nums []int) string {
	if len(nums) == 1 {
		return "§ " + strconv.Itoa(nums[0])
	}
	consecutive := true
	for i := 1; i < len(nums); i++ {
		consecutive = consecutive && nums[i] == nums[i-1]+1
	}
	if consecutive && len(nums) > 2 {
		return fmt.Sprintf("§§ %d–%d", nums[0], nums[len(nums)-1])
	}
	parts := make([]string, len(nums))
	for i, n := range nums {
		parts[i] = strconv.Itoa(n)
	}
	return "§§ " + strings.Join(parts, ", ")
}

// personName writes a member the Swedish way, the party glued with a
// no-break space: "Lars-Erik Olofsson (KD)".
func personName(p extract.Person) string {
	if p.Party == "" {
		return p.Name
	}
	return p.Name + "\u00a0(" + p.Party + ")"
}

// names lists members: "A (M), B (M) och C (C)", never hyphenated.
func names(ps []extract.Person) []typeset.Span {
	var b strings.Builder
	for i, p := range ps {
		switch {
		case i == 0:
		case i == len(ps)-1:
			b.WriteString(" och ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(personName(p))
	}
	return []typeset.Span{{Text: b.String(), Style: typeset.NoHyphen}}
}

func (b *builder) plain(s string) []typeset.Span {
	return []typeset.Span{{Text: b.normalize(s)}}
}

// rich converts marked text, normalising each run. Struck and inserted
// words are two readings, never one word: where a struck run meets an
// inserted one with no space between them ("200 000" struck, "275 000"
// inserted), a space parts them.
func (b *builder) rich(r extract.RichText) []typeset.Span {
	out := make([]typeset.Span, 0, len(r))
	for i, s := range r {
		if i > 0 && (r[i-1].Deleted && s.Inserted || r[i-1].Inserted && s.Deleted) && !parted(r[i-1].Text, s.Text) {
			out = append(out, typeset.Span{Text: " "})
		}
		var st typeset.Style
		switch {
		case s.Withheld != "":
			// The placeholder of a public copy: set apart from the
			// protocol's words, never hyphenated.
			st |= typeset.Italic | typeset.NoHyphen
		case s.Confidential != "" || b.secret != "":
			st |= typeset.Confidential
		}
		if s.Bold {
			st |= typeset.Bold
		}
		if s.Italic {
			st |= typeset.Italic
		}
		if s.Deleted {
			st |= typeset.Strike
		}
		if s.Inserted {
			st |= typeset.Underline
		}
		if s.Lang != "" {
			st = st.WithLang(b.language(s.Lang))
		}
		out = append(out, typeset.Span{Text: b.normalize(s.Text), Style: st})
		// A run marked on its own ground ends with the ground.
		if g := s.Confidential; g != "" && g != b.secret && (i+1 == len(r) || r[i+1].Confidential != g) {
			out = append(out, b.groundMark(g))
		}
	}
	return out
}

// language is the index of lang among the document's other languages
// (typeset.Style.Lang), adding it; 0 for Swedish, and beyond the seven a
// style holds.
func (b *builder) language(lang string) int {
	if strings.EqualFold(lang, "sv") || strings.HasPrefix(strings.ToLower(lang), "sv-") {
		return 0
	}
	for i, l := range b.langs {
		if strings.EqualFold(l, lang) {
			return i + 1
		}
	}
	if len(b.langs) == typeset.LangMask.Lang() {
		return 0
	}
	b.langs = append(b.langs, lang)
	return len(b.langs)
}

// parted reports whether white space lies where a meets b.
func parted(a, b string) bool {
	last, _ := utf8.DecodeLastRuneInString(a)
	first, _ := utf8.DecodeRuneInString(b)
	return a == "" || b == "" || unicode.IsSpace(last) || unicode.IsSpace(first)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
