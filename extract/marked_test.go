package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// Marked, which every render asks, finds what eachText finds: a text under
// a ground. Checked on every example, marked and not.
func TestMarkedAgreesWithEachText(t *testing.T) {
	files, err := filepath.Glob("../examples/*.json")
	if err != nil || len(files) < 3 {
		t.Fatalf("examples: %v", err)
	}
	seen := map[bool]bool{}
	for _, name := range files {
		if filepath.Base(name) == "recipients.yaml" {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		x, err := Decode(f, Limits{})
		f.Close()
		if err != nil {
			continue // not an extract
		}
		want := false
		eachText(x, func(tf textField) bool {
			want = tf.ground != ""
			return !want
		})
		if got := x.Marked(); got != want {
			t.Errorf("%s: Marked %v, eachText finds %v", name, got, want)
		}
		seen[want] = true
	}
	if !seen[true] || !seen[false] {
		t.Errorf("examples cover marked %v", seen)
	}
}
