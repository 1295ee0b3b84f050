// Validates JSON documents against a JSON Schema (draft 2020-12) with ajv
// and ajv-formats, for the schema package's tests.
//
// usage: node ajv-check.cjs SCHEMA DOCUMENTS
// DOCUMENTS holds a JSON array of documents; the verdicts are printed as a
// JSON array of {"valid": bool, "plainValid": bool, "errors": [...]}, one
// per document. plainValid is the verdict with the schema's patterns read
// as regular expressions without Unicode mode, as validators whose regex
// dialect lacks \p{…} classes read them: a portable schema gets the same
// verdict both ways.
// NODE_PATH names the node_modules folder that holds ajv.
"use strict";
const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const [schemaFile, docsFile] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
const compile = (unicodeRegExp) => {
  const ajv = new Ajv2020({ strict: true, allErrors: true, unicodeRegExp });
  addFormats(ajv);
  return ajv.compile(schema);
};
const validate = compile(true);
const plain = compile(false);
const docs = JSON.parse(fs.readFileSync(docsFile, "utf8"));
const out = docs.map((doc) => {
  const valid = validate(doc);
  return {
    valid,
    plainValid: plain(doc),
    errors: (validate.errors || []).map((e) => `${e.instancePath} ${e.keyword}: ${e.message}`),
  };
});
process.stdout.write(JSON.stringify(out));
