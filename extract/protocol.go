package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"

	"utdrag/anslag"
)

// Protocol is the whole protocol of one meeting: every paragraph, in
// order and without gaps, with the front page's attendance and the
// anslag (the notice of the justering on the notice board).
//
// In JSON it is an extract's fields with three more: members, others and
// anslag. The extract's rules hold for it all the same.
type Protocol struct {
	Extract
	// Members are the beslutande: the members present and the
	// substitutes serving (tjänstgörande ersättare), in the order the
	// protocol lists them.
	Members []Attendee `json:"members"`
	// Others are the övriga närvarande: officials with their titles,
	// substitutes not serving.
	Others []Person `json:"others,omitempty"`
	// Anslag records the notice of the justering; absent while the
	// protocol is not yet posted.
	Anslag *Anslag `json:"anslag,omitempty"`
}

// Attendee is one of the beslutande.
type Attendee struct {
	Person
	// Substitute marks a serving substitute (tjänstgörande ersättare);
	// For is the member whose place they take.
	Substitute bool   `json:"substitute,omitempty"`
	For        string `json:"for,omitempty"`
}

// Anslag is the notice of the justering: the day it went up, the day it
// is taken down (empty: the first day the law allows) and where the
// protocol is kept.
type Anslag struct {
	Posted   string  `json:"posted"`
	TakeDown string  `json:"takeDown,omitempty"`
	KeptAt   string  `json:"keptAt"`
	PostedBy *Person `json:"postedBy,omitempty"`
}

// MaxProtocolParagraphs bounds the paragraphs of one protocol.
const MaxProtocolParagraphs = 400

// DecodeProtocol reads one protocol from JSON as Decode reads an extract:
// text brought to one spelling, a *SyntaxError for malformed JSON, a
// ValidationError with field paths for a broken rule. cal decides the
// anslag's dates.
func DecodeProtocol(r io.Reader, lim Limits, cal *anslag.Calendar) (*Protocol, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Protocol
	if err := dec.Decode(&p); err != nil {
		return nil, decodeError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &SyntaxError{Offset: dec.InputOffset(), Msg: "data efter JSON-dokumentets slut"}
	}
	if p.Source != nil {
		return nil, errSourceGiven
	}
	walkStrings(reflect.ValueOf(&p).Elem(), cleanText)
	p.Justering.resolve(lim.Today)
	if err := p.Validate(lim, cal); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate checks the protocol: the rules of an extract, then those of
// the whole protocol (members present, paragraphs without gaps, justerare
// appointed, an anslag only on a justerat protocol and on the days the law
// gives).
func (p *Protocol) Validate(lim Limits, cal *anslag.Calendar) error {
	if lim.MaxParagraphs < MaxProtocolParagraphs {
		if lim.MaxText == 0 && lim.MaxItems == 0 {
			lim.MaxText, lim.MaxItems = DefaultLimits.MaxText, DefaultLimits.MaxItems
		}
		lim.MaxParagraphs = MaxProtocolParagraphs
	}
	v := &validator{lim: lim}
	v.extract(&p.Extract)
	if len(p.Members) == 0 {
		v.add("members", "minItems", "protokollet anger de beslutande")
	}
	v.count("members", len(p.Members))
	for i, m := range p.Members {
		path := fmt.Sprintf("members[%d]", i)
		v.person(path, m.Person)
		v.optionalText(path+".for", m.For, 200)
		if m.For != "" && !m.Substitute {
			v.add(path+".for", "dependentRequired", "bara en tjänstgörande ersättare (substitute) ersätter en ledamot")
		}
	}
	v.people("others", p.Others, false)
	for i := 1; i < len(p.Paragraphs); i++ {
		if prev, n := p.Paragraphs[i-1].Number, p.Paragraphs[i].Number; n > prev && n != prev+1 {
			v.add(fmt.Sprintf("paragraphs[%d].number", i), "consecutive",
				fmt.Sprintf("§ %d följer på § %d: protokollets paragrafer följer på varandra utan lucka", n, prev))
		}
	}
	if len(p.Justering.Adjusters) == 0 {
		v.add("justering.adjusters", "minItems", "protokollet anger vilka som utses att justera")
	}
	if a := p.Anslag; a != nil {
		v.requiredText("anslag.keptAt", a.KeptAt, 200)
		if a.PostedBy != nil {
			v.person("anslag.postedBy", *a.PostedBy)
		}
		postedOK := v.date("anslag.posted", a.Posted, true)
		takeDownOK := a.TakeDown == "" || v.date("anslag.takeDown", a.TakeDown, false)
		switch {
		case p.Justering.state() != JusteringAdjusted:
			v.add("anslag", "justering", "bara ett justerat protokoll anslås")
		case postedOK && takeDownOK && p.Justering.Date != "":
			if _, err := cal.Notice(p.Justering.Date, a.Posted, a.TakeDown); err != nil {
				var e *anslag.Error
				if errors.As(err, &e) {
					v.add("anslag."+e.Field, "anslag", e.Rule)
				} else {
					v.add("anslag", "anslag", err.Error())
				}
			}
		}
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

// Notice is the anslag with the dates that follow from it; ok is false
// while the protocol is not posted.
func (p *Protocol) Notice(cal *anslag.Calendar) (n anslag.Notice, ok bool, err error) {
	if p.Anslag == nil {
		return anslag.Notice{}, false, nil
	}
	n, err = cal.Notice(p.Justering.Date, p.Anslag.Posted, p.Anslag.TakeDown)
	if err != nil {
		return anslag.Notice{}, false, fmt.Errorf("extract: computing the anslag: %w", err)
	}
	return n, true, nil
}

// Paragraph returns the paragraph numbered n.
func (p *Protocol) Paragraph(n int) (*Paragraph, bool) {
	for i := range p.Paragraphs {
		if p.Paragraphs[i].Number == n {
			return &p.Paragraphs[i], true
		}
	}
	return nil, false
}

// Canonical is the protocol as canonical JSON, as Extract.Canonical: what
// its ID is computed from and what a PDF/A-3 rendition carries.
func (p *Protocol) Canonical() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p) // a Protocol always encodes
	return buf.Bytes()
}
