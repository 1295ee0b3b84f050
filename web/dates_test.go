package web_test

import (
	"testing"

	"utdrag/web"
)

func TestKeepDatesWhole(t *testing.T) {
	for in, want := range map[string]string{
		`<h1>Regionstyrelsen 2023-10-06 § 157</h1>`:            `<h1>Regionstyrelsen <span class="date">2023-10-06</span> § 157</h1>`,
		`<p>från 2024-01-01 till 2024-12-31.</p>`:              `<p>från <span class="date">2024-01-01</span> till <span class="date">2024-12-31</span>.</p>`,
		`<a href="/?from=2024-01-01" title="2024-01-01">x</a>`: `<a href="/?from=2024-01-01" title="2024-01-01">x</a>`,
		`<input value='2024-01-01 > 2023-01-01'>2024-02-02`:    `<input value='2024-01-01 > 2023-01-01'><span class="date">2024-02-02</span>`,
		`<title>Utdrag 2024-01-01</title><p>2024-01-01</p>`:    `<title>Utdrag 2024-01-01</title><p><span class="date">2024-01-01</span></p>`,
		`<option value="a">2024-01-01</option>`:                `<option value="a">2024-01-01</option>`,
		`<!-- 2024-01-01 --><time>2024-01-01</time>`:           `<!-- 2024-01-01 --><time><span class="date">2024-01-01</span></time>`,
		`<p>KS 12024-01-015 och 2024-1-01 och 2024-01-0</p>`:   `<p>KS 12024-01-015 och 2024-1-01 och 2024-01-0</p>`,
		`<script src="/static/ui.js" defer></script><p>ok</p>`: `<script src="/static/ui.js" defer></script><p>ok</p>`,
		`2024-01-01`: `<span class="date">2024-01-01</span>`,
	} {
		if got := string(web.KeepDatesWhole([]byte(in))); got != want {
			t.Errorf("KeepDatesWhole(%s)\n got %s\nwant %s", in, got, want)
		}
	}
}
