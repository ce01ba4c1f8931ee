// The JSONC oracle for tests/test_merge_jsonc_differential.py: Microsoft's jsonc-parser, called
// the way OpenCode and Kilo call it (allowTrailingComma; any error rejects the file).
// Usage: node jsonc_oracle.js <path of the jsonc-parser package>
// stdin: one JSON string (a document) per line; stdout: one JSON object per line,
// {"ok": bool, "value": <the parsed value, JSON-encoded> | null}.
"use strict";
const readline = require("readline");
const jsonc = require(process.argv[2]);

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on("line", (line) => {
  const text = JSON.parse(line);
  const errors = [];
  const value = jsonc.parse(text, errors, { allowTrailingComma: true });
  const ok = errors.length === 0;
  const out = { ok, value: ok ? JSON.stringify(value === undefined ? null : value) : null };
  process.stdout.write(JSON.stringify(out) + "\n");
});
