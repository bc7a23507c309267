// Parses an AsyncAPI document with the official parser and prints its diagnostics as JSON lines:
// {"severity": "error"|"warning"|"info"|"hint", "code", "message", "path"}; exit 1 on any error.
import { readFileSync } from "node:fs";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const file = process.argv[2];
if (!file) {
  console.error("usage: node asyncapi-check.mjs <asyncapi.json>");
  process.exit(2);
}
const names = {
  [DiagnosticSeverity.Error]: "error",
  [DiagnosticSeverity.Warning]: "warning",
  [DiagnosticSeverity.Information]: "info",
  [DiagnosticSeverity.Hint]: "hint",
};
const { document, diagnostics } = await new Parser().parse(readFileSync(file, "utf8"), {
  source: file,
});
for (const d of diagnostics) {
  const line = { severity: names[d.severity], code: d.code, message: d.message, path: d.path.join("/") };
  console.log(JSON.stringify(line));
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).length;
console.error(`${document ? "parsed" : "not parsed"}: ${errors} errors, ${diagnostics.length} diagnostics`);
process.exit(errors === 0 && document ? 0 : 1);
