package certify

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
)

// The PDF objects this package reads: null is nil, booleans are bool,
// integers int64, reals float64, strings []byte (decoded), and the types
// below. Only what the signature handling needs is supported; streams are
// skipped, not decoded.
type (
	pdfName  string
	pdfArray []any
	pdfRef   struct{ num, gen int }
	pdfDict  []dictEntry
)

// dictEntry keeps the value's source bytes so a dictionary can be copied into
// a new revision without re-serialising it.
type dictEntry struct {
	key string
	val any
	raw []byte
}

func (d pdfDict) get(key string) (any, bool) {
	for _, e := range d {
		if e.key == key {
			return e.val, true
		}
	}
	return nil, false
}

func (r pdfRef) String() string { return fmt.Sprintf("%d %d R", r.num, r.gen) }

// lexer reads PDF syntax from src starting at pos. Reading a value counts
// against budget when one is given, and arrays and dictionaries may nest at
// most maxDepth deep, so no file can make the parser recurse or allocate
// without bound.
type lexer struct {
	src    []byte
	pos    int
	depth  int
	budget *budget
}

var (
	errSyntax = errors.New("malformed PDF syntax")
	errDepth  = fmt.Errorf("%w: arrays and dictionaries nested more than %d deep", errSyntax, maxDepth)
)

// maxDepth bounds how deeply arrays and dictionaries nest. The objects a
// signature needs nest three or four deep; the PDF specification's own
// implementation limits stop at 28 for any nesting.
const maxDepth = 64

func isSpace(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelimiter(c byte) bool {
	return bytes.IndexByte([]byte("()<>[]{}/%"), c) >= 0
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case isSpace(c):
			l.pos++
		case c == '%':
			for l.pos < len(l.src) && l.src[l.pos] != '\n' && l.src[l.pos] != '\r' {
				l.pos++
			}
		default:
			return
		}
	}
}

// word reads a run of regular characters (a number, keyword or name body).
func (l *lexer) word() string {
	start := l.pos
	for l.pos < len(l.src) && !isSpace(l.src[l.pos]) && !isDelimiter(l.src[l.pos]) {
		l.pos++
	}
	return string(l.src[start:l.pos])
}

// keyword reads the next keyword and reports whether it is want.
func (l *lexer) keyword(want string) bool {
	l.skipSpace()
	save := l.pos
	if l.word() == want {
		return true
	}
	l.pos = save
	return false
}

// value reads one object.
func (l *lexer) value() (any, error) {
	if err := l.budget.value(); err != nil {
		return nil, err
	}
	l.skipSpace()
	if l.pos >= len(l.src) {
		return nil, errSyntax
	}
	switch c := l.src[l.pos]; {
	case c == '<' && l.peek(1) == '<':
		return l.dict()
	case c == '<':
		return l.hexString()
	case c == '(':
		return l.literalString()
	case c == '[':
		return l.array()
	case c == '/':
		l.pos++
		return pdfName(decodeName(l.word())), nil
	case c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9'):
		return l.number()
	}
	switch w := l.word(); w {
	case "true", "false":
		return w == "true", nil
	case "null":
		return nil, nil
	}
	return nil, fmt.Errorf("%w at offset %d", errSyntax, l.pos)
}

func (l *lexer) peek(n int) byte {
	if l.pos+n < len(l.src) {
		return l.src[l.pos+n]
	}
	return 0
}

// number reads an integer, a real, or an indirect reference "n g R".
func (l *lexer) number() (any, error) {
	w := l.word()
	n, err := strconv.ParseInt(w, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(w, 64)
		if ferr != nil {
			return nil, fmt.Errorf("%w: number %q", errSyntax, w)
		}
		return f, nil
	}
	save := l.pos
	l.skipSpace()
	if gen, err := strconv.Atoi(l.word()); err == nil && l.keyword("R") {
		return pdfRef{num: int(n), gen: gen}, nil
	}
	l.pos = save
	return n, nil
}

// nest enters an array or dictionary; the returned func leaves it.
func (l *lexer) nest() (func(), error) {
	if l.depth >= maxDepth {
		return nil, errDepth
	}
	l.depth++
	return func() { l.depth-- }, nil
}

func (l *lexer) dict() (pdfDict, error) {
	leave, err := l.nest()
	if err != nil {
		return nil, err
	}
	defer leave()
	l.pos += 2
	var d pdfDict
	for {
		l.skipSpace()
		if l.pos+1 < len(l.src) && l.src[l.pos] == '>' && l.src[l.pos+1] == '>' {
			l.pos += 2
			return d, nil
		}
		key, err := l.value()
		if err != nil {
			return nil, err
		}
		name, ok := key.(pdfName)
		if !ok {
			return nil, fmt.Errorf("%w: dictionary key at offset %d", errSyntax, l.pos)
		}
		l.skipSpace()
		start := l.pos
		val, err := l.value()
		if err != nil {
			return nil, err
		}
		d = append(d, dictEntry{key: string(name), val: val, raw: l.src[start:l.pos]})
	}
}

func (l *lexer) array() (pdfArray, error) {
	leave, err := l.nest()
	if err != nil {
		return nil, err
	}
	defer leave()
	l.pos++
	var a pdfArray
	for {
		l.skipSpace()
		if l.pos >= len(l.src) {
			return nil, errSyntax
		}
		if l.src[l.pos] == ']' {
			l.pos++
			return a, nil
		}
		v, err := l.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
	}
}

func (l *lexer) hexString() ([]byte, error) {
	end := bytes.IndexByte(l.src[l.pos:], '>')
	if end < 0 {
		l.pos = len(l.src) // scanned to the end: the budget counts it
		return nil, fmt.Errorf("%w: unterminated hex string", errSyntax)
	}
	digits := make([]byte, 0, end)
	for _, c := range l.src[l.pos+1 : l.pos+end] {
		if !isSpace(c) {
			digits = append(digits, c)
		}
	}
	l.pos += end + 1
	if len(digits)%2 == 1 {
		digits = append(digits, '0')
	}
	out := make([]byte, len(digits)/2)
	if _, err := hex.Decode(out, digits); err != nil {
		return nil, fmt.Errorf("%w: hex string: %v", errSyntax, err)
	}
	return out, nil
}

func (l *lexer) literalString() ([]byte, error) {
	l.pos++
	var out []byte
	depth := 1
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		l.pos++
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return out, nil
			}
		case '\\':
			out = l.escape(out)
			continue
		}
		out = append(out, c)
	}
	return nil, fmt.Errorf("%w: unterminated string", errSyntax)
}

// escape decodes the escape sequence after a backslash in a literal string.
func (l *lexer) escape(out []byte) []byte {
	if l.pos >= len(l.src) {
		return out
	}
	c := l.src[l.pos]
	l.pos++
	switch c {
	case 'n':
		return append(out, '\n')
	case 'r':
		return append(out, '\r')
	case 't':
		return append(out, '\t')
	case 'b':
		return append(out, '\b')
	case 'f':
		return append(out, '\f')
	case '\r':
		if l.pos < len(l.src) && l.src[l.pos] == '\n' {
			l.pos++
		}
		return out
	case '\n':
		return out
	}
	if c < '0' || c > '7' {
		return append(out, c)
	}
	v := int(c - '0')
	for i := 0; i < 2 && l.pos < len(l.src) && l.src[l.pos] >= '0' && l.src[l.pos] <= '7'; i++ {
		v = v*8 + int(l.src[l.pos]-'0')
		l.pos++
	}
	return append(out, byte(v))
}

// decodeName resolves #xx escapes in a name.
func decodeName(s string) string {
	if !bytes.ContainsRune([]byte(s), '#') {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}
