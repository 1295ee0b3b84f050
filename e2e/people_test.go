package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"utdrag/auth"
	"utdrag/auth/openid"
	"utdrag/internal/oidctest"
	"utdrag/service"
)

// TestPersonLogsInThroughTheProvider: a registrar opens an extract, logs
// in on the real OpenID provider's page, certifies under the name and
// title the provider gives, and sees it in the extract's trail; an
// administrator then reads the whole trail.
func TestPersonLogsInThroughTheProvider(t *testing.T) {
	const system = "e2e-system-key-people-0123456789"
	tp := oidctest.Start(t)
	keys := filepath.Join(t.TempDir(), "keys.yaml")
	file := "organisations: {region-jh: Region Jämtland Härjedalen}\nkeys:\n" +
		"  - {name: Ärendesystem, sha256: " + auth.Hash(system) + ", roles: [system], organisation: region-jh}\n" +
		"groups:\n" +
		"  - {group: utdrag-kommun-registratorer, roles: [clerk], organisation: region-jh}\n" +
		"  - {group: utdrag-administratorer, roles: [admin], organisation: \"*\"}\n"
	if err := os.WriteFile(keys, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	b := startBrowser(t)
	axe := readAxe(t)
	s := startSite(t, func(c *service.Config) {
		c.AuthFile = keys
		c.OpenID = openid.Config{Issuer: tp.Issuer, ClientID: tp.ClientID, ClientSecret: tp.ClientSecret,
			RedirectURL: c.PublicURL + service.OpenIDReturnPath}
	})
	rs, _ := s.seed(system)

	logIn := func(user string, then string) {
		b.do("opening the login page", chromedp.Navigate(s.url+"/logga-in?next="+then), chromedp.WaitVisible(chromedp.CSS("#login-person")))
		b.do("going to the provider", chromedp.Click(chromedp.CSS("#login-person")), chromedp.WaitVisible(chromedp.CSS("#username")))
		b.do("logging in at the provider as "+user,
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), oidctest.Password+kb.Enter),
			chromedp.WaitVisible(chromedp.CSS(".logout strong")))
	}

	b.do("opening an extract without a session", chromedp.Navigate(s.url+"/utdrag/"+rs), chromedp.WaitVisible(chromedp.CSS("#login-person")))
	b.checkAccessibility("login-person", axe)
	b.screenshot("30-login-person")
	logIn("lena", "/utdrag/"+rs)
	if user := b.text(".logout strong"); user != "Lena Nordin" {
		t.Errorf("logged in as %q", user)
	}
	b.do("opening the certification form", chromedp.WaitVisible(chromedp.CSS("#certify")), chromedp.Click(chromedp.CSS("#certify")), chromedp.WaitVisible(chromedp.CSS("#name")))
	if name, title := b.attr("#name", "value"), b.attr("#title", "value"); name != "Lena Nordin" || title != "Nämndsekreterare" {
		t.Errorf("the form holds %q, %q", name, title)
	}
	if ro := run(b, "reading readonly", chromedp.Evaluate[bool](`document.querySelector("#name").readOnly && document.querySelector("#title").readOnly`)); !ro {
		t.Error("the name and title from the provider can be changed in the form")
	}
	b.checkAccessibility("certify-person", axe)
	b.screenshot("31-certify-person")
	b.do("reviewing", chromedp.SendKeys(chromedp.CSS("#place"), "Östersund"), chromedp.Click(chromedp.CSS("#review")), chromedp.WaitVisible(chromedp.CSS("#sign")))
	b.do("signing", chromedp.Click(chromedp.CSS("#sign")), chromedp.WaitVisible(chromedp.CSS("#download-certified")))
	if rec := b.text("#certifications"); !strings.Contains(rec, "Lena Nordin, Nämndsekreterare, Östersund") {
		t.Errorf("certification record: %q", rec)
	}
	trail := b.text("table.events tbody")
	if !strings.Contains(trail, "Bestyrkt\tLena Nordin\t1") && !strings.Contains(trail, "Bestyrkt Lena Nordin 1") {
		if !strings.Contains(trail, "Bestyrkt") || !strings.Contains(trail, "Lena Nordin") || !strings.Contains(trail, "API-nyckel Ärendesystem") {
			t.Errorf("the extract's trail:\n%s", trail)
		}
	}
	b.checkAccessibility("extract-trail", axe)
	b.screenshot("32-extract-trail")

	b.do("logging out", chromedp.Click(chromedp.CSS(".logout button")), chromedp.WaitVisible(chromedp.CSS("#key")))
	logIn("admin", "/logg")
	b.do("the trail", chromedp.WaitVisible(chromedp.CSS("table.events")))
	all := b.text("table.events tbody")
	for _, want := range []string{"Inloggning", "Utloggning", "Bestyrkt", "Skapat", "Lena Nordin", "Ada Admin"} {
		if !strings.Contains(all, want) {
			t.Errorf("the whole trail lacks %q:\n%s", want, all)
		}
	}
	b.checkAccessibility("audit", axe)
	b.screenshot("33-audit")
	b.do("filtering on certifications", chromedp.SetValue(chromedp.CSS("#action"), "certify"), chromedp.Click(chromedp.CSS(`form.search button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`#action option[value="certify"][selected]`)))
	if rows := b.text("table.events tbody"); strings.Count(rows, "Bestyrkt") != 1 {
		t.Errorf("filtered trail:\n%s", rows)
	}
	b.screenshot("34-audit-filtered")
}
