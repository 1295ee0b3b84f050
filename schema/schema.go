// Package schema holds the JSON Schema of the extract input, embedded so the
// service can serve it and tests can check it against the Go validation.
//
// It may import the standard library only.
package schema

import _ "embed"

// Extract is the JSON Schema (draft 2020-12) of a POST /v1/extracts body.
//
//go:embed extract.schema.json
var Extract []byte
