package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"utdrag/extract"
	"utdrag/schema"
)

func compile(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.Extract))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("extract.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("extract.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mutation changes a valid document so that exactly one rule breaks at
// field (the Go validation's path).
type mutation struct {
	name  string
	field string
	apply func(doc map[string]any)
}

func para(doc map[string]any) map[string]any {
	return doc["paragraphs"].([]any)[0].(map[string]any)
}

var mutations = []mutation{
	{"no case number", "paragraphs[0].caseNumber", func(d map[string]any) { delete(para(d), "caseNumber") }},
	{"blank case number", "paragraphs[0].caseNumber", func(d map[string]any) { para(d)["caseNumber"] = "  " }},
	{"no title", "paragraphs[0].title", func(d map[string]any) { delete(para(d), "title") }},
	{"no organ", "organ", func(d map[string]any) { delete(d, "organ") }},
	{"bad date", "meeting.date", func(d map[string]any) { d["meeting"].(map[string]any)["date"] = "2023-13-45" }},
	{"swedish date", "meeting.date", func(d map[string]any) { d["meeting"].(map[string]any)["date"] = "6 oktober 2023" }},
	{"no paragraphs", "paragraphs", func(d map[string]any) { d["paragraphs"] = []any{} }},
	{"number zero", "paragraphs[0].number", func(d map[string]any) { para(d)["number"] = 0 }},
	{"no decision", "paragraphs[0].decision", func(d map[string]any) { delete(para(d), "decision") }},
	{"empty decision", "paragraphs[0].decision", func(d map[string]any) { para(d)["decision"] = []any{} }},
	{"bad block type", "paragraphs[0].decision[0].type", func(d map[string]any) {
		para(d)["decision"] = []any{map[string]any{"type": "table", "items": []any{"x"}}}
	}},
	{"empty list", "paragraphs[0].decision[0].items", func(d map[string]any) {
		para(d)["decision"] = []any{map[string]any{"type": "numbered", "items": []any{}}}
	}},
	{"bad vote", "paragraphs[0].votes[0].ballots[0].vote", func(d map[string]any) {
		para(d)["votes"] = []any{map[string]any{"proposition": "Ja för förslaget", "outcome": "Förslaget antas",
			"ballots": []any{map[string]any{"member": map[string]any{"name": "Áile Jávo", "party": "S"}, "vote": "kanske"}}}}
	}},
	{"bad party", "paragraphs[0].motions[0].by.party", func(d map[string]any) {
		para(d)["motions"].([]any)[0].(map[string]any)["by"].(map[string]any)["party"] = "moderaterna!"
	}},
	{"reservation without members", "paragraphs[0].reservations[0].by", func(d map[string]any) {
		para(d)["reservations"].([]any)[0].(map[string]any)["by"] = []any{}
	}},
	{"bad organisation id", "organisation.id", func(d map[string]any) { d["organisation"].(map[string]any)["id"] = "Region JH" }},
	{"long organ", "organ", func(d map[string]any) { d["organ"] = strings.Repeat("x", 201) }},
	{"span both deleted and inserted", "paragraphs[0].motions[0].text[0]", func(d map[string]any) {
		para(d)["motions"].([]any)[0].(map[string]any)["text"] = []any{map[string]any{"text": "x", "deleted": true, "inserted": true}}
	}},
}

func load(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSchemaAndValidationAgreeOnValid(t *testing.T) {
	s := compile(t)
	for _, name := range []string{"rs-157-2023.json", "run-59-2022.json"} {
		raw := load(t, name)
		doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err := s.Validate(doc); err != nil {
			t.Errorf("%s: schema rejects a valid example: %v", name, err)
		}
		if _, err := extract.Decode(bytes.NewReader(raw), extract.Limits{}); err != nil {
			t.Errorf("%s: validation rejects a valid example: %v", name, err)
		}
	}
}

func TestSchemaAndValidationAgreeOnInvalid(t *testing.T) {
	s := compile(t)
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(load(t, "rs-157-2023.json"), &doc); err != nil {
				t.Fatal(err)
			}
			m.apply(doc)
			raw, _ := json.Marshal(doc)
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err := s.Validate(inst); err == nil {
				t.Errorf("schema accepts it")
			}
			_, err := extract.Decode(bytes.NewReader(raw), extract.Limits{})
			var verr extract.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("validation: got %v, want a ValidationError", err)
			}
			found := false
			for _, fe := range verr {
				found = found || fe.Field == m.field
			}
			if !found {
				t.Errorf("validation errors %v do not name %s", verr, m.field)
			}
		})
	}
}
