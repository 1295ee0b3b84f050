// Package secrettest tells tests what a public copy of an extract must not
// hold: the text marked confidential, as whole strings and as words, less
// what the extract says in public anyway. It reads the extract as given,
// never its masked copy, so a mask that forgot something cannot hide it
// from the test.
//
// It may import extract, templates and internal/pdftest.
package secrettest

import (
	"reflect"
	"slices"
	"strings"

	"utdrag/extract"
	"utdrag/internal/pdftest"
	"utdrag/templates"
)

// Secrets are the strings and words of an extract's confidential parts
// that its public copy must not hold.
type Secrets struct {
	// Strings are the texts of the confidential fields (each whole, of
	// four characters or more) that no public field holds.
	Strings []string
	// Words are the words longer than three letters of the confidential
	// fields that no public field, label or ground has.
	Words []string
	// Printed are the words of Words that a document prints, so that the
	// internal rendition shows each.
	Printed []string
	// Grounds are the grounds of the marks, each once.
	Grounds []string
}

// Of reads x's secrets; labels are the template's, whose words a public
// copy prints.
func Of(x *extract.Extract, labels templates.Labels) Secrets {
	var s Secrets
	public := map[string]bool{}
	var publicText []string
	addWords := func(text string) {
		for _, w := range pdftest.Words(text) {
			public[w] = true
		}
	}
	lv := reflect.ValueOf(labels)
	for i := range lv.NumField() {
		f := lv.Field(i)
		switch f.Kind() {
		case reflect.String:
			addWords(f.String())
		case reflect.Array:
			for j := range f.Len() {
				addWords(f.Index(j).String())
			}
		}
	}
	fields := x.Fields()
	for _, f := range fields {
		if f.Ground == "" {
			addWords(f.Text)
			publicText = append(publicText, pdftest.Fold(f.Text))
		} else if !slices.Contains(s.Grounds, f.Ground) {
			s.Grounds = append(s.Grounds, f.Ground)
			addWords(f.Ground)
		}
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if f.Ground == "" || !text(f.Path) {
			continue
		}
		folded := pdftest.Fold(f.Text)
		if len([]rune(folded)) > 3 && !slices.ContainsFunc(publicText, func(p string) bool { return strings.Contains(p, folded) }) && !seen["s:"+folded] {
			seen["s:"+folded] = true
			s.Strings = append(s.Strings, f.Text)
		}
		for _, w := range pdftest.Words(f.Text) {
			if public[w] || seen["w:"+w] {
				continue
			}
			seen["w:"+w] = true
			s.Words = append(s.Words, w)
			if printed(f.Path) {
				s.Printed = append(s.Printed, w)
			}
		}
	}
	return s
}

// text reports whether the field at path holds text, not a value of a
// closed set (a block's type, a vote).
func text(path string) bool {
	return !strings.HasSuffix(path, ".type") && !strings.HasSuffix(path, ".vote")
}

// printed reports whether the text at path is printed: not a member's
// title (which only the signature block prints).
func printed(path string) bool {
	for _, suffix := range []string{".member.title", ".title"} {
		if strings.HasSuffix(path, suffix) && (suffix != ".title" || strings.Contains(path, ".by")) {
			return false
		}
	}
	return true
}

// Without is s without the words in common: words the service writes
// itself (labels of its pages, its messages), found in its answers for an
// extract with nothing secret, which a public copy holds for that reason.
func (s Secrets) Without(common map[string]bool) Secrets {
	out := s
	out.Words, out.Printed = nil, nil
	for _, w := range s.Words {
		if !common[w] {
			out.Words = append(out.Words, w)
		}
	}
	for _, w := range s.Printed {
		if !common[w] {
			out.Printed = append(out.Printed, w)
		}
	}
	return out
}

// Furniture are the words of texts that are not words of x: what the
// service wrote around x's text.
func Furniture(x *extract.Extract, texts ...string) map[string]bool {
	own := map[string]bool{}
	for _, f := range x.Fields() {
		for _, w := range pdftest.Words(f.Text) {
			own[w] = true
		}
	}
	out := map[string]bool{}
	for _, t := range texts {
		for _, w := range pdftest.Words(t) {
			if !own[w] {
				out[w] = true
			}
		}
	}
	return out
}
