package extract_test

import (
	"os"
	"testing"

	"utdrag/extract"
)

func TestExamplesDecode(t *testing.T) {
	for _, name := range []string{"../examples/rs-157-2023.json", "../examples/run-59-2022.json"} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		x, err := extract.Decode(f, extract.Limits{})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(x.Paragraphs) != 1 || x.Paragraphs[0].CaseNumber == "" {
			t.Errorf("%s: decoded %+v", name, x.Paragraphs)
		}
	}
}
