package extract_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"utdrag/anslag"
	"utdrag/extract"
)

func exampleProtocol(t *testing.T) (*extract.Protocol, map[string]any) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "protocols", "ragunda-ks-44-57-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := extract.DecodeProtocol(bytes.NewReader(raw), extract.Limits{}, anslag.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return p, doc
}

// independentExtract is the extract of paragraph i of the protocol document
// as a case-management system would post it on its own: keys in another
// order, indented, its text in decomposed Unicode; edit may change the
// paragraph first.
func independentExtract(t *testing.T, doc map[string]any, i int, edit func(par map[string]any)) *extract.Extract {
	t.Helper()
	par := doc["paragraphs"].([]any)[i].(map[string]any)
	var clone map[string]any
	b, _ := json.Marshal(par)
	json.Unmarshal(b, &clone)
	if edit != nil {
		edit(clone)
	}
	x := map[string]any{"paragraphs": []any{clone}}
	for _, k := range []string{"organisation", "organ", "meeting", "justering", "chair", "secretary"} {
		x[k] = doc[k]
	}
	raw, err := json.MarshalIndent(x, "", "   ") // map keys come sorted: another order than the type's
	if err != nil {
		t.Fatal(err)
	}
	got, err := extract.Decode(bytes.NewReader(norm.NFD.Bytes(raw)), extract.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestParagraphDigestAgreesAcrossInputs(t *testing.T) {
	p, doc := exampleProtocol(t)
	seen := map[string]int{}
	for i := range p.Paragraphs {
		par := &p.Paragraphs[i]
		d := par.Digest()
		if !strings.HasPrefix(d, "sha256:") || len(d) != len("sha256:")+64 {
			t.Fatalf("§ %d: digest %q is not sha256:<64 hex digits>", par.Number, d)
		}
		if n, dup := seen[d]; dup {
			t.Errorf("§ %d and § %d have the same digest", n, par.Number)
		}
		seen[d] = par.Number
		x := independentExtract(t, doc, i, nil)
		if got := x.Paragraphs[0].Digest(); got != d {
			t.Errorf("§ %d posted on its own: digest %s, in the protocol %s", par.Number, got, d)
		}
	}
}

func TestParagraphDigestChangesWithOneWord(t *testing.T) {
	p, doc := exampleProtocol(t)
	for i := range p.Paragraphs {
		want := p.Paragraphs[i].Digest()
		x := independentExtract(t, doc, i, func(par map[string]any) {
			w := strings.Fields(par["title"].(string))
			w[len(w)-1] = "ändrat"
			par["title"] = strings.Join(w, " ")
		})
		if got := x.Paragraphs[0].Digest(); got == want {
			t.Errorf("§ %d with a changed title keeps the digest %s", p.Paragraphs[i].Number, got)
		}
		x = independentExtract(t, doc, i, func(par map[string]any) {
			dec := par["decision"].([]any)
			if s, ok := dec[0].(string); ok {
				w := strings.Fields(s)
				w[len(w)/2] = "ej"
				dec[0] = strings.Join(w, " ")
			} else {
				dec = append(dec, "Ytterligare ett ord.")
				par["decision"] = dec
			}
		})
		if got := x.Paragraphs[0].Digest(); got == want {
			t.Errorf("§ %d with a changed decision keeps the digest %s", p.Paragraphs[i].Number, got)
		}
	}
}

// TestCanonicalParagraph checks the documented form: compact JSON without
// a final newline or HTML escapes that reads back as the same paragraph,
// and the digest is the SHA-256 of the domain line and those bytes.
func TestCanonicalParagraph(t *testing.T) {
	p, _ := exampleProtocol(t)
	for i := range p.Paragraphs {
		par := &p.Paragraphs[i]
		c := extract.CanonicalParagraph(par)
		var compact bytes.Buffer
		if err := json.Compact(&compact, c); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(compact.Bytes(), c) {
			t.Errorf("§ %d: canonical form is not compact JSON", par.Number)
		}
		if bytes.Contains(c, []byte(`\u00`)) || bytes.Contains(c, []byte(`\u003c`)) {
			t.Errorf("§ %d: canonical form escapes characters", par.Number)
		}
		var back extract.Paragraph
		if err := json.Unmarshal(c, &back); err != nil || !reflect.DeepEqual(&back, par) {
			t.Errorf("§ %d: canonical form does not read back as the paragraph (%v)", par.Number, err)
		}
		sum := sha256.Sum256(append([]byte("utdrag-paragraph-v1\n"), c...))
		if want := "sha256:" + hex.EncodeToString(sum[:]); par.Digest() != want {
			t.Errorf("§ %d: digest %s, want %s", par.Number, par.Digest(), want)
		}
	}
}

func TestFromProtocol(t *testing.T) {
	p, _ := exampleProtocol(t)
	first, last := p.Paragraphs[0].Number, p.Paragraphs[len(p.Paragraphs)-1].Number
	x, err := extract.FromProtocol(p, "0123456789abcdef01234567", []int{last, first})
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Numbers(); !reflect.DeepEqual(got, []int{first, last}) {
		t.Fatalf("paragraphs %v, want %v", got, []int{first, last})
	}
	if err := x.Validate(extract.Limits{}); err != nil {
		t.Fatalf("the extract taken from the protocol is invalid: %v", err)
	}
	if x.Source == nil || x.Source.Protocol != "0123456789abcdef01234567" || len(x.Source.Paragraphs) != 2 {
		t.Fatalf("source %+v", x.Source)
	}
	for i, d := range x.Source.Paragraphs {
		par, _ := p.Paragraph(d.Number)
		if d.Digest != par.Digest() || !reflect.DeepEqual(&x.Paragraphs[i], par) {
			t.Errorf("§ %d differs from the protocol", d.Number)
		}
	}
	if x.Organ != p.Organ || x.Meeting != p.Meeting || !reflect.DeepEqual(x.Justering, p.Justering) {
		t.Error("the extract's meeting or justering differs from the protocol's")
	}
	kw := x.Source.Keywords()
	if !strings.HasPrefix(kw, "protokoll 0123456789abcdef01234567, § ") || !strings.Contains(kw, x.Source.Paragraphs[1].Digest) {
		t.Errorf("keywords %q", kw)
	}

	for _, bad := range [][]int{nil, {first, first}, {last + 1}} {
		_, err := extract.FromProtocol(p, "x", bad)
		var ve extract.ValidationError
		if !errors.As(err, &ve) || ve[0].Field != "paragraphs" {
			t.Errorf("numbers %v: error %v, want a ValidationError on paragraphs", bad, err)
		}
	}
}

func TestSourceIsNotTakenFromInput(t *testing.T) {
	_, doc := exampleProtocol(t)
	doc["source"] = map[string]any{"protocol": "x", "paragraphs": []any{}}
	raw, _ := json.Marshal(doc)
	_, err := extract.DecodeProtocol(bytes.NewReader(raw), extract.Limits{}, anslag.NewCalendar())
	var ve extract.ValidationError
	if !errors.As(err, &ve) || ve[0].Field != "source" || ve[0].Rule != "readOnly" {
		t.Fatalf("protocol with a source: %v", err)
	}
	delete(doc, "members")
	delete(doc, "others")
	delete(doc, "anslag")
	raw, _ = json.Marshal(doc)
	_, err = extract.Decode(bytes.NewReader(raw), extract.Limits{})
	if !errors.As(err, &ve) || ve[0].Field != "source" {
		t.Fatalf("extract with a source: %v", err)
	}
}
