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

// stateOn is the protocol's justering state: as stated (by the input, or
// by Decode); else, for an extract made in code or kept from before states
// were stated, adjusted once the justering date has come (today, an ISO
// date; empty counts every date as come), pending while it lies ahead or
// no date is given. A stated state wins: the case system knows whether the
// justerare have signed, a date alone does not.
func (j Justering) stateOn(today string) string {
	switch {
	case j.State != "":
		return j.State
	case j.Date != "" && (today == "" || j.Date <= today):
		return JusteringAdjusted
	}
	return JusteringPending
}

func (j Justering) state() string { return j.stateOn("") }

// Adjusted reports whether the protocol is justerat.
func (j Justering) Adjusted() bool { return j.state() == JusteringAdjusted }

// resolve states the state an input left out, as it stands today.
func (j *Justering) resolve(today string) { j.State = j.stateOn(today) }

// JusteringOn tells where each paragraph of x stands, in order; today
// decides a state x does not state (see stateOn).
func (x *Extract) JusteringOn(today string) []ParagraphJustering {
	state := x.Justering.stateOn(today)
	out := make([]ParagraphJustering, len(x.Paragraphs))
	for i, p := range x.Paragraphs {
		switch {
		case p.ImmediatelyAdjusted:
			out[i] = ParagraphJustering{Number: p.Number, State: StateImmediate, Date: x.Meeting.Date}
		case state == JusteringAdjusted:
			out[i] = ParagraphJustering{Number: p.Number, State: StateAdjusted, Date: x.Justering.Date}
		default:
			out[i] = ParagraphJustering{Number: p.Number, State: StatePending, Date: x.Justering.Date}
		}
	}
	return out
}

// Justerings tells where each paragraph stands, in order.
func (x *Extract) Justerings() []ParagraphJustering { return x.JusteringOn("") }

// Unadjusted lists the paragraphs not yet justerade. An extract with any
// is a draft.
func (x *Extract) Unadjusted() []ParagraphJustering { return Pending(x.Justerings()) }

// Pending picks the paragraphs not yet justerade.
func Pending(js []ParagraphJustering) []ParagraphJustering {
	var out []ParagraphJustering
	for _, j := range js {
		if j.State == StatePending {
			out = append(out, j)
		}
	}
	return out
}
