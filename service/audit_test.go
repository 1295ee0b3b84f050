package service_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"utdrag/audit"
	"utdrag/service"
	"utdrag/storage"
)

var ndjsonOnce sync.Once

// checkNDJSON makes the OpenAPI check read a JSON Lines answer line by
// line, each line an AuditEvent as the document describes it.
func checkNDJSON(doc *openapi3.T) {
	ndjsonOnce.Do(func() {
		event := doc.Components.Schemas["AuditEvent"].Value
		openapi3filter.RegisterBodyDecoder("application/x-ndjson", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			raw, err := io.ReadAll(r)
			if err != nil {
				return nil, err
			}
			for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
				if line == "" && len(raw) == 0 {
					break
				}
				var v any
				if err := json.Unmarshal([]byte(line), &v); err != nil {
					return nil, fmt.Errorf("line %d: %w", i+1, err)
				}
				if err := event.VisitJSON(v); err != nil {
					return nil, fmt.Errorf("line %d is no AuditEvent: %w", i+1, err)
				}
			}
			return string(raw), nil
		})
	})
}

// auditEvents reads a JSON Lines export.
func auditEvents(t *testing.T, raw []byte) []audit.Event {
	t.Helper()
	var evs []audit.Event
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		evs = append(evs, e)
	}
	return evs
}

// exerciseAudit reads the trail of extract id, which the OpenAPI test
// created, certified and distributed, as an administrator, and checks who
// did what.
func exerciseAudit(t *testing.T, a *api, id string) {
	t.Helper()
	checkNDJSON(a.spec.doc)
	admin := a.as(keyAdmin)
	resp, body := admin.do("GET", "/v1/audit?extract="+id, nil)
	expect(t, "audit of an extract", resp, body, 200)
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q", ct)
	}
	var got []string
	evs := auditEvents(t, body)
	for _, e := range evs {
		got = append(got, string(e.Action)+" by "+e.Actor.Name)
		if e.Extract != id || e.Address != "127.0.0.1" || e.Organisation != "region-jh" || e.Organ != "Regionstyrelsen" {
			t.Errorf("event %+v", e)
		}
		if e.Action != audit.Create && e.Version != 1 {
			t.Errorf("%s of version %d, want 1", e.Action, e.Version)
		}
	}
	// Sent, a recipient added (and sent to), then the batch sends again: a
	// resend of what is pending. The requests refused change nothing and
	// are not in the trail.
	want := "create by arendesystem, certify by registrator, distribute by registrator, distribute by registrator, resend by registrator"
	if strings.Join(got, ", ") != want {
		t.Errorf("the trail of %s:\n%s\nwant\n%s", id, strings.Join(got, ", "), want)
	} else if !strings.HasPrefix(evs[3].Detail, "mottagare tillagd: Handläggaren <handlaggare@regionjh.example.se>") {
		t.Errorf("the added recipient's event says %q", evs[3].Detail)
	}

	resp, body = admin.do("GET", "/v1/audit?action=certify&actor=registrator&limit=1", nil)
	expect(t, "audit filtered", resp, body, 200)
	if evs := auditEvents(t, body); len(evs) != 1 || evs[0].Action != audit.Certify || evs[0].Actor.Name != "registrator" {
		t.Errorf("filtered: %+v", evs)
	}
	// The protocol the OpenAPI test stored is in the trail as a create.
	resp, body = admin.do("GET", "/v1/audit?action=create&organ=Kommunstyrelsen", nil)
	expect(t, "audit of creates", resp, body, 200)
	protocols := 0
	for _, e := range auditEvents(t, body) {
		if strings.HasPrefix(e.Detail, "protokoll ") && e.Extract == "" {
			protocols++
		}
	}
	if protocols != 1 {
		t.Errorf("%d protocol creates in the trail, want 1:\n%s", protocols, body)
	}
	resp, body = admin.do("GET", "/v1/audit?action=delete&from=igår&limit=0", nil)
	expect(t, "audit query invalid", resp, body, 422)
	for _, field := range []string{`"action"`, `"from"`, `"limit"`} {
		if !bytes.Contains(body, []byte(`"field":`+field)) {
			t.Errorf("the problem does not name %s: %s", field, body)
		}
	}
	resp, body = a.as(keyClerk).do("GET", "/v1/audit", nil)
	expect(t, "audit as clerk", resp, body, 403)
	resp, body = a.do("GET", "/v1/audit", nil)
	expect(t, "audit without key", resp, body, 401)

	// An administrator of one organisation sees its events alone.
	region := a.as(keyAdminRegion)
	resp, body = region.do("GET", "/v1/audit?organisation=annan-kommun", nil)
	expect(t, "audit of another organisation", resp, body, 403)
	resp, body = region.do("GET", "/v1/audit", nil)
	expect(t, "audit of own organisation", resp, body, 200)
	evs = auditEvents(t, body)
	if len(evs) == 0 {
		t.Error("no events for the organisation")
	}
	for _, e := range evs {
		if e.Organisation != "region-jh" {
			t.Errorf("a region-jh administrator sees %+v", e)
		}
	}
	resp, body = admin.do("GET", "/v1/audit?organisation=annan-kommun", nil)
	expect(t, "audit of annan-kommun", resp, body, 200)
	if evs := auditEvents(t, body); len(evs) != 0 {
		t.Errorf("annan-kommun has done nothing, yet: %+v", evs)
	}

	// jq reads the export back.
	resp, body = admin.do("GET", "/v1/audit?"+url.Values{"extract": {id}, "action": {"certify"}}.Encode(), nil)
	expect(t, "audit for jq", resp, body, 200)
	cmd := exec.Command("jq", "-r", `[.action, .actor.kind, .actor.name, (.version|tostring)] | join(" ")`)
	cmd.Stdin = bytes.NewReader(body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq: %v", err)
	}
	if string(out) != "certify key registrator 1\n" {
		t.Errorf("jq read %q", out)
	}
}

// auditDown refuses every write of the audit trail, as a store would
// whose audit folder could not be written.
type auditDown struct{ storage.Store }

func (s auditDown) Put(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	if strings.HasPrefix(key, audit.Prefix) {
		return storage.Object{}, fmt.Errorf("%w: audit folder down", storage.ErrUnavailable)
	}
	return s.Store.Put(ctx, key, data, opts)
}

// TestAuditEventLostIsLoggedAndCounted: when the event of a create cannot
// be stored, the create stands (it has happened) and the event is not
// lost silently: it is logged whole at ERROR level and counted.
func TestAuditEventLostIsLoggedAndCounted(t *testing.T) {
	a := startAPI(t, auditDown{stores["fs"](t)})
	id := a.as(keySystem).mustCreate(example(t, "rs-157-2023.json"))
	var logged map[string]any
	for _, line := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(line, "audit: event not recorded") {
			if err := json.Unmarshal([]byte(line), &logged); err != nil {
				t.Fatal(err)
			}
		}
	}
	if logged == nil || logged["level"] != "ERROR" {
		t.Fatalf("no ERROR line for the lost event in the log:\n%s", a.logs.String())
	}
	var e audit.Event
	if err := json.Unmarshal([]byte(logged["event"].(string)), &e); err != nil || e.Action != audit.Create || e.Extract != id || e.Actor.Name != "arendesystem" {
		t.Errorf("the logged event %v (%v), want the create of %s by arendesystem", logged["event"], err, id)
	}
	_, body := a.do("GET", "/metrics", nil)
	if !regexp.MustCompile(`(?m)^utdrag_audit_failures_total 1$`).Match(body) {
		t.Errorf("the failure is not counted:\n%s", grepLines(string(body), "utdrag_audit"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestOpenIDConfiguration: personal login is configured whole or not at
// all, needs a key file for its groups, and returns to the public URL.
func TestOpenIDConfiguration(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	full := map[string]string{
		"UTDRAG_OIDC_ISSUER": "https://idp.example.se/", "UTDRAG_OIDC_CLIENT_ID": "utdrag", "UTDRAG_OIDC_CLIENT_SECRET": "s",
		"UTDRAG_AUTH_FILE": "/etc/utdrag/keys.yaml", "UTDRAG_PUBLIC_URL": "https://utdrag.example.se/",
		"UTDRAG_OIDC_SCOPES": "profile email groups", "UTDRAG_OIDC_GROUPS_CLAIM": "roles",
	}
	cfg, err := service.FromEnv(env(full))
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.OpenID
	if o.Issuer != "https://idp.example.se/" || o.ClientID != "utdrag" || o.RedirectURL != "https://utdrag.example.se/logga-in/oidc" ||
		strings.Join(o.Scopes, " ") != "profile email groups" || o.GroupsClaim != "roles" {
		t.Errorf("OpenID configuration %+v", o)
	}
	for _, drop := range []string{"UTDRAG_OIDC_CLIENT_ID", "UTDRAG_OIDC_CLIENT_SECRET", "UTDRAG_AUTH_FILE"} {
		kv := map[string]string{}
		for k, v := range full {
			if k != drop {
				kv[k] = v
			}
		}
		if _, err := service.FromEnv(env(kv)); err == nil || !strings.Contains(err.Error(), "UTDRAG_OIDC") {
			t.Errorf("without %s: %v, want an error naming the OIDC settings", drop, err)
		}
	}
	if cfg, err := service.FromEnv(env(nil)); err != nil || cfg.OpenID.Issuer != "" {
		t.Errorf("without OIDC settings: %+v, %v", cfg.OpenID, err)
	}
}
