package clerk

import "testing"

func TestDateKeepsTheDateWhole(t *testing.T) {
	for in, want := range map[string]string{
		"2026-12-06":           `<span class="date">2026-12-06</span>`,
		"2026-12-06 kl. 14.05": `<span class="date">2026-12-06</span> kl. 14.05`,
		"<b>2026</b>":          `&lt;b&gt;2026&lt;/b&gt;`,
		"2026-13-06 kl. 1":     `2026-13-06 kl. 1`,
		"":                     ``,
	} {
		if got := string(date(in)); got != want {
			t.Errorf("date(%q) = %q, want %q", in, got, want)
		}
	}
}
