package auth_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"utdrag/auth"
)

const groupsFile = `organisations:
  kommun: Exempels kommun
  region: Region Exempel
groups:
  - group: utdrag-kommun-registratorer
    roles: [clerk]
    organisation: kommun
  - group: utdrag-kommun-sekretess
    roles: [clerk]
    organisation: kommun
    confidential: true
  - group: utdrag-region
    roles: [clerk]
    organisation: region
  - group: utdrag-administratorer
    roles: [admin]
    organisation: "*"
editableTitles: [kommun]
`

func TestPersonFromGroups(t *testing.T) {
	ks, err := auth.Parse([]byte(groupsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !ks.Groups() || ks.Len() != 0 {
		t.Fatalf("a file of groups alone: groups %v, %d keys", ks.Groups(), ks.Len())
	}
	k, err := ks.Person("Lena Nordin", []string{"ekonomi", "utdrag-kommun-registratorer"})
	if err != nil || k.Name != "Lena Nordin" || !k.Has(auth.Clerk) || k.Has(auth.System) || k.Scope() != "kommun" || k.Confidential {
		t.Errorf("a registrar: %+v, %v", k, err)
	}
	k, err = ks.Person("s", []string{"utdrag-kommun-registratorer", "utdrag-kommun-sekretess"})
	if err != nil || !k.Confidential || !slices.Equal(k.Roles, []auth.Role{auth.Clerk}) {
		t.Errorf("two groups of one organisation: %+v, %v", k, err)
	}
	k, err = ks.Person("a", []string{"utdrag-administratorer"})
	if err != nil || !k.Has(auth.Admin) || k.Scope() != "" {
		t.Errorf("an administrator: %+v, %v", k, err)
	}
	// An administrator of all who is also a registrar of one organisation
	// acts for that one: the narrower scope wins.
	k, err = ks.Person("b", []string{"utdrag-administratorer", "utdrag-region"})
	if err != nil || !k.Has(auth.Admin) || k.Scope() != "region" {
		t.Errorf("admin and registrar: %+v, %v", k, err)
	}
	if _, err := ks.Person("x", []string{"ekonomi"}); !errors.Is(err, auth.ErrNoGroup) {
		t.Errorf("no mapped group: %v", err)
	}
	if _, err := ks.Person("x", nil); !errors.Is(err, auth.ErrNoGroup) {
		t.Errorf("no groups: %v", err)
	}
	if _, err := ks.Person("x", []string{"utdrag-kommun-registratorer", "utdrag-region"}); !errors.Is(err, auth.ErrOrganisations) {
		t.Errorf("two organisations: %v", err)
	}
	if !ks.TitleEditable("kommun") || ks.TitleEditable("region") || !ks.TitleEditable("*") {
		t.Error("editable titles")
	}
}

func TestGroupsRefuseTypos(t *testing.T) {
	for name, tc := range map[string]struct{ from, to, want string }{
		"unknown organisation": {"organisation: region\n", "organisation: regoin\n", `organisation "regoin"`},
		"unknown role":         {"roles: [clerk]\n    organisation: region", "roles: [clerc]\n    organisation: region", `unknown role "clerc"`},
		"no roles":             {"roles: [clerk]\n    organisation: region", "roles: []\n    organisation: region", "roles are missing"},
		"group twice":          {"group: utdrag-region", "group: utdrag-kommun-registratorer", "mapped twice"},
		"no name":              {"group: utdrag-region", `group: " "`, "name is missing"},
		"unknown field":        {"confidential: true", "confidental: true", "confidental"},
		"editable unknown":     {"editableTitles: [kommun]", "editableTitles: [kommunen]", `"kommunen"`},
	} {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(groupsFile, tc.from) {
				t.Fatalf("the file lacks %q", tc.from)
			}
			_, err := auth.Parse([]byte(strings.Replace(groupsFile, tc.from, tc.to, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %s", err, tc.want)
			}
		})
	}
	if _, err := auth.Parse([]byte("organisations: {kommun: K}\n")); err == nil {
		t.Error("a file without keys or groups was accepted")
	}
}
