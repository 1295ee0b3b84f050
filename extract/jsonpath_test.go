package extract_test

import (
	"errors"
	"strings"
	"testing"

	"utdrag/extract"
)

// TestDecodeErrorsNameTheFullPath: wrong types and unknown fields are
// reported at their place in the document, array indices included.
func TestDecodeErrorsNameTheFullPath(t *testing.T) {
	const base = `{"organisation":{"id":"x","name":"X"},"organ":"O","meeting":{"date":"2024-02-03"},"paragraphs":[` +
		`{"number":1,"caseNumber":"A/1","title":"T","decision":["x"]},` +
		`{"number":%s,"caseNumber":"A/2","title":"T","decision":["x"],"votes":[{"proposition":"p","outcome":"o","ballots":[` +
		`{"member":{"name":"A"},"vote":"ja"},{"member":{"name":"B"%s},"vote":%s}]}]}]}`
	cases := []struct {
		number, member, vote string
		field, rule          string
	}{
		{`"7"`, ``, `"nej"`, "paragraphs[1].number", "type"},
		{`2`, ``, `3`, "paragraphs[1].votes[0].ballots[1].vote", "type"},
		{`2`, `,"partie":"S"`, `"nej"`, "paragraphs[1].votes[0].ballots[1].member.partie", "unknownField"},
		{`2`, `,"party":["S"]`, `"nej"`, "paragraphs[1].votes[0].ballots[1].member.party", "type"},
	}
	for _, c := range cases {
		doc := fill(base, c.number, c.member, c.vote)
		_, err := extract.Decode(strings.NewReader(doc), extract.Limits{})
		var verr extract.ValidationError
		if !errors.As(err, &verr) || len(verr) != 1 {
			t.Fatalf("%s: got %v", c.field, err)
		}
		if verr[0].Field != c.field || verr[0].Rule != c.rule {
			t.Errorf("got %s (%s), want %s (%s)", verr[0].Field, verr[0].Rule, c.field, c.rule)
		}
	}
}

func fill(tmpl string, args ...string) string {
	for _, a := range args {
		tmpl = strings.Replace(tmpl, "%s", a, 1)
	}
	return tmpl
}
