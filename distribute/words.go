package distribute

import (
	"fmt"
	"strings"
)

// The words below say what a record means to a clerk, in Swedish, without
// claiming more than the record holds: "skickat" only for messages a mail
// server accepted, "försök igen" only for temporary failures, green only
// when every recipient has the extract.

// Plural picks the singular or the plural form for n: Plural(1,
// "adress", "adresser") is "adress".
func Plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Count is n followed by the right form: "1 e-postmeddelande", "2
// e-postmeddelanden".
func Count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, Plural(n, one, many))
}

// Summary is the outcome of a distribution as a clerk reads it.
type Summary struct {
	// Headline is one sentence; Class its colour: "ok" (green, every
	// recipient has the extract), "warn" or "bad".
	Headline, Class string
	// Lines say what is left and what to do about it, one state each.
	Lines []string
}

// Summarize describes counts.
func Summarize(c Counts) Summary {
	var s Summary
	got := c.Sent + c.Served
	switch {
	case c.Recipients == 0:
		return Summary{Headline: "Utdraget har inga mottagare.", Class: "warn"}
	case c.Delivered() && c.Recipients == 1:
		s.Headline, s.Class = "Utdraget är expedierat: mottagaren har fått det.", "ok"
	case c.Delivered():
		s.Headline, s.Class = fmt.Sprintf("Utdraget är expedierat: alla %d mottagare har fått det.", c.Recipients), "ok"
	case got == 0 && c.Recipients == 1:
		s.Headline = "Mottagaren har inte fått utdraget än."
	case got == 0:
		s.Headline = fmt.Sprintf("Ingen av de %d mottagarna har fått utdraget än.", c.Recipients)
	default:
		s.Headline = fmt.Sprintf("%d av %d mottagare har fått utdraget; %d har inte fått det än.", got, c.Recipients, c.Recipients-got)
	}
	if s.Class == "" {
		s.Class = "warn"
		if c.MessagesFailed > 0 || c.Unresolved > 0 {
			s.Class = "bad"
		}
	}
	s.Lines = summaryLines(c)
	return s
}

func summaryLines(c Counts) []string {
	var lines []string
	if n := c.Pending - c.Deferred; n > 0 {
		lines = append(lines, fmt.Sprintf("%s väntar på att skickas.", Count(n, "mottagare", "mottagare")))
	}
	if c.MessagesDeferred > 0 {
		lines = append(lines, fmt.Sprintf("%s kunde inte tas emot just nu (tillfälligt fel). Skicka igen om en stund; bara de som inte har fått utdraget får det då.",
			Count(c.MessagesDeferred, "e-postmeddelande", "e-postmeddelanden")))
	}
	if c.MessagesFailed > 0 {
		lines = append(lines, fmt.Sprintf("E-postservern avvisade %s för gott. Att skicka igen hjälper inte; rätta adressen.",
			Plural(c.MessagesFailed, "en adress", fmt.Sprintf("%d adresser", c.MessagesFailed))))
	}
	if c.Saved > 0 {
		lines = append(lines, fmt.Sprintf("%s till %s är bara sparade i utkorgsmappen, inte skickade: ingen e-postserver är inställd. Någon måste skicka dem vidare.",
			Plural(c.MessagesSaved, "E-postmeddelandet", fmt.Sprintf("%d e-postmeddelanden", c.MessagesSaved)), Count(c.Saved, "mottagare", "mottagare")))
	}
	if c.Manual > 0 {
		lines = append(lines, fmt.Sprintf("%s ska få utdraget med post eller personligen. Markera när det är gjort.",
			Count(c.Manual, "mottagare", "mottagare")))
	}
	if c.Unresolved > 0 {
		lines = append(lines, fmt.Sprintf("%s finns inte i mottagarregistret och har inte fått något. Lägg till en adress eller expediera manuellt.",
			Count(c.Unresolved, "mottagare", "mottagare")))
	}
	return lines
}

// Short is a word or two for a list: how far the distribution has come.
func Short(c Counts) (label, class string) {
	switch {
	case c.Recipients == 0:
		return "Inga mottagare", "warn"
	case c.Delivered():
		return "Expedierat", "ok"
	case c.MessagesFailed > 0:
		return "Avvisad adress", "bad"
	case c.MessagesDeferred > 0:
		return "Tillfälligt fel", "warn"
	case c.Pending > 0:
		return "Delvis expedierat", "warn"
	case c.Saved > 0:
		return "I utkorgen, inte skickat", "warn"
	case c.Unresolved > 0:
		return "Okänd mottagare", "bad"
	case c.Manual > 0:
		return "Manuell expediering kvar", "warn"
	}
	return "Delvis expedierat", "warn"
}

// Explain says what happened to one message and what to do about it.
func (d Delivery) Explain() string {
	reply := strings.TrimSpace(d.LastReply)
	switch d.State {
	case StateFailed:
		return "E-postservern avvisade adressen för gott (" + reply + "). Att skicka igen hjälper inte; rätta adressen."
	case StateDeferred:
		return "Tillfälligt fel (" + reply + "). Utdraget skickas igen när du väljer Skicka igen."
	case StateSaved:
		return "Sparat som fil i utkorgsmappen; inget e-postmeddelande har skickats."
	case StateSent:
		return "Mottaget av e-postservern."
	case StatePending:
		return "Inte skickat än."
	}
	return ""
}
