package distribute

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
	"utdrag/internal/smtptest"
)

func TestTemporaryClassification(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&SendError{Code: 451}, true},
		{&SendError{Code: 421}, true},
		{fmt.Errorf("sending: %w", &SendError{Code: 550}), false},
		{&SendError{Code: 554}, false},
		{errors.New("dial tcp 127.0.0.1:25: connect: connection refused"), true},
		{context.DeadlineExceeded, true},
		{fmt.Errorf("x: %w", context.Canceled), false},
	}
	for _, c := range cases {
		if got := Temporary(c.err); got != c.want {
			t.Errorf("Temporary(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

// Real SMTP: a refused connection, a 451 and a 550 come back classified.
func TestSMTPErrorsClassified(t *testing.T) {
	srv := smtptest.Start(t)
	srv.SetAlways("a@x.example.se", "451")
	srv.SetAlways("b@x.example.se", "550")
	mailer := newSMTPMailer(t, srv.Addr)
	mail := seed000(testKey).mailTo("X", "a@x.example.se", RenditionPublic, testNow)

	_, err := mailer.Send(testContext(t), mail)
	var se *SendError
	if !errors.As(err, &se) || se.Code != 451 || !Temporary(err) || se.Reply != "451 4.3.0 Try again later" {
		t.Errorf("451: got %v, want a temporary SendError with the reply", err)
	}
	mail.To = "b@x.example.se"
	if _, err := mailer.Send(testContext(t), mail); !errors.As(err, &se) || se.Code != 550 || Temporary(err) {
		t.Errorf("550: got %v, want a permanent SendError", err)
	}
	srv.Stop()
	ctx, cancel := context.WithTimeout(testContext(t), 10*time.Second)
	defer cancel()
	if _, err := mailer.Send(ctx, mail); err == nil || !Temporary(err) {
		t.Errorf("server down: got %v, want a temporary error", err)
	}
}

func TestNewSMTPChecksConfig(t *testing.T) {
	bad := []SMTPConfig{
		{Addr: "mail.example.se", From: testFrom},
		{Addr: "mail.example.se:x", From: testFrom},
		{Addr: "mail.example.se:587"},
		{Addr: "mail.example.se:587", From: testFrom, StartTLS: "sometimes"},
	}
	for _, c := range bad {
		if _, err := NewSMTP(c); err == nil {
			t.Errorf("NewSMTP(%+v) accepted it", c)
		}
	}
}

func TestNewMailerDefaultsToOutbox(t *testing.T) {
	m, err := NewMailer(SMTPConfig{From: testFrom}, t.TempDir())
	if _, ok := m.(*Outbox); err != nil || !ok {
		t.Errorf("NewMailer without Addr = %T, %v; want *Outbox", m, err)
	}
	m, err = NewMailer(SMTPConfig{Addr: "127.0.0.1:2525", From: testFrom, StartTLS: StartTLSOpportunistic}, t.TempDir())
	if _, ok := m.(*SMTP); err != nil || !ok {
		t.Errorf("NewMailer with Addr = %T, %v; want *SMTP", m, err)
	}
}
