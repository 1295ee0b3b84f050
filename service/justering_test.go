package service_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/internal/pdftest"
	"utdrag/internal/smtptest"
	"utdrag/service"
	"utdrag/storage"
)

// on is a clock stopped at noon in Sweden on date.
func on(t *testing.T, date string) func() time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation(time.DateTime, date+" 12:00:00", loc)
	if err != nil {
		t.Fatal(err)
	}
	return func() time.Time { return at }
}

// council is the council example (meeting 2026-11-23, justering
// 2026-12-01, § 34 omedelbart justerad) with its justering state left to
// the date, or stated as state.
func council(t *testing.T, state string) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(example(t, "storuman-kf-33-2026.json"), &doc); err != nil {
		t.Fatal(err)
	}
	j := doc["justering"].(map[string]any)
	delete(j, "state")
	if state != "" {
		j["state"] = state
	}
	raw, _ := json.Marshal(doc)
	return raw
}

type justeringView struct {
	ID        string `json:"id"`
	Adjusted  bool   `json:"adjusted"`
	Certified bool   `json:"certified"`
	Justering []struct {
		Number      int
		State, Date string
	} `json:"justering"`
}

func (v justeringView) states() string {
	var out []string
	for _, j := range v.Justering {
		out = append(out, strings.Join([]string{"§", itoa(j.Number), j.State, j.Date}, " "))
	}
	return strings.Join(out, "; ")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// requireNotAdjusted checks a refusal: 409 problem+json in Swedish naming
// § 33 and the justering day.
func requireNotAdjusted(t *testing.T, what string, resp *http.Response, body []byte) {
	t.Helper()
	var p problemDoc
	_ = json.Unmarshal(body, &p)
	var detail struct{ Detail string }
	_ = json.Unmarshal(body, &detail)
	if resp.StatusCode != http.StatusConflict || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") ||
		!strings.HasSuffix(p.Type, "/not-adjusted") || p.Title != "Inte justerat" ||
		!strings.Contains(detail.Detail, "§ 33 är inte justerad") || !strings.Contains(detail.Detail, "2026-12-01") ||
		len(p.Errors) != 1 || p.Errors[0].Field != "paragraphs[0]" || p.Errors[0].Rule != "justering" {
		t.Errorf("%s: %d %s %s", what, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}

// TestDraftIsNotCertified: before its justering day a council's extract is
// a draft: stored and shown (the PDF and HTML say Ej justerat), refused
// certification with 409 naming the paragraph and the day, with nothing
// written; after the day the same input is a new extract that certifies.
func TestDraftIsNotCertified(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			e := startWith(t, store, service.Deps{Now: on(t, "2026-11-25")})
			resp, body := e.do("POST", "/v1/extracts", council(t, ""))
			var v justeringView
			_ = json.Unmarshal(body, &v)
			if resp.StatusCode != http.StatusCreated || v.Adjusted ||
				v.states() != "§ 33 pending 2026-12-01; § 34 immediate 2026-11-23" {
				t.Fatalf("create: %d adjusted %v %s", resp.StatusCode, v.Adjusted, v.states())
			}
			_, pdf := e.do("GET", "/v1/extracts/"+v.ID+"/pdf", nil)
			if text := pdftest.Text(t, pdf); strings.Count(text, "Ej justerat") != strings.Count(text, "Justerandes sign") {
				t.Error("the draft's pages do not all say Ej justerat")
			}
			if _, page := e.do("GET", "/v1/extracts/"+v.ID+"/html", nil); !strings.Contains(string(page), "Ej justerat") {
				t.Error("the draft's HTML rendition does not say Ej justerat")
			}
			before := e.objects()
			resp, body = e.do("POST", "/v1/extracts/"+v.ID+"/certification", []byte(clerk))
			requireNotAdjusted(t, "certify", resp, body)
			if after := e.objects(); !slices.Equal(before, after) {
				t.Errorf("a refused certification wrote %v", after)
			}
			if _, body := e.do("GET", "/v1/extracts/"+v.ID, nil); json.Unmarshal(body, &v) != nil || v.Certified {
				t.Errorf("refused extract shows as certified: %s", body)
			}

			// Stated justerat on a day still to come: refused at the door.
			resp, body = e.do("POST", "/v1/extracts", council(t, "adjusted"))
			if resp.StatusCode != 422 || !strings.Contains(string(body), `"field":"justering.date","rule":"maximum"`) {
				t.Errorf("justerat in the future: %d %s", resp.StatusCode, body)
			}

			// After the justering day the same input is the justerat
			// extract: another one, that certifies.
			later := startWith(t, store, service.Deps{Now: on(t, "2026-12-01")})
			resp, body = later.do("POST", "/v1/extracts", council(t, ""))
			var w justeringView
			_ = json.Unmarshal(body, &w)
			if resp.StatusCode != http.StatusCreated || w.ID == v.ID || !w.Adjusted || !strings.HasPrefix(w.states(), "§ 33 adjusted 2026-12-01") {
				t.Fatalf("after the justering day: %d %s", resp.StatusCode, body)
			}
			if resp, body := later.do("POST", "/v1/extracts/"+w.ID+"/certification", []byte(clerk)); resp.StatusCode != http.StatusCreated {
				t.Errorf("certify the justerat extract: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// TestOlderRecordNotJusteratIsNotSent: a certified record kept from before
// records stated their justering state is judged by its justering day:
// before it, the API and the clerk pages refuse to distribute or certify
// it again, and nothing is written or sent.
func TestOlderRecordNotJusteratIsNotSent(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			store := open(t)
			late := startWith(t, store, service.Deps{Now: on(t, "2026-12-02")})
			id := late.create("storuman-kf-33-2026.json")
			if resp, body := late.certify(id, clerk); resp.StatusCode != http.StatusCreated {
				t.Fatalf("certify: %d %+v", resp.StatusCode, body)
			}
			unstate(t, store, id)

			e, mail := startClerk(t, store, on(t, "2026-11-25"))
			_, body := e.api("GET", "/v1/extracts/"+id, nil)
			var v justeringView
			if json.Unmarshal(body, &v) != nil || v.Adjusted || !v.Certified || !strings.HasPrefix(v.states(), "§ 33 pending 2026-12-01") {
				t.Errorf("older record: %s", body)
			}
			before := objects(t, store)
			resp, body := e.api("POST", "/v1/extracts/"+id+"/distribution", nil)
			requireNotAdjusted(t, "distribute", resp, body)
			resp, body = e.api("POST", "/v1/extracts/"+id+"/certification", []byte(`{"name":"Lena Nordin","title":"Nämndsekreterare","newVersion":true}`))
			requireNotAdjusted(t, "certify again", resp, body)
			resp, body = e.api("POST", "/v1/distributions", []byte(`{"ids":["`+id+`"]}`))
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":409`) || !strings.Contains(string(body), "§ 33 är inte justerad") {
				t.Errorf("batch: %d %s", resp.StatusCode, body)
			}

			// The extract's page says so and offers neither certification
			// nor distribution.
			resp, page := e.Get("/utdrag/" + id)
			if resp.StatusCode != 200 || !strings.Contains(undated(page), "§ 33 ej justerad (justeras 2026-12-01), § 34 omedelbart justerad 2026-11-23") ||
				!strings.Contains(page, `id="draft"`) || strings.Contains(page, "/utdrag/"+id+"/expediera") || strings.Contains(page, "/utdrag/"+id+"/bestyrk\"") {
				t.Errorf("extract page: %d\n%s", resp.StatusCode, page)
			}

			token := e.CSRF("/verify")
			for _, page := range []struct {
				method, path string
				form         url.Values
			}{
				{"GET", "/utdrag/" + id + "/bestyrk", nil},
				{"POST", "/utdrag/" + id + "/bestyrk", url.Values{"csrf": {token}, "name": {"Anna Berg"}, "title": {"Nämndsekreterare"}, "newVersion": {"1"}, "step": {"sign"}}},
				{"GET", "/utdrag/" + id + "/expediera", nil},
				{"POST", "/utdrag/" + id + "/expediera", url.Values{"csrf": {token}}},
			} {
				var resp *http.Response
				var body string
				if page.method == "GET" {
					resp, body = e.Get(page.path)
				} else {
					resp, body = e.Post(page.path, page.form)
				}
				// The distribution page still shows who is to get the
				// extract, with the reason it cannot be sent and no button.
				want := http.StatusConflict
				if page.method == "GET" && strings.HasSuffix(page.path, "/expediera") {
					want = http.StatusOK
					if strings.Contains(body, `id="send"`) {
						t.Errorf("%s %s offers to send", page.method, page.path)
					}
				}
				if resp.StatusCode != want || !strings.Contains(body, "§ 33 är inte justerad") || !strings.Contains(body, "2026-12-01") {
					t.Errorf("%s %s: %d", page.method, page.path, resp.StatusCode)
				}
			}
			if after := objects(t, store); !slices.Equal(before, after) {
				t.Errorf("refusals wrote: %v", after)
			}
			if n := len(mail.Accepted()); n != 0 {
				t.Errorf("%d messages sent", n)
			}
		})
	}
}

// unstate makes id's record look as records did before they kept the
// justering state: no state in the extract, no justering in the summary.
func unstate(t *testing.T, store storage.Store, id string) {
	t.Helper()
	a := archive.New(store)
	rec, etag, err := a.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	rec.Extract.Justering.State = ""
	rec.Justering = nil
	if err := a.Update(context.Background(), rec, etag); err != nil {
		t.Fatal(err)
	}
}

func objects(t *testing.T, store storage.Store) []string {
	t.Helper()
	objs, err := store.List(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key+" "+o.ETag)
	}
	return keys
}

// startClerk starts the service in open mode on store with clock now, a
// recording SMTP server, and a browser-like client for the clerk pages.
func startClerk(t *testing.T, store storage.Store, now func() time.Time) (*uiEnv, *smtptest.Server) {
	t.Helper()
	e := startUIOn(t, store, now, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return e, e.SMTP
}

// api sends a JSON request with the clerk pages' client.
func (e *uiEnv) api(method, path string, body []byte) (*http.Response, []byte) {
	e.T.Helper()
	return sendJSON(e.T, e.Client, method, e.URL+path, body)
}
