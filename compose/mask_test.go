package compose_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
	"utdrag/internal/secrettest"
)

// markAll marks every part of x that can be marked (every span, block,
// section and ballot; with paragraphs, every paragraph) on ground.
func markAll(x *extract.Extract, ground string, paragraphs bool) {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			if f := v.FieldByName("Confidential"); f.IsValid() && (paragraphs || v.Type() != reflect.TypeFor[extract.Paragraph]()) {
				f.SetString(ground)
			}
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(x))
}

func TestMaskLeavesNothingSecret(t *testing.T) {
	labels := exampletest.Template(t).Labels
	for _, name := range []string{"rs-157-2023.json", "storuman-kf-33-2026.json"} {
		for _, whole := range []bool{false, true} {
			x := exampletest.Load(t, name)
			markAll(x, "OSL 26 kap. 1 §", whole)
			before := x.Canonical()
			m := compose.Mask(x, labels)
			if !bytes.Equal(x.Canonical(), before) {
				t.Fatalf("%s: Mask changed its input", name)
			}
			if m.Marked() || !m.Withheld() {
				t.Errorf("%s: the copy is marked %v, withheld %v", name, m.Marked(), m.Withheld())
			}
			sec := secrettest.Of(x, labels)
			// The copy's texts, not its JSON keys.
			var texts []string
			for _, f := range m.Fields() {
				texts = append(texts, f.Text)
			}
			canon := strings.Join(texts, "\n")
			for _, s := range sec.Strings {
				if pdftest.Contains(canon, s) {
					t.Errorf("%s (paragraphs marked %v): the copy holds %q", name, whole, s)
				}
			}
			for _, w := range sec.Words {
				if pdftest.HasWord(canon, w) {
					t.Errorf("%s (paragraphs marked %v): the copy holds the word %q", name, whole, w)
				}
			}
			if len(sec.Words) < 50 {
				t.Errorf("%s: only %d secret words", name, len(sec.Words))
			}
			if again := compose.Mask(m, labels); !bytes.Equal(again.Canonical(), m.Canonical()) {
				t.Errorf("%s: masking the copy again changes it", name)
			}
			// What stays public stays: numbers and case numbers, and a
			// section's heading unless its paragraph is withheld.
			for i, p := range m.Paragraphs {
				if p.Number != x.Paragraphs[i].Number || p.CaseNumber != x.Paragraphs[i].CaseNumber {
					t.Errorf("%s § %d: number or case number lost", name, p.Number)
				}
				if !whole && len(p.Sections) != len(x.Paragraphs[i].Sections) {
					t.Errorf("%s § %d: sections lost", name, p.Number)
				}
			}
		}
	}
}

// TestMaskOnePlaceholderPerRun: marked spans next to each other on one
// ground, with the blanks between them, become one placeholder that keeps
// the blanks around it; another ground starts another.
func TestMaskOnePlaceholderPerRun(t *testing.T) {
	const g1, g2 = "OSL 26 kap. 1 §", "OSL 25 kap. 1 §"
	labels := exampletest.Template(t).Labels
	x := exampletest.Load(t, "rs-157-2023.json")
	x.Paragraphs[0].Decision = []extract.Block{{Type: extract.BlockParagraph, Text: extract.RichText{
		{Text: "Vård för "}, {Text: "Kim Svensson", Confidential: g1}, {Text: ", "}, {Text: "160314-9822 ", Confidential: g1},
		{Text: "och "}, {Text: "diagnos", Confidential: g2}, {Text: "."},
	}}}
	m := compose.Mask(x, labels)
	got := m.Paragraphs[0].Decision[0].Text.Plain()
	want := "Vård för [Uppgift borttagen enligt OSL 26 kap. 1 §] och [Uppgift borttagen enligt OSL 25 kap. 1 §]."
	if got != want {
		t.Errorf("masked:\n%q\nwant\n%q", got, want)
	}
	if n := strings.Count(got, "[Uppgift"); n != 2 {
		t.Errorf("%d placeholders", n)
	}
}
