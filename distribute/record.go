package distribute

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// State is where a recipient or a single address stands. The values are
// stored in distribution.json; Label gives the Swedish word for clerks.
type State string

const (
	StatePending    State = "pending"    // not yet delivered; a new call will try again
	StateSent       State = "sent"       // the mail server accepted every message
	StateFailed     State = "failed"     // refused for good (5xx); not retried
	StateManual     State = "manual"     // delivered by post or by hand, see Note
	StateUnresolved State = "unresolved" // the name matched nothing in the directory
)

// Label is the state as shown to clerks.
func (s State) Label() string {
	switch s {
	case StatePending:
		return "Väntar"
	case StateSent:
		return "Skickad"
	case StateFailed:
		return "Misslyckad"
	case StateManual:
		return "Manuell hantering"
	case StateUnresolved:
		return "Okänd mottagare"
	}
	return string(s)
}

// Record is the distribution status of one extract, stored as JSON at the
// message's RecordKey.
type Record struct {
	ExtractID string `json:"extractId"`
	PDFSHA256 string `json:"pdfSha256"`
	// InternalSHA256 is the checksum of the internal rendition sent to the
	// recipients allowed confidential content; empty when none was.
	InternalSHA256 string    `json:"internalPdfSha256,omitempty"`
	Created        time.Time `json:"created"`
	Updated        time.Time `json:"updated"`
	// Lease is set while a Distribute call is working on the record.
	Lease      *Lease            `json:"lease,omitempty"`
	Recipients []RecipientStatus `json:"recipients"`
	Counts     Counts            `json:"counts"`
}

// Lease marks the record as claimed by one Distribute call until a time;
// another call may take over only after it has expired.
type Lease struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// RecipientStatus is one name under "Expedieras till".
type RecipientStatus struct {
	Name  string `json:"name"`            // as written in the protocol
	Entry string `json:"entry,omitempty"` // the directory entry it resolved to
	State State  `json:"state"`
	Note  string `json:"note,omitempty"` // how a manual recipient is served
	// Rendition is the rendition the recipient gets (or, served by hand,
	// is to get): "internal" or "public".
	Rendition string `json:"rendition,omitempty"`
	// Deliveries hold one message per resolved address.
	Deliveries []Delivery `json:"deliveries,omitempty"`
}

// Delivery is the message to one address.
type Delivery struct {
	Address   string    `json:"address"`
	MessageID string    `json:"messageId"`
	State     State     `json:"state"`
	Attempts  int       `json:"attempts"`
	LastReply string    `json:"lastReply,omitempty"` // the mail server's last answer or error
	Time      time.Time `json:"time,omitzero"`       // of the last attempt
}

// Counts sum up the recipients by state, and the messages.
type Counts struct {
	Recipients   int `json:"recipients"`
	Sent         int `json:"sent"`
	Failed       int `json:"failed"`
	Manual       int `json:"manual"`
	Unresolved   int `json:"unresolved"`
	Pending      int `json:"pending"`
	Messages     int `json:"messages"`
	MessagesSent int `json:"messagesSent"`
}

// Done reports whether nothing is left to send: every recipient is sent,
// failed, manual or unresolved.
func (r *Record) Done() bool { return r.Counts.Pending == 0 }

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
	for _, a := range r.Addresses {
		rs.Deliveries = append(rs.Deliveries, Delivery{
			Address: a, MessageID: MessageID(m.Organisation.ID, m.ExtractID, a), State: StatePending,
		})
	}
	return rs
}

// recipientState derives a recipient's state from its deliveries.
func (rs RecipientStatus) recipientState() State {
	switch {
	case rs.Entry == "":
		return StateUnresolved
	case len(rs.Deliveries) == 0:
		return StateManual
	}
	state := StateSent
	for _, d := range rs.Deliveries {
		if d.State == StatePending {
			return StatePending
		}
		if d.State == StateFailed {
			state = StateFailed
		}
	}
	return state
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
			if d.State == StateSent {
				r.Counts.MessagesSent++
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
	}
}

// pendingAddresses lists each address that still has a pending delivery,
// once, in record order, with the recipient name that first lists it.
func (r *Record) pendingAddresses() []target {
	var out []target
	seen := map[string]bool{}
	for _, rs := range r.Recipients {
		for _, d := range rs.Deliveries {
			if d.State == StatePending && !seen[d.Address] {
				seen[d.Address] = true
				out = append(out, target{recipient: rs.Name, address: d.Address, rendition: rs.Rendition})
			}
		}
	}
	return out
}

type target struct{ recipient, address, rendition string }

// update applies f to every delivery to address: an address shared by two
// recipients is sent once and counts for both.
func (r *Record) update(address string, f func(*Delivery)) {
	for i := range r.Recipients {
		for j := range r.Recipients[i].Deliveries {
			if d := &r.Recipients[i].Deliveries[j]; d.Address == address {
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
		if rs.Entry != "" {
			continue
		}
		if found := dir.Resolve(m.Organisation.ID, []string{rs.Name}); len(found) == 1 && found[0].Resolved() {
			r.Recipients[i] = r.adopt(newRecipientStatus(m, found[0]))
		}
	}
	r.refresh()
}

// adopt gives rs's deliveries the state of deliveries to the same address
// elsewhere in the record, so an address already served is not sent again.
func (r *Record) adopt(rs RecipientStatus) RecipientStatus {
	for j := range rs.Deliveries {
		for _, other := range r.Recipients {
			for _, d := range other.Deliveries {
				if d.Address == rs.Deliveries[j].Address {
					rs.Deliveries[j] = d
				}
			}
		}
	}
	return rs
}
