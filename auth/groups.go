package auth

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Group maps one group (or role) that an OpenID provider names in its
// tokens to the roles and the organisation of the people in it.
type Group struct {
	Group        string `yaml:"group"`
	Roles        []Role `yaml:"roles"`
	Organisation string `yaml:"organisation"`
	// Confidential, as for a key: its people may read internal renditions.
	Confidential bool `yaml:"confidential"`
}

func checkGroups(gs []Group, orgs map[string]string) ([]Group, error) {
	seen := map[string]bool{}
	for i := range gs {
		g := &gs[i]
		g.Group, g.Organisation = strings.TrimSpace(g.Group), strings.TrimSpace(g.Organisation)
		k := Key{Name: "group " + g.Group, Roles: g.Roles, Organisation: g.Organisation}
		switch {
		case g.Group == "":
			return nil, fmt.Errorf("group %d: the group's name is missing", i+1)
		case seen[g.Group]:
			return nil, fmt.Errorf("group %d (%q): mapped twice", i+1, g.Group)
		}
		seen[g.Group] = true
		if err := k.checkRoles(orgs); err != nil {
			return nil, fmt.Errorf("group %d (%q): %w", i+1, g.Group, err)
		}
		g.Roles = k.Roles
	}
	return gs, nil
}

// Errors of Person.
var (
	// ErrNoGroup: none of the person's groups is mapped.
	ErrNoGroup = errors.New("auth: none of the person's groups gives access")
	// ErrOrganisations: the person's groups map to different
	// organisations, so which one they act for is not clear.
	ErrOrganisations = errors.New("auth: the person's groups belong to different organisations")
)

// Person is what a person whose provider names groups may do, as a Key
// named name: the roles of every mapped group together, and their
// organisation, which must be one (a group for all organisations gives
// way to one for a single organisation: the narrower scope wins).
func (ks *Keys) Person(name string, groups []string) (*Key, error) {
	k := &Key{Name: name}
	orgs := map[string]bool{}
	for _, g := range ks.groups {
		if !slices.Contains(groups, g.Group) {
			continue
		}
		for _, r := range g.Roles {
			if !slices.Contains(k.Roles, r) {
				k.Roles = append(k.Roles, r)
			}
		}
		orgs[g.Organisation] = true
		k.Confidential = k.Confidential || g.Confidential
	}
	if len(k.Roles) == 0 {
		return nil, ErrNoGroup
	}
	if len(orgs) > 1 {
		delete(orgs, AllOrganisations)
	}
	if len(orgs) > 1 {
		return nil, ErrOrganisations
	}
	for o := range orgs {
		k.Organisation = o
	}
	return k, nil
}

// TitleEditable reports whether people of organisation may change the
// title the provider gives them; people of every organisation ("*") may
// when any organisation allows it.
func (ks *Keys) TitleEditable(organisation string) bool {
	if organisation == AllOrganisations {
		return len(ks.editable) > 0
	}
	return ks.editable[organisation]
}

// Groups reports whether the file maps any group: people may log in
// through a provider.
func (ks *Keys) Groups() bool { return len(ks.groups) > 0 }
