package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestClerkPagesOfAnExtractWithSecrets opens the pages of an extract with
// parts marked confidential, both renditions certified and sent, in the
// browser: the extract page with its renditions, who got which, the
// certify form with its choice of renditions, and the verification page
// of the internal version; axe-core finds nothing on any of them.
func TestClerkPagesOfAnExtractWithSecrets(t *testing.T) {
	b := startBrowser(t)
	axe := readAxe(t)
	s := startSite(t)
	raw, err := os.ReadFile(filepath.Join("..", "examples", "storuman-ks-88-2024.json"))
	if err != nil {
		t.Fatal(err)
	}
	status, body := s.api("POST", "/v1/extracts", "", raw)
	var v struct{ ID string }
	if err := json.Unmarshal(body, &v); err != nil || status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	if status, body := s.api("POST", "/v1/extracts/"+v.ID+"/certification", "",
		[]byte(`{"name":"Karin Lidström","title":"Kommunsekreterare","renditions":["internal","public"]}`)); status != http.StatusCreated {
		t.Fatalf("certify: %d %s", status, body)
	}
	if status, body := s.api("POST", "/v1/extracts/"+v.ID+"/distribution", "", nil); status != http.StatusOK {
		t.Fatalf("distribute: %d %s", status, body)
	}
	b.do("opening the extract", chromedp.Navigate(s.url+"/utdrag/"+v.ID), chromedp.WaitVisible(chromedp.CSS("#renditions")))
	if text := b.text("#renditions"); !strings.Contains(text, "Intern") || !strings.Contains(text, "Offentlig") {
		t.Errorf("renditions table: %s", text)
	}
	if text := b.text("#distribution-status"); !strings.Contains(text, "Intern (med sekretessbelagda uppgifter)") {
		t.Errorf("distribution status: %s", text)
	}
	b.checkAccessibility("extract-with-secrets", axe)
	b.screenshot("secrecy-1-extract")
	b.do("opening the certify form", chromedp.Navigate(s.url+"/utdrag/"+v.ID+"/bestyrk"), chromedp.WaitVisible(chromedp.CSS("#rendition-internal")))
	b.checkAccessibility("certify-renditions", axe)
	b.screenshot("secrecy-2-certify")
	b.do("opening the verification page", chromedp.Navigate(s.url+"/v/"+v.ID+"/1"), chromedp.WaitVisible(chromedp.CSS("#rendition")))
	if text := b.text("#rendition"); !strings.HasPrefix(text, "Intern") {
		t.Errorf("verification page says %q", text)
	}
	b.checkAccessibility("verify-internal", axe)
	b.screenshot("secrecy-3-verify")
}
