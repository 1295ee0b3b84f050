// Package openapi holds the OpenAPI 3.1 description of Utdrag's HTTP API,
// embedded so the service can serve it at /openapi.json. The input schema
// is not repeated here: the document refers to /schema/extract.schema.json.
//
// It may import the standard library only.
package openapi

import _ "embed"

// Document is the OpenAPI 3.1 document (JSON).
//
//go:embed openapi.json
var Document []byte
