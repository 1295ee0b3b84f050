// Package layouttest provides a hand-built protocol extract long enough to
// span several pages, for the tests and benchmarks of layout and the
// renderers. It may import compose and typeset.
package layouttest

import (
	"fmt"

	"utdrag/compose"
	"utdrag/typeset"
)

const nbsp = "\u00a0"

// Document returns a § of a Regionstyrelsen protocol with every block type:
// headings, long paragraphs, lists, a motion with struck and inserted
// words, a roll-call table of 15 members, reservations, recipients, basis,
// a note and a signature block.
func Document() compose.Document {
	var b []compose.Block
	add := func(bl ...compose.Block) { b = append(b, bl...) }
	add(heading(1, "§"+nbsp+"157 Framtida uppdrag och syfte för Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner (GNS) (RS/412/2023)"))
	add(heading(2, "Sammanfattning"), heading(3, "Bakgrund"))
	for _, p := range background {
		add(para(p))
	}
	add(heading(3, "Ärendet"), para(law), para(sami))
	add(plainPara("I dagsläget ansvarar GNS för följande frågor:"))
	add(compose.List{Items: [][]typeset.Span{
		text("Serverdriftsavtal mellan Åre kommun och Regionen,"),
		text("JAMT-net (ett telefonsystem som länets kommuner och Regionen använder),"),
		text("LINK-avtal mellan länets kommuner och Regionen."),
	}})
	add(heading(2, "Förslag till beslut"))
	add(compose.List{Ordered: true, Start: 1, Items: proposal})
	add(compose.Separator{}, heading(2, "Yrkanden"))
	add(compose.Paragraph{Text: []typeset.Span{
		{Text: "Björn" + nbsp + "Hammarberg" + nbsp + "(M)", Style: typeset.NoHyphen},
		{Text: " yrkar följande ändring i punkt 1:"},
	}})
	add(compose.Paragraph{Indent: 1, Text: motion})
	add(para("Lars-Erik" + nbsp + "Olofsson" + nbsp + "(KD) yrkar avslag till Björn Hammarbergs yrkande och bifall till regiondirektörens förslag."))
	add(heading(2, "Votering"))
	add(para("Ordföranden ställer proposition på regiondirektörens förslag mot Björn Hammarbergs ändringsyrkande och finner att regiondirektörens förslag antas. Votering begärs och verkställs."))
	add(vote())
	add(plainPara("Omröstningsresultat: 8 ja-röster, 5 nej-röster, 2 avstår"))
	add(para("Med 8 ja-röster mot 5 nej-röster, 2 avstår, beslutar styrelsen enligt regiondirektörens förslag."))
	add(heading(2, "Beslut"))
	add(compose.List{Ordered: true, Start: 1, Items: proposal})
	add(heading(2, "Reservationer"))
	add(para("Björn" + nbsp + "Hammarberg" + nbsp + "(M), Joel" + nbsp + "Nordqvist" + nbsp + "(M) och Cristine" + nbsp + "Persson" + nbsp + "(C) reserverar sig till förmån för Björn Hammarbergs yrkande."))
	add(heading(2, "Expedieras till"))
	add(plainPara("Regional utvecklingsdirektör\nLänets kommuner\nRegionens revisorer"))
	add(heading(2, "Beslutsunderlag"))
	add(compose.List{Items: [][]typeset.Span{text("Framtida uppdrag och syfte för Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner, 2023-09-12")}})
	add(compose.Note{Text: text("Paragrafen är justerad")})
	add(compose.Note{Text: text("Justeringens plats och tid: Östersund 2023-10-09")})
	add(compose.Signatures{Signers: []compose.Signer{
		{Role: "Justerare", Name: "Lars-Erik Olofsson"},
		{Role: "Justerare", Name: "Cristine Persson"},
		{Role: "Rätt utdraget intygar", Name: "Anna-Karin Sjöström", Title: "Nämndsekreterare",
			Place: "Östersund", Date: "2023-10-10", Electronic: true, SignedLabel: "Signerat elektroniskt"},
	}})
	return compose.Document{
		Meta: compose.Meta{
			Title: "Protokollsutdrag Regionstyrelsen 2023-10-06 § 157", Subject: "Framtida uppdrag och syfte för GNS",
			Author: "Region Jämtland Härjedalen", Keywords: "RS/412/2023", Language: "sv-SE", Date: "2023-10-09",
		},
		Header: compose.Header{
			Organisation: "Region Jämtland Härjedalen", Kind: "PROTOKOLLSUTDRAG", Organ: "Regionstyrelsen",
			DateLabel: "Sammanträdesdatum", Date: "2023-10-06", PageLabel: "%d (%d)",
			Boxes: []compose.Box{{Label: "Justerandes sign", Content: "LEO CP"}, {Label: "Utdragsbestyrkande"}},
		},
		Blocks: b,
	}
}

// Voters are the 15 members of the roll call, name (party) and vote.
var Voters = [15][2]string{
	{"Robert Uitto (S)", "Ja"}, {"Elin Bergström (S)", "Ja"}, {"Jens Nilsson (S)", "Ja"},
	{"Anna-Caren Sätherberg (S)", "Ja"}, {"Pavel Gamov (V)", "Ja"}, {"Ewa Ezelius (MP)", "Ja"},
	{"Lars-Erik Olofsson (KD)", "Ja"}, {"Ronny Karlsson (SD)", "Ja"},
	{"Björn Hammarberg (M)", "Nej"}, {"Joel Nordqvist (M)", "Nej"}, {"Cristine Persson (C)", "Nej"},
	{"Lis-Marie Fridh (C)", "Nej"}, {"Jonas Kjellin (L)", "Nej"},
	{"Marit Gaup Šimić (SD)", "Avstår"}, {"Áile Ŋuorra Đuolbba (-)", "Avstår"},
}

func vote() compose.Table {
	t := compose.Table{Caption: "Votering", Columns: []compose.Column{
		{Label: "Ledamot", Width: 0.64}, {Label: "Ja", Width: 0.12}, {Label: "Nej", Width: 0.12}, {Label: "Avstår", Width: 0.12},
	}}
	count := map[string]int{}
	for _, v := range Voters {
		row := []string{v[0], "", "", ""}
		row[map[string]int{"Ja": 1, "Nej": 2, "Avstår": 3}[v[1]]] = "X"
		count[v[1]]++
		t.Rows = append(t.Rows, row)
	}
	t.Rows = append(t.Rows, []string{"Summa", fmt.Sprint(count["Ja"]), fmt.Sprint(count["Nej"]), fmt.Sprint(count["Avstår"])})
	return t
}

func heading(level int, s string) compose.Heading {
	return compose.Heading{Level: level, Text: text(s)}
}

func para(s string) compose.Paragraph      { return compose.Paragraph{Text: text(s)} }
func plainPara(s string) compose.Paragraph { return compose.Paragraph{Text: text(s), Plain: true} }
func text(s string) []typeset.Span         { return []typeset.Span{{Text: s}} }

// Struck and Inserted are the amended words of the motion.
const (
	Struck   = "Inriktningen ska vara att GNS avvecklas."
	Inserted = "föreslå en lösning som skapar goda förutsättningar för samverkan i länet."
)

var motion = []typeset.Span{
	{Text: "1. Regiondirektören ges i uppdrag att hålla samman en utredning om GNS och dess nuvarande verksamhet. "},
	{Text: Struck, Style: typeset.Strike},
	{Text: " "},
	{Text: Inserted, Style: typeset.Underline},
	{Text: " Konsekvenser av en eventuell avveckling alternativt att hålla nämnden vilande ska beaktas. Förslag på hur den verksamhet som nämnden i dagsläget ansvarar för, liksom eventuella nya samverkansområden, bör organiseras ska inkluderas i utredningen."},
}

var proposal = [][]typeset.Span{
	text("Regiondirektören ges i uppdrag att hålla samman en utredning om GNS och dess nuvarande verksamhet. Inriktningen ska vara att GNS avvecklas. Förslag på hur den verksamhet som nämnden i dagsläget ansvarar för, liksom eventuella nya samverkansområden, bör organiseras ska inkluderas i utredningen."),
	text("Regiondirektören ska inom ramen för uppdraget föra en dialog med länets kommuner om GNS framtid och diskutera utredningens förslag med kommunerna."),
	text("Utredningen ska slutredovisas senast vid regionstyrelsens sammanträde 26–27" + nbsp + "mars 2024 och förslag presenteras till framtida hantering av centrala frågor."),
}

const law = "Den 1" + nbsp + "juli 2018 infördes en generell rätt till kommunal avtalssamverkan i 9" + nbsp + "kap. 37" + nbsp + "§ kommunallagen (2017:725). Därigenom förändrades förutsättningarna för samverkan mellan kommuner och regioner jämfört med före lagändringen. Upphandlingslagstiftning har dock inte ändrats – det innebär att eventuell upphandlingsskyldighet gäller på samma sätt som före lagändringen. Vidare påverkas samverkansrelationer även fortsättningsvis av ett flertal rättsliga och praktiska faktorer, som de samverkande partnerna måste beakta och hantera (bl.a. information och samråd, dokumenthantering och personuppgiftsbehandling, offentlighet och sekretess, arbetsrätt och arbetsmiljö, liksom uppföljning och uppsikt)."

// sami carries the Sami letters the fonts must cover, in a quotation.
const sami = "Samiska namn och ord återges oförändrade, t.ex. ”Áltá, Čohkkiras, Đuolbajávri, Ŋuorra, Šuoššjávri, Ŧuolbbá, Žiila, Ïedtje, Læstadius, Øvre” – så som de står i underlaget, och med ’apostrof’ … utan ändringar, enligt den idé som Östersunds kommun framförde."

var background = []string{
	"Länets kommuner diskuterade under den första halvan av 2010-talet, inom ramen för dåvarande regionförbundets verksamhet, samverkan mellan kommunerna för att möta framtidens utmaningar. Detta genom effektivisering med hjälp av moderna verksamhets- och administrativa system för att öka tillgången på kompetens samt minska kostnaderna. Jämtlands Gymnasieförbund och Jämtlands Räddningstjänstförbund deltog också i diskussionerna. Kommunerna och Region Jämtland Härjedalen tog gemensamt fram en förstudie inom området.",
	"Diskussionerna ledde fram till att en gemensam nämnd för IT-drift och stöd inrättades den 1" + nbsp + "december 2016 mellan Region Jämtland Härjedalen och Åre kommun. Nämndens uppgift var att leverera definierad ändamålsenlig IT-infrastruktur, i syfte att samutnyttja och samfinansiera nödvändiga investeringar i IT-verksamheten och att leverera nödvändiga driftstjänster. Projektet och diskussionerna ledde till att kommunerna, Jämtlands Gymnasieförbund, Jämtlands Räddningstjänstförbund och Region Jämtland Härjedalen ville utöka samverkan inom ramen för en gemensam nämnd. Ett förslag till avtal och reglemente för en gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner togs fram med utgångspunkten att den befintliga nämnden för IT-drift och stöd kunde användas för samverkan.",
	"Efter beslut i Regionens samverkansråd (RSR) och hos respektive huvudman inrättades Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner (GNS) den 1" + nbsp + "april 2018 mellan Region Jämtland Härjedalen respektive Berg, Krokom, Ragunda, Strömsund, Åre och Östersunds kommuner.",
	"GNS:s verksamhet blev inte det gemensamma lyft inom området som de samverkande parterna avsåg när nämnden bildades. Under mandatperioden 2019–2022 var GNS till viss del vilande, främst under slutet av mandatperioden. Efter en tids diskussion om en eventuell sammanslagning av gemensamma nämnder gavs Regionens samverkansråd i uppdrag att hålla samman en utredning av frågan (RS/559/2019). Som ett första steg i att försöka få fram en gemensam målbild för en eventuell sammanslagning beslutade RSR att skicka en begäran om synpunkter till samtliga parter.",
	"Utredningen visade sammanfattningsvis att en total sammanslagning av befintliga gemensamma nämnder, med de aktuella uppdrag och verksamheter som nämnderna hade, inte var juridiskt möjlig. Mot den bakgrunden beslutade RSR den 9" + nbsp + "november 2020, §" + nbsp + "63, att verksamheten fortsatt skulle bedrivas inom befintlig nämndstruktur och att utredningen om en sammanslagning skulle avslutas.",
	"Inför 2022 fastställde GNS varken en verksamhetsplan eller budget. Vidare genomfördes endast ett kort sammanträde under 2022. Regionens revisorer har vid ett flertal tillfällen kritiserat bristen på verksamhet i GNS, liksom avsaknaden av bl.a. verksamhetsplan och årsbokslut (se Revisionsberättelse för Regionen 2021 respektive 2022). Den totala omsättningen är 6" + nbsp + "746" + nbsp + "750" + nbsp + "kronor.",
}
