package distribute

import (
	"slices"
	"strings"
	"testing"
)

func TestResolveSeed000(t *testing.T) {
	dir := loadExampleDirectory(t)
	got := dir.Resolve("region-jh", []string{"Regional utvecklingsdirektör, länets kommuner, Regionens revisorer"})
	want := []struct {
		name, entry string
		addresses   int
	}{
		{"Regional utvecklingsdirektör", "Regional utvecklingsdirektör", 1},
		{"länets kommuner", "Länets kommuner", 8},
		{"Regionens revisorer", "Regionens revisorer", 1},
	}
	if len(got) != len(want) {
		t.Fatalf("Resolve gave %d recipients, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Name != w.name || got[i].Entry != w.entry || len(got[i].Addresses) != w.addresses {
			t.Errorf("recipient %d = %q → %q with %d addresses, want %q → %q with %d",
				i, got[i].Name, got[i].Entry, len(got[i].Addresses), w.name, w.entry, w.addresses)
		}
	}
	for _, town := range []string{"berg", "bracke", "harjedalen", "krokom", "ragunda", "stromsund", "are", "ostersund"} {
		if !slices.Contains(got[1].Addresses, "registrator@"+town+".example.se") {
			t.Errorf("länets kommuner lacks %s: %v", town, got[1].Addresses)
		}
	}
}

func TestResolveSeed002(t *testing.T) {
	dir := loadExampleDirectory(t)
	got := dir.Resolve("region-jh", []string{"Regiondirektör", "Regionstyrelsen"})
	if len(got) != 2 || got[0].Entry != "Regiondirektör" || got[1].Entry != "Regionstyrelsen" {
		t.Fatalf("Resolve = %+v, want Regiondirektör and Regionstyrelsen", got)
	}
	for _, r := range got {
		if len(r.Addresses) != 1 || !strings.HasSuffix(r.Addresses[0], ".example.se") {
			t.Errorf("%s: addresses %v, want one .example.se address", r.Name, r.Addresses)
		}
	}
}

func TestResolveForms(t *testing.T) {
	dir := loadExampleDirectory(t)
	cases := []struct{ written, entry string }{
		{"  regiondirektören ", "Regiondirektör"},
		{"REVISORERNA", "Regionens revisorer"},
		{"Regionstyrelsen.", "Regionstyrelsen"},
		{"Regionala\u00a0utvecklingsdirektören", "Regional utvecklingsdirektör"},
		{"Arkivet", "Regionarkivet"},
	}
	for _, c := range cases {
		got := dir.Resolve("region-jh", []string{c.written})
		if len(got) != 1 || got[0].Entry != c.entry {
			t.Errorf("Resolve(%q) = %+v, want entry %q", c.written, got, c.entry)
		}
	}
}

func TestResolveSplitsOch(t *testing.T) {
	dir := loadExampleDirectory(t)
	got := dir.Resolve("region-jh", []string{"Regiondirektör och Regionstyrelsen, Hälso- och sjukvårdsnämnden"})
	names := make([]string, len(got))
	for i, r := range got {
		names[i] = r.Name
	}
	want := []string{"Regiondirektör", "Regionstyrelsen", "Hälso- och sjukvårdsnämnden"}
	if !slices.Equal(names, want) {
		t.Fatalf("names = %q, want %q", names, want)
	}
	if got[2].Resolved() {
		t.Errorf("Hälso- och sjukvårdsnämnden resolved to %q, want unresolved", got[2].Entry)
	}
}

func TestResolveKeepsUnknownAndManual(t *testing.T) {
	dir := loadExampleDirectory(t)
	got := dir.Resolve("region-jh", []string{"Regiondirektör", "Förvaltningschef kultur", "Regionarkivet", "regiondirektören"})
	if len(got) != 3 {
		t.Fatalf("Resolve = %+v, want 3 recipients (the repeated Regiondirektör once)", got)
	}
	if got[1].Name != "Förvaltningschef kultur" || got[1].Resolved() || len(got[1].Addresses) != 0 {
		t.Errorf("unknown name = %+v, want kept as unresolved", got[1])
	}
	if !got[2].Manual || got[2].Note == "" || len(got[2].Addresses) != 0 {
		t.Errorf("Regionarkivet = %+v, want manual with a note", got[2])
	}
	if other := dir.Resolve("kommun-x", []string{"Regiondirektör"}); len(other) != 1 || other[0].Resolved() {
		t.Errorf("unknown organisation resolved: %+v", other)
	}
}

func TestLoadDirectoryRejects(t *testing.T) {
	cases := map[string]string{
		"duplicate name": `organisations: {o: {recipients: [
			{name: A, addresses: [a@x.example.se]}, {name: B, aliases: [a], addresses: [b@x.example.se]}]}}`,
		"neither addresses nor manual": `organisations: {o: {recipients: [{name: A}]}}`,
		"both addresses and manual":    `organisations: {o: {recipients: [{name: A, manual: true, addresses: [a@x.example.se]}]}}`,
		"bad address":                  `organisations: {o: {recipients: [{name: A, addresses: [not-an-address]}]}}`,
		"not yaml":                     `organisations: [`,
	}
	for name, data := range cases {
		if _, err := LoadDirectory([]byte(data)); err == nil {
			t.Errorf("%s: LoadDirectory accepted it", name)
		}
	}
}
