package distribute

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors of a clerk's change to a record. Nothing is written when a call
// returns one of them.
var (
	// ErrUnknownRecipient: a name the record does not hold.
	ErrUnknownRecipient = errors.New("distribute: no such recipient")
	// ErrNotRefused: only an address refused for good can be corrected.
	ErrNotRefused = errors.New("distribute: the address was not refused for good")
	// ErrNotManual: only a recipient without addresses (to be served by
	// hand or post, or not in the directory) can be marked as served.
	ErrNotManual = errors.New("distribute: the recipient is sent to by e-mail")
	// ErrDuplicate: the recipient or address is in the record already.
	ErrDuplicate = errors.New("distribute: already a recipient")
	// ErrInvalid: a field of the change is missing or malformed; the
	// error names the field.
	ErrInvalid = errors.New("distribute: invalid change")
)

// FieldError is an ErrInvalid naming the field and the rule broken.
type FieldError struct {
	Field, Rule, Message string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("distribute: %s: %s (%s)", e.Field, e.Message, e.Rule)
}

func (e *FieldError) Unwrap() error { return ErrInvalid }

// choose returns the indexes of the recipients named, all for none.
func (r *Record) choose(names []string) ([]int, error) {
	if len(names) == 0 {
		all := make([]int, len(r.Recipients))
		for i := range all {
			all[i] = i
		}
		return all, nil
	}
	var unknown []string
	var out []int
	seen := map[int]bool{}
	for _, n := range names {
		i := r.find(n)
		if i < 0 {
			unknown = append(unknown, n)
			continue
		}
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrUnknownRecipient, strings.Join(unknown, ", "))
	}
	return out, nil
}

// addressesOf is the filter of the addresses of the recipients at idx.
func (r *Record) addressesOf(idx []int) func(string) bool {
	set := map[string]bool{}
	for _, i := range idx {
		for _, d := range r.Recipients[i].Deliveries {
			set[strings.ToLower(d.Address)] = true
		}
	}
	return func(a string) bool { return set[strings.ToLower(a)] }
}

// upgrade makes the recipients at idx due for m's current versions: a
// delivery of an earlier version that was sent, saved or is still to be
// sent becomes a pending delivery of the current one, the earlier kept in
// Earlier; one refused for good stays as it is (sending it again would be
// refused again; Correct gives it a new address). A recipient without
// addresses is to be served the current version.
func (r *Record) upgrade(m Message, idx []int) bool {
	changed := false
	for _, i := range idx {
		rs := &r.Recipients[i]
		v := m.versionOf(rs.Rendition)
		if len(rs.Deliveries) == 0 && max(rs.Version, 1) < v {
			rs.Version, changed = v, true
		}
		for j := range rs.Deliveries {
			if d := &rs.Deliveries[j]; d.State != StateFailed && d.VersionOf() < v {
				d.renew(m, v)
				changed = true
			}
		}
	}
	r.refresh()
	return changed
}

// current gives every delivery still to be sent the current version of
// its rendition: a message not yet sent carries the newest version.
func (r *Record) current(m Message) bool {
	changed := false
	for i := range r.Recipients {
		rs := &r.Recipients[i]
		v := m.versionOf(rs.Rendition)
		for j := range rs.Deliveries {
			if d := &rs.Deliveries[j]; toSend(d.State) && d.VersionOf() < v {
				d.renew(m, v)
				changed = true
			}
		}
	}
	r.refresh()
	return changed
}

// renew turns d into a pending delivery of version v, keeping what was
// tried before in Earlier.
func (d *Delivery) renew(m Message, v int) {
	prev := *d
	prev.Earlier, prev.Correction = nil, nil
	next := m.newDelivery(d.Address, v)
	next.Correction, next.Earlier = d.Correction, d.Earlier
	if prev.Attempts > 0 {
		next.Earlier = append(next.Earlier, prev)
	}
	*d = next
}

// Correction of a refused address.
type AddressChange struct {
	Address    string // the address that refused the extract for good
	NewAddress string
	By         string // who corrects it
}

// Correct replaces an address that refused the extract for good (5xx) with
// a new one, records who did it and the refusal, and sends the current
// version to the new address. Only a refused address can be corrected
// (ErrNotRefused): one that failed temporarily is tried again by
// Distribute.
func (d *Distributor) Correct(ctx context.Context, m Message, c AddressChange) (*Record, error) {
	newAddr, err := checkAddress("newAddress", c.NewAddress)
	if err != nil {
		return nil, err
	}
	if err := checkText("by", c.By, true); err != nil {
		return nil, err
	}
	return d.do(ctx, m, func(rec *Record) (bool, func(string) bool, error) {
		found := false
		for i := range rec.Recipients {
			rs := &rec.Recipients[i]
			for j := range rs.Deliveries {
				old := &rs.Deliveries[j]
				if !sameAddress(old.Address, c.Address) {
					continue
				}
				if old.State != StateFailed {
					return false, nil, fmt.Errorf("%w: %s is %s", ErrNotRefused, old.Address, old.State)
				}
				if rs.has(newAddr) {
					return false, nil, fmt.Errorf("%w: %s is already an address of %s", ErrDuplicate, newAddr, rs.Name)
				}
				next := m.newDelivery(newAddr, m.versionOf(rs.Rendition))
				next.Correction = &Correction{By: c.By, Time: d.cfg.Now(), Replaced: *old}
				*old = next
				found = true
			}
		}
		if !found {
			return false, nil, fmt.Errorf("%w: no delivery to %s", ErrUnknownRecipient, c.Address)
		}
		rec.refresh()
		return true, func(a string) bool { return sameAddress(a, newAddr) }, nil
	})
}

func (rs RecipientStatus) has(address string) bool {
	for _, d := range rs.Deliveries {
		if sameAddress(d.Address, address) {
			return true
		}
	}
	return false
}

// NewRecipient is a recipient a clerk adds beside those of the protocol.
type NewRecipient struct {
	Name    string // how the record names it; empty: the address
	Address string
	By      string // who adds it
}

// AddRecipient adds a recipient the protocol does not list and sends it
// the public rendition's current version (a recipient outside the
// directory is not known to be allowed confidential content). A name or
// address the record holds already is ErrDuplicate.
func (d *Distributor) AddRecipient(ctx context.Context, m Message, n NewRecipient) (*Record, error) {
	addr, err := checkAddress("address", n.Address)
	if err != nil {
		return nil, err
	}
	name := cleanName(n.Name)
	if name == "" {
		name = addr
	}
	if err := checkText("name", name, true); err != nil {
		return nil, err
	}
	if err := checkText("by", n.By, true); err != nil {
		return nil, err
	}
	return d.do(ctx, m, func(rec *Record) (bool, func(string) bool, error) {
		if rec.find(name) >= 0 {
			return false, nil, fmt.Errorf("%w: %s", ErrDuplicate, name)
		}
		for _, rs := range rec.Recipients {
			if rs.has(addr) {
				return false, nil, fmt.Errorf("%w: %s is an address of %s", ErrDuplicate, addr, rs.Name)
			}
		}
		rs := RecipientStatus{Name: name, Rendition: RenditionPublic, Added: &Added{By: n.By, Time: d.cfg.Now()}}
		rs.Deliveries = []Delivery{m.newDelivery(addr, m.versionOf(RenditionPublic))}
		rec.Recipients = append(rec.Recipients, rs)
		rec.refresh()
		return true, func(a string) bool { return sameAddress(a, addr) }, nil
	})
}

// ServedMark records that a recipient was served by hand or by post.
type ServedMark struct {
	Recipient string // the recipient's name in the record
	By        string // who served it
	How       string // ServedByPost, ServedByHand or ServedByOther
	Date      string // YYYY-MM-DD
	Note      string
	Marked    string // who records it
}

// MarkServed records that a recipient without addresses (manual, or not
// in the directory) was served the current version of its rendition. It
// sends nothing. A date in the future, or before the extract could be
// served, is refused by the caller; here it must be a date.
func (d *Distributor) MarkServed(ctx context.Context, m Message, s ServedMark) (*Record, error) {
	if err := s.check(d.cfg.Now()); err != nil {
		return nil, err
	}
	return d.do(ctx, m, func(rec *Record) (bool, func(string) bool, error) {
		i := rec.find(s.Recipient)
		if i < 0 {
			return false, nil, fmt.Errorf("%w: %s", ErrUnknownRecipient, s.Recipient)
		}
		rs := &rec.Recipients[i]
		if len(rs.Deliveries) > 0 {
			return false, nil, fmt.Errorf("%w: %s", ErrNotManual, rs.Name)
		}
		v := m.versionOf(rs.Rendition)
		rs.Version = max(rs.Version, v)
		rs.Served = append(rs.Served, Service{Version: rs.Version, By: s.By, How: s.How, Date: s.Date,
			Note: strings.TrimSpace(s.Note), Marked: s.Marked, Recorded: d.cfg.Now()})
		rec.refresh()
		return true, func(string) bool { return false }, nil
	})
}

func (s ServedMark) check(now time.Time) error {
	if err := checkText("recipient", s.Recipient, true); err != nil {
		return err
	}
	if err := checkText("by", s.By, true); err != nil {
		return err
	}
	switch s.How {
	case ServedByPost, ServedByHand, ServedByOther:
	default:
		return &FieldError{Field: "how", Rule: "enum", Message: "post, hand or other"}
	}
	day, err := time.Parse(time.DateOnly, s.Date)
	if err != nil {
		return &FieldError{Field: "date", Rule: "format", Message: "a date YYYY-MM-DD"}
	}
	if day.After(now.Add(14 * time.Hour)) { // the latest time zone's today
		return &FieldError{Field: "date", Rule: "notFuture", Message: "the date is in the future"}
	}
	return checkText("note", s.Note, false)
}

// checkAddress parses a single plain address ("namn@example.se").
func checkAddress(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", &FieldError{Field: field, Rule: "required", Message: "the address is missing"}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", &FieldError{Field: field, Rule: "format", Message: "not an e-mail address"}
	}
	return s, nil
}

// checkText refuses a missing required text, one longer than 200
// characters, and control characters.
func checkText(field, s string, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return &FieldError{Field: field, Rule: "required", Message: "missing"}
	case !utf8.ValidString(s):
		return &FieldError{Field: field, Rule: "encoding", Message: "not UTF-8"}
	case utf8.RuneCountInString(s) > 200:
		return &FieldError{Field: field, Rule: "maxLength", Message: "longer than 200 characters"}
	case strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f }):
		return &FieldError{Field: field, Rule: "characters", Message: "control characters"}
	}
	return nil
}
