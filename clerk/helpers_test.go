package clerk_test

import (
	"regexp"
	"testing"

	"utdrag/internal/exampletest"
)

func example(t *testing.T, name string) []byte {
	t.Helper()
	return exampletest.Raw(t, name)
}

var dateSpan = regexp.MustCompile(`<span class="date">(\d{4}-\d{2}-\d{2})</span>`)

// undated is a page with the spans that keep its dates on one line
// taken away, for looking for sentences in it.
func undated(page string) string { return dateSpan.ReplaceAllString(page, "$1") }
