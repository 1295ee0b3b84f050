package extract

import (
	"fmt"
	"strings"
)

// How a decision is appealed (överklagande).
const (
	// AppealLegality: laglighetsprövning under kommunallagen (2017:725)
	// 13 kap., by any member of the municipality, within three weeks of
	// the day the justering of the protocol was announced on the notice
	// board. The default for a decision that says nothing.
	AppealLegality = "legality"
	// AppealAdministrative: förvaltningsbesvär under förvaltningslagen
	// (2017:900) 40–44 §§, for decisions under a special law (social
	// services, building permits, schools …), by a party, within three
	// weeks of the day the party was notified of the decision.
	AppealAdministrative = "administrative"
	// AppealNone: the decision cannot be appealed (one only preparing or
	// carrying out a matter, kommunallagen 13 kap. 2 §).
	AppealNone = "none"
)

// Appeal says how a paragraph's decision is appealed and who of those
// under "Expedieras till" are parties to it: they are sent the appeal
// instruction (överklagandehänvisning) with the extract.
type Appeal struct {
	// Route is AppealLegality (also for ""), AppealAdministrative or
	// AppealNone.
	Route string `json:"route,omitempty"`
	// Statute is the provision under which förvaltningsbesvär lies:
	// "16 kap. 3 § socialtjänstlagen (2001:453)".
	Statute string `json:"statute,omitempty"`
	// Parties are the names under "Expedieras till" (distributeTo) that
	// are parties to the decision (sakägare): an item as written, or one
	// of the names an item holds ("Sökanden" of "Sökanden och
	// Byggnadsnämnden").
	Parties []string `json:"parties,omitempty"`
}

// RouteOf is the route of a paragraph's decision: AppealLegality when
// the paragraph says nothing.
func (p *Paragraph) RouteOf() string {
	if p.Appeal == nil || p.Appeal.Route == "" {
		return AppealLegality
	}
	return p.Appeal.Route
}

// IsParty reports whether name, a recipient under "Expedieras till", is a
// party to the paragraph's decision: it is one of the appeal's parties
// (letter case and spacing aside).
func (p *Paragraph) IsParty(name string) bool {
	if p.Appeal == nil {
		return false
	}
	for _, party := range p.Appeal.Parties {
		if sameName(party, name) {
			return true
		}
	}
	return false
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// appeal checks a paragraph's appeal: a known route, a statute only for
// förvaltningsbesvär, and parties that are named under Expedieras till.
func (v *validator) appeal(path string, p *Paragraph) {
	a := p.Appeal
	if a == nil {
		return
	}
	switch a.Route {
	case "", AppealLegality, AppealAdministrative, AppealNone:
	default:
		v.add(path+".route", "enum", "ange legality (laglighetsprövning), administrative (förvaltningsbesvär) eller none")
	}
	v.optionalText(path+".statute", a.Statute, 200)
	if a.Statute != "" && a.Route != AppealAdministrative {
		v.add(path+".statute", "dependentRequired", "en författning anges bara för förvaltningsbesvär (route administrative)")
	}
	v.strings(path+".parties", a.Parties, 200)
	for i, party := range a.Parties {
		found := false
		for _, r := range p.DistributeTo {
			for _, name := range append(itemNames(r), r) {
				found = found || sameName(name, party)
			}
		}
		if !found && strings.TrimSpace(party) != "" {
			v.add(fmt.Sprintf("%s.parties[%d]", path, i), "distributeTo", fmt.Sprintf("%q står inte under Expedieras till (distributeTo)", party))
		}
	}
}

// itemNames are the names one item under Expedieras till holds: split at
// commas and at " och ", except after a word ending in a hyphen, where
// "och" joins a compound ("Hälso- och sjukvårdsnämnden").
func itemNames(item string) []string {
	var out []string
	for _, part := range strings.Split(item, ",") {
		words := strings.Fields(part)
		start := 0
		for i, w := range words {
			if strings.EqualFold(w, "och") && i > start && !strings.HasSuffix(words[i-1], "-") {
				out = append(out, strings.Join(words[start:i], " "))
				start = i + 1
			}
		}
		if start < len(words) {
			out = append(out, strings.Join(words[start:], " "))
		}
	}
	return out
}
