package extract

import (
	"os"
	"testing"
)

// BenchmarkValidateShare measures what the secrecy checks (grounds, the
// identity-number guard, the repeated-words check) add to a validation:
// the whole validation and the secrecy checks alone, on the same extract,
// one after the other in the same run.
func BenchmarkValidateShare(b *testing.B) {
	for _, name := range []string{"rs-157-2023.json", "storuman-ks-88-2024.json"} {
		f, err := os.Open("../examples/" + name)
		if err != nil {
			b.Fatal(err)
		}
		x, err := Decode(f, Limits{})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/validate", func(b *testing.B) {
			for b.Loop() {
				if err := x.Validate(Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/secrecy-checks", func(b *testing.B) {
			for b.Loop() {
				v := &validator{lim: DefaultLimits}
				v.confidentiality(x)
			}
		})
	}
}
