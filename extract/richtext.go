package extract

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Span is a run of text with marks. Deleted and Inserted are amendment
// marks: words a motion strikes out of, or adds to, the proposal.
type Span struct {
	Text     string `json:"text"`
	Bold     bool   `json:"bold,omitempty"`
	Italic   bool   `json:"italic,omitempty"`
	Deleted  bool   `json:"deleted,omitempty"`
	Inserted bool   `json:"inserted,omitempty"`
	// Confidential is the legal ground on which the text is secret: "OSL
	// 26 kap. 1 §".
	Confidential string `json:"confidential,omitempty"`
	// Withheld, in a public copy only, is the ground on which the text was
	// removed; Text is then the placeholder that says so.
	Withheld string `json:"withheld,omitempty"`
	// Lang is the language of the span's text when it is not the
	// document's (a BCP 47 tag: "se" for a North Sami name, "en" for an
	// English project name), so that a screen reader speaks it so.
	Lang string `json:"lang,omitempty"`
}

// RichText is text with inline marks. In JSON it is a plain string, one
// span, or an array of spans.
type RichText []Span

// UnmarshalJSON accepts a string, a span or an array of spans.
func (r *RichText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = RichText{{Text: s}}
		return nil
	}
	if len(b) > 0 && b[0] == '{' {
		var sp Span
		if err := strictUnmarshal(b, &sp); err != nil {
			return err
		}
		*r = RichText{sp}
		return nil
	}
	var spans []Span
	if err := strictUnmarshal(b, &spans); err != nil {
		return err
	}
	*r = spans
	return nil
}

// MarshalJSON writes plain text as a string.
func (r RichText) MarshalJSON() ([]byte, error) {
	if len(r) == 1 && r[0] == (Span{Text: r[0].Text}) {
		return json.Marshal(r[0].Text)
	}
	return json.Marshal([]Span(r))
}

// Plain returns the text without marks.
func (r RichText) Plain() string {
	var b strings.Builder
	for _, s := range r {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Text makes plain rich text.
func Text(s string) RichText { return RichText{{Text: s}} }

// UnmarshalJSON accepts a plain string as a paragraph block.
func (b *Block) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*b = Block{Type: BlockParagraph, Text: Text(s)}
		return nil
	}
	type plain Block
	var p plain
	if err := strictUnmarshal(data, &p); err != nil {
		return err
	}
	*b = Block(p)
	return nil
}

// strictUnmarshal is json.Unmarshal refusing unknown fields, as Decode
// does: a decoder's setting does not reach into a type's own
// UnmarshalJSON, and a misspelt "confidential" must not pass unseen.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
