package distribute

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Directory maps the names written under "Expedieras till" to addresses,
// per organisation. It is read-only after LoadDirectory and safe for
// concurrent use.
type Directory struct {
	orgs map[string]*orgDirectory
}

type orgDirectory struct {
	name    string
	entries []Entry
	// byName maps a normalised name, alias or inflection to entries' index.
	byName map[string]int
}

// Entry is one recipient in the directory: a role or body of an
// organisation.
type Entry struct {
	// Name is the canonical name: "Regionens revisorer".
	Name string `yaml:"name"`
	// Aliases are other names for the same recipient: "revisorerna".
	Aliases []string `yaml:"aliases"`
	// Inflections are grammatical forms of the name: "Regiondirektören".
	Inflections []string `yaml:"inflections"`
	// Addresses receive one message each.
	Addresses []string `yaml:"addresses"`
	// Manual marks a recipient served by post or by hand; Note says how.
	Manual bool   `yaml:"manual"`
	Note   string `yaml:"note"`
	// Confidential: the recipient may receive confidential content, and
	// gets the internal rendition of an extract with parts marked
	// confidential; every other recipient gets the public one.
	Confidential bool `yaml:"confidential"`
}

// Recipient is one name from "Expedieras till" and what it resolved to.
type Recipient struct {
	// Name is the name as written in the protocol.
	Name string
	// Entry is the directory entry's canonical name; empty when unresolved.
	Entry     string
	Addresses []string
	Manual    bool
	Note      string
	// Confidential: the directory allows the recipient confidential
	// content.
	Confidential bool
}

// Resolved reports whether the name matched a directory entry.
func (r Recipient) Resolved() bool { return r.Entry != "" }

type directoryFile struct {
	Organisations map[string]struct {
		Name       string  `yaml:"name"`
		Recipients []Entry `yaml:"recipients"`
	} `yaml:"organisations"`
}

// LoadDirectory parses a recipient directory (see examples/recipients.yaml)
// and checks it: every entry has a name and either addresses or manual, the
// addresses parse, and no name, alias or inflection is claimed twice within
// an organisation.
func LoadDirectory(data []byte) (*Directory, error) {
	var file directoryFile
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("distribute: parsing recipient directory: %w", err)
	}
	d := &Directory{orgs: make(map[string]*orgDirectory, len(file.Organisations))}
	for id, org := range file.Organisations {
		od, err := newOrgDirectory(org.Name, org.Recipients)
		if err != nil {
			return nil, fmt.Errorf("distribute: recipient directory, organisation %q: %w", id, err)
		}
		d.orgs[id] = od
	}
	return d, nil
}

func newOrgDirectory(name string, entries []Entry) (*orgDirectory, error) {
	od := &orgDirectory{name: name, entries: entries, byName: map[string]int{}}
	if err := oneRenditionPerAddress(entries); err != nil {
		return nil, err
	}
	for i, e := range entries {
		if err := checkEntry(e); err != nil {
			return nil, fmt.Errorf("recipient %d (%q): %w", i+1, e.Name, err)
		}
		for _, n := range e.names() {
			key := normalizeName(n)
			if j, taken := od.byName[key]; taken && j != i {
				return nil, fmt.Errorf("name %q is used by both %q and %q", n, entries[j].Name, e.Name)
			}
			od.byName[key] = i
		}
	}
	return od, nil
}

func checkEntry(e Entry) error {
	if strings.TrimSpace(e.Name) == "" {
		return errors.New("name is missing")
	}
	if e.Manual == (len(e.Addresses) > 0) {
		return errors.New("give either addresses or manual: true")
	}
	for _, a := range e.Addresses {
		if _, err := mail.ParseAddress(a); err != nil {
			return fmt.Errorf("address %q: %w", a, err)
		}
	}
	return nil
}

func (e Entry) names() []string {
	names := append([]string{e.Name}, e.Aliases...)
	return append(names, e.Inflections...)
}

// Organisation returns the display name of an organisation in the
// directory, and whether it is there.
func (d *Directory) Organisation(id string) (string, bool) {
	od, ok := d.orgs[id]
	if !ok {
		return "", false
	}
	return od.name, true
}

// Resolve looks up the names written under "Expedieras till". An item may
// hold several names ("Regional utvecklingsdirektör, länets kommuner och
// Regionens revisorer"); it is split on commas and " och " unless the whole
// item is a known name. Matching ignores case, surrounding whitespace and a
// trailing full stop, and accepts the aliases and inflections the directory
// lists. A name that matches nothing comes back unresolved, never dropped;
// the order of the protocol is kept and repeated names are returned once.
func (d *Directory) Resolve(org string, names []string) []Recipient {
	od := d.orgs[org] // nil: every name is unresolved
	var out []Recipient
	seen := map[string]bool{}
	for _, item := range names {
		for _, name := range od.split(item) {
			r := od.lookup(name)
			key := r.Entry
			if key == "" {
				key = "?" + normalizeName(name)
			}
			if !seen[key] {
				seen[key] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// split cuts an item into names: first at commas, then at " och " for the
// parts that are not a name in their own right.
func (od *orgDirectory) split(item string) []string {
	var names []string
	for _, part := range strings.Split(item, ",") {
		if od.known(part) {
			names = append(names, cleanName(part))
			continue
		}
		for _, n := range splitOch(part) {
			if n = cleanName(n); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

// splitOch splits at " och " except after a word ending in a hyphen, where
// "och" joins a compound ("Hälso- och sjukvårdsdirektör").
func splitOch(s string) []string {
	words := strings.Fields(s)
	var parts []string
	start := 0
	for i, w := range words {
		if strings.EqualFold(w, "och") && i > start && !strings.HasSuffix(words[i-1], "-") {
			parts = append(parts, strings.Join(words[start:i], " "))
			start = i + 1
		}
	}
	return append(parts, strings.Join(words[start:], " "))
}

func (od *orgDirectory) known(name string) bool {
	if od == nil {
		return false
	}
	_, ok := od.byName[normalizeName(name)]
	return ok
}

func (od *orgDirectory) lookup(name string) Recipient {
	r := Recipient{Name: name}
	if od == nil {
		return r
	}
	i, ok := od.byName[normalizeName(name)]
	if !ok {
		return r
	}
	e := od.entries[i]
	r.Entry, r.Manual, r.Note, r.Confidential = e.Name, e.Manual, e.Note, e.Confidential
	r.Addresses = append([]string(nil), e.Addresses...)
	return r
}

// cleanName trims whitespace (including no-break spaces) and a trailing
// full stop or semicolon, and collapses inner runs of spaces.
func cleanName(s string) string {
	s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
	return strings.TrimSpace(strings.TrimRight(s, ".;"))
}

func normalizeName(s string) string { return strings.ToLower(cleanName(s)) }
