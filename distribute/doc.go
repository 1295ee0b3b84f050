// Package distribute sends certified protocol extracts to the bodies and
// officials listed under "Expedieras till" and keeps a per-recipient status
// record next to the extract.
//
// The flow is: the recipient directory (YAML, per organisation) turns the
// names written in the protocol into e-mail addresses or manual deliveries;
// the Distributor claims the extract's distribution record with a
// conditional write, sends one message per address through a Mailer (SMTP,
// or an outbox folder of .eml files), and records each result as soon as it
// is known, so a repeated call sends only what is still pending.
//
// It may import the standard library, utdrag/storage, a mail library
// (github.com/wneessen/go-mail) and YAML (go.yaml.in/yaml/v3).
package distribute
