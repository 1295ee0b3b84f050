package extract

// Paragraph justering states, as the record and the API show them.
const (
	// StatePending: not yet justerad. An extract holding such a paragraph
	// is a draft: it may be read, never certified or distributed.
	StatePending = "pending"
	// StateAdjusted: justerad with the protocol, on Date.
	StateAdjusted = "adjusted"
	// StateImmediate: declared omedelbart justerad at the meeting (Date is
	// the meeting's).
	StateImmediate = "immediate"
)

// ParagraphJustering is where one paragraph stands.
type ParagraphJustering struct {
	Number int    `json:"number"`
	State  string `json:"state"`
	// Date the paragraph was justerad or, while pending, the day set for
	// the justering; empty when no day is set.
	Date string `json:"date,omitempty"`
}

// state is the protocol's justering state: as the input or Decode set it;
// for an extract made in code without one, adjusted when a date is given.
func (j Justering) state() string {
	switch {
	case j.State != "":
		return j.State
	case j.Date != "":
		return JusteringAdjusted
	}
	return JusteringPending
}

// Adjusted reports whether the protocol is justerat.
func (j Justering) Adjusted() bool { return j.state() == JusteringAdjusted }

// resolve fills in a state the input left out, from the date: adjusted
// once the justering day has come (today, an ISO date; empty counts every
// date as come), pending while it lies ahead or no day is given. A stated
// state is kept: the case system knows whether the justerare have signed,
// the date alone does not.
func (j *Justering) resolve(today string) {
	if j.State != "" {
		return
	}
	j.State = JusteringPending
	if j.Date != "" && (today == "" || j.Date <= today) {
		j.State = JusteringAdjusted
	}
}

// JusteringOf tells where paragraph p of x stands.
func (x *Extract) JusteringOf(p *Paragraph) ParagraphJustering {
	switch {
	case p.ImmediatelyAdjusted:
		return ParagraphJustering{Number: p.Number, State: StateImmediate, Date: x.Meeting.Date}
	case x.Justering.Adjusted():
		return ParagraphJustering{Number: p.Number, State: StateAdjusted, Date: x.Justering.Date}
	}
	return ParagraphJustering{Number: p.Number, State: StatePending, Date: x.Justering.Date}
}

// Justerings lists where each paragraph stands, in order.
func (x *Extract) Justerings() []ParagraphJustering {
	out := make([]ParagraphJustering, len(x.Paragraphs))
	for i := range x.Paragraphs {
		out[i] = x.JusteringOf(&x.Paragraphs[i])
	}
	return out
}

// Unadjusted lists the paragraphs not yet justerade. An extract with any
// is a draft.
func (x *Extract) Unadjusted() []ParagraphJustering {
	var out []ParagraphJustering
	for i := range x.Paragraphs {
		if j := x.JusteringOf(&x.Paragraphs[i]); j.State == StatePending {
			out = append(out, j)
		}
	}
	return out
}
