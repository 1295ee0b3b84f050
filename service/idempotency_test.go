package service_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// TestCertifyIdempotencyKey certifies with an Idempotency-Key and sends
// the same request again, twice at once, and with other details: the
// repeats answer with the first result and sign nothing, the other
// details are refused, and the record holds one version throughout.
func TestCertifyIdempotencyKey(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	_, raw := a.as(keySystem).do("POST", "/v1/extracts", example(t, "rs-157-2023.json"))
	var x struct{ ID string }
	if err := json.Unmarshal(raw, &x); err != nil || x.ID == "" {
		t.Fatalf("create: %s", raw)
	}
	clerk := a.as(keyClerk)
	path := "/v1/extracts/" + x.ID + "/certification"
	body := []byte(`{"name":"Lena Nordin","title":"Nämndsekreterare","newVersion":true}`)
	versions := func() int {
		_, raw := clerk.do("GET", "/v1/extracts/"+x.ID, nil)
		var v struct{ Certifications []json.RawMessage }
		_ = json.Unmarshal(raw, &v)
		return len(v.Certifications)
	}

	first, firstBody := clerk.do("POST", path, body, "Idempotency-Key", "bestyrk-1")
	if first.StatusCode != http.StatusCreated || first.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %s", first.StatusCode, firstBody)
	}
	var wg sync.WaitGroup
	codes := make([]int, 3)
	locs := make([]string, 3)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := clerk.do("POST", path, body, "Idempotency-Key", "bestyrk-1")
			codes[i], locs[i] = resp.StatusCode, resp.Header.Get("Location")
			if resp.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("repeat %d: not marked as replayed", i)
			}
		}()
	}
	wg.Wait()
	for i := range codes {
		if codes[i] != http.StatusCreated || locs[i] != first.Header.Get("Location") {
			t.Errorf("repeat %d: %d %s, want 201 %s", i, codes[i], locs[i], first.Header.Get("Location"))
		}
	}
	if n := versions(); n != 1 {
		t.Fatalf("%d certified versions after four requests with one key", n)
	}

	other := []byte(`{"name":"Per Åberg","title":"Registrator","newVersion":true}`)
	if resp, raw := clerk.do("POST", path, other, "Idempotency-Key", "bestyrk-1"); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(raw), "idempotency-key-reused") {
		t.Errorf("the key with other details: %d %s", resp.StatusCode, raw)
	}
	if resp, raw := clerk.do("POST", path, body, "Idempotency-Key", "ett mellanslag"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(raw), "Idempotency-Key") {
		t.Errorf("a key with a space: %d %s", resp.StatusCode, raw)
	}
	// Two keys are two certifications, and no key is one each time.
	if resp, _ := clerk.do("POST", path, body, "Idempotency-Key", "bestyrk-2"); resp.StatusCode != http.StatusCreated {
		t.Errorf("a new key: %d", resp.StatusCode)
	}
	if resp, _ := clerk.do("POST", path, body); resp.StatusCode != http.StatusCreated {
		t.Errorf("no key: %d", resp.StatusCode)
	}
	if n := versions(); n != 3 {
		t.Errorf("%d certified versions, want 3", n)
	}
}

// TestCertifyRefusesWhatDoesNotFit certifies with a 200-character name,
// whose initials would spill out of the Utdragsbestyrkande box, and with
// an emoji: both are refused with the field and the rule named, and
// nothing is signed or stored.
func TestCertifyRefusesWhatDoesNotFit(t *testing.T) {
	a := startAPI(t, stores["fs"](t))
	_, raw := a.as(keySystem).do("POST", "/v1/extracts", example(t, "rs-157-2023.json"))
	var x struct{ ID string }
	_ = json.Unmarshal(raw, &x)
	clerk := a.as(keyClerk)
	long := strings.TrimSpace(strings.Repeat("Anna Berg ", 20)) // 199 characters, 40 initials
	for what, tc := range map[string]struct{ name, rule string }{
		"200-character name": {long, "fit"},
		"emoji":              {"Lena 😀 Nordin", "characters"},
	} {
		body, _ := json.Marshal(map[string]string{"name": tc.name, "title": "Nämndsekreterare"})
		resp, raw := clerk.do("POST", "/v1/extracts/"+x.ID+"/certification", body)
		var p struct {
			Errors []struct{ Field, Rule string }
		}
		_ = json.Unmarshal(raw, &p)
		if resp.StatusCode != http.StatusUnprocessableEntity || len(p.Errors) == 0 || p.Errors[0].Field != "name" || p.Errors[0].Rule != tc.rule {
			t.Errorf("%s: %d %s, want 422 on name (%s)", what, resp.StatusCode, raw, tc.rule)
		}
	}
	if resp, _ := clerk.do("GET", "/v1/extracts/"+x.ID+"/certified", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a refused certification left a certified version: %d", resp.StatusCode)
	}
	// The same name shortened fits.
	if resp, raw := clerk.do("POST", "/v1/extracts/"+x.ID+"/certification", []byte(`{"name":"Anna Berg","title":"Nämndsekreterare"}`)); resp.StatusCode != http.StatusCreated {
		t.Errorf("a name that fits: %d %s", resp.StatusCode, raw)
	}
}
