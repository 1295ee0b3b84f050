package distribute

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Organisation issues the extract: ID is the slug ("region-jh") that picks
// the directory section and names the Message-ID domain.
type Organisation struct {
	ID   string
	Name string
}

// Message is one certified extract to distribute.
type Message struct {
	ExtractID    string
	Organisation Organisation
	Organ        string   // "Regionstyrelsen"
	MeetingDate  string   // "2023-10-06"
	Paragraphs   []string // "§ 157"
	Title        string
	CaseNumbers  []string // "RS/412/2023"
	// Recipients are the names under "Expedieras till", as written; an
	// item may hold several names separated by commas or " och ".
	Recipients []string
	VerifyURL  string
	// InternalVerifyURL is the verification address of Internal.
	InternalVerifyURL string
	// Filename of the attachment: "Protokollsutdrag Regionstyrelsen
	// 2023-10-06 § 157.pdf".
	Filename string
	PDF      []byte // the certified extract: its public rendition
	// Version is the certified version PDF is; InternalVersion that of
	// Internal. Zero means 1.
	Version, InternalVersion int
	// Internal is the certified internal rendition of an extract with
	// parts marked confidential, for the recipients the directory allows
	// confidential content (InternalFilename names it); nil for an extract
	// with nothing marked, whose one rendition goes to every recipient.
	Internal         []byte
	InternalFilename string
	// RecordKey is the storage key of the distribution record
	// ("…/distribution.json").
	RecordKey string
	// Appeals are the appeal instructions for the parties to the
	// decision (appeal.go); none for a decision without parties.
	Appeals []Appeal
}

func (m Message) validate() error {
	var missing []string
	for name, empty := range map[string]bool{
		"ExtractID": m.ExtractID == "", "Organisation.ID": m.Organisation.ID == "",
		"Organ": m.Organ == "", "MeetingDate": m.MeetingDate == "",
		"Filename": m.Filename == "", "PDF": len(m.PDF) == 0 && len(m.Internal) == 0, "RecordKey": m.RecordKey == "",
	} {
		if empty {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("distribute: message %q lacks %s", m.ExtractID, strings.Join(missing, ", "))
	}
	if len(m.Recipients) == 0 {
		return errors.New("distribute: message " + m.ExtractID + " has no recipients (Expedieras till)")
	}
	return nil
}

// MessageID is the Message-ID (without angle brackets) of the message
// carrying extractID to address in organisation org. It is the same on
// every attempt, so a receiving system that sees the message twice can
// recognise the second copy.
func MessageID(org, extractID, address string) string {
	sum := sha256.Sum256([]byte(extractID + "|" + strings.ToLower(address)))
	return hex.EncodeToString(sum[:])[:20] + "@utdrag." + org
}

// VersionMessageID is the Message-ID of the message carrying the given
// certified version of extractID to address: version 1 has MessageID's,
// each later version one of its own, so a receiving system drops a
// repeated message but not a new version.
func VersionMessageID(org, extractID, address string, version int) string {
	if version <= 1 {
		return MessageID(org, extractID, address)
	}
	return MessageID(org, fmt.Sprintf("%s|v%d", extractID, version), address)
}

// versionOf is the certified version of rendition the message carries.
func (m Message) versionOf(rendition string) int {
	if rendition == RenditionInternal && m.Internal != nil {
		return max(m.InternalVersion, 1)
	}
	return max(m.Version, 1)
}

// Subject is "Protokollsutdrag: Regionstyrelsen 2023-10-06 § 157 – <title>".
func (m Message) Subject() string {
	s := fmt.Sprintf("Protokollsutdrag: %s %s %s", m.Organ, m.MeetingDate, strings.Join(m.Paragraphs, ", "))
	s = strings.TrimSpace(s)
	if m.Title != "" {
		s += " – " + m.Title
	}
	return s
}

// Body is the plain-text message in Swedish.
func (m Message) Body(recipient string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hej,\n\nbifogat finns protokollsutdrag från %s, sammanträde %s, %s:\n%s\n\n",
		m.Organ, m.MeetingDate, strings.Join(m.Paragraphs, ", "), m.Title)
	if len(m.CaseNumbers) > 0 {
		fmt.Fprintf(&b, "Diarienummer: %s\n", strings.Join(m.CaseNumbers, ", "))
	}
	fmt.Fprintf(&b, "Beslutet expedieras till: %s\n", recipient)
	if m.VerifyURL != "" {
		fmt.Fprintf(&b, "Utdragets äkthet kan kontrolleras på %s\n", m.VerifyURL)
	}
	sender := m.Organisation.Name
	if sender == "" {
		sender = m.Organisation.ID
	}
	fmt.Fprintf(&b, "\nMeddelandet är skickat automatiskt av %s.\n", sender)
	return b.String()
}

// mailTo is the Mail for one address of one recipient.
func (m Message) mailTo(recipient, address, rendition string, now time.Time) Mail {
	return Mail{
		To:         address,
		MessageID:  VersionMessageID(m.Organisation.ID, m.ExtractID, address, m.versionOf(rendition)),
		Date:       now,
		Subject:    m.Subject(),
		Body:       m.bodyFor(recipient, rendition) + m.appealNote(recipient),
		Attachment: m.attachment(rendition),
		Extra:      m.appealsFor(recipient),
	}
}
