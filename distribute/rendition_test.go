package distribute

import (
	"strings"
	"testing"
)

func TestRenditionPerRecipient(t *testing.T) {
	dir, err := LoadDirectory([]byte(`organisations:
  k:
    name: Kommunen
    recipients:
      - name: Socialtjänsten
        addresses: [soc@k.example.se]
        confidential: true
      - name: Pressen
        addresses: [press@k.example.se]
      - name: Akten
        manual: true
        confidential: true
`))
	if err != nil {
		t.Fatal(err)
	}
	marked := Message{PDF: []byte("public"), Internal: []byte("internal"), InternalFilename: "x intern.pdf", Filename: "x.pdf"}
	plain := Message{PDF: []byte("public"), Filename: "x.pdf"}
	want := map[string][2]string{
		"Socialtjänsten": {RenditionInternal, RenditionPublic},
		"Pressen":        {RenditionPublic, RenditionPublic},
		"Akten":          {RenditionInternal, RenditionPublic},
	}
	for _, r := range dir.Resolve("k", []string{"Socialtjänsten, Pressen och Akten"}) {
		if got := [2]string{marked.RenditionFor(r), plain.RenditionFor(r)}; got != want[r.Name] {
			t.Errorf("%s: %v, want %v (marked, unmarked extract)", r.Name, got, want[r.Name])
		}
	}
	if a := marked.attachment(RenditionInternal); string(a.Data) != "internal" || a.Filename != "x intern.pdf" {
		t.Errorf("internal attachment %+v", a)
	}
	if a := marked.attachment(RenditionPublic); string(a.Data) != "public" {
		t.Errorf("public attachment %+v", a)
	}
	if a := plain.attachment(RenditionInternal); string(a.Data) != "public" {
		t.Errorf("an extract with one rendition attaches it: %+v", a)
	}
}

func TestDirectoryRefusesAddressOfBothKinds(t *testing.T) {
	_, err := LoadDirectory([]byte(`organisations:
  k:
    name: Kommunen
    recipients:
      - name: Socialtjänsten
        addresses: [Registrator@k.example.se]
        confidential: true
      - name: Kommunstyrelsen
        addresses: [registrator@k.example.se]
`))
	if err == nil || !strings.Contains(err.Error(), "Socialtjänsten") || !strings.Contains(err.Error(), "Kommunstyrelsen") {
		t.Errorf("one address for a recipient allowed confidential content and one not: %v", err)
	}
}
