package certify_test

import (
	"sync"
	"testing"

	"utdrag/compose"
	"utdrag/internal/exampletest"
	"utdrag/render"
)

var seed struct {
	once sync.Once
	pdf  []byte
	err  error
}

// seedPDF is the seed extract § 157 rendered with its certification
// block filled in, as certification renders it before signing.
func seedPDF(t testing.TB) []byte {
	t.Helper()
	x := exampletest.Load(t, "rs-157-2023.json")
	seed.once.Do(func() {
		eng, err := render.New()
		if err != nil {
			seed.err = err
			return
		}
		res, err := eng.Render(x, &compose.Certification{
			Name: "Lena Nordin", Title: "Nämndsekreterare", Place: "Östersund", Date: "2023-10-06", Initials: "LN",
			Summary:   []string{"Utdraget är bestyrkt elektroniskt och signerat digitalt (PAdES)."},
			VerifyURL: "http://127.0.0.1:8080/v/0123456789abcdef01234567/1",
		})
		if err != nil {
			seed.err = err
			return
		}
		seed.pdf = res.PDF
	})
	if seed.err != nil {
		t.Fatalf("render seed extract: %v", seed.err)
	}
	return seed.pdf
}
