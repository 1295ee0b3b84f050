package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"utdrag/anslag"
	"utdrag/archive"
	"utdrag/compose"
	"utdrag/distribute"
	"utdrag/extract"
	"utdrag/templates"
)

// The appeal instruction (överklagandehänvisning) goes to the parties to
// a decision as a PDF of its own beside the certified extract: the
// extract stays exactly what was certified and signed, and the
// instruction, made by the same engine, is PDF/A and tagged like it. Its
// dates of laglighetsprövning come from the anslag of the meeting's stored
// protocol; without one it states the rule.

// loadAppeals reads the organisations' appeal texts once, at start-up.
func loadAppeals(path string) (*templates.Appeals, error) {
	var raw []byte
	if path != "" {
		var err error
		if raw, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("service: reading UTDRAG_APPEALS: %w", err)
		}
	}
	a, err := templates.LoadAppeals(raw)
	if err != nil {
		return nil, fmt.Errorf("service: UTDRAG_APPEALS: %w", err)
	}
	return a, nil
}

// attachAppeals adds to m an appeal instruction for each set of parties
// the extract's paragraphs name: one document per set of paragraphs,
// covering the paragraphs whose parties name them. The parties of a
// paragraph marked whole are in the source only.
func (s *Server) attachAppeals(ctx context.Context, rec *archive.Record, m *distribute.Message) error {
	x, err := s.archive.Source(ctx, rec)
	if err != nil {
		return err
	}
	type group struct {
		nums    []int
		parties []string
	}
	var groups []*group
	byParty := map[string][]int{}
	var order []string
	for _, p := range x.Paragraphs {
		if p.Appeal == nil {
			continue
		}
		for _, party := range p.Appeal.Parties {
			key := strings.ToLower(strings.Join(strings.Fields(party), " "))
			if _, ok := byParty[key]; !ok {
				order = append(order, party)
			}
			if !slices.Contains(byParty[key], p.Number) {
				byParty[key] = append(byParty[key], p.Number)
			}
		}
	}
	if len(order) == 0 {
		return nil
	}
	for _, party := range order {
		nums := byParty[strings.ToLower(strings.Join(strings.Fields(party), " "))]
		i := slices.IndexFunc(groups, func(g *group) bool { return slices.Equal(g.nums, nums) })
		if i < 0 {
			groups = append(groups, &group{nums: nums})
			i = len(groups) - 1
		}
		groups[i].parties = append(groups[i].parties, party)
	}
	notice, err := s.noticeOf(ctx, x)
	if err != nil {
		return err
	}
	texts := s.appeals.For(x.Organisation.ID)
	for _, g := range groups {
		pdf, err := s.renderAppeal(ctx, x, texts, g.nums, notice)
		if err != nil {
			return err
		}
		m.Appeals = append(m.Appeals, distribute.Appeal{Parties: g.parties, Filename: compose.AppealFilename(x, g.nums), PDF: pdf})
	}
	return nil
}

func (s *Server) renderAppeal(ctx context.Context, x *extract.Extract, texts *templates.AppealTexts, nums []int, notice *anslag.Notice) ([]byte, error) {
	release, ok := s.acquireRender(ctx)
	if !ok {
		return nil, errBusy
	}
	defer release()
	rctx, cancel := context.WithTimeoutCause(ctx, s.cfg.RenderTimeout, errRenderTimeout)
	defer cancel()
	res, err := s.render.RenderAppeal(rctx, x, texts, nums, notice)
	if err != nil {
		return nil, fmt.Errorf("service: the appeal instruction of %s: %w", x.Organ, err)
	}
	return res.PDF, nil
}

// noticeOf is the anslag of the protocol x's paragraphs are of: the
// protocol x was taken from, else the meeting's certified protocol, else
// its newest stored one; nil when none is stored or posted.
func (s *Server) noticeOf(ctx context.Context, x *extract.Extract) (*anslag.Notice, error) {
	var id string
	if x.Source != nil {
		id = x.Source.Protocol
	} else {
		ps, err := s.archive.ProtocolsOfMeeting(ctx, x.Organisation.ID, x.Organ, x.Meeting.Date)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.Certified() != nil {
				id = p.ID
				break
			}
		}
		if id == "" && len(ps) > 0 {
			id = ps[0].ID
		}
	}
	if id == "" {
		return nil, nil
	}
	p, err := s.archive.GetProtocol(ctx, id)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	n, ok, err := p.Protocol.Notice(s.calendar)
	if err != nil || !ok {
		return nil, err
	}
	return &n, nil
}
