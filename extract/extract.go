// Package extract is the domain of Utdrag: a protocol extract (one or more
// paragraphs of a board's meeting) as the case-management system sends it,
// and its validation with field paths.
//
// It may import the standard library, golang.org/x/text/unicode/norm and
// anslag (the dates of a protocol's notice).
package extract

// Extract is one protocol extract: the paragraphs (§) of one meeting of one
// organ.
type Extract struct {
	Organisation Organisation `json:"organisation"`
	// Organ is the board or committee: "Regionstyrelsen".
	Organ   string  `json:"organ"`
	Meeting Meeting `json:"meeting"`
	// Paragraphs are the paragraphs extracted, in protocol order: their
	// numbers rise.
	Paragraphs []Paragraph `json:"paragraphs"`
	// Justering is the protocol's justering; a paragraph declared
	// omedelbart justerad (Paragraph.ImmediatelyAdjusted) was justerad at
	// the meeting whatever it says.
	Justering Justering `json:"justering"`
	// Chair (ordförande) and Secretary (sekreterare) sign the protocol:
	// the extract names them in its signature block.
	Chair     *Person `json:"chair,omitempty"`
	Secretary *Person `json:"secretary,omitempty"`
	// Template names the layout template; empty means the organisation's
	// default.
	Template string `json:"template,omitempty"`
	// PublicIdentityNumbers are personnummer and samordningsnummer that
	// may stand in the text unmarked (a sole trader's organisation
	// number, say): the guard refuses every other one (see Confidential).
	PublicIdentityNumbers []string `json:"publicIdentityNumbers,omitempty"`
	// Source, on an extract the service made from a stored protocol,
	// names the protocol and the digest of each paragraph there; never
	// taken from a client.
	Source *Source `json:"source,omitempty"`
}

// Organisation issues the extract.
type Organisation struct {
	// ID is a short stable slug ("region-jh"): it scopes storage and access.
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Meeting is when and where the organ met. Place and Time are printed as
// "Plats och tid" above the first paragraph.
type Meeting struct {
	Date  string `json:"date"`            // ISO 8601: 2023-10-06
	Place string `json:"place,omitempty"` // "Regionens hus, Östersund"
	Time  string `json:"time,omitempty"`  // "kl. 08.30–16.00"
}

// Person is a member or official. Party is the party code ("M", "S", "KD");
// "-" for a member without party; empty for officials. Title is printed
// under the name in the signature block (chair, secretary, justerare) and
// is metadata elsewhere.
type Person struct {
	Name  string `json:"name"`
	Party string `json:"party,omitempty"`
	Title string `json:"title,omitempty"`
}

// Paragraph is one numbered item of the meeting (§).
type Paragraph struct {
	Number     int       `json:"number"`
	CaseNumber string    `json:"caseNumber" mask:"keep"`
	Title      string    `json:"title"`
	Sections   []Section `json:"sections,omitempty"`
	// Proposal is "Förslag till beslut".
	Proposal []Block `json:"proposal,omitempty"`
	// Motions are the "Yrkanden" made and not withdrawn.
	Motions []Motion `json:"motions,omitempty"`
	// Propositions: the order in which the chair put the proposals.
	Propositions []RichText `json:"propositions,omitempty"`
	Votes        []Vote     `json:"votes,omitempty"`
	// Decision is "Beslut".
	Decision          []Block            `json:"decision"`
	Reservations      []Reservation      `json:"reservations,omitempty"`
	Notes             []Note             `json:"notes,omitempty"`
	Disqualifications []Disqualification `json:"disqualifications,omitempty"`
	// DistributeTo is "Expedieras till": roles and bodies, not addresses.
	DistributeTo []string `json:"distributeTo,omitempty"`
	// Appeal says how the decision is appealed and which recipients are
	// parties to it; nil: laglighetsprövning, no parties named.
	Appeal *Appeal `json:"appeal,omitempty"`
	// Basis is "Beslutsunderlag".
	Basis []string `json:"basis,omitempty"`
	// ImmediatelyAdjusted: the organ declared the paragraph justerad at
	// the meeting (omedelbar justering); the decision says so.
	ImmediatelyAdjusted bool `json:"immediatelyAdjusted,omitempty"`
	// Confidential is the legal ground ("OSL 26 kap. 1 §") on which the
	// whole paragraph is secret but its number and case number.
	Confidential string `json:"confidential,omitempty"`
	// Withheld, in a public copy only (see Mask in compose), is the ground
	// on which the paragraph's content was removed.
	Withheld string `json:"withheld,omitempty"`
}

// Section is a free section of the paragraph's text: "Sammanfattning",
// "Bakgrund", "Ärendet". Level 2 is a sub-heading under the previous one.
type Section struct {
	// Heading stays in a public copy when the section is confidential.
	Heading string  `json:"heading" mask:"keep"`
	Level   int     `json:"level,omitempty"`
	Blocks  []Block `json:"blocks"`
	// Confidential is the legal ground on which the section's text is
	// secret.
	Confidential string `json:"confidential,omitempty"`
}

// Block types.
const (
	BlockParagraph = "paragraph"
	BlockNumbered  = "numbered"
	BlockBulleted  = "bulleted"
)

// Block is a paragraph of text or a list. In JSON a plain string is a
// paragraph.
type Block struct {
	Type  string     `json:"type"`
	Text  RichText   `json:"text,omitempty"`
	Items []RichText `json:"items,omitempty"`
	Start int        `json:"start,omitempty"` // first number of a numbered list
	// Confidential is the legal ground on which the whole block is secret.
	Confidential string `json:"confidential,omitempty"`
}

// Motion is a yrkande: who moved it and what. Text continues the sentence
// after the name ("yrkar bifall till …"); Wording is the proposed wording,
// with amendment marks.
type Motion struct {
	By      Person   `json:"by"`
	Text    RichText `json:"text"`
	Wording []Block  `json:"wording,omitempty"`
}

// Vote choices: ja, nej, avstår; and the reasons a member called in the
// roll call did not vote: jäv in the paragraph, or absent (for organs whose
// roll call lists every member).
const (
	VoteYes          = "ja"
	VoteNo           = "nej"
	VoteAbstain      = "avstår"
	VoteDisqualified = "jäv"
	VoteAbsent       = "frånvarande"
)

// Vote is a votering: the question put, the roll call and the outcome.
type Vote struct {
	// Proposition is what "ja" and "nej" stand for.
	Proposition string `json:"proposition"`
	// Ballots is the roll call: every member called, once, in the order
	// called.
	Ballots []Ballot `json:"ballots"`
	// Outcome in words: "Med 8 ja-röster mot 5 nej-röster … beslutar …".
	// Counts it states must be those of the ballots.
	Outcome string `json:"outcome"`
}

// Ballot is one member's answer in the roll call: a vote (ja, nej,
// avstår) or the reason for not voting (jäv, frånvarande).
type Ballot struct {
	Member Person `json:"member"`
	Vote   string `json:"vote"`
	// Confidential is the legal ground on which the member's name is
	// secret; the vote is counted and shown all the same.
	Confidential string `json:"confidential,omitempty"`
	// Withheld, in a public copy only, is the ground on which the name was
	// removed.
	Withheld string `json:"withheld,omitempty"`
}

// Reservation is a formal dissent by one or more members.
type Reservation struct {
	By []Person `json:"by"`
	// Text continues after the names: "reserverar sig till förmån för …".
	Text RichText `json:"text"`
}

// Note is a protokollsanteckning.
type Note struct {
	By   []Person `json:"by"`
	Text RichText `json:"text"`
}

// Disqualification is jäv: a member who did not take part.
type Disqualification struct {
	Member Person `json:"member"`
	Text   string `json:"text,omitempty"`
}

// Justering states of the protocol.
const (
	// JusteringPending: the protocol is not justerat yet; Date, when
	// given, is the day set for it.
	JusteringPending = "pending"
	// JusteringAdjusted: the chair and the justerare (Adjusters) have
	// justerat the protocol, on Date.
	JusteringAdjusted = "adjusted"
)

// Justering is the approval of the protocol by the chair and the
// appointed justerare.
type Justering struct {
	// State is pending or adjusted. An input may leave it out: Decode then
	// takes it from the date (see Limits.Today) and writes it in.
	State     string   `json:"state,omitempty"`
	Date      string   `json:"date,omitempty"`
	Place     string   `json:"place,omitempty"`
	Adjusters []Person `json:"adjusters,omitempty"`
}
