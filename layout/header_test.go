package layout_test

import (
	"testing"

	"utdrag/layout"
	"utdrag/layout/layouttest"
	"utdrag/templates"
)

// TestLongHeaderFieldsDoNotCollide sets long organisation and organ names
// in both templates: every header field must stay inside the margins and
// clear of every other, with all its words present.
func TestLongHeaderFieldsDoNotCollide(t *testing.T) {
	e, _ := setup(t)
	set, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	names := []struct{ org, organ string }{
		{"Örnsköldsviks kommun", "Kommunstyrelsens arbetsutskott"},
		{"Region Jämtland Härjedalen", "Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner"},
		{"Gemensamma nämnden för upphandlingssamverkan i Västernorrlands och Jämtlands län", "Miljö- och hälsoskyddsnämndens tillsynsutskott"},
	}
	for _, name := range set.Names() {
		tmpl, _ := set.Get(name)
		for _, n := range names {
			doc := layouttest.Document()
			doc.Header.Organisation, doc.Header.Organ = n.org, n.organ
			p, err := e.Layout(doc, tmpl)
			if err != nil {
				t.Fatal(err)
			}
			var head []layout.Text
			words := ""
			for _, tx := range p.Pages[0].Texts {
				if tx.Role == layout.RoleHeader {
					head = append(head, tx)
					words += tx.Text + " "
				}
			}
			for _, want := range []string{n.org, n.organ} {
				if !containsWords(words, want) {
					t.Errorf("%s: header lacks %q: %q", name, want, words)
				}
			}
			for i, a := range head {
				if a.X < p.Margins.X-0.01 || a.X+a.Width > p.Margins.X+p.Margins.W+0.01 {
					t.Errorf("%s: %q leaves the margins", name, a.Text)
				}
				for _, b := range head[i+1:] {
					if overlap(a, b) {
						t.Errorf("%s: header fields %q and %q overlap", name, a.Text, b.Text)
					}
				}
			}
		}
	}
}

func containsWords(have, want string) bool {
	hw := map[string]int{}
	for _, w := range fields(have) {
		hw[w]++
	}
	for _, w := range fields(want) {
		if hw[w] == 0 {
			return false
		}
		hw[w]--
	}
	return true
}

func fields(s string) []string {
	var out []string
	word := ""
	for _, r := range s + " " {
		if r == ' ' {
			if word != "" {
				out = append(out, word)
			}
			word = ""
			continue
		}
		word += string(r)
	}
	return out
}

// overlap reports whether two runs' boxes (advance width, ascent to
// descent) intersect.
func overlap(a, b layout.Text) bool {
	top := func(t layout.Text) float64 { return t.Y - 0.8*t.Size }
	bottom := func(t layout.Text) float64 { return t.Y + 0.2*t.Size }
	return a.X < b.X+b.Width && b.X < a.X+a.Width && top(a) < bottom(b) && top(b) < bottom(a)
}
