package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/auth"
	"utdrag/distribute"
	"utdrag/extract"
	"utdrag/index"
)

// The audit trail (package audit): every create, certification,
// distribution, resend, manual-dispatch mark, login and failed login, in
// storage, indexed for the clerk pages and GET /v1/audit.
//
// When an event cannot be stored (after the log's own retries) the
// operation it records has already happened: a signed version exists, a
// message is sent. Failing the answer then would make the caller try an
// operation that was done, so the answer stands and the event is logged
// whole at ERROR level and counted (utdrag_audit_failures_total), for an
// alert and for replay from the log. A login is different: nothing has
// happened yet, so a login whose event cannot be stored is refused.

// auditRepairEvery is how often index writes of the trail that failed
// are made good from storage.
const auditRepairEvery = time.Minute

func (s *Server) useAudit(ix *index.Index) {
	retain := s.cfg.AuditRetention
	if retain == 0 {
		retain = s.cfg.Retention
	}
	s.audit = audit.New(s.store, audit.Options{Retain: retain, Logger: s.log, Now: s.now})
	s.audit.SetIndexer(ix)
	s.auditIndex = ix
	s.auditFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "utdrag_audit_failures_total",
		Help: "Audit events that could not be stored after retries (each is logged whole at ERROR level).",
	})
	s.metrics.reg.MustRegister(s.auditFailures)
}

// Audit is the server's audit trail, for the clerk pages.
func (s *Server) Audit() *audit.Log { return s.audit }

// auditLoop brings the index's copy of the trail up to date at start-up
// (from the day before its newest event: what a crash between the store
// and the index left out) and then repairs failed index writes, until ctx
// ends.
func (s *Server) auditLoop(ctx context.Context) {
	latest, err := s.auditIndex.AuditLatest(ctx)
	if err == nil {
		from := time.Time{}
		if !latest.IsZero() {
			from = latest.AddDate(0, 0, -1)
		}
		var n int
		if n, err = s.audit.CatchUp(ctx, from); err == nil && n > 0 {
			s.log.InfoContext(ctx, "audit: index caught up from storage", "events", n)
		}
	}
	if err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "audit: catching up the index failed", "err", err)
	}
	t := time.NewTicker(auditRepairEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.audit.Repair(ctx); err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "audit: repairing the index failed", "err", err)
			}
		}
	}
}

// withWho puts the caller into the request's context, for the events the
// operations it reaches record: the key (or person) and the client's
// address.
func withWho(c *gin.Context, actor audit.Actor) {
	c.Request = c.Request.WithContext(audit.WithWho(c.Request.Context(), audit.Who{Actor: actor, Address: c.ClientIP()}))
}

// KeyActor is the actor of an API key (or a person's session key).
func KeyActor(k *auth.Key) audit.Actor {
	return audit.Actor{Kind: audit.ActorKey, Name: k.Name, Organisation: k.Organisation}
}

// Record adds e to the trail as done by whoever ctx carries (see
// withWho); e's own actor and address, when set, are kept. It reports
// whether the event is stored; a failure is logged and counted here.
func (s *Server) Record(ctx context.Context, e audit.Event) error {
	if who, ok := audit.WhoFrom(ctx); ok {
		if e.Actor.Kind == "" {
			e.Actor = who.Actor
		}
		if e.Address == "" {
			e.Address = who.Address
		}
	}
	if e.Actor.Kind == "" {
		e.Actor.Kind = audit.ActorNone
	}
	if _, err := s.audit.Record(ctx, e); err != nil {
		s.auditFailures.Inc()
		raw, _ := json.Marshal(e)
		s.log.ErrorContext(ctx, "audit: event not recorded", "event", string(raw), "err", err)
		return err
	}
	return nil
}

// ExtractEvent is an event about extract rec's version (0: the extract
// itself).
func ExtractEvent(action audit.Action, rec *archive.Record, version int) audit.Event {
	return audit.Event{
		Action: action, Extract: rec.ID, Version: version,
		Organisation: rec.Organisation.ID, Organ: rec.Organ, MeetingDate: rec.MeetingDate,
	}
}

// recordDistribution records a sending of msg that began at started, to
// the recipients named (all when none): a resend when the extract's record
// was made by an earlier one. Nothing is recorded when nothing was done
// (another request held the record).
func (s *Server) recordDistribution(ctx context.Context, msg distribute.Message, started time.Time, out *distribute.Record, err error, names []string) {
	if out == nil {
		return
	}
	action := audit.Distribute
	if out.Created.Before(started) {
		action = audit.Resend
	}
	c := out.Counts
	detail := fmt.Sprintf("%d mottagare: %s, %s, %s, %s, %d väntar", c.Recipients,
		distribute.Count(c.Sent, "skickad", "skickade"), distribute.Count(c.Failed, "misslyckad", "misslyckade"),
		distribute.Count(c.Manual, "manuell", "manuella"), distribute.Count(c.Unresolved, "okänd", "okända"), c.Pending)
	if len(names) > 0 {
		detail = "till " + strings.Join(names, ", ") + "; " + detail
	}
	s.recordChange(ctx, action, msg, out, err, detail)
}

// recordChange records a change of msg's distribution. A change refused
// (nothing was done) is not recorded; one that stopped half-way is, with
// what stopped it.
func (s *Server) recordChange(ctx context.Context, action audit.Action, msg distribute.Message, out *distribute.Record, err error, detail string) {
	var fe *distribute.FieldError
	if out == nil || errors.As(err, &fe) || errors.Is(err, distribute.ErrInProgress) || errors.Is(err, distribute.ErrUnknownRecipient) ||
		errors.Is(err, distribute.ErrNotRefused) || errors.Is(err, distribute.ErrNotManual) || errors.Is(err, distribute.ErrDuplicate) {
		return
	}
	if err != nil {
		detail += "; avbrutet: " + err.Error()
	}
	s.Record(ctx, audit.Event{
		Action: action, Extract: msg.ExtractID, Version: max(msg.Version, 1), Organisation: msg.Organisation.ID,
		Organ: msg.Organ, MeetingDate: msg.MeetingDate, Detail: detail,
	})
}

func (s *Server) auditRoutes(g *gin.RouterGroup) {
	g.GET("/audit", s.exportAudit)
}

// exportAudit answers GET /v1/audit: the events that match, oldest first,
// as JSON Lines. A key of one organisation sees that organisation's
// events alone.
func (s *Server) exportAudit(c *gin.Context) {
	q, qerrs := audit.ParseQuery(c.Query, stockholm)
	if len(qerrs) > 0 {
		errs := make([]extract.FieldError, len(qerrs))
		for i, e := range qerrs {
			errs[i] = extract.FieldError{Field: e.Field, Rule: e.Rule, Message: e.Message}
		}
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltig sökning", "Sökningen bryter mot en eller flera regler; se errors.", errs...)
		return
	}
	if sc := scope(c); sc != "" {
		if q.Organisation != "" && q.Organisation != sc {
			problem(c, http.StatusForbidden, "forbidden-organisation", "Fel organisation",
				"API-nyckeln gäller en annan organisation än den sökta.")
			return
		}
		q.Organisation = sc
	}
	evs, err := s.audit.Query(c.Request.Context(), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Type", "application/x-ndjson")
	c.Header("Content-Disposition", `attachment; filename="utdrag-logg.jsonl"`)
	c.Status(http.StatusOK)
	if err := audit.WriteJSONLines(c.Writer, evs); err != nil {
		s.log.WarnContext(c.Request.Context(), "audit: writing the export", "err", err)
	}
}

// PersonKey is what a person whom the OpenID provider puts in groups may
// do, as a key named name: see auth.Keys.Person. Without a key file
// (open mode) nobody logs in.
func (s *Server) PersonKey(name string, groups []string) (*auth.Key, error) {
	if s.keys == nil {
		return nil, auth.ErrNoGroup
	}
	return s.keys.Person(name, groups)
}

// TitleEditable reports whether people of organisation may change the
// title the provider gives them.
func (s *Server) TitleEditable(organisation string) bool {
	return s.keys != nil && s.keys.TitleEditable(organisation)
}

// AuditEvents answers q for the caller k (nil in open mode): a caller of
// one organisation gets that organisation's events alone.
func (s *Server) AuditEvents(ctx context.Context, k *auth.Key, q audit.Query) ([]audit.Event, error) {
	if k != nil && k.Scope() != "" {
		q.Organisation = k.Scope()
	}
	return s.audit.Query(ctx, q)
}
