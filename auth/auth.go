// Package auth checks API keys and maps people's groups. Keys are kept as
// SHA-256 hashes in a YAML file, each with a name (for logs), its roles
// and the organisation whose extracts it may see; the same file names each
// organisation, so that what a key posts can carry no other organisation's
// name. For people who log in through an OpenID provider the file maps the
// groups (or roles) the provider says they have to roles and an
// organisation, and says which organisations let their people change the
// title the provider gives them. Policy says which roles may use which
// route.
//
// It may import the standard library and go.yaml.in/yaml/v3, nothing of
// this module.
package auth

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Role is what a key may do.
type Role string

// The roles. Admin may do everything.
const (
	System Role = "system" // a case-management system: create and preview extracts
	Clerk  Role = "clerk"  // list, read, download, certify and distribute extracts
	Admin  Role = "admin"  // everything
)

// AllOrganisations, as a key's organisation, lets it see every
// organisation's extracts.
const AllOrganisations = "*"

// Key is one API key as the file describes it. The key itself is never
// kept, only its hash.
type Key struct {
	Name         string `yaml:"name"`
	SHA256       string `yaml:"sha256"`
	Roles        []Role `yaml:"roles"`
	Organisation string `yaml:"organisation"`
	// Confidential lets the key read what is secret: the internal
	// rendition of an extract with parts marked confidential (its PDF,
	// HTML and certified versions). Without it a key gets the public
	// rendition alone, whatever its roles, admin included: access to
	// secret data follows the need of the work, not the key's rank.
	Confidential bool `yaml:"confidential"`
	hash         []byte
}

// Has reports whether the key holds any of roles; Admin holds them all.
func (k *Key) Has(roles ...Role) bool {
	if slices.Contains(k.Roles, Admin) {
		return true
	}
	for _, r := range roles {
		if slices.Contains(k.Roles, r) {
			return true
		}
	}
	return false
}

// Scope is the organisation whose extracts the key sees, or "" for all.
func (k *Key) Scope() string {
	if k.Organisation == AllOrganisations {
		return ""
	}
	return k.Organisation
}

// Keys are the keys of one file and the organisations it names.
type Keys struct {
	keys     []Key
	orgs     map[string]string // organisation id → name
	groups   []Group
	editable map[string]bool // organisations whose people may edit their title
}

type file struct {
	// Organisations maps each organisation id to its name as documents
	// show it.
	Organisations map[string]string `yaml:"organisations"`
	Keys          []Key             `yaml:"keys"`
	Groups        []Group           `yaml:"groups"`
	// EditableTitles are the organisations whose people may change, when
	// they certify, the title the provider gives them.
	EditableTitles []string `yaml:"editableTitles"`
}

// Load reads the key file at path.
func Load(path string) (*Keys, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("auth: reading key file: %w", err)
	}
	ks, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("auth: %s: %w", path, err)
	}
	return ks, nil
}

// Parse reads a key file's content; unknown fields, unknown roles, bad
// hashes, duplicates, a second YAML document and a key of an organisation
// the file does not name are errors, so a typo cannot open a door. Values
// are read without surrounding white space.
func Parse(b []byte) (*Keys, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding keys: %w", err)
	}
	var more any
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		return nil, errors.New("the file holds more than one YAML document: keep every key and organisation in one")
	}
	if len(f.Keys) == 0 && len(f.Groups) == 0 {
		return nil, errors.New("no keys and no groups")
	}
	orgs, err := organisations(f.Organisations)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i := range f.Keys {
		k := &f.Keys[i]
		if err := k.check(orgs); err != nil {
			return nil, fmt.Errorf("key %d (%q): %w", i+1, k.Name, err)
		}
		if seen[k.Name] || seen[k.SHA256] {
			return nil, fmt.Errorf("key %d (%q): name or hash used twice", i+1, k.Name)
		}
		seen[k.Name], seen[k.SHA256] = true, true
	}
	groups, err := checkGroups(f.Groups, orgs)
	if err != nil {
		return nil, err
	}
	editable := map[string]bool{}
	for _, id := range f.EditableTitles {
		id = strings.TrimSpace(id)
		if orgs[id] == "" {
			return nil, fmt.Errorf("editableTitles: organisation %q is not among the file's organisations", id)
		}
		editable[id] = true
	}
	return &Keys{keys: f.Keys, orgs: orgs, groups: groups, editable: editable}, nil
}

// organisations checks the file's organisations: at least one, each with
// an id and a name.
func organisations(in map[string]string) (map[string]string, error) {
	if len(in) == 0 {
		return nil, errors.New(`no organisations: name each one ("organisations: {region-jh: Region Jämtland Härjedalen}")`)
	}
	out := make(map[string]string, len(in))
	for id, name := range in {
		id, name = strings.TrimSpace(id), strings.TrimSpace(name)
		switch {
		case id == "" || id == AllOrganisations:
			return nil, fmt.Errorf("organisation id %q is not an id", id)
		case name == "":
			return nil, fmt.Errorf("organisation %q has no name", id)
		case out[id] != "":
			return nil, fmt.Errorf("organisation %q is named twice", id)
		}
		out[id] = name
	}
	return out, nil
}

func (k *Key) check(orgs map[string]string) error {
	k.SHA256 = strings.ToLower(strings.TrimSpace(k.SHA256))
	h, err := hex.DecodeString(k.SHA256)
	if err != nil || len(h) != sha256.Size {
		return errors.New("sha256 must be 64 hex digits (printf %s KEY | sha256sum)")
	}
	k.hash = h
	k.Name = strings.TrimSpace(k.Name)
	if k.Name == "" {
		return errors.New("name is missing")
	}
	return k.checkRoles(orgs)
}

// checkRoles checks the organisation and the roles of a key or a group.
func (k *Key) checkRoles(orgs map[string]string) error {
	k.Organisation = strings.TrimSpace(k.Organisation)
	for i, r := range k.Roles {
		k.Roles[i] = Role(strings.TrimSpace(string(r)))
	}
	switch {
	case k.Organisation == "":
		return fmt.Errorf("organisation is missing (an id, or %q for all)", AllOrganisations)
	case k.Organisation != AllOrganisations && orgs[k.Organisation] == "":
		return fmt.Errorf("organisation %q is not among the file's organisations", k.Organisation)
	case len(k.Roles) == 0:
		return errors.New("roles are missing")
	}
	for _, r := range k.Roles {
		if r != System && r != Clerk && r != Admin {
			return fmt.Errorf("unknown role %q (want system, clerk or admin)", r)
		}
	}
	return nil
}

// Len is the number of keys.
func (ks *Keys) Len() int { return len(ks.keys) }

// OrganisationName is the name the file gives organisation id, and
// whether it names it at all.
func (ks *Keys) OrganisationName(id string) (string, bool) {
	name, ok := ks.orgs[id]
	return name, ok
}

// Lookup finds the key whose hash matches secret. Every entry is compared,
// in constant time, so the answer's timing tells nothing about the keys.
func (ks *Keys) Lookup(secret string) (*Key, bool) {
	if secret == "" {
		return nil, false
	}
	sum := sha256.Sum256([]byte(secret))
	found := -1
	for i := range ks.keys {
		if subtle.ConstantTimeCompare(sum[:], ks.keys[i].hash) == 1 {
			found = i
		}
	}
	if found < 0 {
		return nil, false
	}
	return &ks.keys[found], true
}

// Hash is the hex SHA-256 of a key, as the key file holds it.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
