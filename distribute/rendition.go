package distribute

import (
	"fmt"
	"strings"
)

// Renditions of an extract as distribution knows them: the internal one
// (everything, for a recipient allowed confidential content) and the
// public one (secret parts replaced by placeholders).
const (
	RenditionInternal = "internal"
	RenditionPublic   = "public"
)

// RenditionFor is the rendition recipient r gets: the internal one when the
// extract has one and the directory allows r confidential content, else
// the public one.
func (m Message) RenditionFor(r Recipient) string {
	if m.Internal != nil && r.Confidential {
		return RenditionInternal
	}
	return RenditionPublic
}

// attachment is the PDF of rendition (an empty rendition, from a record
// written before renditions were kept, is the public one).
func (m Message) attachment(rendition string) Attachment {
	if rendition == RenditionInternal && m.Internal != nil {
		return Attachment{Filename: m.InternalFilename, ContentType: "application/pdf", Data: m.Internal}
	}
	return Attachment{Filename: m.Filename, ContentType: "application/pdf", Data: m.PDF}
}

// RenditionLabel is a rendition as clerks read it.
func RenditionLabel(rendition string) string {
	if rendition == RenditionInternal {
		return "Intern (med sekretessbelagda uppgifter)"
	}
	return "Offentlig"
}

// oneRenditionPerAddress refuses a directory that lists one address for a
// recipient allowed confidential content and for one that is not: one
// mailbox gets one rendition, and which it should be would be a guess.
func oneRenditionPerAddress(entries []Entry) error {
	allowed := map[string]Entry{}
	for _, e := range entries {
		for _, a := range e.Addresses {
			key := strings.ToLower(strings.TrimSpace(a))
			if other, ok := allowed[key]; ok && other.Confidential != e.Confidential {
				return fmt.Errorf("address %q is listed for %q, which may receive confidential content, and for %q, which may not: give each its own address",
					a, pick(other, e, true).Name, pick(other, e, false).Name)
			}
			allowed[key] = e
		}
	}
	return nil
}

func pick(a, b Entry, confidential bool) Entry {
	if a.Confidential == confidential {
		return a
	}
	return b
}

// bodyFor is the message's text for a recipient of rendition: the internal
// one's verification address, and a word that it holds secret text.
func (m Message) bodyFor(recipient, rendition string) string {
	if rendition != RenditionInternal || m.Internal == nil {
		return m.Body(recipient)
	}
	m.VerifyURL = m.InternalVerifyURL
	return m.Body(recipient) + "\nUtdraget innehåller uppgifter som omfattas av sekretess enligt offentlighets- och sekretesslagen. Hantera det därefter och lämna det inte vidare.\n"
}
