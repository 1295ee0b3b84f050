package distribute

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Mail is one message to one address, ready to send. The Mailer supplies
// the sender.
type Mail struct {
	To string
	// MessageID is without angle brackets: "3f2a…@utdrag.region-jh".
	MessageID  string
	Date       time.Time
	Subject    string
	Body       string // plain text
	Attachment Attachment
	// Extra are further files after Attachment: the appeal instruction a
	// party to the decision receives (appeal.go).
	Extra []Attachment
}

// Attachment is a file sent with a Mail.
type Attachment struct {
	Filename    string // may hold any Unicode: "… § 157.pdf"
	ContentType string
	Data        []byte
}

// Mailer delivers one Mail. It returns the server's reply on success and,
// on failure, an error that Temporary can classify (SendError where the
// server answered).
type Mailer interface {
	Send(ctx context.Context, m Mail) (reply string, err error)
}

// SendError is a failure the mail server reported with a reply code.
type SendError struct {
	Code  int    // SMTP reply code: 451, 550 …
	Reply string // the server's reply text
	Err   error
}

func (e *SendError) Error() string {
	if strings.HasPrefix(e.Reply, strconv.Itoa(e.Code)) {
		return "SMTP " + e.Reply
	}
	return fmt.Sprintf("SMTP %d %s", e.Code, e.Reply)
}

func (e *SendError) Unwrap() error { return e.Err }

// Permanent reports a 5xx reply: sending the same message again will fail
// the same way.
func (e *SendError) Permanent() bool { return e.Code >= 500 && e.Code < 600 }

// Temporary reports whether a failed send is worth retrying. Only a 5xx
// reply is final; everything else (4xx, connection refused or closed,
// timeouts, TLS trouble) is retried, since leaving a recipient pending is
// safer than marking it failed for a fault of our own infrastructure.
// Cancellation of ctx is not temporary: the caller gave up.
func Temporary(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var se *SendError
	if errors.As(err, &se) {
		return !se.Permanent()
	}
	return true
}

// NewMailer returns the SMTP mailer when cfg.Addr is set, and otherwise an
// Outbox writing .eml files into outboxDir, as the service does when no
// SMTP server is configured.
func NewMailer(cfg SMTPConfig, outboxDir string) (Mailer, error) {
	if cfg.Addr == "" {
		return NewOutbox(outboxDir, cfg.From)
	}
	return NewSMTP(cfg)
}
