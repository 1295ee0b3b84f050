package clerk_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"utdrag/distribute"
	"utdrag/index/indextest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage/fs"
)

// TestDistributionPageTellsTheTruth drives the distribution page over
// HTTP against a real SMTP server on loopback that refuses one address for
// good (550) and answers another "try later" (451): the plan before
// certifying, the words for each failure, a resend that retries only the
// temporary one, a correction, a manual recipient marked served, an added
// recipient, and a new version sent to one chosen recipient.
func TestDistributionPageTellsTheTruth(t *testing.T) {
	e := startUI(t)
	raw := bytes.Replace(example(t, "rs-157-2023.json"), []byte(`"Regionens revisorer"`), []byte(`"Regionens revisorer", "Regionarkivet"`), 1)
	id := e.createRaw(raw)
	page := "/utdrag/" + id + "/expediera"
	const refused, busy, revision = "registrator@ragunda.example.se", "registrator@krokom.example.se", "revisionen@regionjh.example.se"

	// Before certifying: the plan, on the extract page and on its own.
	if _, body := e.Get("/utdrag/" + id); !strings.Contains(body, `id="planned"`) || !strings.Contains(body, "revisionen@regionjh.example.se") ||
		!strings.Contains(body, "Expedieras till") {
		t.Error("the extract page of an uncertified extract does not list Expedieras till")
	}
	resp, body := e.Get(page)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="blocked"`) || strings.Contains(body, `id="send"`) || strings.Contains(body, "alert error") {
		t.Fatalf("plan of an uncertified extract: %d, blocked %v", resp.StatusCode, strings.Contains(body, `id="blocked"`))
	}
	if want := "10 e-postmeddelanden skickas till 3 mottagare. 1 mottagare expedieras manuellt, med post eller personligen."; !strings.Contains(body, want) {
		t.Errorf("the plan lacks %q", want)
	}
	token := e.CSRF("/utdrag/" + id + "/bestyrk")
	if resp, _ := e.Post(page, url.Values{"csrf": {token}}); resp.StatusCode != http.StatusConflict || len(e.SMTP.Offered()) != 0 {
		t.Fatalf("sending an uncertified extract: %d, %d offered", resp.StatusCode, len(e.SMTP.Offered()))
	}

	e.certifyAPI(id, `{"name":"Anna Berg","title":"Nämndsekreterare"}`)
	e.SMTP.SetAlways(refused, "550")
	e.SMTP.SetAlways(busy, "451")
	resp, _ = e.Post(page, url.Values{"csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page+"?klart=skickat" {
		t.Fatalf("send: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = e.Get(page + "?klart=skickat")
	notice := text(body, `id="notice"`)
	if strings.Contains(notice, "success") || strings.Contains(notice, "alla") {
		t.Errorf("notice after a send with failures: %s", notice)
	}
	for _, want := range []string{
		"2 av 4 mottagare har fått utdraget; 2 har inte fått det än.",
		"1 e-postmeddelande kunde inte tas emot just nu (tillfälligt fel)",
		"E-postservern avvisade en adress för gott. Att skicka igen hjälper inte; rätta adressen.",
		"1 mottagare ska få utdraget med post eller personligen.",
		"550 5.1.1 Mailbox unavailable", "451 4.3.0 Try again later",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q\n%s", want, text(body, `class="dist-summary"`))
		}
	}
	for _, wrong := range []string{"levererad", "försök igen om en stund", "e-postmeddelanden levererade"} {
		if strings.Contains(strings.ToLower(body), wrong) {
			t.Errorf("the page says %q", wrong)
		}
	}

	// Send again: the temporary failure only.
	e.SMTP.SetAlways(busy, "")
	offered := len(e.SMTP.Offered())
	e.Post(page, url.Values{"csrf": {token}, "step": {"igen"}})
	if again := e.SMTP.Offered()[offered:]; len(again) != 1 || again[0].To != busy {
		t.Errorf("sending again offered %d messages, want one to %s", len(again), busy)
	}

	// A malformed correction keeps what was typed; a good one sends.
	resp, body = e.Post(page+"/ratta", url.Values{"csrf": {token}, "address": {refused}, "newAddress": {"kommun.ragunda.example.se"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Det är inte en e-postadress") || !strings.Contains(body, `value="kommun.ragunda.example.se"`) {
		t.Errorf("a malformed correction: %d", resp.StatusCode)
	}
	const fixed = "kommun@ragunda.example.se"
	if resp, _ := e.Post(page+"/ratta", url.Values{"csrf": {token}, "address": {refused}, "newAddress": {fixed}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("correct: %d", resp.StatusCode)
	}
	if e.SMTP.AcceptedTo()[fixed] != 1 || e.SMTP.AcceptedTo()[refused] != 0 {
		t.Errorf("after the correction: %v", e.SMTP.AcceptedTo())
	}
	_, body = e.Get(page + "?klart=rattad")
	if !strings.Contains(body, "Rättad av") || strings.Contains(text(body, `id="notice"`), "success") {
		t.Error("the correction is not shown, or the page is green with a manual recipient left")
	}

	// The manual recipient, served by hand: now everyone has it.
	if resp, _ := e.Post(page+"/expedierad", url.Values{"csrf": {token}, "recipient": {"Regionarkivet"}, "by": {"Per Ek"}, "how": {"hand"}, "date": {"2099-01-01"}}); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a service dated in the future: %d", resp.StatusCode)
	}
	if resp, _ := e.Post(page+"/expedierad", url.Values{"csrf": {token}, "recipient": {"Regionarkivet"}, "by": {"Per Ek"}, "how": {"hand"}, "date": {"2023-10-10"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark served: %d", resp.StatusCode)
	}
	_, body = e.Get(page + "?klart=markerad")
	if n := text(body, `id="notice"`); !strings.Contains(n, `alert success`) || !strings.Contains(n, "Utdraget är expedierat: alla 4 mottagare har fått det.") {
		t.Errorf("notice when everyone has it: %s", n)
	}
	if !strings.Contains(undated(body), "Expedierad personligen av Per Ek 2023-10-10 (version 1)") {
		t.Error("the service is not shown")
	}

	// An added recipient gets it at once.
	e.Post(page+"/mottagare", url.Values{"csrf": {token}, "name": {"Sökanden"}, "address": {"sokande@example.se"}})
	if e.SMTP.AcceptedTo()["sokande@example.se"] != 1 {
		t.Error("the added recipient did not get the extract")
	}

	// Version 2 to one chosen recipient.
	e.certifyAPI(id, `{"name":"Anna Berg","title":"Nämndsekreterare","newVersion":true}`)
	_, body = e.Get(page)
	if !strings.Contains(body, "5 mottagare har en tidigare version") || !strings.Contains(body, "Skicka version 2 till valda mottagare") {
		t.Error("the page does not offer version 2")
	}
	offered = len(e.SMTP.Offered())
	e.Post(page, url.Values{"csrf": {token}, "step": {"version"}, "recipient": {"Regionens revisorer"}})
	if sent := e.SMTP.Offered()[offered:]; len(sent) != 1 || sent[0].To != revision {
		t.Fatalf("version 2 to one chosen recipient offered %d messages", len(sent))
	}
	_, body = e.Get(page)
	if !strings.Contains(body, "Version 1: skickad") || !strings.Contains(body, "4 mottagare har en tidigare version") {
		t.Error("the page does not say which version each recipient has")
	}
	_, raw = e.api("GET", "/v1/extracts/"+id+"/distribution")
	var rec distribute.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	for _, rs := range rec.Recipients {
		for _, d := range rs.Deliveries {
			if want := map[bool]int{true: 2, false: 1}[d.Address == revision]; d.VersionOf() != want {
				t.Errorf("%s has version %d, want %d", d.Address, d.VersionOf(), want)
			}
		}
	}
}

// text is the element of body whose opening tag holds attr, up to its
// end tag's line: enough to read a notice.
func text(body, attr string) string {
	i := strings.Index(body, attr)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<")
	end := strings.Index(body[i:], "</div>")
	if end < 0 {
		return body[start:]
	}
	return regexp.MustCompile(`\s+`).ReplaceAllString(body[start:i+end], " ")
}

// api calls the API without a key (open mode) and returns the answer.
func (e *uiEnv) api(method, path string, body ...byte) (*http.Response, []byte) {
	e.T.Helper()
	req, _ := http.NewRequest(method, e.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return resp, buf.Bytes()
}

// createRaw posts an extract and returns its id.
func (e *uiEnv) createRaw(raw []byte) string {
	e.T.Helper()
	resp, body := e.api("POST", "/v1/extracts", raw...)
	var v struct{ ID string }
	if err := json.Unmarshal(body, &v); err != nil || resp.StatusCode != http.StatusCreated {
		e.T.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	return v.ID
}

// certifyAPI certifies through the API.
func (e *uiEnv) certifyAPI(id, body string) {
	e.T.Helper()
	if resp, out := e.api("POST", "/v1/extracts/"+id+"/certification", []byte(body)...); resp.StatusCode != http.StatusCreated {
		e.T.Fatalf("certify: %d %s", resp.StatusCode, out)
	}
}

// TestOutboxOnlySaysSo: without a mail server the messages only go to the
// outbox folder; the page says so before and after, and never that the
// extract was sent or distributed.
func TestOutboxOnlySaysSo(t *testing.T) {
	store, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outbox := t.TempDir()
	cfg := service.Defaults()
	cfg.Mail.Recipients = "../examples/recipients.yaml"
	cfg.Mail.Outbox = outbox
	srv, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: store, Render: servicetest.Engine(t),
		Logger: servicetest.Log(t), Pages: servicetest.Pages(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e := &uiEnv{&servicetest.UI{T: t, URL: ts.URL, Client: servicetest.Browser(t)}}
	id := e.Create("rs-157-2023.json")
	e.certifyAPI(id, `{"name":"Anna Berg","title":"Nämndsekreterare"}`)
	page := "/utdrag/" + id + "/expediera"
	_, body := e.Get(page)
	if !strings.Contains(body, `id="outbox"`) || !strings.Contains(body, "Spara 10 meddelanden i utkorgen") || strings.Contains(body, "Skicka till") {
		t.Error("the plan does not say that messages only go to the outbox")
	}
	if resp, _ := e.Post(page, url.Values{"csrf": {e.CSRF(page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("send: %d", resp.StatusCode)
	}
	files, _ := os.ReadDir(outbox)
	if len(files) != 10 {
		t.Errorf("%d files in the outbox, want 10", len(files))
	}
	_, body = e.Get(page + "?klart=skickat")
	notice := text(body, `id="notice"`)
	if !strings.Contains(notice, "Meddelandena är sparade i utkorgsmappen, inte skickade.") || strings.Contains(notice, "success") {
		t.Errorf("notice: %s", notice)
	}
	summary := text(body, `class="dist-summary"`)
	if !strings.Contains(summary, "10 e-postmeddelanden till 3 mottagare är bara sparade i utkorgsmappen, inte skickade") ||
		strings.Contains(summary, "expedierat") {
		t.Errorf("summary: %s", summary)
	}
	if strings.Contains(body, ">Skickad<") || strings.Contains(strings.ToLower(body), "levererad") {
		t.Error("the page calls a saved message sent or delivered")
	}
	if _, list := e.Get("/?paragraph=157"); strings.Contains(list, `<span class="badge ok">Ja</span></td>`+"\n        <td><span class=\"badge ok\">Ja</span>") ||
		!strings.Contains(list, "I utkorgen, inte skickat") {
		t.Error("the list shows an extract only in the outbox as distributed")
	}
}
