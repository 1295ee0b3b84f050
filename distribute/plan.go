package distribute

import (
	"fmt"
	"strings"
)

// Kinds of planned recipient.
const (
	KindEmail      = "email"
	KindManual     = "manual"
	KindUnresolved = "unresolved"
)

// Plan is who an extract is to go to and how, before anything is sent:
// the names under "Expedieras till" resolved against the directory. It
// can be drawn for an extract not yet certified.
type Plan struct {
	Recipients []Planned `json:"recipients"`
	// Messages is the number of distinct addresses; Email, Manual and
	// Unresolved count the recipients of each kind.
	Messages   int `json:"messages"`
	Email      int `json:"email"`
	Manual     int `json:"manual"`
	Unresolved int `json:"unresolved"`
}

// Planned is one recipient of a Plan.
type Planned struct {
	Name      string   `json:"name"`            // as written in the protocol
	Entry     string   `json:"entry,omitempty"` // the directory entry
	Kind      string   `json:"kind"`            // KindEmail, KindManual or KindUnresolved
	Addresses []string `json:"addresses,omitempty"`
	Note      string   `json:"note,omitempty"`
	// Rendition is the rendition the recipient is to get: "internal" or
	// "public"; empty for an unresolved name.
	Rendition string `json:"rendition,omitempty"`
}

// NewPlan draws the plan of resolved recipients; internal says the extract
// has an internal rendition, which the recipients the directory allows
// confidential content get.
func NewPlan(rs []Recipient, internal bool) Plan {
	p := Plan{Recipients: []Planned{}}
	seen := map[string]bool{}
	for _, r := range rs {
		pl := Planned{Name: r.Name, Entry: r.Entry, Note: r.Note, Addresses: r.Addresses}
		switch {
		case !r.Resolved():
			pl.Kind = KindUnresolved
			p.Unresolved++
		case r.Manual:
			pl.Kind = KindManual
			p.Manual++
		default:
			pl.Kind = KindEmail
			p.Email++
			for _, a := range r.Addresses {
				if key := strings.ToLower(a); !seen[key] {
					seen[key] = true
					p.Messages++
				}
			}
		}
		if r.Resolved() {
			pl.Rendition = RenditionPublic
			if internal && r.Confidential {
				pl.Rendition = RenditionInternal
			}
		}
		p.Recipients = append(p.Recipients, pl)
	}
	return p
}

// Sentence sums the plan up for a clerk: "10 e-postmeddelanden skickas
// till 3 mottagare. 1 mottagare expedieras manuellt."
func (p Plan) Sentence() string {
	var parts []string
	if p.Email > 0 {
		parts = append(parts, fmt.Sprintf("%s skickas till %s.",
			Count(p.Messages, "e-postmeddelande", "e-postmeddelanden"), Count(p.Email, "mottagare", "mottagare")))
	}
	if p.Manual > 0 {
		parts = append(parts, fmt.Sprintf("%s expedieras manuellt, med post eller personligen.", Count(p.Manual, "mottagare", "mottagare")))
	}
	if p.Unresolved > 0 {
		parts = append(parts, fmt.Sprintf("%s finns inte i mottagarregistret och får inget utan åtgärd.", Count(p.Unresolved, "mottagare", "mottagare")))
	}
	if len(parts) == 0 {
		return "Utdraget har inga mottagare under Expedieras till."
	}
	return strings.Join(parts, " ")
}
