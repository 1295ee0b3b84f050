package extract_test

import (
	"bytes"
	"errors"
	"os"
	"testing"

	"utdrag/extract"
)

// FuzzDecode feeds arbitrary bytes to the decoder: it must never panic, and
// must either accept a document that then validates and keeps its identity
// through a JSON round trip, or reject it with a syntax or validation error.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"../examples/rs-157-2023.json", "../examples/run-59-2022.json"} {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte(`{"organisation":{"id":"x","name":"X"},"organ":"O","meeting":{"date":"2024-01-01"},"paragraphs":[{"number":1,"caseNumber":"A/1","title":"T","decision":["Beslut."]}]}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := extract.Decode(bytes.NewReader(data), extract.Limits{})
		if err != nil {
			var syn *extract.SyntaxError
			var verr extract.ValidationError
			if !errors.As(err, &syn) && !errors.As(err, &verr) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		if err := x.Validate(extract.Limits{}); err != nil {
			t.Fatalf("decoded extract does not validate: %v", err)
		}
		if x.ID("t@1") != x.ID("t@1") || x.ID("t@1") == x.ID("t@2") {
			t.Fatal("identity is not a function of content and template")
		}
	})
}
