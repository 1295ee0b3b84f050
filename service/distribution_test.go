package service_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"utdrag/distribute"
	"utdrag/internal/smtptest"
	"utdrag/service"
	"utdrag/storage"
)

// mailEnv starts the service with a real SMTP server and the example
// recipient directory.
func mailEnv(t *testing.T, open func(t *testing.T) storage.Store) (*env, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	mailer, err := distribute.NewSMTP(distribute.SMTPConfig{Addr: srv.Addr, From: "registrator@regionjh.example.se",
		StartTLS: distribute.StartTLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e := startWith(t, open(t), service.Deps{Mailer: mailer, MailBackoff: 10 * time.Millisecond}, func(c *service.Config) {
		c.Mail.Recipients = "../examples/recipients.yaml"
	})
	return e, srv
}

type distRecord struct {
	Recipients []struct {
		Name       string `json:"name"`
		State      string `json:"state"`
		Deliveries []struct {
			Address, MessageID, State string
			Attempts                  int
		} `json:"deliveries"`
	} `json:"recipients"`
	Counts struct {
		Recipients, Sent, Failed, Unresolved, Messages, MessagesSent int
	} `json:"counts"`
}

func TestDistributeCertifiedExtract(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e, smtp := mailEnv(t, open)
			id := e.create("rs-157-2023.json")
			if resp, raw := e.do("POST", "/v1/extracts/"+id+"/distribution", nil); resp.StatusCode != http.StatusConflict {
				t.Errorf("distributing an uncertified extract: %d %s", resp.StatusCode, raw)
			}
			if resp, _ := e.do("GET", "/v1/extracts/"+id+"/distribution", nil); resp.StatusCode != 404 {
				t.Errorf("status before distribution: %d", resp.StatusCode)
			}
			if resp, _ := e.certify(id, clerk); resp.StatusCode != 201 {
				t.Fatalf("certify: %d", resp.StatusCode)
			}
			_, certified := e.do("GET", "/v1/extracts/"+id+"/certified", nil)
			smtp.SetScript("revisorer@regionjh.example.se", "451")

			resp, raw := e.do("POST", "/v1/extracts/"+id+"/distribution", nil)
			var rec distRecord
			_ = json.Unmarshal(raw, &rec)
			if resp.StatusCode != 200 || rec.Counts.Recipients != 3 || rec.Counts.Sent != 3 || rec.Counts.Unresolved != 0 {
				t.Fatalf("distribution: %d %s", resp.StatusCode, raw)
			}
			got := smtp.Accepted()
			if len(got) != rec.Counts.Messages || len(got) < 3 {
				t.Fatalf("server accepted %d messages, record says %d", len(got), rec.Counts.Messages)
			}
			seen := map[string]int{}
			for _, m := range got {
				seen[m.To]++
				checkMessage(t, m.Data, certified)
			}
			for to, n := range seen {
				if n != 1 {
					t.Errorf("%s received %d messages", to, n)
				}
			}
			// Calling again sends nothing more.
			e.do("POST", "/v1/extracts/"+id+"/distribution", nil)
			if n := len(smtp.Accepted()); n != len(got) {
				t.Errorf("second call sent %d more messages", n-len(got))
			}
			resp, raw = e.do("GET", "/v1/extracts/"+id+"/distribution", nil)
			_ = json.Unmarshal(raw, &rec)
			if resp.StatusCode != 200 || rec.Counts.Sent != 3 {
				t.Errorf("status: %d %s", resp.StatusCode, raw)
			}
			for _, r := range rec.Recipients {
				for _, d := range r.Deliveries {
					if d.Address == "revisorer@regionjh.example.se" && d.Attempts != 2 {
						t.Errorf("451 then 250: %d attempts", d.Attempts)
					}
				}
			}
		})
	}
}

// checkMessage reads a message as a mail client would: Swedish subject,
// the certified PDF attached byte for byte under its Swedish name.
func checkMessage(t *testing.T, data, pdf []byte) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil || !strings.HasPrefix(subject, "Protokollsutdrag: Regionstyrelsen 2023-10-06 § 157 – Framtida uppdrag") {
		t.Errorf("subject %q (%v)", subject, err)
	}
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	r := multipart.NewReader(m.Body, params["boundary"])
	found := false
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.FileName() == "" {
			continue
		}
		body, _ := io.ReadAll(decodePart(p))
		found = p.FileName() == "Protokollsutdrag Regionstyrelsen 2023-10-06 § 157.pdf" && bytes.Equal(body, pdf)
		if !found {
			t.Errorf("attachment %q, %d bytes, equal %v", p.FileName(), len(body), bytes.Equal(body, pdf))
		}
	}
	if !found {
		t.Error("no PDF attachment")
	}
}

func TestBatchDistribution(t *testing.T) {
	e, smtp := mailEnv(t, stores["fs"])
	a, b := e.create("rs-157-2023.json"), e.create("run-59-2022.json")
	e.certify(a, clerk)
	body, _ := json.Marshal(map[string][]string{"ids": {a, b, "000000000000000000000000"}})
	resp, raw := e.do("POST", "/v1/distributions", body)
	var out struct {
		Items []struct {
			ID     string `json:"id"`
			Status int    `json:"status"`
		} `json:"items"`
	}
	_ = json.Unmarshal(raw, &out)
	if resp.StatusCode != 200 || len(out.Items) != 3 || out.Items[0].Status != 200 || out.Items[1].Status != 409 || out.Items[2].Status != 404 {
		t.Errorf("batch: %d %s", resp.StatusCode, raw)
	}
	if len(smtp.Accepted()) == 0 {
		t.Error("nothing sent")
	}
}

func decodePart(p *multipart.Part) io.Reader {
	if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
		return base64.NewDecoder(base64.StdEncoding, p)
	}
	return p
}

// TestDistributionVersionsAndFailures drives the distribution API against
// a real SMTP server that refuses one address for good and answers
// another "try later": the plan before certifying, the two failures told
// apart, a resend that retries only the temporary one, a correction, and a
// new certified version sent to one chosen recipient.
func TestDistributionVersionsAndFailures(t *testing.T) {
	e, smtp := mailEnv(t, stores["fs"])
	id := e.create("rs-157-2023.json")
	const refused, busy, revision = "registrator@ragunda.example.se", "registrator@krokom.example.se", "revisionen@regionjh.example.se"

	resp, raw := e.do("GET", "/v1/extracts/"+id+"/distribution/plan", nil)
	var plan distribute.Plan
	if err := json.Unmarshal(raw, &plan); err != nil || resp.StatusCode != 200 || len(plan.Recipients) != 3 || plan.Messages != 10 || plan.Email != 3 {
		t.Fatalf("plan before certifying: %d %s", resp.StatusCode, raw)
	}
	if resp, _ := e.certify(id, clerk); resp.StatusCode != 201 {
		t.Fatalf("certify: %d", resp.StatusCode)
	}
	smtp.SetAlways(refused, "550")
	smtp.SetAlways(busy, "451")
	rec := distribution(t, e, "POST", "/v1/extracts/"+id+"/distribution", nil, 200)
	if d := find(t, rec, refused); d.State != distribute.StateFailed || d.Attempts != 1 {
		t.Errorf("550: %+v, want failed after one attempt", d)
	}
	if d := find(t, rec, busy); d.State != distribute.StateDeferred || d.Attempts != 3 {
		t.Errorf("451: %+v, want deferred after three attempts", d)
	}
	if d := find(t, rec, revision); d.VersionOf() != 1 || d.State != distribute.StateSent {
		t.Errorf("%s: %+v, want version 1 sent", revision, d)
	}

	// Sending again retries the temporary failure only.
	smtp.SetAlways(busy, "")
	before := len(smtp.Offered())
	rec = distribution(t, e, "POST", "/v1/extracts/"+id+"/distribution", nil, 200)
	if o := smtp.Offered()[before:]; len(o) != 1 || o[0].To != busy {
		t.Errorf("sending again offered %d messages, want one to %s", len(o), busy)
	}
	if d := find(t, rec, refused); d.State != distribute.StateFailed || d.Attempts != 1 {
		t.Errorf("the refused address after sending again: %+v", d)
	}

	// The refused address is corrected; the new one gets the extract.
	const fixed = "kommunen@ragunda.example.se"
	rec = distribution(t, e, "POST", "/v1/extracts/"+id+"/distribution/corrections",
		[]byte(`{"address":"`+refused+`","newAddress":"`+fixed+`"}`), 200)
	if d := find(t, rec, fixed); d.State != distribute.StateSent || d.Correction == nil || d.Correction.Replaced.Address != refused ||
		!strings.HasPrefix(d.Correction.Replaced.LastReply, "550") || d.Correction.By == "" {
		t.Errorf("corrected delivery: %+v", d)
	}
	if smtp.AcceptedTo()[fixed] != 1 || !rec.Counts.Delivered() {
		t.Errorf("after the correction: accepted %v, counts %+v", smtp.AcceptedTo(), rec.Counts)
	}

	// Version 2 to the chosen recipient only.
	if resp, _ := e.certify(id, `{"name":"Per Åberg","title":"Registrator","newVersion":true}`); resp.StatusCode != 201 {
		t.Fatalf("certify version 2: %d", resp.StatusCode)
	}
	_, v2 := e.do("GET", "/v1/extracts/"+id+"/certified?version=2", nil)
	before = len(smtp.Offered())
	rec = distribution(t, e, "POST", "/v1/extracts/"+id+"/distribution", []byte(`{"recipients":["Regionens revisorer"]}`), 200)
	offered := smtp.Offered()[before:]
	if len(offered) != 1 || offered[0].To != revision {
		t.Fatalf("version 2 to one recipient offered %d messages", len(offered))
	}
	checkMessage(t, offered[0].Data, v2)
	if d := find(t, rec, revision); d.Version != 2 || len(d.Earlier) != 1 || d.Earlier[0].VersionOf() != 1 {
		t.Errorf("%s after version 2: %+v", revision, d)
	}
	if d := find(t, rec, busy); d.VersionOf() != 1 {
		t.Errorf("a recipient not chosen got version %d", d.VersionOf())
	}
	got := distribution(t, e, "GET", "/v1/extracts/"+id+"/distribution", nil, 200)
	if d := find(t, got, revision); d.Version != 2 {
		t.Errorf("stored record: %+v", d)
	}
}

func distribution(t *testing.T, e *env, method, path string, body []byte, want int) *distribute.Record {
	t.Helper()
	resp, raw := e.do(method, path, body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	var rec distribute.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	return &rec
}

func find(t *testing.T, rec *distribute.Record, address string) distribute.Delivery {
	t.Helper()
	for _, rs := range rec.Recipients {
		for _, d := range rs.Deliveries {
			if d.Address == address {
				return d
			}
		}
	}
	t.Fatalf("no delivery to %s", address)
	return distribute.Delivery{}
}
