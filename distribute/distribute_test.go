package distribute

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"utdrag/internal/smtptest"

	"utdrag/storage"
	"utdrag/storage/storagetest"
)

const testKey = "region-jh/Regionstyrelsen/2023-10-06/7d914e7f9a7df728/distribution.json"

func TestDistributeOneMessagePerAddress(t *testing.T) {
	srv := smtptest.Start(t)
	d := newDistributor(t, newFSStore(t), newSMTPMailer(t, srv.Addr), nil)
	m := seed000(testKey)

	rec, err := d.Distribute(testContext(t), m)
	if err != nil {
		t.Fatalf("Distribute: %v", err)
	}
	got := srv.AcceptedTo()
	for _, a := range seed000Addresses {
		if got[a] != 1 {
			t.Errorf("%s received %d messages, want 1", a, got[a])
		}
	}
	if len(got) != len(seed000Addresses) {
		t.Errorf("server received mail for %d addresses, want %d: %v", len(got), len(seed000Addresses), got)
	}
	if rec.Counts.Sent != 3 || rec.Counts.MessagesSent != 10 || !rec.Done() {
		t.Errorf("counts = %+v, want 3 recipients and 10 messages sent", rec.Counts)
	}
	for _, msg := range srv.Accepted() {
		checkMail(t, m, msg)
	}
}

// checkMail reads one received message as a mail client would.
func checkMail(t *testing.T, m Message, msg smtptest.Message) {
	t.Helper()
	p := parseMail(t, msg.Data)
	wantSubject := "Protokollsutdrag: Regionstyrelsen 2023-10-06 § 157 – " + m.Title
	if p.Subject != wantSubject {
		t.Errorf("subject = %q, want %q", p.Subject, wantSubject)
	}
	if raw := p.Header.Get("Subject"); !strings.Contains(raw, "=?") {
		t.Errorf("raw subject %q is not RFC 2047-encoded", raw)
	}
	if !bytes.Equal(p.Attachment, m.PDF) {
		t.Errorf("to %s: attachment differs from the PDF (%d bytes, want %d)", msg.To, len(p.Attachment), len(m.PDF))
	}
	if p.Filename != m.Filename || p.FilenameQ != m.Filename {
		t.Errorf("filename = %q (filename*) and %q (filename), want %q", p.Filename, p.FilenameQ, m.Filename)
	}
	if !strings.HasPrefix(p.AttachmentCT, "application/pdf") {
		t.Errorf("attachment content type %q", p.AttachmentCT)
	}
	if want := "<" + MessageID("region-jh", m.ExtractID, msg.To) + ">"; msg.MessageID != want {
		t.Errorf("Message-ID = %q, want %q", msg.MessageID, want)
	}
	for _, s := range []string{"RS/412/2023", m.VerifyURL, "protokollsutdrag"} {
		if !strings.Contains(p.Body, s) {
			t.Errorf("body lacks %q:\n%s", s, p.Body)
		}
	}
	if from, err := p.Header.AddressList("From"); err != nil || from[0].Address != testFrom {
		t.Errorf("From = %v (%v), want %s", from, err, testFrom)
	}
	if msg.From != testFrom {
		t.Errorf("envelope sender %q, want %s", msg.From, testFrom)
	}
}

func TestMessageIDsDifferPerAddress(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range seed000Addresses {
		id := MessageID("region-jh", "7d914e7f9a7df728", a)
		if seen[id] || !strings.HasSuffix(id, "@utdrag.region-jh") {
			t.Errorf("Message-ID %q for %s is repeated or malformed", id, a)
		}
		seen[id] = true
	}
	if MessageID("region-jh", "other", seed000Addresses[0]) == MessageID("region-jh", "7d914e7f9a7df728", seed000Addresses[0]) {
		t.Error("two extracts share a Message-ID")
	}
}

func TestTemporaryFailureRetried(t *testing.T) {
	srv := smtptest.Start(t)
	const addr = "revisionen@regionjh.example.se"
	srv.SetScript(addr, "451")
	srv.SetScript("registrator@krokom.example.se", "close")
	var results []State
	d := newDistributor(t, newFSStore(t), newSMTPMailer(t, srv.Addr), func(s State) { results = append(results, s) })

	rec, err := d.Distribute(testContext(t), seed000(testKey))
	if err != nil {
		t.Fatalf("Distribute: %v", err)
	}
	if got := srv.AcceptedTo(); got[addr] != 1 || got["registrator@krokom.example.se"] != 1 {
		t.Errorf("accepted per address = %v, want one each after a retry", got)
	}
	var ids []string
	for _, m := range srv.Offered() {
		if m.To == addr {
			ids = append(ids, m.MessageID)
		}
	}
	if len(ids) != 2 || ids[0] != ids[1] || ids[0] == "" {
		t.Errorf("Message-IDs offered to %s = %q, want the same one twice", addr, ids)
	}
	del := delivery(t, rec, addr)
	if del.State != StateSent || del.Attempts != 2 {
		t.Errorf("delivery = %+v, want sent after 2 attempts", del)
	}
	if n := countStates(results); n[StateDeferred] != 2 || n[StateSent] != 10 {
		t.Errorf("OnResult saw %v, want 2 deferred and 10 sent", n)
	}
}

func TestPermanentFailureMarkedOthersDelivered(t *testing.T) {
	srv := smtptest.Start(t)
	const bad = "registrator@ragunda.example.se"
	srv.SetAlways(bad, "550")
	store := newFSStore(t)
	d := newDistributor(t, store, newSMTPMailer(t, srv.Addr), nil)

	rec, err := d.Distribute(testContext(t), seed000(testKey))
	if err != nil {
		t.Fatalf("Distribute: %v", err)
	}
	if del := delivery(t, rec, bad); del.State != StateFailed || del.Attempts != 1 || del.LastReply != "550 5.1.1 Mailbox unavailable" {
		t.Errorf("delivery to %s = %+v, want failed after one attempt with the 550 reply", bad, del)
	}
	if got := srv.AcceptedTo(); len(got) != 9 {
		t.Errorf("accepted for %d addresses, want the 9 others: %v", len(got), got)
	}
	if rec.Counts.Failed != 1 || rec.Counts.Sent != 2 || rec.Recipients[1].State != StateFailed {
		t.Errorf("counts = %+v, länets kommuner %s; want 1 failed, 2 sent", rec.Counts, rec.Recipients[1].State)
	}

	// A second call neither retries the refusal nor resends the others.
	offered := len(srv.Offered())
	if _, err := d.Distribute(testContext(t), seed000(testKey)); err != nil {
		t.Fatalf("second Distribute: %v", err)
	}
	if n := len(srv.Offered()); n != offered {
		t.Errorf("second call offered %d more messages, want none", n-offered)
	}
	stored, err := d.Status(testContext(t), testKey)
	if err != nil || stored.Counts != rec.Counts {
		t.Errorf("Status = %+v (%v), want counts %+v", stored, err, rec.Counts)
	}
}

func TestServerKilledMidBatchThenRepeated(t *testing.T) {
	srv := smtptest.Start(t)
	srv.SetStopAfter(4)
	d := newDistributor(t, newFSStore(t), newSMTPMailer(t, srv.Addr), nil)
	msgs := []Message{seed000(testKey), seed002("region-jh/Regionala utvecklingsnämnden/2022-03-01/606718f2e13e5573/distribution.json")}

	var first []*Record
	d.DistributeAll(testContext(t), msgs, func(i int, rec *Record, err error) {
		if err != nil {
			t.Errorf("extract %d: %v", i, err)
		}
		first = append(first, rec)
	})
	if len(srv.Accepted()) != 4 || first[0].Done() || first[1].Done() {
		t.Fatalf("after the stop: %d accepted, done %v/%v; want 4 and both pending", len(srv.Accepted()), first[0].Done(), first[1].Done())
	}

	srv.Restart()
	d.DistributeAll(testContext(t), msgs, func(i int, rec *Record, err error) {
		if err != nil || !rec.Done() || rec.Counts.Pending != 0 {
			t.Errorf("extract %d after Restart: counts %+v, err %v", i, rec.Counts, err)
		}
	})
	want := append(slices.Clone(seed000Addresses), "regiondirektor@regionjh.example.se", "regionstyrelsen@regionjh.example.se")
	got := srv.AcceptedTo()
	for _, a := range want {
		if got[a] != 1 {
			t.Errorf("%s received %d messages, want exactly 1", a, got[a])
		}
	}
	if len(got) != len(want) {
		t.Errorf("received for %d addresses, want %d", len(got), len(want))
	}
}

func seed002(key string) Message {
	return Message{
		ExtractID:    "606718f2e13e5573",
		Organisation: Organisation{ID: "region-jh", Name: "Region Jämtland Härjedalen"},
		Organ:        "Regionala utvecklingsnämnden",
		MeetingDate:  "2022-03-01",
		Paragraphs:   []string{"§ 12"},
		Title:        "Överenskommelse med länets kommuner om regional samverkan",
		CaseNumbers:  []string{"RUN/59/2022"},
		Recipients:   []string{"Regiondirektör", "Regionstyrelsen"},
		VerifyURL:    "https://utdrag.regionjh.example.se/v1/verify/606718f2e13e5573",
		Filename:     "Protokollsutdrag Regionala utvecklingsnämnden 2022-03-01 § 12.pdf",
		PDF:          testPDF(),
		RecordKey:    key,
	}
}

func TestConcurrentDistributeFS(t *testing.T) {
	testConcurrent(t, newFSStore(t))
}

// TestConcurrentDistributeMinIO is the same race on S3 conditional writes;
// run it with scripts/with-minio.sh go test ./distribute/...
func TestConcurrentDistributeMinIO(t *testing.T) {
	testConcurrent(t, storagetest.S3(t))
}

// testConcurrent starts two Distribute calls on the same extract at once,
// several times over: each address must be sent exactly once, and a call
// that did not send must say ErrInProgress.
func testConcurrent(t *testing.T, store storage.Store) {
	srv := smtptest.Start(t)
	d1 := newDistributor(t, store, newSMTPMailer(t, srv.Addr), nil)
	d2 := newDistributor(t, store, newSMTPMailer(t, srv.Addr), nil)
	const rounds = 4
	for round := range rounds {
		m := seed000(fmt.Sprintf("region-jh/Regionstyrelsen/2023-10-06/race-%d/distribution.json", round))
		m.ExtractID = fmt.Sprintf("race-%d", round)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, d := range []*Distributor{d1, d2} {
			wg.Go(func() {
				<-start
				_, errs[i] = d.Distribute(testContext(t), m)
			})
		}
		close(start)
		wg.Wait()
		for _, err := range errs {
			if err != nil && !errors.Is(err, ErrInProgress) {
				t.Errorf("round %d: %v, want nil or ErrInProgress", round, err)
			}
		}
		t.Logf("round %d: %v / %v", round, errs[0], errs[1])
		if errs[0] != nil && errs[1] != nil {
			t.Errorf("round %d: both calls failed: %v / %v", round, errs[0], errs[1])
		}
	}
	got := srv.AcceptedTo()
	for _, a := range seed000Addresses {
		if got[a] != rounds {
			t.Errorf("%s received %d messages over %d extracts, want one each", a, got[a], rounds)
		}
	}
	ids := map[string]int{}
	for _, m := range srv.Accepted() {
		ids[m.MessageID]++
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("Message-ID %s sent %d times", id, n)
		}
	}
}

func TestUnresolvedAndManualRecorded(t *testing.T) {
	srv := smtptest.Start(t)
	d := newDistributor(t, newFSStore(t), newSMTPMailer(t, srv.Addr), nil)
	m := seed000(testKey)
	m.Recipients = []string{"Regiondirektör", "Förvaltningschef kultur", "Regionarkivet"}

	rec, err := d.Distribute(testContext(t), m)
	if err != nil {
		t.Fatalf("Distribute: %v", err)
	}
	want := []State{StateSent, StateUnresolved, StateManual}
	for i, w := range want {
		if rec.Recipients[i].State != w {
			t.Errorf("%s: state %s, want %s", rec.Recipients[i].Name, rec.Recipients[i].State, w)
		}
	}
	if rec.Recipients[1].Name != "Förvaltningschef kultur" || rec.Recipients[1].State.Label() != "Okänd mottagare" {
		t.Errorf("unresolved recipient shown as %q / %q", rec.Recipients[1].Name, rec.Recipients[1].State.Label())
	}
	if rec.Recipients[2].Note == "" {
		t.Error("manual recipient has no note")
	}
	if c := rec.Counts; c.Sent != 1 || c.Unresolved != 1 || c.Manual != 1 || c.Pending != 0 || c.Recipients != 3 {
		t.Errorf("counts = %+v", c)
	}
	if n := len(srv.Accepted()); n != 1 {
		t.Errorf("server received %d messages, want 1", n)
	}
}

func TestDistributeRejectsIncompleteMessage(t *testing.T) {
	d := newDistributor(t, newFSStore(t), newTestOutbox(t), nil)
	m := seed000(testKey)
	m.PDF = nil
	if _, err := d.Distribute(testContext(t), m); err == nil || !strings.Contains(err.Error(), "PDF") {
		t.Errorf("Distribute without a PDF: %v, want an error naming PDF", err)
	}
	if _, err := d.Status(testContext(t), testKey); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Status of an unknown key: %v, want storage.ErrNotFound", err)
	}
}

func delivery(t *testing.T, rec *Record, address string) Delivery {
	t.Helper()
	for _, rs := range rec.Recipients {
		for _, d := range rs.Deliveries {
			if d.Address == address {
				return d
			}
		}
	}
	t.Fatalf("no delivery to %s in the record", address)
	return Delivery{}
}

func countStates(states []State) map[State]int {
	n := map[State]int{}
	for _, s := range states {
		n[s]++
	}
	return n
}
