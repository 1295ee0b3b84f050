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
// The record says which certified version each address got (a new version
// is sent to the recipients chosen, the earlier message kept), tells a
// temporary failure (deferred: tried again) from a refusal for good
// (failed: corrected by a clerk, never resent as it is) and a message only
// written to the outbox folder (saved) from one a mail server accepted
// (sent), and keeps the clerks' changes: recipients added, addresses
// corrected, manual recipients served. Every change is written under the
// record's lease before anything is sent. Summarize and Short say what a
// record means in Swedish, claiming no more than it holds; Plan is who an
// extract is to go to before anything is sent.
//
// It may import the standard library, utdrag/storage, a mail library
// (github.com/wneessen/go-mail) and YAML (go.yaml.in/yaml/v3).
package distribute
