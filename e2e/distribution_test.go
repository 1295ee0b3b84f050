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

// TestClerkDistributionTellsTheTruth: the plan before certifying; a real
// SMTP server on loopback that refuses one address for good (550) and
// answers another "try later" (451); the page telling the two apart and
// handling them differently; a correction; a manual recipient marked as
// served; an added recipient; a new certified version sent to one chosen
// recipient, with the record saying which version each address got.
func TestClerkDistributionTellsTheTruth(t *testing.T) {
	b := startBrowser(t)
	axe := readAxe(t)
	s := startSite(t)
	id := s.seedWith("rs-157-2023.json", func(x map[string]any) {
		p := x["paragraphs"].([]any)[0].(map[string]any)
		p["distributeTo"] = append(p["distributeTo"].([]any), "Regionarkivet")
	})
	const refused, busy, revision = "registrator@ragunda.example.se", "registrator@krokom.example.se", "revisionen@regionjh.example.se"

	// Before certifying: the extract page lists Expedieras till, and the
	// distribution page shows the plan without an error or a send button.
	b.open(s.url+"/utdrag/"+id, "#planned")
	if plan := b.text("#planned"); !strings.Contains(plan, "revisionen@regionjh.example.se") || !strings.Contains(plan, "Regionarkivet") {
		t.Errorf("the extract page's plan:\n%s", plan)
	}
	b.checkAccessibility("extract-plan", axe)
	b.screenshot("d1-extract-plan")
	b.open(s.url+"/utdrag/"+id+"/expediera", "#planned")
	if got := b.text("#blocked"); !strings.Contains(got, "inte bestyrkt") {
		t.Errorf("the plan of an uncertified extract says %q", got)
	}
	if got := b.text("#plan-summary"); got != "10 e-postmeddelanden skickas till 3 mottagare. 1 mottagare expedieras manuellt, med post eller personligen." {
		t.Errorf("plan summary %q", got)
	}
	if n := count(b, "#send, .alert.error"); n != 0 {
		t.Errorf("%d send buttons or errors on the plan of an uncertified extract", n)
	}
	b.checkLayout("distribute-uncertified", axe)
	b.screenshot("d2-distribute-uncertified")

	certify(t, s, id, `{"name":"Anna Berg","title":"Nämndsekreterare"}`)
	s.smtp.SetAlways(refused, "550")
	s.smtp.SetAlways(busy, "451")
	b.open(s.url+"/utdrag/"+id+"/expediera", "#send")
	b.do("sending", chromedp.Click(chromedp.CSS("#send")), chromedp.WaitVisible(chromedp.CSS("#distribution-status")))
	notice := b.text("#notice")
	status := b.text("#distribution-status")
	summary := b.text(".dist-summary")
	if strings.Contains(notice, "expedierat") || b.attr("#notice", "class") == "alert success" {
		t.Errorf("the notice overclaims: %q (%s)", notice, b.attr("#notice", "class"))
	}
	for _, want := range []string{"2 av 4 mottagare har fått utdraget; 2 har inte fått det än.",
		"1 e-postmeddelande kunde inte tas emot just nu (tillfälligt fel)", "E-postservern avvisade en adress för gott", "1 mottagare ska få utdraget med post eller personligen"} {
		if !strings.Contains(summary, want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary)
		}
	}
	if strings.Contains(summary, "försök igen") || strings.Contains(status, "levererad") {
		t.Errorf("the page suggests a retry for a refusal, or says delivered:\n%s\n%s", summary, status)
	}
	for _, want := range []string{"Avvisad", "550", "Tillfälligt fel", "451"} {
		if !strings.Contains(status, want) {
			t.Errorf("the status lacks %q:\n%s", want, status)
		}
	}
	b.checkLayout("distribute-failures", axe)
	b.screenshot("d3-distribute-failures")

	// Sending again tries the temporary failure, not the refusal.
	s.smtp.SetAlways(busy, "")
	offered := len(s.smtp.Offered())
	b.do("sending again", forget("#notice"), chromedp.Click(chromedp.CSS("#resend")), chromedp.WaitVisible(chromedp.CSS("#notice")))
	again := s.smtp.Offered()[offered:]
	if len(again) != 1 || again[0].To != busy {
		t.Errorf("sending again offered %d messages (want one to %s)", len(again), busy)
	}

	// The refused address is corrected.
	const fixed = "kommun@ragunda.example.se"
	b.do("correcting", forget("#notice"), chromedp.SendKeys(chromedp.CSS("form.correct input[name=newAddress]"), fixed),
		chromedp.Click(chromedp.CSS("form.correct button")), chromedp.WaitVisible(chromedp.CSS("#notice")))
	if s.smtp.AcceptedTo()[fixed] != 1 {
		t.Errorf("the corrected address got %d messages", s.smtp.AcceptedTo()[fixed])
	}
	if got := b.text("#distribution-status"); !strings.Contains(got, "Rättad av") || !strings.Contains(got, refused) {
		t.Errorf("the status does not show the correction:\n%s", got)
	}

	// The manual recipient is marked as served; only then is it green.
	if strings.Contains(b.attr("#notice", "class"), "success") {
		t.Errorf("green while a manual recipient is not served: %q", b.text("#notice"))
	}
	b.do("marking served", forget("#notice"), chromedp.SetValue(chromedp.CSS("form.served input[name=by]"), "Per Ek"),
		chromedp.SetValue(chromedp.CSS("form.served select[name=how]"), "hand"),
		chromedp.Click(chromedp.CSS("form.served button")), chromedp.WaitVisible(chromedp.CSS("#notice")))
	if got := b.text("#notice"); b.attr("#notice", "class") != "alert success" || !strings.Contains(got, "alla 4 mottagare har fått det") {
		t.Errorf("after serving the last recipient: %q (%s)", got, b.attr("#notice", "class"))
	}
	if got := b.text("#distribution-status"); !strings.Contains(got, "Expedierad personligen av Per Ek") {
		t.Errorf("the status lacks the service:\n%s", got)
	}
	b.checkAccessibility("distribute-done", axe)
	b.screenshot("d4-distribute-done")

	// An address that is not one is refused with the text kept.
	b.do("adding a malformed address", forget("#notice"), chromedp.SendKeys(chromedp.CSS("#add-name"), "Sökanden"),
		chromedp.SendKeys(chromedp.CSS("#add-address"), "sokande.example.se"),
		void(chromedp.Evaluate[bool](`(document.querySelector("#add-address").type = "text", true)`)),
		chromedp.Click(chromedp.CSS("form.add-recipient button")), chromedp.WaitVisible(chromedp.CSS("form.add-recipient .field-error")))
	if got := b.attr("#add-name", "value"); got != "Sökanden" {
		t.Errorf("the name typed is lost: %q", got)
	}
	b.do("adding a recipient", forget("#notice"), chromedp.SetValue(chromedp.CSS("#add-address"), "sokande@example.se"),
		chromedp.Click(chromedp.CSS("form.add-recipient button")), chromedp.WaitVisible(chromedp.CSS("#notice")))
	if s.smtp.AcceptedTo()["sokande@example.se"] != 1 || !strings.Contains(b.text("#distribution-status"), "Sökanden") {
		t.Error("the added recipient did not get the extract")
	}

	// Version 2, sent to the recipient chosen.
	certify(t, s, id, `{"name":"Anna Berg","title":"Nämndsekreterare","newVersion":true}`)
	b.open(s.url+"/utdrag/"+id+"/expediera", "#send-version")
	if got := b.text("#outdated"); !strings.Contains(got, "5 mottagare har en tidigare version") {
		t.Errorf("after version 2: %q", got)
	}
	b.checkLayout("distribute-version", axe)
	b.screenshot("d5-distribute-version")
	offered = len(s.smtp.Offered())
	b.do("choosing one recipient", forget("#notice"),
		void(chromedp.Evaluate[bool](`(() => { for (const c of document.querySelectorAll("input[name=recipient]")) c.checked = c.value === "Regionens revisorer"; return true })()`)),
		chromedp.Click(chromedp.CSS("#send-version")), chromedp.WaitVisible(chromedp.CSS("#notice")))
	sent := s.smtp.Offered()[offered:]
	if len(sent) != 1 || sent[0].To != revision {
		t.Fatalf("version 2 to one chosen recipient offered %d messages", len(sent))
	}
	_, raw := s.api("GET", "/v1/extracts/"+id+"/distribution", "", nil)
	var rec struct {
		Recipients []struct {
			Name       string
			Deliveries []struct {
				Address string
				Version int
				Earlier []struct{ Version int }
			}
		}
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	for _, r := range rec.Recipients {
		for _, d := range r.Deliveries {
			want := 1
			if d.Address == revision {
				want = 2
			}
			if max(d.Version, 1) != want {
				t.Errorf("%s has version %d in the record, want %d", d.Address, d.Version, want)
			}
		}
	}
	if got := b.text("#distribution-status"); !strings.Contains(got, "version 2") || !strings.Contains(got, "Version 1: skickad") {
		t.Errorf("the status does not say which version each got:\n%s", got)
	}
	// Everyone has the extract, but four not as now certified: not green.
	if got := b.text(".dist-summary"); !strings.Contains(got, "4 mottagare har en tidigare version än den gällande (version 2).") ||
		strings.Contains(b.attr("#notice", "class"), "success") {
		t.Errorf("after version 2 to one of five: %q (%s)", got, b.attr("#notice", "class"))
	}
	b.checkAccessibility("distribute-version-sent", axe)
	b.screenshot("d6-distribute-version-sent")
}

// forget removes the element sel from the page, so that waiting for it
// after a click waits for the next page.
func forget(sel string) chromedp.Action[chromedp.Void] {
	return void(chromedp.Evaluate[bool](`(document.querySelector(` + jsString(sel) + `)?.remove(), true)`))
}

// seedWith posts an example extract changed by edit and returns its id.
func (s *site) seedWith(name string, edit func(map[string]any)) string {
	s.t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		s.t.Fatal(err)
	}
	var x map[string]any
	if err := json.Unmarshal(raw, &x); err != nil {
		s.t.Fatal(err)
	}
	edit(x)
	body, _ := json.Marshal(x)
	status, out := s.api("POST", "/v1/extracts", "", body)
	var v struct{ ID string }
	if err := json.Unmarshal(out, &v); err != nil || status != http.StatusCreated {
		s.t.Fatalf("posting %s: %d %s", name, status, out)
	}
	return v.ID
}

func certify(t *testing.T, s *site, id, body string) {
	t.Helper()
	if status, out := s.api("POST", "/v1/extracts/"+id+"/certification", "", []byte(body)); status != http.StatusCreated {
		t.Fatalf("certifying: %d %s", status, out)
	}
}

func count(b *browser, sel string) int {
	return run(b, "counting "+sel, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}
