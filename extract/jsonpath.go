package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// pathFinder walks a JSON document token by token and keeps the path of
// the value being read: "paragraphs[2].votes[0].ballots[3].vote". It lets
// decoding errors, which know only a byte offset or a key, name the field
// the way validation does.
type pathFinder struct {
	dec   *json.Decoder
	steps []step
}

// step is one level of the path: an object (key is the current key) or an
// array (index is the current element).
type step struct {
	array bool
	key   string
	index int
	// expectKey is true inside an object when the next string is a key.
	expectKey bool
}

func newPathFinder(data []byte) *pathFinder {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return &pathFinder{dec: dec}
}

// next reads one token and updates the path; it reports false at the end
// or on malformed input.
func (p *pathFinder) next() (json.Token, bool) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, false
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			p.steps = append(p.steps, step{expectKey: true})
		case '[':
			p.steps = append(p.steps, step{array: true, index: -1})
		case '}', ']':
			p.steps = p.steps[:len(p.steps)-1]
			p.valueDone()
		}
		return tok, true
	case string:
		if n := len(p.steps); n > 0 && !p.steps[n-1].array && p.steps[n-1].expectKey {
			p.steps[n-1].key, p.steps[n-1].expectKey = t, false
			return tok, true
		}
	}
	p.valueDone()
	return tok, true
}

// valueDone records that a value ended: an object expects a key next, an
// array moves to its next element when one begins.
func (p *pathFinder) valueDone() {
	if n := len(p.steps); n > 0 && !p.steps[n-1].array {
		p.steps[n-1].expectKey = true
	}
}

// beforeValue moves an array to the index of the value about to be read.
func (p *pathFinder) beforeValue() {
	if n := len(p.steps); n > 0 && p.steps[n-1].array {
		p.steps[n-1].index++
	}
}

func (p *pathFinder) String() string {
	var b strings.Builder
	for _, s := range p.steps {
		switch {
		case s.array && s.index >= 0:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case !s.array && s.key != "":
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// walk calls visit before each value with the path it is at, until visit
// returns true; it returns that path, or "" when visit never did.
func walk(data []byte, visit func(path string, key string, offset int64) bool) string {
	p := newPathFinder(data)
	for {
		if n := len(p.steps); n == 0 || p.steps[n-1].array || !p.steps[n-1].expectKey {
			p.beforeValue()
		}
		offset := p.dec.InputOffset()
		key := ""
		if n := len(p.steps); n > 0 && !p.steps[n-1].array {
			key = p.steps[n-1].key
		}
		if visit(p.String(), key, offset) {
			return p.String()
		}
		if _, ok := p.next(); !ok {
			return ""
		}
	}
}

// pathAtOffset is the path of the value that starts before offset and is
// the last to do so: where a type error was found.
func pathAtOffset(data []byte, offset int64) string {
	last := ""
	walk(data, func(path, _ string, at int64) bool {
		if at >= offset {
			return true
		}
		last = path
		return false
	})
	return last
}

// pathOfKey is the path of the first member named key.
func pathOfKey(data []byte, key string) string {
	found := ""
	walk(data, func(path, k string, _ int64) bool {
		if k == key && strings.HasSuffix(path, key) {
			found = path
			return true
		}
		return false
	})
	return found
}

// readAll reads the whole input: decoding errors are located in it.
func readAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("extract: reading input: %w", err)
	}
	return b, nil
}
