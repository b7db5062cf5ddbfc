#!/usr/bin/env node
// Lint Cypher with Neo4j's own parser and semantic analysis (@neo4j-cypher/language-support).
//
// Input (stdin, JSON): {"schema": {labels, relationshipTypes, propertyKeys, ...},
//                       "items": [{"name": "...", "query": "...", "parameters": {...}}]}
// Output (stdout, JSON): [{"name": "...", "diagnostics": [{"severity": 1|2, "message": "...",
//                          "line": 1, "column": 1}]}]   (severity 1 = error, 2 = warning)
// Each item is checked against the schema with its own parameters, so an undefined
// parameter, an unknown label, relationship type or property key is reported.
'use strict';

const { lintCypherQuery } = require('@neo4j-cypher/language-support');

function main(input) {
  const request = JSON.parse(input);
  const schema = request.schema || {};
  const out = [];
  for (const item of request.items || []) {
    const dbSchema = Object.assign({}, schema, { parameters: item.parameters || {} });
    let diagnostics;
    try {
      diagnostics = lintCypherQuery(item.query, dbSchema).diagnostics.map((d) => ({
        severity: d.severity,
        message: d.message,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
      }));
    } catch (err) {
      diagnostics = [{ severity: 1, message: `linter crashed: ${err}`, line: 0, column: 0 }];
    }
    out.push({ name: item.name, diagnostics });
  }
  process.stdout.write(JSON.stringify(out));
}

let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { data += chunk; });
process.stdin.on('end', () => main(data));
