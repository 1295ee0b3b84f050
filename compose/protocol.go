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
	Substitute        string // "tjänstgörande ersättare för %s"
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
		Substitute:        "tjänstgörande ersättare för %s",
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
// and pl: the front page (Plats och tid, Beslutande, Övriga närvarande,
// Utses att justera, Justeringens plats och tid, Underskrifter with the
// paragraph range, the anslagsbevis, the list of paragraphs), then every
// paragraph as an extract sets it. notice is the anslag with its dates,
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
	b.contentsList(pl)
	for i := range x.Paragraphs {
		if i == 0 || t.Page.ParagraphPerPage {
			b.add(PageBreak{})
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

// lines sets labelled lines of the front page: a level-2 heading, then
// one line each, ragged right.
func (b *builder) lines(label string, ls []string) {
	if len(ls) == 0 {
		return
	}
	b.heading(2, label)
	b.add(Paragraph{Text: []typeset.Span{{Text: b.normalize(strings.Join(ls, "\n")), Style: typeset.NoHyphen}}, Plain: true})
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
	adjusters := make([]string, len(p.Justering.Adjusters))
	for i, a := range p.Justering.Adjusters {
		adjusters[i] = personName(a)
	}
	b.lines(pl.Adjusters, []string{strings.Join(adjusters, ", ")})
	j := p.Justering
	if where := strings.TrimSpace(strings.Join(nonEmpty(j.Place, j.Date), ", ")); where != "" {
		b.lines(b.l.Adjustment, []string{where})
	}
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
	b.add(Paragraph{Text: b.plain(pl.NoticeText)})
	rows := []string{
		pl.Organ + ": " + b.x.Organ,
		b.l.MeetingDate + ": " + b.x.Meeting.Date,
		pl.PostedOn + ": " + n.Posted,
		pl.TakenDownOn + ": " + n.TakeDown,
		pl.LastAppealDay + ": " + n.LastAppealDay,
		pl.KeptAt + ": " + a.KeptAt,
	}
	b.add(Paragraph{Text: []typeset.Span{{Text: b.normalize(strings.Join(rows, "\n")), Style: typeset.NoHyphen}}, Plain: true})
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
