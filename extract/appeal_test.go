package extract

import "testing"

// TestAppealPartiesUnderExpedierasTill: a party is a name under
// Expedieras till, as an item is written or as one of the names an item
// holds; a compound joined by "och" stays one name.
func TestAppealPartiesUnderExpedierasTill(t *testing.T) {
	p := &Paragraph{DistributeTo: []string{"Sökanden och Byggnadsnämnden", "Hälso- och sjukvårdsnämnden", "AB Bygg, Lars Ek"}}
	for party, ok := range map[string]bool{
		"Sökanden": true, "byggnadsnämnden": true, "Sökanden och Byggnadsnämnden": true,
		"Hälso- och sjukvårdsnämnden": true, "sjukvårdsnämnden": false, "Lars  Ek": true, "AB Bygg": true, "Grannen": false,
	} {
		p.Appeal = &Appeal{Parties: []string{party}}
		v := &validator{lim: DefaultLimits}
		v.appeal("appeal", p)
		if got := len(v.errs) == 0; got != ok {
			t.Errorf("party %q: accepted %v, want %v (%v)", party, got, ok, v.errs)
		}
		if ok && !p.IsParty(party) {
			t.Errorf("%q is not a party", party)
		}
	}
	for _, a := range []*Appeal{{Route: "besvär"}, {Statute: "PBL"}, {Route: AppealNone, Statute: "PBL"}} {
		p.Appeal = a
		v := &validator{lim: DefaultLimits}
		v.appeal("appeal", p)
		if len(v.errs) != 1 {
			t.Errorf("%+v: %v", a, v.errs)
		}
	}
	p.Appeal = nil
	if p.RouteOf() != AppealLegality {
		t.Errorf("a decision that says nothing is appealed by %q", p.RouteOf())
	}
}
