package distribute

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Outbox is a Mailer that writes each Mail as an .eml file into a folder
// instead of sending it: the default when no SMTP server is configured. The
// filename comes from the Message-ID, so sending the same message again
// overwrites the file rather than adding a second one.
type Outbox struct {
	dir  string
	from string
}

// NewOutbox returns an Outbox writing into dir (created when missing) with
// from as the sender.
func NewOutbox(dir, from string) (*Outbox, error) {
	if from == "" {
		return nil, errors.New("distribute: outbox sender (From) is missing")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("distribute: creating outbox %s: %w", dir, err)
	}
	return &Outbox{dir: dir, from: from}, nil
}

// OutboxOnly reports that the Outbox sends nothing: a message it took is
// in the folder, not with its recipient.
func (o *Outbox) OutboxOnly() bool { return true }

// Path is where the outbox keeps the message with this Message-ID.
func (o *Outbox) Path(messageID string) string {
	return filepath.Join(o.dir, emlName(messageID))
}

// Send writes m atomically (temporary file, then rename) and returns a
// reply naming the file.
func (o *Outbox) Send(ctx context.Context, m Mail) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	msg, err := buildMsg(o.from, m)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return "", fmt.Errorf("distribute: rendering %s: %w", m.MessageID, err)
	}
	path := o.Path(m.MessageID)
	if err := writeFileAtomic(path, buf.Bytes()); err != nil {
		return "", fmt.Errorf("distribute: writing %s to outbox: %w", m.MessageID, err)
	}
	return "saved " + filepath.Base(path), nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".eml-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// emlName keeps the characters of a Message-ID that are safe in a filename.
func emlName(messageID string) string {
	safe := strings.Map(func(r rune) rune {
		if r < 0x80 && (isAlnum(byte(r)) || strings.ContainsRune("@.-_", r)) {
			return r
		}
		return '_'
	}, strings.Trim(messageID, "<>"))
	return safe + ".eml"
}
