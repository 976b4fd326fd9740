#!/usr/bin/env node
// Parses an AsyncAPI document with the official parser (@asyncapi/parser: the
// specification's JSON Schema, references, and the parser's own rules) and prints
// every diagnostic. Exits 1 on an error, and on a warning unless --allow-warnings.
//
//   MAIGIE_NODE_DIR=~/.cache/maigie/node node parse.cjs DOCUMENT.json [--allow-warnings]
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const nodeDir = process.env.MAIGIE_NODE_DIR || path.join(require('node:os').homedir(), '.cache/maigie/node');
const parserPath = require.resolve('@asyncapi/parser', { paths: [nodeDir] });
const { Parser } = require(parserPath);

const SEVERITY = ['error', 'warning', 'info', 'hint'];

async function main() {
  const file = process.argv[2];
  const allowWarnings = process.argv.includes('--allow-warnings');
  if (!file) {
    console.error('usage: parse.cjs DOCUMENT.json [--allow-warnings]');
    return 2;
  }
  const parser = new Parser();
  const { document, diagnostics } = await parser.parse(fs.readFileSync(file, 'utf8'));
  for (const d of diagnostics) {
    console.log(`${SEVERITY[d.severity] || d.severity}: ${d.code}: ${d.message} (at /${d.path.join('/')})`);
  }
  const errors = diagnostics.filter((d) => d.severity === 0).length;
  const warnings = diagnostics.filter((d) => d.severity === 1).length;
  if (!document || errors > 0 || (warnings > 0 && !allowWarnings)) {
    console.log(`refused: ${errors} error(s), ${warnings} warning(s)`);
    return 1;
  }
  const messages = document.allMessages().length;
  console.log(`parsed AsyncAPI ${document.version()}: ${document.channels().length} channels, ` +
    `${document.operations().length} operations, ${messages} messages, ${warnings} warning(s)`);
  return 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
