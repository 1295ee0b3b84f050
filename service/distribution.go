package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/compose"
	"utdrag/distribute"
	"utdrag/extract"
	"utdrag/storage"
)

// MailConfig configures distribution.
type MailConfig struct {
	Recipients string // UTDRAG_RECIPIENTS: the recipient directory (YAML)
	SMTPAddr   string // UTDRAG_SMTP_ADDR; unset: messages go to the outbox folder
	Username   string // UTDRAG_SMTP_USER
	Password   string // UTDRAG_SMTP_PASSWORD
	StartTLS   string // UTDRAG_SMTP_STARTTLS: mandatory, opportunistic (default) or none
	From       string // UTDRAG_MAIL_FROM
	Outbox     string // UTDRAG_OUTBOX: where .eml files go without SMTP
	// Appeals names the organisations' own appeal instruction texts
	// (JSON, see templates.LoadAppeals); unset: the default texts.
	Appeals string // UTDRAG_APPEALS
}

func mailFromEnv(getenv func(string) string, storageSpec string) MailConfig {
	m := MailConfig{
		Recipients: getenv("UTDRAG_RECIPIENTS"),
		SMTPAddr:   getenv("UTDRAG_SMTP_ADDR"),
		Username:   getenv("UTDRAG_SMTP_USER"),
		Password:   getenv("UTDRAG_SMTP_PASSWORD"),
		StartTLS:   getenv("UTDRAG_SMTP_STARTTLS"),
		From:       getenv("UTDRAG_MAIL_FROM"),
		Outbox:     getenv("UTDRAG_OUTBOX"),
		Appeals:    getenv("UTDRAG_APPEALS"),
	}
	if m.From == "" {
		m.From = "utdrag@localhost"
	}
	if m.StartTLS == "" {
		m.StartTLS = string(distribute.StartTLSOpportunistic)
	}
	if m.Outbox == "" {
		m.Outbox = "outbox"
		if dir, ok := strings.CutPrefix(storageSpec, "fs:"); ok {
			m.Outbox = filepath.Join(dir, "outbox")
		}
	}
	return m
}

// newDistributor builds the distributor from the configuration: the
// directory file is read once here.
func newDistributor(cfg MailConfig, store storage.Store, d Deps, onResult func(distribute.State)) (*distribute.Distributor, *distribute.Directory, error) {
	dirData := []byte("organisations: {}\n")
	if cfg.Recipients != "" {
		raw, err := os.ReadFile(cfg.Recipients)
		if err != nil {
			return nil, nil, fmt.Errorf("service: reading UTDRAG_RECIPIENTS: %w", err)
		}
		dirData = raw
	}
	dir, err := distribute.LoadDirectory(dirData)
	if err != nil {
		return nil, nil, err
	}
	mailer := d.Mailer
	if mailer == nil {
		mailer, err = distribute.NewMailer(distribute.SMTPConfig{
			Addr: cfg.SMTPAddr, Username: cfg.Username, Password: cfg.Password,
			StartTLS: distribute.StartTLS(cfg.StartTLS), From: cfg.From,
		}, cfg.Outbox)
		if err != nil {
			return nil, nil, err
		}
	}
	dist, err := distribute.New(distribute.Config{Store: store, Directory: dir, Mailer: mailer, Logger: d.Logger,
		OnResult: onResult, Backoff: d.MailBackoff})
	return dist, dir, err
}

func (s *Server) distributionRoutes(g *gin.RouterGroup) {
	g.POST("/extracts/:id/distribution", s.distributeExtract)
	g.GET("/extracts/:id/distribution", s.distributionStatus)
	g.GET("/extracts/:id/distribution/plan", s.distributionPlan)
	g.POST("/extracts/:id/distribution/recipients", s.addRecipient)
	g.POST("/extracts/:id/distribution/corrections", s.correctAddress)
	g.POST("/extracts/:id/distribution/served", s.markServed)
	g.POST("/distributions", s.distributeMany)
}

// recipientsOf are the names under Expedieras till of every paragraph of
// rec, as written. The names of a paragraph marked whole are in the
// source only, not in the public copy the record holds.
func (s *Server) recipientsOf(ctx context.Context, rec *archive.Record) ([]string, error) {
	x, err := s.archive.Source(ctx, rec)
	if err != nil {
		return nil, err
	}
	var recipients []string
	for _, p := range x.Paragraphs {
		recipients = append(recipients, p.DistributeTo...)
	}
	return recipients, nil
}

// Plan is who an extract is to go to, resolved against the recipient
// directory; it can be drawn before the extract is certified.
func (s *Server) Plan(ctx context.Context, rec *archive.Record) (distribute.Plan, error) {
	names, err := s.recipientsOf(ctx, rec)
	if err != nil {
		return distribute.Plan{}, err
	}
	return distribute.NewPlan(s.directory.Resolve(rec.Organisation.ID, names), rec.Has(extract.Internal)), nil
}

// message builds the distribution of an extract: its current certified
// version of each rendition a recipient needs (renditions.go). It returns
// a *renditionsMissing when a rendition some recipient needs is not
// certified.
func (s *Server) message(ctx context.Context, rec *archive.Record) (distribute.Message, error) {
	recipients, err := s.recipientsOf(ctx, rec)
	if err != nil {
		return distribute.Message{}, err
	}
	m := distribute.Message{
		ExtractID:    rec.ID,
		Organisation: distribute.Organisation{ID: rec.Organisation.ID, Name: rec.Organisation.Name},
		Organ:        rec.Organ, MeetingDate: rec.MeetingDate,
		Paragraphs:  []string{compose.ParagraphLabel(rec.Paragraphs)},
		Title:       strings.Join(rec.Titles, "; "),
		CaseNumbers: rec.CaseNumbers, Recipients: recipients,
		Filename:  rec.Filename,
		RecordKey: archive.DistributionKey(rec.ID),
	}
	if err := s.attachRenditions(ctx, rec, &m); err != nil {
		return distribute.Message{}, err
	}
	if err := s.attachAppeals(ctx, rec, &m); err != nil {
		return distribute.Message{}, err
	}
	return m, nil
}

// visibleRecord reads the extract id the caller may see, or answers the
// problem (404 for one hidden from them) and reports false.
func (s *Server) visibleRecord(c *gin.Context, id string) (*archive.Record, bool) {
	rec, _, err := s.archive.Get(c.Request.Context(), id)
	if err != nil || !s.visible(c, rec) {
		s.fail(c, orNotFound(err))
		return nil, false
	}
	return rec, true
}

// certifiedRecord reads a visible extract and answers 409 when it is not
// certified.
func (s *Server) certifiedRecord(c *gin.Context, id string) (*archive.Record, bool) {
	rec, ok := s.visibleRecord(c, id)
	if !ok {
		return nil, false
	}
	if rec.Certified() == nil {
		problem(c, http.StatusConflict, "not-certified", "Inte bestyrkt",
			"Utdraget måste bestyrkas innan det expedieras.")
		return nil, false
	}
	if s.refuseUnadjusted(c, rec, "expedieras") {
		return nil, false
	}
	return rec, true
}

// DistributeRequest is the optional body of POST
// /v1/extracts/{id}/distribution.
type DistributeRequest struct {
	// Recipients chosen by name, as the record or the plan names them;
	// empty: all.
	Recipients []string `json:"recipients"`
}

// decodeOptional decodes a JSON body into v, strictly; an empty body
// leaves v as it is.
func decodeOptional(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return decodeBodyError(err)
	}
	return nil
}

// decodeRequired decodes a JSON body into v, strictly.
func decodeRequired(c *gin.Context, v any) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeBodyError(err)
	}
	return nil
}

// distributionMessage reads a visible, certified, justerat extract and
// builds its message, or answers the problem and reports false.
func (s *Server) distributionMessage(c *gin.Context) (distribute.Message, bool) {
	rec, ok := s.certifiedRecord(c, c.Param("id"))
	if !ok {
		return distribute.Message{}, false
	}
	msg, err := s.message(c.Request.Context(), rec)
	if err != nil {
		if !failMissing(c, err) {
			s.fail(c, err)
		}
		return distribute.Message{}, false
	}
	return msg, true
}

func (s *Server) distributeExtract(c *gin.Context) {
	var req DistributeRequest
	if err := decodeOptional(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	msg, ok := s.distributionMessage(c)
	if !ok {
		return
	}
	if len(msg.Recipients) == 0 {
		problem(c, http.StatusConflict, "no-recipients", "Inga mottagare",
			"Utdraget saknar mottagare under Expedieras till.")
		return
	}
	out, err := s.DistributeTo(c.Request.Context(), msg, req.Recipients)
	s.answerDistribution(c, out, err)
}

// answerDistribution answers a distribution call: the record, or the
// problem of err.
func (s *Server) answerDistribution(c *gin.Context, out *distribute.Record, err error) {
	var fe *distribute.FieldError
	switch {
	case err == nil:
		c.JSON(http.StatusOK, out)
	case errors.Is(err, distribute.ErrInProgress):
		c.Header("Retry-After", "10")
		problem(c, http.StatusConflict, "in-progress", "Utskick pågår",
			"Utdraget expedieras redan av en annan begäran. Hämta status om en stund.")
	case errors.As(err, &fe):
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltig ändring", "Ändringen har fel; se errors.",
			extract.FieldError{Field: fe.Field, Rule: fe.Rule, Message: fieldMessage(fe.Rule)})
	case errors.Is(err, distribute.ErrUnknownRecipient):
		problem(c, http.StatusUnprocessableEntity, "unknown-recipient", "Okänd mottagare",
			"Utskicket har ingen sådan mottagare eller adress: "+afterColon(err)+".")
	case errors.Is(err, distribute.ErrNotRefused):
		problem(c, http.StatusConflict, "not-refused", "Adressen är inte avvisad",
			"Bara en adress som e-postservern avvisade för gott kan rättas. En adress med tillfälligt fel får utdraget när du skickar igen.")
	case errors.Is(err, distribute.ErrNotManual):
		problem(c, http.StatusConflict, "not-manual", "Mottagaren får e-post",
			"Bara en mottagare som expedieras med post eller personligen, eller som saknas i mottagarregistret, kan markeras som expedierad.")
	case errors.Is(err, distribute.ErrDuplicate):
		problem(c, http.StatusConflict, "duplicate-recipient", "Redan mottagare",
			"Mottagaren eller adressen finns redan i utskicket: "+afterColon(err)+".")
	default:
		s.fail(c, err)
	}
}

// afterColon is what an error says after its last "distribute: …: ".
func afterColon(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

// fieldMessage is a rule of a distribution change in Swedish.
func fieldMessage(rule string) string {
	switch rule {
	case "required":
		return "uppgiften saknas"
	case "format":
		return "felaktigt format"
	case "maxLength":
		return "högst 200 tecken"
	case "characters", "encoding":
		return "otillåtna tecken"
	case "enum":
		return "ange post, hand eller other"
	case "notFuture":
		return "datumet har inte varit än"
	}
	return "felaktig uppgift"
}

// caller names who makes a request, for the record.
func caller(c *gin.Context) string {
	if name := c.GetString(ctxKeyName); name != "" {
		return name
	}
	return "okänd"
}

// AddRecipientRequest is the body of POST
// /v1/extracts/{id}/distribution/recipients.
type AddRecipientRequest struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

func (s *Server) addRecipient(c *gin.Context) {
	changeDistribution(s, c, func(ctx context.Context, msg distribute.Message, req AddRecipientRequest) (*distribute.Record, error) {
		return s.AddRecipient(ctx, msg, distribute.NewRecipient{Name: req.Name, Address: req.Address, By: caller(c)})
	})
}

// changeDistribution answers a change of an extract's distribution: it
// decodes the body (a Req, strictly), builds the extract's message and
// answers with the record apply makes of them.
func changeDistribution[Req any](s *Server, c *gin.Context, apply func(context.Context, distribute.Message, Req) (*distribute.Record, error)) {
	var req Req
	if err := decodeRequired(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	msg, ok := s.distributionMessage(c)
	if !ok {
		return
	}
	out, err := apply(c.Request.Context(), msg, req)
	s.answerDistribution(c, out, err)
}

// CorrectionRequest is the body of POST
// /v1/extracts/{id}/distribution/corrections.
type CorrectionRequest struct {
	Address    string `json:"address"`
	NewAddress string `json:"newAddress"`
}

func (s *Server) correctAddress(c *gin.Context) {
	changeDistribution(s, c, func(ctx context.Context, msg distribute.Message, req CorrectionRequest) (*distribute.Record, error) {
		return s.Correct(ctx, msg, distribute.AddressChange{Address: req.Address, NewAddress: req.NewAddress, By: caller(c)})
	})
}

// ServedRequest is the body of POST /v1/extracts/{id}/distribution/served.
type ServedRequest struct {
	Recipient string `json:"recipient"`
	By        string `json:"by"`
	How       string `json:"how"`
	Date      string `json:"date"`
	Note      string `json:"note"`
}

func (s *Server) markServed(c *gin.Context) {
	changeDistribution(s, c, func(ctx context.Context, msg distribute.Message, req ServedRequest) (*distribute.Record, error) {
		return s.MarkServed(ctx, msg, distribute.ServedMark{Recipient: req.Recipient, By: req.By,
			How: req.How, Date: req.Date, Note: req.Note, Marked: caller(c)})
	})
}

func (s *Server) distributionPlan(c *gin.Context) {
	rec, ok := s.visibleRecord(c, c.Param("id"))
	if !ok {
		return
	}
	plan, err := s.Plan(c.Request.Context(), rec)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, plan)
}

func (s *Server) distributionStatus(c *gin.Context) {
	rec, ok := s.visibleRecord(c, c.Param("id"))
	if !ok {
		return
	}
	out, err := s.DistributionStatus(c.Request.Context(), rec.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if out == nil {
		problem(c, http.StatusNotFound, "not-distributed", "Inte expedierat", "Utdraget har inte expedierats ännu.")
		return
	}
	c.JSON(http.StatusOK, out)
}

// BatchRequest is the body of POST /v1/distributions.
type BatchRequest struct {
	IDs []string `json:"ids"`
}

// BatchItem is the outcome of one extract of a batch.
type BatchItem struct {
	ID     string             `json:"id"`
	Status int                `json:"status"`
	Error  string             `json:"error,omitempty"`
	Record *distribute.Record `json:"record,omitempty"`
}

func (s *Server) distributeMany(c *gin.Context) {
	var req BatchRequest
	if err := json.NewDecoder(c.Request.Body).Decode(&req); err != nil {
		s.fail(c, decodeBodyError(err))
		return
	}
	if len(req.IDs) == 0 || len(req.IDs) > 200 {
		problem(c, http.StatusUnprocessableEntity, "validation", "Ogiltigt utskick", "Ange 1–200 utdrag.",
			extract.FieldError{Field: "ids", Rule: "minItems", Message: "ange 1–200 utdrag"})
		return
	}
	items := make([]BatchItem, len(req.IDs))
	var msgs []distribute.Message
	var index []int
	for i, id := range req.IDs {
		items[i].ID = id
		rec, _, err := s.archive.Get(c.Request.Context(), id)
		switch {
		case err != nil && !isNotFound(err):
			s.fail(c, err)
			return
		case err != nil || !s.visible(c, rec):
			items[i].Status, items[i].Error = http.StatusNotFound, "Utdraget finns inte."
			continue
		case rec.Certified() == nil:
			items[i].Status, items[i].Error = http.StatusConflict, "Utdraget är inte bestyrkt."
			continue
		}
		if na := s.checkAdjusted(rec, "expedieras"); na != nil {
			items[i].Status, items[i].Error = http.StatusConflict, na.Detail
			continue
		}
		msg, err := s.message(c.Request.Context(), rec)
		var rm *renditionsMissing
		if errors.As(err, &rm) {
			items[i].Status, items[i].Error = http.StatusConflict, "En version som mottagarna behöver är inte bestyrkt: "+rm.Error()
			continue
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		msgs, index = append(msgs, msg), append(index, i)
	}
	s.distributeAll(c.Request.Context(), msgs, func(i int, rec *distribute.Record, err error) {
		it := &items[index[i]]
		it.Record = rec
		switch {
		case errors.Is(err, distribute.ErrInProgress):
			it.Status, it.Error = http.StatusConflict, "Utskick pågår redan."
		case err != nil:
			it.Status, it.Error = http.StatusServiceUnavailable, "Utskicket kunde inte slutföras; försök igen."
		default:
			it.Status = http.StatusOK
		}
	})
	c.JSON(http.StatusOK, gin.H{"items": items})
}
