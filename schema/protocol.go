package schema

import _ "embed"

// Protocol is the JSON Schema (draft 2020-12) of a whole protocol: the
// extract's properties and definitions, unchanged, with the front page's
// attendance and the anslag.
//
//go:embed protocol.schema.json
var Protocol []byte
