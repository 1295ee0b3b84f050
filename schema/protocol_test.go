package schema_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"utdrag/anslag"
	"utdrag/extract"
	"utdrag/schema"
)

// TestProtocolSchemaRepeatsTheExtracts: the protocol schema's shared
// properties and definitions are the extract schema's, unchanged (but the
// number of paragraphs a protocol may hold).
func TestProtocolSchemaRepeatsTheExtracts(t *testing.T) {
	type doc struct {
		Properties map[string]map[string]any `json:"properties"`
		Defs       map[string]any            `json:"$defs"`
	}
	var x, p doc
	if err := json.Unmarshal(schema.Extract, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(schema.Protocol, &p); err != nil {
		t.Fatal(err)
	}
	for name, want := range x.Properties {
		got := p.Properties[name]
		if name == "paragraphs" {
			got, want = without(got, "maxItems"), without(want, "maxItems")
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("property %s differs from the extract schema's", name)
		}
	}
	for name, want := range x.Defs {
		if !reflect.DeepEqual(p.Defs[name], want) {
			t.Errorf("definition %s differs from the extract schema's", name)
		}
	}
	if got := p.Properties["paragraphs"]["maxItems"]; got != float64(extract.MaxProtocolParagraphs) {
		t.Errorf("schema allows %v paragraphs, the validation %d", got, extract.MaxProtocolParagraphs)
	}
}

func without(m map[string]any, key string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// protocolMutations break one rule the schema states; the validation
// names the same field.
var protocolMutations = []mutation{
	{"no members", "members", func(d map[string]any) { delete(d, "members") }},
	{"empty members", "members", func(d map[string]any) { d["members"] = []any{} }},
	{"member without name", "members[0].name", func(d map[string]any) {
		delete(d["members"].([]any)[0].(map[string]any), "name")
	}},
	{"for without substitute", "members[3].for", func(d map[string]any) {
		d["members"].([]any)[3].(map[string]any)["for"] = "Birgitta Olsson (S)"
	}},
	{"unknown attendee field", "members[0].role", func(d map[string]any) {
		d["members"].([]any)[0].(map[string]any)["role"] = "ledamot"
	}},
	{"anslag without keptAt", "anslag.keptAt", func(d map[string]any) { delete(d["anslag"].(map[string]any), "keptAt") }},
	{"anslag posted not a date", "anslag.posted", func(d map[string]any) { d["anslag"].(map[string]any)["posted"] = "30 maj" }},
	{"other without name", "others[0].name", func(d map[string]any) { d["others"] = []any{map[string]any{"title": "Kommunchef"}} }},
}

// protocolBeyondSchema break a rule only the validation checks.
var protocolBeyondSchema = []mutation{
	{"a gap in the paragraphs", "paragraphs[1].number", func(d map[string]any) {
		ps := d["paragraphs"].([]any)
		for i := 1; i < len(ps); i++ {
			ps[i].(map[string]any)["number"] = float64(45 + i)
		}
	}},
	{"posted three days after the justering", "anslag.posted", func(d map[string]any) {
		d["anslag"].(map[string]any)["posted"] = "2025-06-02"
	}},
	{"taken down on the last appeal day", "anslag.takeDown", func(d map[string]any) {
		d["anslag"].(map[string]any)["takeDown"] = "2025-06-23"
	}},
	{"posted before a pending justering", "anslag", func(d map[string]any) {
		d["justering"].(map[string]any)["state"] = "pending"
	}},
}

func protocolExample(t *testing.T) (string, []byte) {
	t.Helper()
	names, err := filepath.Glob("../examples/protocols/*.json")
	if err != nil || len(names) == 0 {
		t.Fatalf("protocol examples: %v %v", names, err)
	}
	raw, err := os.ReadFile(names[0])
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(names[0]), raw
}

func protocolVerdict(t *testing.T, raw []byte, field string) (valid, named bool, verr extract.ValidationError) {
	t.Helper()
	_, err := extract.DecodeProtocol(bytes.NewReader(raw), extract.Limits{}, anslag.NewCalendar())
	return verdict(t, err, field)
}

// TestProtocolSchemaAndValidationAgree: the Go schema validator, ajv and
// the service's validation give the same verdicts on the example
// protocols and on each broken one; the rules beyond the schema are
// refused by the validation alone, naming the field.
func TestProtocolSchemaAndValidationAgree(t *testing.T) {
	sd, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.Protocol))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("protocol.schema.json", sd); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("protocol.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	name, raw := protocolExample(t)
	type input struct {
		name, field string
		raw         []byte
		schemaValid bool
	}
	in := []input{{name: name, raw: raw, schemaValid: true}}
	for _, m := range protocolMutations {
		in = append(in, input{name: m.name, field: m.field, raw: applied(t, raw, m)})
	}
	for _, m := range protocolBeyondSchema {
		in = append(in, input{name: m.name, field: m.field, raw: applied(t, raw, m), schemaValid: true})
	}
	docs := make([]json.RawMessage, len(in))
	for i, c := range in {
		docs[i] = c.raw
		inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(c.raw))
		if err := s.Validate(inst); (err == nil) != c.schemaValid {
			t.Errorf("%s: schema says %v, want valid %v", c.name, err, c.schemaValid)
		}
		valid, named, verr := protocolVerdict(t, c.raw, c.field)
		if valid != (c.field == "") || (c.field != "" && !named) {
			t.Errorf("%s: validation %v, want it to name %q", c.name, verr, c.field)
		}
	}
	for i, v := range ajvWith(t, schema.Protocol, docs) {
		if v.Valid != in[i].schemaValid || v.PlainValid != v.Valid {
			t.Errorf("%s: ajv says valid %v (plain %v), want %v %v", in[i].name, v.Valid, v.PlainValid, in[i].schemaValid, v.Errors)
		}
	}
}
