package service_test

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

func pdftestChecksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var dateSpan = regexp.MustCompile(`<span class="date">(\d{4}-\d{2}-\d{2})</span>`)

// undated is a page with the spans that keep its dates on one line
// taken away, for looking for sentences in it.
func undated(page string) string { return dateSpan.ReplaceAllString(page, "$1") }
