package distribute

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"utdrag/internal/smtptest"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// version2 is seed000 certified again: another PDF, version 2.
func version2(m Message) Message {
	m.PDF = append(bytes.Clone(m.PDF), "\n% version 2\n"...)
	m.Version = 2
	return m
}

// A new certified version goes first to the recipient chosen, then to the
// rest; the record says which version each address got, and keeps the
// earlier message.
func TestNewVersionToChosenThenAll(t *testing.T) {
	srv := smtptest.Start(t)
	d := newDistributor(t, newFSStore(t), newSMTPMailer(t, srv.Addr), nil)
	ctx := testContext(t)
	m1 := seed000(testKey)
	if _, err := d.Distribute(ctx, m1); err != nil {
		t.Fatal(err)
	}
	// Nothing new: a repeated call sends nothing.
	if _, err := d.Distribute(ctx, m1); err != nil || len(srv.Offered()) != 10 {
		t.Fatalf("repeat of version 1: %d offered, %v", len(srv.Offered()), err)
	}

	m2 := version2(m1)
	const revision = "revisionen@regionjh.example.se"
	rec, err := d.DistributeTo(ctx, m2, []string{"regionens revisorer"})
	if err != nil {
		t.Fatalf("DistributeTo: %v", err)
	}
	offered := srv.Offered()[10:]
	if len(offered) != 1 || offered[0].To != revision {
		t.Fatalf("version 2 to the chosen recipient offered %d messages: %+v", len(offered), offered)
	}
	got := parseMail(t, offered[0].Data)
	if !bytes.Equal(got.Attachment, m2.PDF) {
		t.Error("the chosen recipient got another PDF than version 2")
	}
	if want := "<" + VersionMessageID("region-jh", m1.ExtractID, revision, 2) + ">"; offered[0].MessageID != want ||
		offered[0].MessageID == "<"+MessageID("region-jh", m1.ExtractID, revision)+">" {
		t.Errorf("Message-ID of version 2 = %s, want %s (not version 1's)", offered[0].MessageID, want)
	}
	del := delivery(t, rec, revision)
	if del.Version != 2 || del.State != StateSent || len(del.Earlier) != 1 || del.Earlier[0].VersionOf() != 1 || del.Earlier[0].State != StateSent {
		t.Errorf("delivery to %s = %+v, want version 2 sent with version 1 kept as earlier", revision, del)
	}
	if other := delivery(t, rec, seed000Addresses[0]); other.VersionOf() != 1 || len(other.Earlier) != 0 {
		t.Errorf("a recipient not chosen: %+v, want version 1 untouched", other)
	}

	// To all: the other nine addresses get version 2, the chosen one not again.
	rec, err = d.Distribute(ctx, m2)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Offered()); n != 10+1+9 {
		t.Errorf("version 2 to all offered %d messages in all, want 20", n)
	}
	for _, a := range seed000Addresses {
		if del := delivery(t, rec, a); del.Version != 2 || del.State != StateSent {
			t.Errorf("%s: %+v, want version 2 sent", a, del)
		}
	}
	if _, err := d.DistributeTo(ctx, m2, []string{"Regionens revisorer", "Ingen sådan"}); !errors.Is(err, ErrUnknownRecipient) ||
		!strings.Contains(err.Error(), "Ingen sådan") {
		t.Errorf("an unknown name: %v, want ErrUnknownRecipient naming it", err)
	}
}

// The server: one address refused for good (550), one slow past
// the client's timeout, one answering 451. The record and its words tell
// them apart; sending again retries the temporary ones and not the
// refusal; the refused address is corrected and the new one gets it.
func TestPermanentAndTemporaryFailuresHandledApart(t *testing.T) {
	srv := smtptest.Start(t)
	const refused, slow, busy = "registrator@ragunda.example.se", "registrator@krokom.example.se", "revisionen@regionjh.example.se"
	srv.SetAlways(refused, "550")
	srv.SetDelay(slow, 5*time.Second)
	srv.SetAlways(busy, "451")
	mailer, err := NewSMTP(SMTPConfig{Addr: srv.Addr, StartTLS: StartTLSNone, From: testFrom, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	store := newFSStore(t)
	d := newDistributor(t, store, mailer, nil)
	d.cfg.MaxAttempts = 1
	ctx := testContext(t)
	m := seed000(testKey)

	rec, err := d.Distribute(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if del := delivery(t, rec, refused); del.State != StateFailed || !strings.HasPrefix(del.LastReply, "550") {
		t.Errorf("550: %+v, want failed with the reply", del)
	}
	for _, a := range []string{slow, busy} {
		if del := delivery(t, rec, a); del.State != StateDeferred || del.LastReply == "" {
			t.Errorf("%s: %+v, want deferred with the reason", a, del)
		}
	}
	c := rec.Counts
	// Länets kommuner has one address refused and one deferred: it counts
	// as still to be sent, and the refusal is in the message counts.
	if c.Failed != 0 || c.Deferred != 2 || c.Pending != 2 || c.MessagesFailed != 1 || c.MessagesDeferred != 2 || c.Sent != 1 || rec.Done() {
		t.Errorf("counts = %+v", c)
	}
	sum := Summarize(c)
	text := sum.Headline + " " + strings.Join(sum.Lines, " ")
	for _, want := range []string{"1 av 3 mottagare har fått utdraget; 2 har inte", "2 e-postmeddelanden kunde inte tas emot just nu (tillfälligt fel)", "E-postservern avvisade en adress för gott", "rätta adressen"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	if sum.Class != "bad" {
		t.Errorf("summary class %s, want bad", sum.Class)
	}
	if del := delivery(t, rec, refused); strings.Contains(del.Explain(), "igen om") || !strings.Contains(del.Explain(), "för gott") {
		t.Errorf("a refusal explained as %q", del.Explain())
	}

	// Sending again tries the two temporary ones, not the refusal.
	srv.SetDelay(slow, 0)
	srv.SetAlways(busy, "")
	before := len(srv.Offered())
	rec, err = d.Distribute(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	var again []string
	for _, o := range srv.Offered()[before:] {
		again = append(again, o.To)
	}
	slices.Sort(again)
	if !slices.Equal(again, []string{slow, busy}) {
		t.Errorf("sending again offered %v, want the two temporary failures only", again)
	}
	if rec.Counts.Deferred != 0 || rec.Counts.Failed != 1 || rec.Counts.MessagesFailed != 1 {
		t.Errorf("after sending again: %+v", rec.Counts)
	}

	// A deferred or sent address cannot be corrected; the refused one can.
	if _, err := d.Correct(ctx, m, AddressChange{Address: busy, NewAddress: "x@regionjh.example.se", By: "Lena Nordin"}); !errors.Is(err, ErrNotRefused) {
		t.Errorf("correcting a delivered address: %v, want ErrNotRefused", err)
	}
	if _, err := d.Correct(ctx, m, AddressChange{Address: refused, NewAddress: "inte en adress", By: "Lena Nordin"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("correcting to a malformed address: %v, want ErrInvalid", err)
	}
	const fixed = "kommun@ragunda.example.se"
	before = len(srv.Offered())
	rec, err = d.Correct(ctx, m, AddressChange{Address: refused, NewAddress: fixed, By: "Lena Nordin"})
	if err != nil {
		t.Fatalf("Correct: %v", err)
	}
	if o := srv.Offered()[before:]; len(o) != 1 || o[0].To != fixed {
		t.Errorf("correction offered %+v, want one message to %s", o, fixed)
	}
	del := delivery(t, rec, fixed)
	if del.State != StateSent || del.Correction == nil || del.Correction.By != "Lena Nordin" ||
		del.Correction.Replaced.Address != refused || !strings.HasPrefix(del.Correction.Replaced.LastReply, "550") {
		t.Errorf("corrected delivery = %+v", del)
	}
	if !rec.Done() || rec.Counts.Failed != 0 || rec.Counts.Sent != 3 || Summarize(rec.Counts).Class != "ok" {
		t.Errorf("after the correction: %+v", rec.Counts)
	}
	stored, err := d.Status(ctx, testKey)
	if err != nil || delivery(t, stored, fixed).Correction == nil {
		t.Errorf("stored record lacks the correction (%v)", err)
	}
}

func TestAddRecipientAndMarkServed(t *testing.T) {
	srv := smtptest.Start(t)
	d := newDistributor(t, newFSStore(t), newSMTPMailer(t, srv.Addr), nil)
	ctx := testContext(t)
	m := seed000(testKey)
	m.Recipients = []string{"Regiondirektör", "Regionarkivet", "Förvaltningschef kultur"}
	rec, err := d.Distribute(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if s := Summarize(rec.Counts); s.Class == "ok" || !strings.Contains(s.Headline, "1 av 3") {
		t.Errorf("with a manual and an unknown recipient: %+v", s)
	}

	const extra = "handlaggare@regionjh.example.se"
	rec, err = d.AddRecipient(ctx, m, NewRecipient{Name: "Handläggaren", Address: extra, By: "Lena Nordin"})
	if err != nil {
		t.Fatalf("AddRecipient: %v", err)
	}
	if got := srv.AcceptedTo(); got[extra] != 1 || len(srv.Offered()) != 2 {
		t.Errorf("after adding: accepted %v, want the new address once and nothing else again", got)
	}
	added := rec.Recipients[len(rec.Recipients)-1]
	if added.Name != "Handläggaren" || added.Added == nil || added.Added.By != "Lena Nordin" || added.State != StateSent || added.Rendition != RenditionPublic {
		t.Errorf("added recipient = %+v", added)
	}
	for _, dup := range []NewRecipient{
		{Name: "handläggaren", Address: "annan@regionjh.example.se", By: "x"},
		{Name: "Ny", Address: "REGIONDIREKTOR@regionjh.example.se", By: "x"},
	} {
		if _, err := d.AddRecipient(ctx, m, dup); !errors.Is(err, ErrDuplicate) {
			t.Errorf("AddRecipient(%+v): %v, want ErrDuplicate", dup, err)
		}
	}
	var fe *FieldError
	if _, err := d.AddRecipient(ctx, m, NewRecipient{Address: "a@b.se\r\nBcc: x@y.se", By: "x"}); !errors.As(err, &fe) || fe.Field != "address" {
		t.Errorf("a header injection as address: %v", err)
	}

	mark := ServedMark{Recipient: "Regionarkivet", By: "Per Ek", How: ServedByHand, Date: "2023-10-09", Marked: "registrator"}
	if _, err := d.MarkServed(ctx, m, ServedMark{Recipient: "Regiondirektör", By: "Per Ek", How: ServedByPost, Date: "2023-10-09"}); !errors.Is(err, ErrNotManual) {
		t.Errorf("marking an e-mail recipient: %v, want ErrNotManual", err)
	}
	future := mark
	future.Date = "2023-10-12"
	if _, err := d.MarkServed(ctx, m, future); !errors.As(err, &fe) || fe.Field != "date" {
		t.Errorf("a date in the future: %v", err)
	}
	if rec, err = d.MarkServed(ctx, m, mark); err != nil {
		t.Fatal(err)
	}
	arkiv := rec.Recipients[1]
	if arkiv.State != StateServed || len(arkiv.Served) != 1 || arkiv.Served[0].By != "Per Ek" || arkiv.Served[0].How != ServedByHand ||
		arkiv.Served[0].Date != "2023-10-09" || arkiv.Served[0].Version != 1 {
		t.Errorf("served recipient = %+v", arkiv)
	}
	if s := Summarize(rec.Counts); s.Class == "ok" {
		t.Errorf("green with an unknown recipient left: %+v", s)
	}
	unknown := mark
	unknown.Recipient, unknown.How = "Förvaltningschef kultur", ServedByPost
	if rec, err = d.MarkServed(ctx, m, unknown); err != nil {
		t.Fatal(err)
	}
	if s := Summarize(rec.Counts); s.Class != "ok" || s.Headline != "Utdraget är expedierat: alla 4 mottagare har fått det." {
		t.Errorf("every recipient has it, summary %+v", s)
	}
	if rec.Counts.Served != 2 || rec.Counts.Sent != 2 {
		t.Errorf("counts = %+v", rec.Counts)
	}

	// Version 2: the manual recipients are due again, the earlier service kept.
	rec, err = d.Distribute(ctx, version2(m))
	if err != nil {
		t.Fatal(err)
	}
	if a := rec.Recipients[1]; a.State != StateManual || len(a.Served) != 1 || a.Version != 2 {
		t.Errorf("after version 2, the manual recipient = %+v, want due again", a)
	}
}

func TestSummaryCountsAndPlurals(t *testing.T) {
	one := Summarize(Counts{Recipients: 3, Sent: 2, Pending: 1, Deferred: 1, MessagesDeferred: 1})
	two := Summarize(Counts{Recipients: 3, Sent: 1, Pending: 2, Deferred: 2, MessagesDeferred: 3})
	if !strings.Contains(one.Headline, "2 av 3 mottagare har fått utdraget; 1 har inte") ||
		!strings.HasPrefix(one.Lines[0], "1 e-postmeddelande kunde") {
		t.Errorf("one deferred: %+v", one)
	}
	if !strings.Contains(two.Headline, "1 av 3 mottagare har fått utdraget; 2 har inte") ||
		!strings.HasPrefix(two.Lines[0], "3 e-postmeddelanden kunde") {
		t.Errorf("two deferred: %+v", two)
	}
	if s := Summarize(Counts{Recipients: 3, Pending: 3}); s.Headline != "Ingen av de 3 mottagarna har fått utdraget än." || s.Lines[0] != "3 mottagare väntar på att skickas." {
		t.Errorf("none sent: %+v", s)
	}
	if s := Summarize(Counts{Recipients: 1, Failed: 1, MessagesFailed: 1}); s.Headline != "Mottagaren har inte fått utdraget än." || s.Class != "bad" {
		t.Errorf("the only recipient refused: %+v", s)
	}
	if s := Summarize(Counts{Recipients: 1, Sent: 1}); s.Class != "ok" || s.Headline != "Utdraget är expedierat: mottagaren har fått det." {
		t.Errorf("one recipient sent: %+v", s)
	}
	if s := Summarize(Counts{Recipients: 2, Sent: 1, Manual: 1}); s.Class == "ok" {
		t.Errorf("green with a manual recipient left: %+v", s)
	}
	if s := Summarize(Counts{Recipients: 2, Sent: 1, Failed: 1, MessagesFailed: 2}); !strings.Contains(strings.Join(s.Lines, " "), "avvisade 2 adresser för gott") {
		t.Errorf("two refused addresses: %+v", s)
	}
}

// A correction stopped at each of its writes (the process killed there,
// with or without the write done) leaves a record that is true: the
// refusal is never lost, and the next call after the lease has run out
// brings the new address its message without sending the refused one
// again.
func TestCorrectionKilledAtEachWrite(t *testing.T) {
	const refused, fixed = "registrator@ragunda.example.se", "kommun@ragunda.example.se"
	prepare := func(t *testing.T) (*smtptest.Server, storage.Store, Message) {
		srv := smtptest.Start(t)
		srv.SetAlways(refused, "550")
		store := newFSStore(t)
		m := seed000(testKey)
		if _, err := newDistributor(t, store, newSMTPMailer(t, srv.Addr), nil).Distribute(testContext(t), m); err != nil {
			t.Fatal(err)
		}
		return srv, store, m
	}
	change := AddressChange{Address: refused, NewAddress: fixed, By: "Lena Nordin"}
	srv, store, m := prepare(t)
	count := &storagetest.Faults{Store: store}
	if _, err := newDistributor(t, count, newSMTPMailer(t, srv.Addr), nil).Correct(testContext(t), m, change); err != nil {
		t.Fatal(err)
	}
	writes := len(count.Writes())
	if writes < 3 {
		t.Fatalf("a correction made %d writes, want claim, attempt, outcome and release", writes)
	}
	for at := 1; at <= writes; at++ {
		for _, after := range []bool{false, true} {
			srv, store, m := prepare(t)
			faulty := &storagetest.Faults{Store: store, At: at, After: after}
			if _, err := newDistributor(t, faulty, newSMTPMailer(t, srv.Addr), nil).Correct(testContext(t), m, change); err == nil {
				t.Fatalf("write %d (after %v): no error from a dead store", at, after)
			}
			next := newDistributor(t, store, newSMTPMailer(t, srv.Addr), nil)
			later := testNow.Add(10 * time.Minute)
			next.cfg.Now = func() time.Time { return later }
			rec, err := next.Status(testContext(t), testKey)
			if err != nil {
				t.Fatal(err)
			}
			if !holdsRefusal(rec, refused) {
				t.Errorf("write %d (after %v): the record lost the 550 of %s", at, after, refused)
			}
			// The clerk repeats the correction, or, if it was recorded, sends again.
			if _, err := next.Correct(testContext(t), m, change); err != nil && !errors.Is(err, ErrUnknownRecipient) {
				t.Errorf("write %d (after %v): repeating the correction: %v", at, after, err)
			}
			if rec, err = next.Distribute(testContext(t), m); err != nil {
				t.Fatal(err)
			}
			got := srv.AcceptedTo()
			if got[fixed] < 1 || got[fixed] > 2 || got[refused] != 0 || len(srv.Offered()) > 10+2 {
				t.Errorf("write %d (after %v): accepted %v, offered %d", at, after, got, len(srv.Offered()))
			}
			if del := delivery(t, rec, fixed); del.State != StateSent || del.Correction == nil || !rec.Done() {
				t.Errorf("write %d (after %v): %+v", at, after, del)
			}
		}
	}
}

func holdsRefusal(rec *Record, address string) bool {
	for _, rs := range rec.Recipients {
		for _, d := range rs.Deliveries {
			if d.Address == address && d.State == StateFailed && strings.HasPrefix(d.LastReply, "550") {
				return true
			}
			if c := d.Correction; c != nil && c.Replaced.Address == address && strings.HasPrefix(c.Replaced.LastReply, "550") {
				return true
			}
		}
	}
	return false
}

func TestPlan(t *testing.T) {
	dir := loadExampleDirectory(t)
	rs := dir.Resolve("region-jh", []string{"Regiondirektör, länets kommuner", "Regionarkivet", "Förvaltningschef kultur"})
	p := NewPlan(rs, false)
	if p.Messages != 9 || p.Email != 2 || p.Manual != 1 || p.Unresolved != 1 || len(p.Recipients) != 4 {
		t.Errorf("plan = %+v", p)
	}
	want := "9 e-postmeddelanden skickas till 2 mottagare. 1 mottagare expedieras manuellt, med post eller personligen. 1 mottagare finns inte i mottagarregistret och får inget utan åtgärd."
	if got := p.Sentence(); got != want {
		t.Errorf("sentence = %q, want %q", got, want)
	}
	one := NewPlan(dir.Resolve("region-jh", []string{"Regiondirektör"}), false)
	if got := one.Sentence(); got != "1 e-postmeddelande skickas till 1 mottagare." {
		t.Errorf("one recipient: %q", got)
	}
	if p.Recipients[3].Kind != KindUnresolved || p.Recipients[3].Rendition != "" || p.Recipients[0].Rendition != RenditionPublic {
		t.Errorf("recipients = %+v", p.Recipients)
	}
}
