package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	{"date that does not exist", "meeting.date", func(d map[string]any) { d["meeting"].(map[string]any)["date"] = "2024-02-30" }},
	{"justering date that does not exist", "justering.date", func(d map[string]any) { d["justering"].(map[string]any)["date"] = "2023-11-31" }},
	{"unknown justering state", "justering.state", func(d map[string]any) { d["justering"].(map[string]any)["state"] = "klart" }},
	{"party in lower case", "chair.party", func(d map[string]any) { d["chair"].(map[string]any)["party"] = "c" }},
	{"ground that is no legal reference", "paragraphs[0].decision[0].text[1].confidential", func(d map[string]any) {
		para(d)["decision"] = []any{markedSpan("Kim Svensson", "sekretess")}
	}},
	{"ground with a double space", "paragraphs[0].decision[0].text[1].confidential", func(d map[string]any) {
		para(d)["decision"] = []any{markedSpan("Kim Svensson", "OSL  26 kap. 1 §")}
	}},
	{"ground of a section without its section sign", "paragraphs[0].sections[0].confidential", func(d map[string]any) {
		para(d)["sections"].([]any)[0].(map[string]any)["confidential"] = "OSL 26 kap. 1"
	}},
	{"ground of a list item in lower case", "paragraphs[0].decision[0].items[0][0].confidential", func(d map[string]any) {
		para(d)["decision"].([]any)[0].(map[string]any)["items"].([]any)[0] = map[string]any{"text": "Hemlig punkt", "confidential": "osl 26 kap. 1 §"}
	}},
	{"ground of a paragraph as a chapter and section pair", "paragraphs[0].confidential", func(d map[string]any) { para(d)["confidential"] = "OSL 26:1" }},
	{"ground of a ballot of another type", "paragraphs[0].votes[0].ballots[0].confidential", func(d map[string]any) {
		v := rollCall("Styrelsen beslutar enligt förslaget.", "")
		v["ballots"].([]any)[0].(map[string]any)["confidential"] = true
		para(d)["votes"] = []any{v}
	}},
	{"withheld in the input", "paragraphs[0].decision[0].text[0].withheld", func(d map[string]any) {
		sp := map[string]any{"text": "[Uppgift borttagen]", "withheld": "OSL 26 kap. 1 §"}
		para(d)["decision"] = []any{map[string]any{"type": "paragraph", "text": []any{sp}}}
	}},
	{"misspelt confidential", "paragraphs[0].decision[0].text[0].confidental", func(d map[string]any) {
		sp := map[string]any{"text": "Kim Svensson", "confidental": "OSL 26 kap. 1 §"}
		para(d)["decision"] = []any{map[string]any{"type": "paragraph", "text": []any{sp}}}
	}},
	{"public identity number of another shape", "publicIdentityNumbers[0]", func(d map[string]any) { d["publicIdentityNumbers"] = []any{"12-34"} }},
}

// markedSpan is a paragraph block of one span marked confidential on
// ground.
func markedSpan(text, ground string) map[string]any {
	return map[string]any{"type": "paragraph", "text": []any{map[string]any{"text": "Beslut om "}, map[string]any{"text": text, "confidential": ground}}}
}

// beyondSchema are inputs of the right shape that break a rule only the
// service checks (the schema's description names them): the schema
// accepts them, the validation refuses them at field.
var beyondSchema = []mutation{
	{"counts in the outcome disagree with the ballots", "paragraphs[0].votes[0].outcome", func(d map[string]any) {
		para(d)["votes"] = []any{rollCall("Med 9 ja-röster mot 4 nej-röster, 1 avstår, beslutar styrelsen enligt förslaget.", "")}
	}},
	{"member called twice", "paragraphs[0].votes[0].ballots[14].member", func(d map[string]any) {
		v := rollCall("Styrelsen beslutar enligt förslaget.", "")
		v["ballots"] = append(v["ballots"].([]any), map[string]any{"member": map[string]any{"name": "Ledamot 2", "party": "S"}, "vote": "ja"})
		para(d)["votes"] = []any{v}
	}},
	{"member with jäv votes", "paragraphs[0].votes[0].ballots[13].vote", func(d map[string]any) {
		para(d)["disqualifications"] = []any{map[string]any{"member": map[string]any{"name": "Ledamot 14", "party": "S"}}}
		para(d)["votes"] = []any{rollCall("Med 8 ja-röster mot 5 nej-röster, 1 avstår, beslutar styrelsen enligt förslaget.", "")}
	}},
	{"justering before the meeting", "justering.date", func(d map[string]any) { d["justering"].(map[string]any)["date"] = "2023-10-05" }},
	{"paragraphs out of order", "paragraphs[1].number", func(d map[string]any) {
		second := map[string]any{}
		for k, v := range para(d) {
			second[k] = v
		}
		second["number"] = 156
		d["paragraphs"] = append(d["paragraphs"].([]any), second)
	}},
	{"justerat without justerare", "justering.adjusters", func(d map[string]any) { delete(d["justering"].(map[string]any), "adjusters") }},
	{"section of OSL without its chapter", "paragraphs[0].decision[0].text[1].confidential", func(d map[string]any) {
		para(d)["decision"] = []any{markedSpan("Kim Svensson", "OSL 1 §")}
	}},
	{"chapter OSL does not have", "paragraphs[0].confidential", func(d map[string]any) { para(d)["confidential"] = "OSL 45 kap. 1 §" }},
	{"personnummer not marked", "paragraphs[0].decision[0].text[0].text", func(d map[string]any) {
		para(d)["decision"] = []any{"Beslut om 19121212-1212."}
	}},
	{"public identity number with a wrong check digit", "publicIdentityNumbers[0]", func(d map[string]any) { d["publicIdentityNumbers"] = []any{"121212-1213"} }},
	{"marked span without text", "paragraphs[0].decision[0].text[1].text", func(d map[string]any) {
		para(d)["decision"] = []any{markedSpan(" ", "OSL 26 kap. 1 §")}
	}},
	{"marked name unmarked elsewhere", "paragraphs[0].title", func(d map[string]any) {
		para(d)["decision"] = []any{markedSpan("Kim Svensson", "OSL 26 kap. 1 §")}
		para(d)["title"] = "Vård för Kim Svensson"
	}},
}

// rollCall is a vote of fourteen members, 8 ja, 5 nej and 1 avstår (the
// last called); last replaces the last one's vote when not empty.
func rollCall(outcome, last string) map[string]any {
	var ballots []any
	for i, v := range strings.Split("ja ja ja ja ja ja ja ja nej nej nej nej nej avstår", " ") {
		if i == 13 && last != "" {
			v = last
		}
		ballots = append(ballots, map[string]any{"member": map[string]any{"name": fmt.Sprintf("Ledamot %d", i+1), "party": "S"}, "vote": v})
	}
	return map[string]any{"proposition": "Ja för förslaget, nej för avslag.", "ballots": ballots, "outcome": outcome}
}

// examples are the example inputs, every one valid.
func examples(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("../examples/*.json")
	if err != nil || len(names) < 3 {
		t.Fatalf("examples: %v %v", names, err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// mutated is rs-157 with m applied.
func mutated(t *testing.T, m mutation) []byte {
	t.Helper()
	return applied(t, load(t, "rs-157-2023.json"), m)
}

// applied is the JSON document raw with m applied.
func applied(t *testing.T, raw []byte, m mutation) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	m.apply(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// goVerdict decodes raw and reports whether the validation names field.
func goVerdict(t *testing.T, raw []byte, field string) (valid, named bool, verr extract.ValidationError) {
	t.Helper()
	_, err := extract.Decode(bytes.NewReader(raw), extract.Limits{})
	return verdict(t, err, field)
}

// verdict reports whether err, a decoder's answer, accepts the input or
// else is a ValidationError naming field; any other error fails the test.
func verdict(t *testing.T, err error, field string) (valid, named bool, verr extract.ValidationError) {
	t.Helper()
	if err == nil {
		return true, false, nil
	}
	if !errors.As(err, &verr) {
		t.Fatalf("validation: got %v, want a ValidationError", err)
	}
	for _, fe := range verr {
		named = named || fe.Field == field
	}
	return false, named, verr
}

func load(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestGroundPatternShared: the schema's pattern of a legal ground is the
// validation's.
func TestGroundPatternShared(t *testing.T) {
	var doc struct {
		Defs map[string]struct {
			Pattern string `json:"pattern"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.Extract, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Defs["ground"].Pattern; got != extract.GroundPattern {
		t.Errorf("schema's ground pattern\n%s\nis not the validation's\n%s", got, extract.GroundPattern)
	}
}

func TestSchemaAndValidationAgreeOnValid(t *testing.T) {
	s := compile(t)
	for _, name := range examples(t) {
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
			raw := mutated(t, m)
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err := s.Validate(inst); err == nil {
				t.Errorf("schema accepts it")
			}
			if valid, named, verr := goVerdict(t, raw, m.field); valid || !named {
				t.Errorf("validation errors %v do not name %s", verr, m.field)
			}
		})
	}
}

func TestRulesBeyondTheSchema(t *testing.T) {
	s := compile(t)
	for _, m := range beyondSchema {
		t.Run(m.name, func(t *testing.T) {
			raw := mutated(t, m)
			inst, _ := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err := s.Validate(inst); err != nil {
				t.Errorf("schema refuses a well-formed input: %v", err)
			}
			if valid, named, verr := goVerdict(t, raw, m.field); valid || !named {
				t.Errorf("validation errors %v do not name %s", verr, m.field)
			}
		})
	}
}
