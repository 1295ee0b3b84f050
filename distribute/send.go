package distribute

import (
	"context"
	"errors"
	"time"
)

// deliver sends the message to one address, retrying temporary failures
// with exponential backoff, and records every attempt.
//
// Each attempt is bracketed by two conditional writes of the record: the
// first (attempts+1, lease renewed) proves this call still owns the record
// before anything is sent; the second stores the outcome right after the
// SMTP transaction. A crash between the server's "250" and that second
// write leaves the address pending, and the next call sends it again: we
// choose at-least-once over at-most-once, because a lost decision is worse
// than a repeated one. The repeat carries the same Message-ID (derived from
// extract and address), so the receiving registry can recognise and drop
// the duplicate; the attempt count in the record shows that it may exist.
func (r *run) deliver(ctx context.Context, t target) error {
	mail := r.m.mailTo(t.recipient, t.address, t.rendition, r.d.cfg.Now())
	mail.MessageID = t.messageID
	for attempt := 1; ; attempt++ {
		r.rec.update(t.address, func(d *Delivery) { d.Attempts++; d.Time = r.d.cfg.Now() })
		if err := r.save(ctx); err != nil {
			return err
		}
		reply, sendErr := r.d.cfg.Mailer.Send(ctx, mail)
		state := r.d.outcome(sendErr)
		if err := r.recordOutcome(ctx, t.address, state, reply, sendErr); err != nil {
			return err
		}
		r.d.report(mail, attempt, state, sendErr)
		if state == StatePending {
			return sendErr // cancelled
		}
		if state != StateDeferred {
			return nil
		}
		if attempt >= r.d.cfg.MaxAttempts {
			return nil // stays pending for the next call
		}
		if err := sleep(ctx, r.d.cfg.Backoff<<(attempt-1)); err != nil {
			return err
		}
	}
}

// outcome is the state an attempt leaves an address in: sent (or only
// saved, by a mailer that writes to the outbox folder), deferred after a
// temporary failure, failed after a refusal for good, pending when the
// caller gave up.
func (d *Distributor) outcome(err error) State {
	switch {
	case err == nil && outboxOnly(d.cfg.Mailer):
		return StateSaved
	case err == nil:
		return StateSent
	case errors.Is(err, context.Canceled):
		return StatePending
	case Temporary(err):
		return StateDeferred
	}
	return StateFailed
}

// outboxOnly reports whether m writes messages to a folder instead of
// sending them.
func outboxOnly(m Mailer) bool {
	o, ok := m.(interface{ OutboxOnly() bool })
	return ok && o.OutboxOnly()
}

// recordOutcome stores the result of one attempt. It is written even if ctx
// was cancelled meanwhile: a message the server accepted must be recorded.
func (r *run) recordOutcome(ctx context.Context, address string, state State, reply string, sendErr error) error {
	var se *SendError
	switch {
	case errors.As(sendErr, &se):
		reply = se.Reply
	case sendErr != nil:
		reply = sendErr.Error()
	}
	r.rec.update(address, func(d *Delivery) {
		d.State, d.LastReply, d.Time = state, reply, r.d.cfg.Now()
	})
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return r.save(ctx)
}

func (d *Distributor) report(m Mail, attempt int, state State, err error) {
	attrs := []any{"to", m.To, "message_id", m.MessageID, "attempt", attempt, "state", string(state)}
	switch {
	case err == nil:
		d.log.Info("extract sent", attrs...)
	case state == StateDeferred || state == StatePending:
		d.log.Warn("sending extract failed temporarily", append(attrs, "err", err)...)
	default:
		d.log.Error("sending extract refused", append(attrs, "err", err)...)
	}
	if d.cfg.OnResult != nil {
		d.cfg.OnResult(state)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
