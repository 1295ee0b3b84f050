package compose

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"utdrag/anslag"
	"utdrag/extract"
	"utdrag/templates"
)

// BuildAppeal composes the appeal instruction (överklagandehänvisning)
// sent to a party beside the certified extract x: for each paragraph of
// nums, the decision it covers and the text of the paragraph's route of
// appeal from texts, with the dates of notice filled in (laglighetsprövning;
// nil while the protocol is not posted, when the text states the rule). It
// is a document of its own, so the certified extract stays exactly what was
// signed; it is set and tagged by the same engine. The running header says
// ÖVERKLAGANDEHÄNVISNING and carries no sign boxes.
func BuildAppeal(x *extract.Extract, t *templates.Template, texts *templates.AppealTexts, nums []int, notice *anslag.Notice) (Document, error) {
	b := builder{x: x, l: t.Labels, norm: make(map[string]string)}
	b.heading(1, texts.Title)
	for _, n := range nums {
		p, ok := paragraphOf(x, n)
		if !ok {
			return Document{}, fmt.Errorf("compose: the extract has no § %d", n)
		}
		d := templates.AppealData{
			Organisation: x.Organisation.Name, Organ: x.Organ, MeetingDate: x.Meeting.Date,
			Paragraph: "§\u00a0" + strconv.Itoa(n), Title: p.Title,
			CaseNumber: strings.ReplaceAll(p.CaseNumber, " ", "\u00a0"), // one line, as in the heading
		}
		if p.Appeal != nil {
			d.Statute = p.Appeal.Statute
		}
		if notice != nil {
			d.Posted, d.LastDay = RunningDate(notice.Posted), RunningDate(notice.LastAppealDay)
		}
		line, err := texts.Decision(d)
		if err != nil {
			return Document{}, err
		}
		sec, err := texts.Section(p.RouteOf(), d)
		if err != nil {
			return Document{}, err
		}
		b.add(Paragraph{Text: b.plain(line), Plain: true})
		b.heading(2, sec.Heading)
		for _, text := range sec.Paragraphs {
			b.add(Paragraph{Text: b.plain(text)})
		}
	}
	h := header(x, t.Labels, nil)
	h.Kind, h.Boxes, h.Draft = texts.Kind, nil, ""
	m := b.meta()
	m.Title = fmt.Sprintf("Överklagandehänvisning %s %s %s", x.Organ, x.Meeting.Date, ParagraphLabel(nums))
	m.Subject = texts.Title
	return Document{Meta: m, Header: h, Blocks: b.blocks}, nil
}

// AppealFilename is the readable Swedish name of the appeal instruction
// for paragraphs nums of x: "Överklagandehänvisning Kommunstyrelsen
// 2025-05-27 § 47.pdf".
func AppealFilename(x *extract.Extract, nums []int) string {
	return fmt.Sprintf("Överklagandehänvisning %s %s %s.pdf", fileSafe(x.Organ, maxFileOrgan), x.Meeting.Date, ParagraphLabel(nums))
}

func paragraphOf(x *extract.Extract, n int) (*extract.Paragraph, bool) {
	for i := range x.Paragraphs {
		if x.Paragraphs[i].Number == n {
			return &x.Paragraphs[i], true
		}
	}
	return nil, false
}

var swedishMonths = [12]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"}

// RunningDate writes an ISO date as running text does: "20 juni 2025",
// with a no-break space after the day. Anything else is returned as it is.
func RunningDate(iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return strings.Join([]string{strconv.Itoa(d.Day()) + "\u00a0" + swedishMonths[d.Month()-1], strconv.Itoa(d.Year())}, " ")
}
