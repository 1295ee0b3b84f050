package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestMeetingCertifiedAndSentInOnePass works a meeting of four §§ in the
// browser: from one extract to its meeting, all four chosen, certified with
// one confirmation and sent in one go, by keyboard where a clerk would
// type; axe-core on the meeting and its confirmation.
func TestMeetingCertifiedAndSentInOnePass(t *testing.T) {
	b := startBrowser(t)
	axe := readAxe(t)
	s := startSite(t)
	raw, err := os.ReadFile(filepath.Join("..", "examples", "rs-157-2023.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range []int{157, 158, 159, 160} {
		var doc map[string]any
		_ = json.Unmarshal(raw, &doc)
		p := doc["paragraphs"].([]any)[0].(map[string]any)
		p["number"], p["title"], p["caseNumber"] = n, fmt.Sprintf("Ärende %d", n), fmt.Sprintf("RS/%d/2023", n)
		body, _ := json.Marshal(doc)
		status, out := s.api("POST", "/v1/extracts", "", body)
		var v struct{ ID string }
		if err := json.Unmarshal(out, &v); err != nil || status != http.StatusCreated {
			t.Fatalf("§ %d: %d %s", n, status, out)
		}
		ids = append(ids, v.ID)
	}

	b.do("opening an extract", chromedp.Navigate(s.url+"/utdrag/"+ids[1]), chromedp.WaitVisible(chromedp.CSS("#meeting-link")))
	b.do("opening its meeting", chromedp.Click(chromedp.CSS("#meeting-link")), chromedp.WaitVisible(chromedp.CSS("table#meeting")))
	rows := b.text("table#meeting tbody")
	for _, n := range []string{"§ 157", "§ 158", "§ 159", "§ 160"} {
		if !strings.Contains(rows, n) {
			t.Errorf("the meeting lacks %s:\n%s", n, rows)
		}
	}
	if !strings.Contains(rows, "Justerad") {
		t.Errorf("the meeting does not say the §§ are justerade:\n%s", rows)
	}
	b.checkLayout("meeting", axe)
	b.screenshot("m1-meeting")

	// Choose all four by keyboard: focus the first box, Space, Tab on.
	for _, id := range ids {
		b.do("choosing "+id, chromedp.Focus(chromedp.CSS("#choose-"+id)), chromedp.KeyEvent(" "))
	}
	b.do("filling in the certification",
		chromedp.SendKeys(chromedp.CSS("#name"), "Anna Berg"),
		chromedp.SendKeys(chromedp.CSS("#title"), "Nämndsekreterare"),
		chromedp.SendKeys(chromedp.CSS("#place"), "Östersund"),
	)
	b.do("reviewing", chromedp.Click(chromedp.CSS("#review")), chromedp.WaitVisible(chromedp.CSS("#sign")))
	if got := b.text("#sign"); got != "Bestyrk och signera 4 utdrag" {
		t.Errorf("sign button %q", got)
	}
	if printed := b.text("#printed-signer"); !strings.HasPrefix(printed, "Anna Berg, Nämndsekreterare, Östersund") {
		t.Errorf("the confirmation prints %q", printed)
	}
	for _, id := range ids {
		if status, _ := s.api("GET", "/v1/extracts/"+id+"/certified", "", nil); status != http.StatusNotFound {
			t.Fatalf("%s certified before the confirmation: %d", id, status)
		}
	}
	b.checkLayout("meeting-confirm", axe)
	b.screenshot("m2-confirm")
	b.do("signing", chromedp.Click(chromedp.CSS("#sign")), chromedp.WaitVisible(chromedp.CSS("#notice")))
	if notice := b.text("#notice"); !strings.Contains(notice, "4 utdrag bestyrkta") {
		t.Errorf("notice after signing: %q", notice)
	}
	for _, id := range ids {
		if status, _ := s.api("GET", "/v1/extracts/"+id+"/certified", "", nil); status != http.StatusOK {
			t.Errorf("%s not certified: %d", id, status)
		}
	}
	b.screenshot("m3-certified")

	// Send from the meeting (opened again, so that the notice read next is the sending's).
	b.do("opening the meeting again", chromedp.Click(chromedp.CSS("#meeting-crumb")), chromedp.WaitVisible(chromedp.CSS("table#meeting")))

	for _, id := range ids {
		b.do("choosing "+id+" to send", chromedp.Focus(chromedp.CSS("#choose-"+id)), chromedp.KeyEvent(" "))
	}
	b.do("sending", chromedp.Focus(chromedp.CSS("#send")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("#notice")))
	if notice := b.text("#notice"); !strings.Contains(notice, "4 utdrag skickade") {
		t.Errorf("notice after sending: %q", notice)
	}
	if n := len(s.smtp.Accepted()); n < 4 {
		t.Errorf("%d messages accepted for four extracts", n)
	}
	b.checkLayout("meeting-sent", axe)
	b.screenshot("m4-sent")
	if got := b.fetch(b.attr("#download-combined", "href")); !strings.HasPrefix(string(got), "%PDF-") {
		t.Errorf("the combined PDF is not a PDF (%d bytes)", len(got))
	}
}
