package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
)

// entry is one extract of the registry the search tests run on.
type entry struct {
	organ, date string
	paragraph   int
	caseNumber  string
	title       string
	draft       bool // the protocol is not justerat yet
}

// registry is a municipality's archive as a new registry's clerk meets
// it: 35 extracts of four organs over three years, with case numbers in
// the organs' own series, a meeting of Kommunstyrelsen with §§ 80–82, one
// KS number the clerk knows only as "2024/0112", and the newest meeting
// still a draft (ej justerad).
func registry() []entry {
	organs := []struct{ name, prefix string }{
		{"Barn- och utbildningsnämnden", "BUN"},
		{"Kommunstyrelsen", "KS"},
		{"Miljö- och byggnadsnämnden", "MBN"},
		{"Socialnämnden", "SN"},
	}
	titles := []string{"Skolskjuts läsåret", "Budget och verksamhetsplan", "Delegationsbeslut", "Detaljplan för Norra hamnen",
		"Bygglov för förskola", "Intern kontroll", "Revisionsberättelse", "Taxor och avgifter", "Lokalförsörjning"}
	var out []entry
	n := 0
	for year := 2023; year <= 2025; year++ {
		for oi, o := range organs {
			if year == 2025 && o.prefix == "SN" {
				continue
			}
			for m := range 3 {
				date := fmt.Sprintf("%d-%02d-%02d", year, 2+m*4, 10+oi)
				paras := []int{20*m + 10*oi + 5}
				if o.prefix == "KS" && year == 2024 && m == 1 {
					paras = []int{80, 81, 82}
				}
				for _, p := range paras {
					e := entry{organ: o.name, date: date, paragraph: p,
						caseNumber: fmt.Sprintf("%s %d/%04d", o.prefix, year, 200+n), title: titles[n%len(titles)] + fmt.Sprintf(" %d", year)}
					if p == 81 {
						e.caseNumber = "KS 2024/0112"
					}
					e.draft = year == 2025 && m == 2 && o.prefix == "MBN"
					out = append(out, e)
					n++
				}
			}
		}
	}
	return out
}

// seedRegistry posts the registry through the API, made from the
// example of Regionstyrelsen's § 157 (its recipients, its decision), and
// returns the ids in the registry's order.
func (s *site) seedRegistry(key string) []string {
	s.t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "rs-157-2023.json"))
	if err != nil {
		s.t.Fatal(err)
	}
	var ids []string
	for _, e := range registry() {
		var x map[string]any
		if err := json.Unmarshal(raw, &x); err != nil {
			s.t.Fatal(err)
		}
		x["organisation"] = map[string]any{"id": "region-jh", "name": "Region Jämtland Härjedalen"}
		x["organ"] = e.organ
		x["meeting"].(map[string]any)["date"] = e.date
		j := x["justering"].(map[string]any)
		j["date"] = e.date
		if e.draft {
			j["state"] = "pending"
		} else {
			j["state"] = "adjusted"
		}
		p := x["paragraphs"].([]any)[0].(map[string]any)
		p["number"], p["caseNumber"], p["title"] = e.paragraph, e.caseNumber, e.title
		p["basis"] = []any{e.title}
		delete(p, "immediatelyAdjusted")
		body, _ := json.Marshal(x)
		status, resp := s.api("POST", "/v1/extracts", key, body)
		var v struct{ ID string }
		if err := json.Unmarshal(resp, &v); err != nil || status != http.StatusCreated {
			s.t.Fatalf("posting %s § %d: %d %s", e.organ, e.paragraph, status, resp)
		}
		ids = append(ids, v.ID)
	}
	return ids
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
