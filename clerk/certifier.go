package clerk

import (
	"github.com/gin-gonic/gin"

	"utdrag/domain"
)

// Who certifies: a person logged in through the provider certifies under
// the name the provider gives, and under its title unless the
// organisation lets its people change it (or the provider gives none). A
// key's clerk types both. Either way the session remembers what was last
// certified with, so the form is filled in the next time.

// certifier fills in the name and title of req from the session: the
// person's own, where the form may not change them; what was remembered,
// where the form left them empty.
func (u *Pages) certifier(c *gin.Context, req *domain.CertifyRequest) {
	s := currentSession(c)
	if s.Person != "" {
		req.Name = s.Name
		if !titleEditable(s) || req.Title == "" {
			req.Title = s.Title
		}
		return
	}
	if req.Name == "" && req.Title == "" {
		req.Name, req.Title = s.Name, s.Title
	}
}

func titleEditable(s session) bool { return s.TitleEditable || s.Title == "" }

// rememberCertifier keeps the name and title of a certification in the
// session for the next one.
func (u *Pages) rememberCertifier(c *gin.Context, req domain.CertifyRequest) {
	s := currentSession(c)
	if s.Key == "" || (s.Name == req.Name && s.Title == req.Title) {
		return
	}
	if s.Person == "" {
		s.Name = req.Name
	} else if err := u.rememberTitle(c.Request.Context(), s.Person, req.Title); err != nil {
		u.log.WarnContext(c.Request.Context(), "clerk: the title is remembered for this session only", "err", err)
	}
	s.Title = req.Title
	u.setSession(c, s)
}

// fixedFields say which of the form's fields the session decides.
func fixedFields(c *gin.Context) (name, title bool) {
	s := currentSession(c)
	return s.Person != "", s.Person != "" && !titleEditable(s)
}
