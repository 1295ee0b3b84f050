package service

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/extract"
)

// today is the date in Sweden by the server's clock.
func (s *Server) today() string { return s.now().In(stockholm).Format(time.DateOnly) }

// justering tells where each paragraph of rec stands today. An extract
// that states its justering state is judged by it; one kept from before
// states were stated, by its justering date against today.
func (s *Server) justering(rec *archive.Record) []extract.ParagraphJustering {
	if rec.Extract == nil { // a listed record: as it was stored
		if rec.Justering == nil {
			return []extract.ParagraphJustering{}
		}
		return rec.Justering
	}
	return rec.Extract.JusteringOn(s.today())
}

// checkAdjusted returns the refusal for rec, or nil when every paragraph
// is justerad (or omedelbart justerad). verb is what cannot be done:
// "bestyrkas", "expedieras".
func (s *Server) checkAdjusted(rec *archive.Record, verb string) *notAdjusted {
	today := s.today()
	var nums []string
	var date string
	var errs []extract.FieldError
	for i, j := range s.justering(rec) {
		if j.State != extract.StatePending {
			continue
		}
		nums = append(nums, strconv.Itoa(j.Number))
		date = j.Date
		errs = append(errs, extract.FieldError{Field: fmt.Sprintf("paragraphs[%d]", i), Rule: "justering",
			Message: fmt.Sprintf("§ %d är inte justerad (%s)", j.Number, when(date, today))})
	}
	if len(nums) == 0 {
		return nil
	}
	what, is, them := "§ "+nums[0], "är inte justerad", "paragrafen är justerad"
	if len(nums) > 1 {
		what, is, them = "§§ "+strings.Join(nums, ", "), "är inte justerade", "paragraferna är justerade"
	}
	return &notAdjusted{
		Detail: fmt.Sprintf("%s %s: %s. Utdraget kan inte %s förrän %s; när protokollet är justerat skickas paragraferna på nytt från ärendehanteringen.",
			what, is, when(date, today), verb, them),
		Errors: errs,
	}
}

// when says when the protocol is to be justerat.
func when(date, today string) string {
	switch {
	case date == "":
		return "ingen dag för justeringen är bestämd"
	case date < today:
		return "protokollet skulle justeras " + date + " men är inte justerat"
	}
	return "protokollet justeras " + date
}

// refuseUnadjusted answers 409 when rec may not be certified or
// distributed (verb) yet, and reports whether it did.
func (s *Server) refuseUnadjusted(c *gin.Context, rec *archive.Record, verb string) bool {
	na := s.checkAdjusted(rec, verb)
	if na == nil {
		return false
	}
	problem(c, http.StatusConflict, "not-adjusted", "Inte justerat", na.Detail, na.Errors...)
	return true
}
