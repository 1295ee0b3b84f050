package extract

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SyntaxError reports input that is not well-formed JSON (HTTP 400).
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("extract: malformed JSON at byte %d: %s", e.Offset, e.Msg)
}

// Decode reads one extract from JSON, brings its text to one spelling
// (NFC, "\n" line breaks, no invisible characters: see normalizeText) and
// validates it. It returns a
// *SyntaxError for malformed JSON and a ValidationError, with field paths,
// for JSON that breaks a rule (wrong types and unknown fields included).
func Decode(r io.Reader, lim Limits) (*Extract, error) {
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var x Extract
	if err := dec.Decode(&x); err != nil {
		return nil, decodeError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &SyntaxError{Offset: dec.InputOffset(), Msg: "data efter JSON-dokumentets slut"}
	}
	if x.Source != nil {
		return nil, errSourceGiven
	}
	x.normalizeText()
	x.Justering.resolve(lim.Today)
	if err := x.Validate(lim); err != nil {
		return nil, err
	}
	return &x, nil
}

// errSourceGiven refuses an input that names the protocol it was taken
// from: only the service, making an extract from a stored protocol, says
// so.
var errSourceGiven = ValidationError{{Field: "source", Rule: "readOnly",
	Message: "källan (source) sätts av tjänsten när ett utdrag tas ur ett lagrat protokoll"}}

func decodeError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &SyntaxError{Offset: syn.Offset, Msg: syn.Error()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &SyntaxError{Msg: "JSON-dokumentet är tomt eller avbrutet"}
	case errors.As(err, &typ):
		field := pathAtOffset(data, typ.Offset)
		if field == "" {
			field = "$"
		}
		return ValidationError{{Field: field, Rule: "type",
			Message: fmt.Sprintf("fel typ: %s väntades, fick %s", jsonType(typ.Type.Kind().String()), typ.Value)}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		field := pathOfKey(data, name)
		if field == "" {
			field = name
		}
		return ValidationError{{Field: field, Rule: "unknownField",
			Message: fmt.Sprintf("okänt fält %q", name)}}
	case strings.HasPrefix(err.Error(), "json: "), strings.HasPrefix(err.Error(), "invalid character"):
		return &SyntaxError{Msg: err.Error()}
	default:
		return fmt.Errorf("extract: reading input: %w", err)
	}
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "float64":
		return "ett tal"
	case "string":
		return "en text"
	case "bool":
		return "sant eller falskt"
	case "slice":
		return "en lista"
	case "struct", "map":
		return "ett objekt"
	}
	return kind
}

// ID is the extract's identity: a digest of its canonical JSON and the
// template version it is rendered with. The identical extract posted twice
// gets the same ID; a new template version gives a new one.
func (x *Extract) ID(templateID string) string {
	sum := sha256.Sum256(append(x.Canonical(), templateID...))
	return hex.EncodeToString(sum[:12])
}

// Canonical is the extract as canonical JSON: its fields in a fixed
// order, without HTML escapes, ending with a newline. It is what the ID is
// computed from and what a PDF/A-3 rendition carries as its source.
func (x *Extract) Canonical() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(x) // an Extract always encodes
	return buf.Bytes()
}

// CaseNumbers lists the paragraphs' case numbers, in order, without repeats.
func (x *Extract) CaseNumbers() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range x.Paragraphs {
		if !seen[p.CaseNumber] {
			seen[p.CaseNumber] = true
			out = append(out, p.CaseNumber)
		}
	}
	return out
}

// Numbers lists the paragraph numbers.
func (x *Extract) Numbers() []int {
	out := make([]int, len(x.Paragraphs))
	for i, p := range x.Paragraphs {
		out[i] = p.Number
	}
	return out
}
