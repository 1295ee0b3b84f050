package index_test

import (
	"errors"
	"testing"

	"utdrag/index"
)

func TestParseParagraphs(t *testing.T) {
	for _, c := range []struct {
		in       string
		from, to int
	}{
		{"80", 80, 80}, {" § 157 ", 157, 157}, {"80-82", 80, 82}, {"80–82", 80, 82}, {"80—82", 80, 82},
		{"§ 80-82", 80, 82}, {"§§ 80 – 82", 80, 82}, {"§80-80", 80, 80},
	} {
		from, to, err := index.ParseParagraphs(c.in)
		if err != nil || from != c.from || to != c.to {
			t.Errorf("ParseParagraphs(%q) = %d, %d, %v; want %d, %d", c.in, from, to, err, c.from, c.to)
		}
	}
	for _, in := range []string{"", "§", "abc", "0", "-3", "80-", "-82", "82-80", "80-82-84", "8 0", "1.5", "99999999999999999999", "80,82"} {
		_, _, err := index.ParseParagraphs(in)
		var pe *index.ParagraphError
		if !errors.As(err, &pe) || pe.Message == "" {
			t.Errorf("ParseParagraphs(%q): %v, want a ParagraphError with a message", in, err)
		}
	}
}
