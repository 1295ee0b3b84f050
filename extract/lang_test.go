package extract_test

import (
	"testing"

	"utdrag/extract"
)

// A span may say its language with a BCP 47 tag; anything else in lang is
// refused with the span's field path.
func TestSpanLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang string
		ok   bool
	}{{"se", true}, {"sma", true}, {"en-GB", true}, {"smj-SE", true}, {"", true},
		{"nordsamiska", false}, {"e", false}, {"se_SE", false}, {"en GB", false}, {"se-", false}} {
		doc := council()
		first(doc)["decision"] = []any{map[string]any{"type": "paragraph", "text": []any{
			map[string]any{"text": "Fullmäktige hälsar "},
			map[string]any{"text": "Buorre beaivi", "lang": tc.lang},
		}}}
		x, errs := decode(t, doc, extract.Limits{})
		switch {
		case tc.ok && len(errs) > 0:
			t.Errorf("lang %q refused: %v", tc.lang, errs)
		case tc.ok && x.Paragraphs[0].Decision[0].Text[1].Lang != tc.lang:
			t.Errorf("lang %q read as %q", tc.lang, x.Paragraphs[0].Decision[0].Text[1].Lang)
		case !tc.ok && (len(errs) != 1 || errs[0].Field != "paragraphs[0].decision[0].text[1].lang" || errs[0].Rule != "pattern"):
			t.Errorf("lang %q: %v, want one pattern error at the span's lang", tc.lang, errs)
		}
	}
}
