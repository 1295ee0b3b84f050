package extract

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Rendition is one of the PDFs made from an extract. An extract with
// nothing marked confidential has one, Public; a marked one has two, made
// from the same input: Internal shows everything and marks what is
// secret, Public has each secret part replaced by a placeholder naming its
// ground.
type Rendition string

const (
	Public   Rendition = "public"
	Internal Rendition = "internal"
)

// ParseRendition reads a rendition's name; "" is Public.
func ParseRendition(s string) (Rendition, bool) {
	switch Rendition(s) {
	case "", Public:
		return Public, true
	case Internal:
		return Internal, true
	}
	return "", false
}

// Label is the rendition as clerks read it: "Intern", "Offentlig".
func (r Rendition) Label() string {
	if r == Internal {
		return "Intern"
	}
	return "Offentlig"
}

// Definite is the rendition's adjective in the definite form, for a
// sentence: "den interna versionen", "utdragets offentliga version".
func (r Rendition) Definite() string {
	if r == Internal {
		return "interna"
	}
	return "offentliga"
}

// Marked reports whether anything in x is marked confidential.
func (x *Extract) Marked() bool {
	return markedText(reflect.ValueOf(x).Elem(), "")
}

// markedText reports whether v holds a text under a ground, as eachText
// would find one, without the field paths eachText builds: every render
// asks. Which fields of a struct type to look into is worked out once per
// type (plans).
func markedText(v reflect.Value, ground string) bool {
	switch v.Kind() {
	case reflect.String:
		return ground != "" && v.Len() > 0
	case reflect.Pointer:
		return !v.IsNil() && markedText(v.Elem(), ground)
	case reflect.Slice:
		for i := range v.Len() {
			if markedText(v.Index(i), ground) {
				return true
			}
		}
	case reflect.Struct:
		p := planOf(v.Type())
		inner := ground
		if p.confidential >= 0 {
			if c := v.Field(p.confidential).String(); c != "" {
				inner = c
			}
		}
		for _, f := range p.fields {
			g := inner
			if f.keep {
				g = ground
			}
			if markedText(v.Field(f.index), g) {
				return true
			}
		}
	}
	return false
}

// plan is what markedText and Withheld look at in a struct type: the
// fields that may hold text, and the indexes of its Confidential and
// Withheld fields (-1: none).
type plan struct {
	confidential int
	withheld     int
	fields       []struct {
		index int
		keep  bool // mask:"keep": outside the struct's own ground
	}
}

// plans holds a plan for every struct type reachable from the domain's
// roots, made once when the package loads and only read after: the plan
// depends on the type alone.
var plans = makePlans(reflect.TypeFor[Extract](), reflect.TypeFor[Protocol]())

// makePlans walks the struct types reachable from roots through fields,
// pointers and slices, and makes each one's plan.
func makePlans(roots ...reflect.Type) map[reflect.Type]*plan {
	m := map[reflect.Type]*plan{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || m[t] != nil {
			return
		}
		m[t] = newPlan(t)
		for i := range t.NumField() {
			visit(t.Field(i).Type)
		}
	}
	for _, r := range roots {
		visit(r)
	}
	return m
}

// planOf returns the plan of struct type t; a type outside the domain's
// roots gets one made on the spot.
func planOf(t reflect.Type) *plan {
	if p := plans[t]; p != nil {
		return p
	}
	return newPlan(t)
}

func newPlan(t reflect.Type) *plan {
	p := &plan{confidential: -1, withheld: -1}
	if f, ok := t.FieldByName("Confidential"); ok && len(f.Index) == 1 && f.Type.Kind() == reflect.String {
		p.confidential = f.Index[0]
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		switch jsonName(sf) {
		case "withheld":
			if sf.Type.Kind() == reflect.String {
				p.withheld = i
			}
			continue
		case "confidential", "publicIdentityNumbers":
			continue
		}
		switch sf.Type.Kind() {
		case reflect.String, reflect.Pointer, reflect.Slice, reflect.Struct:
			p.fields = append(p.fields, struct {
				index int
				keep  bool
			}{i, sf.Tag.Get("mask") == "keep"})
		}
	}
	return p
}

// Withheld reports whether x is a public copy with parts removed.
func (x *Extract) Withheld() bool {
	return withheldText(reflect.ValueOf(x).Elem())
}

// withheldText reports whether v or anything in it has a withheld field
// that is set, looking where markedText looks (plans).
func withheldText(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer:
		return !v.IsNil() && withheldText(v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			if withheldText(v.Index(i)) {
				return true
			}
		}
	case reflect.Struct:
		p := planOf(v.Type())
		if p.withheld >= 0 && v.Field(p.withheld).Len() > 0 {
			return true
		}
		for _, f := range p.fields {
			if withheldText(v.Field(f.index)) {
				return true
			}
		}
	}
	return false
}

// Renditions lists the renditions x is made in: internal and public when
// something is marked, else public alone.
func (x *Extract) Renditions() []Rendition {
	if x.Marked() {
		return []Rendition{Internal, Public}
	}
	return []Rendition{Public}
}

// groundPattern is the form of a legal ground, shared with the JSON
// Schema: a reference to a section (with its chapter, a letter, a
// paragraph of it, a point), with the law's abbreviation or name before
// or after it: "OSL 26 kap. 1 §", "26 kap. 1 § OSL", "LSS 29 §",
// "12 kap. 6 § SoL", "lagen (1990:52) 11 §". Words are parted by single
// spaces.
var groundPattern = regexp.MustCompile(GroundPattern)

// GroundPattern is the regular expression of a legal ground, as the JSON
// Schema has it.
const GroundPattern = `^(?:` + groundLaw + ` ` + groundRef + `|` + groundRef + ` ` + groundLaw + `)$`

const (
	groundLaw = `(?:[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{1,9}|(?:lagen|förordningen) \([0-9]{4}:[0-9]{1,4}\)(?: [a-zåäö,-]+)*)`
	groundRef = `(?:[1-9][0-9]? kap\. )?[1-9][0-9]{0,2}(?: ?[a-z])? §(?: (?:första|andra|tredje|fjärde|femte|sjätte) stycket)?(?: [1-9][0-9]? p\.)?`
)

// oslChapter reads the chapter of a ground under OSL ("OSL 26 kap. 1 §"):
// found reports whether the ground cites OSL, chapter is 0 when it names
// none.
func oslChapter(ground string) (chapter int, found bool) {
	fields := strings.Fields(ground)
	if len(fields) == 0 || fields[0] != "OSL" && fields[len(fields)-1] != "OSL" {
		return 0, false
	}
	for i, f := range fields {
		if f == "kap." && i > 0 {
			n, _ := strconv.Atoi(fields[i-1])
			return n, true
		}
	}
	return 0, true
}

// oslChapters is the number of chapters of offentlighets- och
// sekretesslagen (2009:400).
const oslChapters = 44

// checkGround reports what is wrong with a legal ground, or "".
func checkGround(g string) (rule, msg string) {
	if n := utf8.RuneCountInString(g); n > 200 {
		return "maxLength", fmt.Sprintf("grunden är för lång (%d tecken, högst 200)", n)
	}
	if !groundPattern.MatchString(g) {
		return "pattern", "ange sekretessgrunden som lagrum med lag: ”OSL 26 kap. 1 §”, ”26 kap. 1 § OSL” eller ”LSS 29 §”"
	}
	switch ch, osl := oslChapter(g); {
	case osl && ch == 0:
		return "pattern", "ett lagrum i OSL anger kapitel: ”OSL 26 kap. 1 §”"
	case osl && ch > oslChapters:
		return "range", fmt.Sprintf("OSL har %d kapitel, inte %d", oslChapters, ch)
	}
	return "", ""
}

// textField is one string of an extract as printed: where it is, and the
// ground it is secret on ("" for text the public may read). at is valid
// during the call that gets the field only.
type textField struct {
	at           *fieldPath
	text, ground string
}

// fieldPath is the JSON path of the value a walk is at, kept as steps and
// written out only when asked: most walks never ask, and building every
// path costs more than the checks that walk.
type fieldPath struct{ steps []pathStep }

type pathStep struct {
	name  string
	index int // an element of a slice when >= 0
}

func (p *fieldPath) field(name string) { p.steps = append(p.steps, pathStep{name: name, index: -1}) }
func (p *fieldPath) elem(i int)        { p.steps = append(p.steps, pathStep{index: i}) }
func (p *fieldPath) pop()              { p.steps = p.steps[:len(p.steps)-1] }

// last is the name of the innermost field.
func (p *fieldPath) last() string {
	for i := len(p.steps) - 1; i >= 0; i-- {
		if p.steps[i].index < 0 {
			return p.steps[i].name
		}
	}
	return ""
}

// String writes the path: paragraphs[0].decision[1].text[0].text.
func (p *fieldPath) String() string {
	var b strings.Builder
	for _, st := range p.steps {
		switch {
		case st.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(st.index))
			b.WriteByte(']')
		case b.Len() > 0:
			b.WriteByte('.')
			b.WriteString(st.name)
		default:
			b.WriteString(st.name)
		}
	}
	return b.String()
}

// Field is one string of an extract as documents print it.
type Field struct {
	Path string // JSON path: paragraphs[0].title
	Text string
	// Ground is the ground of the innermost confidential part that holds
	// the text; "" for text the public may read.
	Ground string
}

// Fields lists every string of x that a document prints, in order, with
// the ground it is secret on: what a public copy must leave out, and what
// it may keep.
func (x *Extract) Fields() []Field {
	var out []Field
	eachText(x, func(t textField) bool {
		out = append(out, Field{Path: t.at.String(), Text: t.text, Ground: t.ground})
		return true
	})
	return out
}

// eachText calls f with every string of x that a document prints, with
// the ground of the innermost confidential part that holds it, until f
// returns false. A field tagged mask:"keep" (a section's heading, a
// paragraph's case number) stays public inside a confidential part.
// Grounds themselves, and the numbers allowed in public, are not text.
func eachText(x *Extract, f func(textField) bool) {
	at := &fieldPath{}
	var walk func(v reflect.Value, ground string) bool
	walk = func(v reflect.Value, ground string) bool {
		switch v.Kind() {
		case reflect.String:
			if s := v.String(); s != "" {
				return f(textField{at: at, text: s, ground: ground})
			}
		case reflect.Pointer:
			if !v.IsNil() {
				return walk(v.Elem(), ground)
			}
		case reflect.Slice:
			for i := range v.Len() {
				at.elem(i)
				ok := walk(v.Index(i), ground)
				at.pop()
				if !ok {
					return false
				}
			}
		case reflect.Struct:
			p := planOf(v.Type())
			inner := ground
			if p.confidential >= 0 {
				if c := v.Field(p.confidential).String(); c != "" {
					inner = c
				}
			}
			t := v.Type()
			for _, fl := range p.fields {
				g := inner
				if fl.keep {
					g = ground
				}
				at.field(jsonName(t.Field(fl.index)))
				ok := walk(v.Field(fl.index), g)
				at.pop()
				if !ok {
					return false
				}
			}
		}
		return true
	}
	walk(reflect.ValueOf(x).Elem(), "")
}

// walkFields calls f with every value reachable from v: each struct
// field with its JSON name, each element of a slice with the slice's
// name, at its path; it stops when f returns false.
func walkFields(v reflect.Value, at *fieldPath, f func(at *fieldPath, name string, v reflect.Value) bool) bool {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			return walkFields(v.Elem(), at, f)
		}
	case reflect.Slice:
		name := at.last()
		for i := range v.Len() {
			at.elem(i)
			ok := f(at, name, v.Index(i)) && walkFields(v.Index(i), at, f)
			at.pop()
			if !ok {
				return false
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name := jsonName(sf)
			at.field(name)
			ok := f(at, name, v.Field(i)) && walkFields(v.Field(i), at, f)
			at.pop()
			if !ok {
				return false
			}
		}
	}
	return true
}

func jsonName(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
	if name == "" {
		return sf.Name
	}
	return name
}

// confidentiality checks the marks of x: every ground has the form of a
// legal ground; a span marked confidential has text; nothing is withheld
// already (only a public copy is); no personnummer or samordningsnummer
// stands in text not marked, unless publicIdentityNumbers allows it; and
// no span or name marked confidential stands unmarked elsewhere.
func (v *validator) confidentiality(x *Extract) {
	secret := map[string]string{} // phrase → where it is marked
	mark := func(text string, at *fieldPath, suffix string) {
		if p := phrase(text); p != "" && utf8.RuneCountInString(p) <= maxPhrase && secret[p] == "" {
			secret[p] = at.String() + suffix
		}
	}
	spanType, ballotType := reflect.TypeFor[Span](), reflect.TypeFor[Ballot]()
	walkFields(reflect.ValueOf(x).Elem(), &fieldPath{}, func(at *fieldPath, name string, fv reflect.Value) bool {
		switch {
		case name == "confidential" && fv.String() != "":
			if rule, msg := checkGround(fv.String()); rule != "" {
				v.add(at.String(), rule, msg)
			}
		case name == "withheld" && fv.String() != "":
			v.add(at.String(), "forbidden", "withheld sätts av tjänsten i den offentliga versionen; markera i stället med confidential")
		case fv.Type() == spanType:
			sp := fv.Addr().Interface().(*Span)
			if sp.Confidential != "" && strings.TrimSpace(sp.Text) == "" {
				v.add(at.String()+".text", "required", "ett sekretessmarkerat textavsnitt måste ha text")
			} else if sp.Confidential != "" {
				mark(sp.Text, at, "")
			}
		case fv.Type() == ballotType:
			if b := fv.Addr().Interface().(*Ballot); b.Confidential != "" {
				mark(b.Member.Name, at, ".member.name")
			}
		}
		return true
	})
	allowed := v.publicNumbers(x.PublicIdentityNumbers)
	leaks := newLeakFinder(secret)
	eachText(x, func(t textField) bool {
		if t.ground == "" {
			v.identityNumbers(t, allowed)
			if where := leaks.find(t.text); where != "" {
				v.add(t.at.String(), "confidential", fmt.Sprintf(
					"texten upprepar omarkerad det som är markerat som sekretessbelagt i %s: markera det även här", where))
			}
		}
		return true
	})
}

// publicNumbers reads the numbers allowed in public, by their ten digits.
func (v *validator) publicNumbers(nums []string) map[string]bool {
	v.count("publicIdentityNumbers", len(nums))
	allowed := map[string]bool{}
	for i, s := range nums {
		n, ok := ParseIdentityNumber(s)
		if !ok || n.Kind == Organisationsnummer {
			v.add(fmt.Sprintf("publicIdentityNumbers[%d]", i), "format",
				"ange ett personnummer eller samordningsnummer med giltig kontrollsiffra (ÅÅMMDD-NNNN eller ÅÅÅÅMMDD-NNNN)")
			continue
		}
		allowed[n.Core] = true
	}
	return allowed
}

// identityNumbers refuses the personnummer and samordningsnummer of a
// public text that publicIdentityNumbers does not allow.
func (v *validator) identityNumbers(t textField, allowed map[string]bool) {
	if !strings.ContainsAny(t.text, "0123456789") {
		return
	}
	for _, n := range FindIdentityNumbers(t.text) {
		if n.Kind == Organisationsnummer || allowed[n.Core] {
			continue
		}
		v.add(t.at.String(), "identityNumber", fmt.Sprintf(
			"texten innehåller ett %s (%s) som inte är markerat som sekretessbelagt: markera det med confidential och sekretessgrunden, "+
				"eller ange numret i publicIdentityNumbers om det får publiceras", n.Kind, n.Masked()))
	}
}

// Phrases are compared as words: letters and digits in lower case, every
// run of anything else one space. A phrase of fewer than minPhrase
// characters (an initial, "de") is too common to compare; one longer than
// maxPhrase (a paragraph marked whole) is not repeated word for word.
const (
	minPhrase = 3
	maxPhrase = 200
)

// phrase is s as compared: its words in lower case, one space apart; ""
// when shorter than minPhrase.
func phrase(s string) string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	p := strings.Join(words, " ")
	if utf8.RuneCountInString(p) < minPhrase {
		return ""
	}
	return p
}

// leakFinder finds in a public text, word for word, a phrase marked
// confidential elsewhere: the same name marked once and forgotten once.
type leakFinder struct {
	secret  map[string]string // phrase → where it is marked
	byFirst map[string][][]string
}

func newLeakFinder(secret map[string]string) *leakFinder {
	phrases := make([]string, 0, len(secret))
	for p := range secret {
		phrases = append(phrases, p)
	}
	slices.Sort(phrases) // the first phrase found is the same every time
	lf := &leakFinder{secret: secret, byFirst: map[string][][]string{}}
	for _, p := range phrases {
		words := strings.Split(p, " ")
		lf.byFirst[words[0]] = append(lf.byFirst[words[0]], words)
	}
	return lf
}

// find returns where a phrase text repeats is marked, or "".
func (lf *leakFinder) find(text string) string {
	if len(lf.secret) == 0 {
		return ""
	}
	words := strings.Split(phrase(text), " ")
	for i, w := range words {
		for _, cand := range lf.byFirst[w] {
			if i+len(cand) <= len(words) && slices.Equal(words[i:i+len(cand)], cand) {
				return lf.secret[strings.Join(cand, " ")]
			}
		}
	}
	return ""
}
