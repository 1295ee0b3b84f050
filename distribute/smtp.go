package distribute

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// StartTLS says whether the SMTP connection must, may or must not be
// upgraded with STARTTLS.
type StartTLS string

const (
	StartTLSMandatory     StartTLS = "mandatory"
	StartTLSOpportunistic StartTLS = "opportunistic"
	StartTLSNone          StartTLS = "none"
)

// SMTPConfig configures an SMTP mailer. Addr is host:port; Username empty
// means no authentication; From is the sender of every message.
type SMTPConfig struct {
	Addr     string
	Username string
	Password string
	StartTLS StartTLS // empty means mandatory
	From     string
	Timeout  time.Duration // per connection; zero means 30 s
}

// SMTP sends each Mail in its own SMTP transaction.
type SMTP struct {
	cfg  SMTPConfig
	host string
	port int
}

// NewSMTP checks the configuration and returns an SMTP mailer. It does not
// connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	host, portText, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("distribute: SMTP address %q: %w", cfg.Addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("distribute: SMTP port %q: %w", portText, err)
	}
	if _, err := tlsPolicy(cfg.StartTLS); err != nil {
		return nil, err
	}
	if cfg.From == "" {
		return nil, errors.New("distribute: SMTP sender (From) is missing")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg, host: host, port: port}, nil
}

func tlsPolicy(s StartTLS) (gomail.TLSPolicy, error) {
	switch s {
	case StartTLSMandatory, "":
		return gomail.TLSMandatory, nil
	case StartTLSOpportunistic:
		return gomail.TLSOpportunistic, nil
	case StartTLSNone:
		return gomail.NoTLS, nil
	}
	return 0, fmt.Errorf("distribute: unknown StartTLS mode %q (mandatory, opportunistic or none)", s)
}

// Send delivers m and returns the server's reply to the end of DATA.
func (s *SMTP) Send(ctx context.Context, m Mail) (string, error) {
	msg, err := buildMsg(s.cfg.From, m)
	if err != nil {
		return "", err
	}
	client, err := s.client()
	if err != nil {
		return "", err
	}
	err = client.DialAndSendWithContext(ctx, msg)
	if msg.IsDelivered() {
		// The server accepted the message; a later error (RSET, QUIT) does
		// not undo that.
		return msg.ServerResponse(), nil
	}
	if err != nil {
		return "", fmt.Errorf("distribute: sending %s to %s: %w", m.MessageID, m.To, classifySMTP(err))
	}
	return msg.ServerResponse(), nil
}

func (s *SMTP) client() (*gomail.Client, error) {
	policy, _ := tlsPolicy(s.cfg.StartTLS)
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTLSPortPolicy(policy),
		gomail.WithTimeout(s.cfg.Timeout),
	}
	if s.cfg.Username != "" {
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username),
			gomail.WithPassword(s.cfg.Password))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("distribute: configuring SMTP client: %w", err)
	}
	return client, nil
}

// classifySMTP turns a reply code the library saw into a SendError; other
// errors (dial, I/O) pass through and count as temporary.
func classifySMTP(err error) error {
	var ge *gomail.SendError
	if errors.As(err, &ge) && ge.ErrorCode() >= 400 {
		return &SendError{Code: ge.ErrorCode(), Reply: replyText(ge), Err: err}
	}
	return err
}

// replyText digs the server's reply ("550 5.1.1 Mailbox unavailable") out
// of the library's error text, which quotes it; failing that it keeps the
// whole text.
func replyText(e *gomail.SendError) string {
	text := e.Error()
	code := strconv.Itoa(e.ErrorCode())
	i := strings.Index(text, code+` "`)
	if i < 0 {
		return text
	}
	quoted, err := strconv.QuotedPrefix(text[i+len(code)+1:])
	if err != nil {
		return text
	}
	reply, err := strconv.Unquote(quoted)
	if err != nil {
		return text
	}
	return code + " " + reply
}

// buildMsg renders m as a MIME message from the given sender.
func buildMsg(from string, m Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("distribute: sender %q: %w", from, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("distribute: recipient %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDateWithValue(m.Date)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	for _, a := range append([]Attachment{m.Attachment}, m.Extra...) {
		err := msg.AttachReader(a.Filename, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(a.ContentType)),
			withDisposition(a.Filename))
		if err != nil {
			return nil, fmt.Errorf("distribute: attaching %q: %w", a.Filename, err)
		}
	}
	return msg, nil
}

// withDisposition writes the attachment's filename both RFC 2231-encoded
// (filename*, preferred by standard parsers) and RFC 2047-encoded inside the
// quoted filename (what many mail clients read), so "Protokollsutdrag … §
// 157.pdf" keeps its å, ä, ö and § everywhere.
func withDisposition(name string) gomail.FileOption {
	return func(f *gomail.File) {
		if f.Header == nil {
			f.Header = map[string][]string{}
		}
		quoted := mime.QEncoding.Encode("UTF-8", strings.NewReplacer(`"`, "_", `\`, "_").Replace(name))
		f.Header.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`,
			quoted, percentEncode(name)))
	}
}

// percentEncode writes s as an RFC 2231 extended value: attr-chars as they
// are, every other byte of its UTF-8 as %XX.
func percentEncode(s string) string {
	const attrChars = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (isAlnum(c) || strings.IndexByte(attrChars, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
