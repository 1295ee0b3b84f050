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
