package clerk_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/internal/secrettest"
	"utdrag/internal/servicetest"
	"utdrag/service"
)

// TestSecrecyClerkPages: the extract page of an extract with parts marked
// confidential shows both renditions to a clerk allowed confidential
// content and the public one alone (without a word of the secret text) to
// one who is not; the certify form certifies the renditions chosen, each
// as a version of its own; the distribution page says which rendition
// each recipient is to get and, once sent, got.
func TestSecrecyClerkPages(t *testing.T) {
	dirFile := filepath.Join(t.TempDir(), "recipients.yaml")
	if err := os.WriteFile(dirFile, []byte(servicetest.SecretDirectory), 0o600); err != nil {
		t.Fatal(err)
	}
	e := startUI(t, func(c *service.Config) {
		c.AuthFile = servicetest.SecrecyKeyFile(t)
		c.Mail.Recipients = dirFile
	})
	id := e.Create("storuman-ks-88-2024.json", "Authorization", "Bearer "+servicetest.KeySecretSystem)
	sec := secrettest.Of(exampletest.Load(t, "storuman-ks-88-2024.json"), exampletest.Template(t).Labels)
	login := func(key string) {
		t.Helper()
		e.Client = servicetest.Browser(t)
		resp, _ := e.Post("/logga-in", url.Values{"csrf": {e.CSRF("/logga-in")}, "key": {key}, "next": {"/"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", resp.StatusCode)
		}
	}

	login(servicetest.KeyPlainClerk)
	_, page := e.Get("/utdrag/" + id)
	for _, want := range []string{"Innehåller sekretessbelagda uppgifter", "Din behörighet omfattar inte sekretessbelagda uppgifter",
		`id="download-public"`, "Offentlig version"} {
		if !strings.Contains(page, want) {
			t.Errorf("page for a clerk without the permission lacks %q", want)
		}
	}
	if strings.Contains(page, "rendition=internal") {
		t.Error("page for a clerk without the permission links the internal rendition")
	}
	servicetest.NoSecret(t, "extract page (clerk without the permission)", map[string]string{"html": page}, sec)
	for _, path := range []string{"/utdrag/" + id + "/pdf?rendition=internal", "/utdrag/" + id + "/html?rendition=internal"} {
		if resp, _ := e.Get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s without the permission: %d", path, resp.StatusCode)
		}
	}
	_, form := e.Get("/utdrag/" + id + "/bestyrk")
	if !regexp.MustCompile(`id="rendition-internal"[^>]*disabled`).MatchString(form) {
		t.Error("the certify form offers the internal rendition to a clerk without the permission")
	}

	login(servicetest.KeySecretClerk)
	_, page = e.Get("/utdrag/" + id)
	for _, want := range []string{`id="download-internal"`, `id="download-public"`, "Intern version", "/pdf?rendition=internal&amp;visa=1"} {
		if !strings.Contains(page, want) {
			t.Errorf("page for a clerk with the permission lacks %q", want)
		}
	}
	if resp, _ := e.Get("/utdrag/" + id + "/pdf?rendition=internal"); resp.StatusCode != http.StatusOK {
		t.Errorf("internal PDF with the permission: %d", resp.StatusCode)
	}
	// Certify both renditions through the form: review, then sign.
	fields := url.Values{"name": {"Karin Lidström"}, "title": {"Kommunsekreterare"}, "rendition": {"internal", "public"}}
	review := url.Values{"csrf": {e.CSRF("/utdrag/" + id + "/bestyrk")}, "step": {"review"}}
	for k, v := range fields {
		review[k] = v
	}
	resp, _ := e.Post("/utdrag/"+id+"/bestyrk", review)
	_, confirm := e.Get(resp.Header.Get("Location"))
	if !strings.Contains(confirm, `id="confirm-renditions"`) || strings.Count(confirm, `name="rendition"`) < 2 {
		t.Fatalf("confirmation page lacks the renditions")
	}
	sign := url.Values{"csrf": review["csrf"], "step": {"sign"}}
	for k, v := range fields {
		sign[k] = v
	}
	if resp, _ := e.Post("/utdrag/"+id+"/bestyrk", sign); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign: %d", resp.StatusCode)
	}
	_, page = e.Get("/utdrag/" + id)
	if !regexp.MustCompile(`(?s)<td>1 \(gällande\)</td>\s*<td>Intern</td>.*<td>2 \(gällande\)</td>\s*<td>Offentlig</td>`).MatchString(page) {
		t.Error("the certifications table does not say which rendition each version is")
	}
	// The public verification pages say which rendition each version is,
	// and hold no secret word but those the page says of every extract.
	other := minimalCertified(t, e)
	_, otherPage := e.Get("/v/" + other + "/1")
	var minimal extract.Extract
	if err := json.Unmarshal([]byte(servicetest.MinimalExtract), &minimal); err != nil {
		t.Fatal(err)
	}
	pageSec := sec.Without(secrettest.Furniture(&minimal, otherPage, renditionLines))
	for n, want := range map[string]string{"1": "Intern: innehåller sekretessbelagda uppgifter", "2": "Offentlig: de sekretessbelagda"} {
		_, v := e.Get("/v/" + id + "/" + n)
		if !strings.Contains(v, want) {
			t.Errorf("verification page of version %s does not say %q", n, want)
		}
		servicetest.NoSecret(t, "verification page of version "+n, map[string]string{"html": v}, pageSec)
	}
	// The distribution page says who gets which, and after sending, who
	// got which.
	_, plan := e.Get("/utdrag/" + id + "/expediera")
	if !regexp.MustCompile(`(?s)Ekonomienheten.*Får den interna versionen.*Kommunens ombud.*Får den offentliga versionen`).MatchString(plan) {
		t.Error("the distribution page does not say which rendition each recipient gets")
	}
	if resp, _ := e.Post("/utdrag/"+id+"/expediera", url.Values{"csrf": {e.CSRF("/utdrag/" + id + "/expediera")}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("distribute: %d", resp.StatusCode)
	}
	_, page = e.Get("/utdrag/" + id)
	if !regexp.MustCompile(`(?s)Fick versionen.*Ekonomienheten.*<td>Intern \(med sekretessbelagda uppgifter\)</td>.*Kommunens ombud.*<td>Offentlig</td>`).MatchString(page) {
		t.Error("the extract page does not say which rendition each recipient got")
	}
	if got := e.SMTP.AcceptedTo(); got["ekonomi@storuman.example.se"] != 1 || got["kommunjurist@storuman.example.se"] != 1 {
		t.Errorf("sent %v", got)
	}
}

// renditionLines are what a verification page says of the rendition of an
// extract with two, whatever the extract.
const renditionLines = "Offentlig: de sekretessbelagda uppgifterna är ersatta med en hänvisning till sekretessgrunden. Intern: innehåller sekretessbelagda uppgifter."

// minimalCertified creates and certifies the extract of fewest words,
// through the API, and returns its id.
func minimalCertified(t *testing.T, e *uiEnv) string {
	t.Helper()
	do := func(method, path, key string, body []byte) []byte {
		req, _ := http.NewRequest(method, e.URL+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		return raw
	}
	var v struct{ ID string }
	_ = json.Unmarshal(do("POST", "/v1/extracts", servicetest.KeySecretSystem, []byte(servicetest.MinimalExtract)), &v)
	do("POST", "/v1/extracts/"+v.ID+"/certification", servicetest.KeySecretClerk, []byte(`{"name":"Ada Ek","title":"Sekreterare"}`))
	return v.ID
}
