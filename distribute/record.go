package distribute

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// State is where a recipient or a single address stands. The values are
// stored in distribution.json; Label gives the Swedish words for clerks.
type State string

const (
	StatePending State = "pending" // not yet tried; a new call sends it
	// StateDeferred: the last attempt failed temporarily (a 4xx reply, a
	// timeout, a refused or dropped connection); a new call tries again.
	StateDeferred State = "deferred"
	StateSent     State = "sent"   // the mail server accepted the message
	StateFailed   State = "failed" // refused for good (5xx); not retried, the address can be corrected
	// StateSaved: written to the outbox folder only, since no mail server
	// is configured; nobody has received it yet.
	StateSaved      State = "saved"
	StateManual     State = "manual"     // to be served by post or by hand, see Note
	StateServed     State = "served"     // served by post or by hand, see Served
	StateUnresolved State = "unresolved" // the name matched nothing in the directory
)

// Label is the state as shown to clerks.
func (s State) Label() string {
	switch s {
	case StatePending:
		return "Väntar"
	case StateDeferred:
		return "Tillfälligt fel"
	case StateSent:
		return "Skickad"
	case StateFailed:
		return "Avvisad"
	case StateSaved:
		return "Sparad i utkorgen, inte skickad"
	case StateManual:
		return "Ska expedieras manuellt"
	case StateServed:
		return "Expedierad manuellt"
	case StateUnresolved:
		return "Okänd mottagare"
	}
	return string(s)
}

// Record is the distribution status of one extract, stored as JSON at the
// message's RecordKey.
type Record struct {
	ExtractID string `json:"extractId"`
	// PDFSHA256 is the checksum of the public rendition first sent.
	PDFSHA256 string `json:"pdfSha256"`
	// InternalSHA256 is the checksum of the internal rendition first sent
	// to the recipients allowed confidential content; empty when none was.
	InternalSHA256 string    `json:"internalPdfSha256,omitempty"`
	Created        time.Time `json:"created"`
	Updated        time.Time `json:"updated"`
	// Lease is set while a call is working on the record.
	Lease      *Lease            `json:"lease,omitempty"`
	Recipients []RecipientStatus `json:"recipients"`
	Counts     Counts            `json:"counts"`
}

// Lease marks the record as claimed by one call until a time; another call
// may take over only after it has expired.
type Lease struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// RecipientStatus is one name under "Expedieras till", or a recipient a
// clerk added.
type RecipientStatus struct {
	Name  string `json:"name"`            // as written in the protocol, or as the clerk gave it
	Entry string `json:"entry,omitempty"` // the directory entry it resolved to
	State State  `json:"state"`
	Note  string `json:"note,omitempty"` // how a manual recipient is served
	// Rendition is the rendition the recipient gets (or, served by hand,
	// is to get): "internal" or "public".
	Rendition string `json:"rendition,omitempty"`
	// Added is set for a recipient a clerk added beside those of the
	// protocol.
	Added *Added `json:"added,omitempty"`
	// Version is the certified version a recipient without addresses is
	// to be served; zero means 1.
	Version int `json:"version,omitempty"`
	// Served are the manual services recorded, oldest first.
	Served []Service `json:"served,omitempty"`
	// Deliveries hold one message per address.
	Deliveries []Delivery `json:"deliveries,omitempty"`
}

// Added says who added a recipient and when.
type Added struct {
	By   string    `json:"by"`
	Time time.Time `json:"time"`
}

// Ways a manual recipient is served.
const (
	ServedByPost  = "post"
	ServedByHand  = "hand"
	ServedByOther = "other"
)

// Service is the record that a recipient was served by hand or by post.
type Service struct {
	Version int    `json:"version"`          // the certified version served
	By      string `json:"by"`               // who served it
	How     string `json:"how"`              // ServedByPost, ServedByHand or ServedByOther
	Date    string `json:"date"`             // when, YYYY-MM-DD
	Note    string `json:"note,omitempty"`   // anything more: "rekommenderat brev"
	Marked  string `json:"marked,omitempty"` // who recorded it in Utdrag
	// Recorded is when it was recorded.
	Recorded time.Time `json:"recorded"`
}

// HowLabel is the way of serving in Swedish.
func HowLabel(how string) string {
	switch how {
	case ServedByPost:
		return "med post"
	case ServedByHand:
		return "personligen"
	case ServedByOther:
		return "på annat sätt"
	}
	return how
}

// Delivery is the message to one address.
type Delivery struct {
	Address   string    `json:"address"`
	MessageID string    `json:"messageId"`
	State     State     `json:"state"`
	Attempts  int       `json:"attempts"`
	LastReply string    `json:"lastReply,omitempty"` // the mail server's last answer or error
	Time      time.Time `json:"time,omitzero"`       // of the last attempt
	// Version is the certified version of the extract the message
	// carries; zero (records from before versions were kept) means 1.
	Version int `json:"version,omitempty"`
	// Correction is set when a clerk gave this address in place of one
	// that refused the extract for good.
	Correction *Correction `json:"correction,omitempty"`
	// Earlier are the messages of earlier versions to this address,
	// oldest first, as they ended.
	Earlier []Delivery `json:"earlier,omitempty"`
}

// Correction records the replacement of an address that refused the
// extract.
type Correction struct {
	By       string    `json:"by"`
	Time     time.Time `json:"time"`
	Replaced Delivery  `json:"replaced"`
}

// VersionOf is the certified version a delivery carries.
func (d Delivery) VersionOf() int { return max(d.Version, 1) }

// Counts sum up the recipients by state, and the messages.
type Counts struct {
	Recipients int `json:"recipients"`
	Sent       int `json:"sent"`
	Failed     int `json:"failed"`
	Manual     int `json:"manual"`
	Unresolved int `json:"unresolved"`
	// Pending counts the recipients still to be sent to: not yet tried
	// or failed temporarily (Deferred of them).
	Pending  int `json:"pending"`
	Deferred int `json:"deferred"`
	Saved    int `json:"saved"`  // only in the outbox folder
	Served   int `json:"served"` // served by hand or post
	// Messages are the addresses; MessagesSent those a mail server
	// accepted, MessagesSaved those only written to the outbox,
	// MessagesFailed those refused for good, MessagesDeferred those that
	// failed temporarily.
	Messages         int `json:"messages"`
	MessagesSent     int `json:"messagesSent"`
	MessagesSaved    int `json:"messagesSaved"`
	MessagesFailed   int `json:"messagesFailed"`
	MessagesDeferred int `json:"messagesDeferred"`
}

// Done reports whether nothing is left to send: no address waits or
// failed temporarily.
func (r *Record) Done() bool { return r.Counts.Pending == 0 }

// Delivered reports whether every recipient has the extract: sent by a
// mail server that accepted it, or served by hand or post.
func (c Counts) Delivered() bool {
	return c.Recipients > 0 && c.Sent+c.Served == c.Recipients
}

func newRecord(m Message, recipients []Recipient, now time.Time) *Record {
	sum := sha256.Sum256(m.PDF)
	rec := &Record{ExtractID: m.ExtractID, PDFSHA256: hex.EncodeToString(sum[:]), Created: now, Updated: now}
	if m.Internal != nil {
		in := sha256.Sum256(m.Internal)
		rec.InternalSHA256 = hex.EncodeToString(in[:])
	}
	for _, r := range recipients {
		rec.Recipients = append(rec.Recipients, newRecipientStatus(m, r))
	}
	rec.refresh()
	return rec
}

func newRecipientStatus(m Message, r Recipient) RecipientStatus {
	rs := RecipientStatus{Name: r.Name, Entry: r.Entry, Note: r.Note}
	if r.Resolved() {
		rs.Rendition = m.RenditionFor(r)
	}
	v := m.versionOf(rs.Rendition)
	if len(r.Addresses) == 0 {
		rs.Version = v
	}
	for _, a := range r.Addresses {
		rs.Deliveries = append(rs.Deliveries, m.newDelivery(a, v))
	}
	return rs
}

func (m Message) newDelivery(address string, version int) Delivery {
	return Delivery{
		Address: address, MessageID: VersionMessageID(m.Organisation.ID, m.ExtractID, address, version),
		State: StatePending, Version: version,
	}
}

// resolved: the recipient is in the directory or was added by a clerk.
func (rs RecipientStatus) resolved() bool { return rs.Entry != "" || rs.Added != nil }

// servedNow reports whether the recipient was served the version it is
// to have.
func (rs RecipientStatus) servedNow() bool {
	n := len(rs.Served)
	return n > 0 && rs.Served[n-1].Version >= max(rs.Version, 1)
}

// recipientState derives a recipient's state from its deliveries.
func (rs RecipientStatus) recipientState() State {
	switch {
	case len(rs.Deliveries) == 0 && rs.servedNow():
		return StateServed
	case !rs.resolved():
		return StateUnresolved
	case len(rs.Deliveries) == 0:
		return StateManual
	}
	has := map[State]bool{}
	for _, d := range rs.Deliveries {
		has[d.State] = true
	}
	for _, s := range []State{StatePending, StateDeferred, StateFailed, StateSaved} {
		if has[s] {
			return s
		}
	}
	return StateSent
}

// refresh recomputes recipients' states and the counts.
func (r *Record) refresh() {
	r.Counts = Counts{Recipients: len(r.Recipients)}
	for i := range r.Recipients {
		rs := &r.Recipients[i]
		rs.State = rs.recipientState()
		r.Counts.add(rs.State)
		for _, d := range rs.Deliveries {
			r.Counts.Messages++
			switch d.State {
			case StateSent:
				r.Counts.MessagesSent++
			case StateSaved:
				r.Counts.MessagesSaved++
			case StateFailed:
				r.Counts.MessagesFailed++
			case StateDeferred:
				r.Counts.MessagesDeferred++
			}
		}
	}
}

func (c *Counts) add(s State) {
	switch s {
	case StateSent:
		c.Sent++
	case StateFailed:
		c.Failed++
	case StateManual:
		c.Manual++
	case StateUnresolved:
		c.Unresolved++
	case StatePending:
		c.Pending++
	case StateDeferred:
		c.Pending++
		c.Deferred++
	case StateSaved:
		c.Saved++
	case StateServed:
		c.Served++
	}
}

// toSend reports whether a delivery is still to be sent.
func toSend(s State) bool { return s == StatePending || s == StateDeferred }

// pendingAddresses lists each address that is still to be sent, once, in
// record order, with the recipient name that first lists it. A nil only
// means every address; otherwise those it names.
func (r *Record) pendingAddresses(only func(address string) bool) []target {
	var out []target
	seen := map[string]bool{}
	for _, rs := range r.Recipients {
		for _, d := range rs.Deliveries {
			if toSend(d.State) && !seen[d.Address] && (only == nil || only(d.Address)) {
				seen[d.Address] = true
				out = append(out, target{recipient: rs.Name, address: d.Address, rendition: rs.Rendition,
					version: d.VersionOf(), messageID: d.MessageID})
			}
		}
	}
	return out
}

type target struct {
	recipient, address, rendition string
	version                       int
	messageID                     string
}

// update applies f to every delivery still to be sent to address: an
// address shared by two recipients is sent once and counts for both.
func (r *Record) update(address string, f func(*Delivery)) {
	for i := range r.Recipients {
		for j := range r.Recipients[i].Deliveries {
			if d := &r.Recipients[i].Deliveries[j]; d.Address == address && toSend(d.State) {
				f(d)
			}
		}
	}
	r.refresh()
}

// resolveAgain retries unresolved names against the directory, so that a
// name added to the directory after a first run is served on the next.
func (r *Record) resolveAgain(m Message, dir *Directory) {
	for i, rs := range r.Recipients {
		if rs.resolved() || len(rs.Served) > 0 {
			continue
		}
		if found := dir.Resolve(m.Organisation.ID, []string{rs.Name}); len(found) == 1 && found[0].Resolved() {
			r.Recipients[i] = r.adopt(newRecipientStatus(m, found[0]))
		}
	}
	r.refresh()
}

// adopt gives rs's deliveries the state of deliveries to the same address
// and version elsewhere in the record, so an address already served is
// not sent again.
func (r *Record) adopt(rs RecipientStatus) RecipientStatus {
	for j := range rs.Deliveries {
		for _, other := range r.Recipients {
			for _, d := range other.Deliveries {
				if sameAddress(d.Address, rs.Deliveries[j].Address) && d.VersionOf() == rs.Deliveries[j].VersionOf() {
					rs.Deliveries[j] = d
				}
			}
		}
	}
	return rs
}

func sameAddress(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// find returns the index of the recipient called name (case and
// surrounding space ignored), or -1.
func (r *Record) find(name string) int {
	key := normalizeName(name)
	for i, rs := range r.Recipients {
		if normalizeName(rs.Name) == key {
			return i
		}
	}
	return -1
}
