package distribute

import "strings"

// Appeal is the appeal instruction (överklagandehänvisning) for the
// parties to a decision: a PDF of its own sent beside the certified
// extract, so the extract stays exactly what was certified and signed.
type Appeal struct {
	// Parties are the names under "Expedieras till" that receive it, as
	// written there; a name matches a recipient's whole name, or one of
	// the names an item holds ("A och B").
	Parties  []string
	Filename string // "Överklagandehänvisning Kommunstyrelsen 2025-05-20 § 52.pdf"
	PDF      []byte
}

// appealsFor are the appeal instructions recipient is sent: those whose
// parties name it. Any other recipient is sent none.
func (m Message) appealsFor(recipient string) []Attachment {
	var out []Attachment
	for _, a := range m.Appeals {
		if a.names(recipient) {
			out = append(out, Attachment{Filename: a.Filename, ContentType: "application/pdf", Data: a.PDF})
		}
	}
	return out
}

// names reports whether a's parties name recipient.
func (a Appeal) names(recipient string) bool {
	want := normalizeName(recipient)
	for _, p := range a.Parties {
		if normalizeName(p) == want {
			return true
		}
		for _, part := range splitOch(p) {
			for _, name := range strings.Split(part, ",") {
				if normalizeName(name) == want {
					return true
				}
			}
		}
	}
	return false
}

// appealNote is the message's word on the appeal instruction attached for
// a party; empty for anyone else.
func (m Message) appealNote(recipient string) string {
	if len(m.appealsFor(recipient)) == 0 {
		return ""
	}
	return "\nBifogat finns också en överklagandehänvisning som beskriver hur beslutet kan överklagas.\n"
}
