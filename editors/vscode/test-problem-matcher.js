#!/usr/bin/env node
// Checks problem-matcher.json against `timeoutlint check --format gcc` output:
//   timeoutlint check --format gcc --fail-on info PATH | node editors/vscode/test-problem-matcher.js
// Every input line must match, and give a file, a line and column >= 1, a
// severity VS Code knows (error, warning; `note` is read as info) and a rule id.
// Prints what VS Code would show, and exits 1 on a line it would miss.
"use strict";
const fs = require("fs");
const path = require("path");

const matcher = JSON.parse(fs.readFileSync(path.join(__dirname, "problem-matcher.json"), "utf8"));
const p = matcher.pattern;
const re = new RegExp(p.regexp);
const lines = fs.readFileSync(0, "utf8").split("\n").filter((l) => l !== "");
let bad = 0;
for (const line of lines) {
  const m = re.exec(line);
  const ok =
    m &&
    m[p.file] &&
    Number(m[p.line]) >= 1 &&
    Number(m[p.column]) >= 1 &&
    ["error", "warning", "note"].includes(m[p.severity]) &&
    /^TL\d{3}$/.test(m[p.code] || "") &&
    m[p.message] &&
    !/\[TL\d+\]$/.test(m[p.message]);
  if (ok) {
    console.log(`${m[p.file]} | ${m[p.line]}:${m[p.column]} | ${m[p.severity]} | ${m[p.code]} | ${m[p.message].slice(0, 60)}`);
  } else {
    bad += 1;
    console.log(`NO MATCH: ${line}`);
  }
}
console.log(`${lines.length - bad} of ${lines.length} lines matched`);
process.exit(bad === 0 && lines.length > 0 ? 0 : 1);
