package compose

import (
	"fmt"
	"strconv"
	"strings"

	"utdrag/anslag"
	"utdrag/extract"
	"utdrag/templates"
	"utdrag/typeset"
)

// ProtocolLabels are the words of a whole protocol that an extract does
// not print, in Swedish.
type ProtocolLabels struct {
	Kind              string // PROTOKOLL
	Members           string // Beslutande
	Others            string // Övriga närvarande
	Adjusters         string // Utses att justera
	Signatures        string // Underskrifter
	Paragraphs        string // "Paragrafer %s"
	Substitute        string // "ersättare för %s": under Beslutande a substitute serves
	SubstituteAlone   string // tjänstgörande ersättare
	Contents          string // Ärenden
	Number            string // §
	Matter            string // Ärende
	Case              string // Dnr
	Notice            string // ANSLAG/BEVIS
	NoticeText        string // Protokollet är justerat. Justeringen har tillkännagivits genom anslag.
	Organ             string // Organ
	PostedOn          string // Datum då anslaget sätts upp
	TakenDownOn       string // Datum då anslaget tas ned
	LastAppealDay     string // Sista dag för överklagande
	KeptAt            string // Förvaringsplats för protokollet
	PostedBy          string // Underskrift
	NotPosted         string // Anslaget är ännu inte uppsatt.
	TitleFormat       string // "Protokoll %s %s %s": organ, date, paragraphs
	ParagraphRangeSep string // "–"
	Certifies         string // Justeringen bestyrks
}

// DefaultProtocolLabels are the labels of a Swedish municipal protocol.
func DefaultProtocolLabels() ProtocolLabels {
	return ProtocolLabels{
		Kind:              "PROTOKOLL",
		Members:           "Beslutande",
		Others:            "Övriga närvarande",
		Adjusters:         "Utses att justera",
		Signatures:        "Underskrifter",
		Paragraphs:        "Paragrafer %s",
		Substitute:        "ersättare för %s",
		SubstituteAlone:   "tjänstgörande ersättare",
		Contents:          "Ärenden",
		Number:            "§",
		Matter:            "Ärende",
		Case:              "Dnr",
		Notice:            "ANSLAG/BEVIS",
		NoticeText:        "Protokollet är justerat. Justeringen har tillkännagivits genom anslag.",
		Organ:             "Organ",
		PostedOn:          "Datum då anslaget sätts upp",
		TakenDownOn:       "Datum då anslaget tas ned",
		LastAppealDay:     "Sista dag för överklagande",
		KeptAt:            "Förvaringsplats för protokollet",
		PostedBy:          "Underskrift",
		NotPosted:         "Anslaget är ännu inte uppsatt.",
		TitleFormat:       "Protokoll %s %s %s",
		ParagraphRangeSep: "–",
		Certifies:         "Justeringen bestyrks",
	}
}

// BuildProtocol composes a whole protocol with the labels of template t
// and pl: the front page, one page for a board of usual size (Plats och
// tid, Beslutande and Övriga närvarande in two columns, Utses att justera
// and Justeringens plats och tid, Underskrifter with the paragraph range
// in one row, the anslagsbevis), then on the next page the list of
// paragraphs and every paragraph as an extract sets it. notice is the anslag with its dates,
// nil while the protocol is not posted. Every page carries "PROTOKOLL"
// and the justerare's sign box, and no Utdragsbestyrkande box. cert, for
// the certified (justerat, digitally signed) protocol, closes it with who
// certified the justering and the signature's summary; nil for none.
func BuildProtocol(p *extract.Protocol, t *templates.Template, pl ProtocolLabels, notice *anslag.Notice, cert *Certification) Document {
	x := &p.Extract
	b := builder{x: x, l: t.Labels, norm: make(map[string]string)}
	b.placeAndTime()
	b.attendance(p, pl)
	b.protocolSignatures(pl)
	b.noticeBlock(pl, notice, p.Anslag)
	// The front page is one page; the list of paragraphs opens the next,
	// and the paragraphs follow it.
	b.add(PageBreak{})
	b.contentsList(pl)
	for i := range x.Paragraphs {
		switch {
		case t.Page.ParagraphPerPage:
			b.add(PageBreak{})
		case i == 0:
			b.add(Separator{})
		}
		b.paragraph(&x.Paragraphs[i])
	}
	b.protocolCertification(pl, cert)
	h := header(x, t.Labels, nil)
	h.Kind = pl.Kind
	h.Boxes = []Box{{Label: t.Labels.AdjustersSign}}
	if cert != nil {
		h.VerifyURL = cert.VerifyURL
	}
	m := b.meta()
	m.Title = fmt.Sprintf(pl.TitleFormat, x.Organ, x.Meeting.Date, ParagraphLabel(x.Numbers()))
	return Document{Meta: m, Header: h, Blocks: b.blocks}
}

// lines sets a list of the front page: a level-2 heading, then one entry
// a line, ragged right, in two columns, down the first and then the
// second (names are short: one column would leave half the page empty).
func (b *builder) lines(label string, ls []string) {
	if len(ls) == 0 {
		return
	}
	b.heading(2, label)
	b.add(b.entries(ls, 2))
}

// entries is a plain paragraph of one entry a line, in columns.
func (b *builder) entries(ls []string, columns int) Paragraph {
	return Paragraph{Text: []typeset.Span{{Text: b.normalize(strings.Join(ls, "\n")), Style: typeset.NoHyphen}}, Plain: true, Columns: columns}
}

func (b *builder) attendance(p *extract.Protocol, pl ProtocolLabels) {
	members := make([]string, len(p.Members))
	for i, m := range p.Members {
		s := personName(m.Person)
		switch {
		case m.Substitute && m.For != "":
			s += ", " + fmt.Sprintf(pl.Substitute, m.For)
		case m.Substitute:
			s += ", " + pl.SubstituteAlone
		case m.Title != "":
			s += ", " + strings.ToLower(m.Title[:1]) + m.Title[1:]
		}
		members[i] = s
	}
	b.lines(pl.Members, members)
	others := make([]string, len(p.Others))
	for i, o := range p.Others {
		others[i] = personName(o)
		if o.Title != "" {
			others[i] += ", " + o.Title
		}
	}
	b.lines(pl.Others, others)
	// Who justerar, and where and when: labelled lines, as Plats och tid.
	adjusters := make([]string, len(p.Justering.Adjusters))
	for i, a := range p.Justering.Adjusters {
		adjusters[i] = personName(a)
	}
	facts := []string{pl.Adjusters + ": " + strings.Join(adjusters, ", ")}
	j := p.Justering
	if where := strings.TrimSpace(strings.Join(nonEmpty(j.Place, j.Date), ", ")); where != "" {
		facts = append(facts, b.l.Adjustment+": "+where)
	}
	b.add(b.entries(facts, 1))
}

// protocolSignatures is Underskrifter: the paragraph range, then the
// secretary, the chair and the justerare, each with a line to sign on.
func (b *builder) protocolSignatures(pl ProtocolLabels) {
	x := b.x
	b.heading(2, pl.Signatures)
	b.add(Paragraph{Text: b.plain(fmt.Sprintf(pl.Paragraphs, paragraphRange(x.Numbers(), pl.ParagraphRangeSep))), Plain: true})
	var sig Signatures
	if x.Secretary != nil {
		sig.Signers = append(sig.Signers, signatory(b.l.Secretary, *x.Secretary))
	}
	if x.Chair != nil {
		sig.Signers = append(sig.Signers, signatory(b.l.Chair, *x.Chair))
	}
	for _, a := range x.Justering.Adjusters {
		sig.Signers = append(sig.Signers, signatory(b.l.Adjuster, a))
	}
	if len(sig.Signers) <= 4 {
		sig.PerRow = len(sig.Signers) // one row: the front page stays one page
	}
	b.add(sig)
}

// paragraphRange writes the protocol's paragraphs as a range: "44–58".
func paragraphRange(nums []int, sep string) string {
	switch len(nums) {
	case 0:
		return ""
	case 1:
		return strconv.Itoa(nums[0])
	}
	return strconv.Itoa(nums[0]) + sep + strconv.Itoa(nums[len(nums)-1])
}

// noticeBlock is the anslagsbevis.
func (b *builder) noticeBlock(pl ProtocolLabels, n *anslag.Notice, a *extract.Anslag) {
	b.heading(2, pl.Notice)
	if n == nil || a == nil {
		b.add(Paragraph{Text: b.plain(pl.NotPosted), Plain: true})
		return
	}
	// The facts in two columns (what was posted and where it is kept;
	// the dates in the order they fall), then the statement that the one
	// who posted it signs: the block holds together from its heading to
	// the signature, so the anslagsbevis is never split over two pages.
	rows := []string{
		pl.Organ + ": " + b.x.Organ,
		b.l.MeetingDate + ": " + b.x.Meeting.Date,
		pl.KeptAt + ": " + a.KeptAt,
		pl.PostedOn + ": " + n.Posted,
		pl.LastAppealDay + ": " + n.LastAppealDay,
		pl.TakenDownOn + ": " + n.TakeDown,
	}
	b.add(b.entries(rows, 2))
	b.add(Paragraph{Text: b.plain(pl.NoticeText)})
	s := Signer{Role: pl.PostedBy}
	if a.PostedBy != nil {
		s = signatory(pl.PostedBy, *a.PostedBy)
	}
	b.add(Signatures{Signers: []Signer{s}})
}

// contentsList lists the protocol's paragraphs: number, matter, case
// number.
func (b *builder) contentsList(pl ProtocolLabels) {
	b.heading(2, pl.Contents)
	t := Table{
		Caption: pl.Contents,
		Columns: []Column{
			{Label: pl.Number, Width: 0.1},
			{Label: pl.Matter, Width: 0.66},
			{Label: pl.Case, Width: 0.24},
		},
	}
	for _, p := range b.x.Paragraphs {
		t.Rows = append(t.Rows, []string{"§\u00a0" + strconv.Itoa(p.Number), b.normalize(p.Title), p.CaseNumber})
	}
	b.add(t)
}

// protocolCertification closes a certified protocol: who certified its
// justering, signed electronically, and the signature's summary.
func (b *builder) protocolCertification(pl ProtocolLabels, cert *Certification) {
	if cert == nil {
		return
	}
	b.add(Signatures{Signers: []Signer{{Role: pl.Certifies, Name: cert.Name, Title: cert.Title,
		Place: cert.Place, Date: cert.Date, Electronic: true, SignedLabel: b.l.ElectronicSigned}}})
	if len(cert.Summary) > 0 {
		lines := append([]string{}, cert.Summary...)
		if cert.VerifyURL != "" {
			lines = append(lines, "Kontrollera äktheten: "+cert.VerifyURL)
		}
		b.add(Note{Text: []typeset.Span{{Text: strings.Join(lines, "\n"), Style: typeset.NoHyphen}}})
	}
}
