// SARIF 2.1.0 for code scanning: one run, one rule per diagnostic code that occurs (with its
// documentation page), one result per diagnostic. Columns are 1-based UTF-16 code units, which is
// SARIF's default column kind and what the checker's LSP ranges count. The gate's own findings
// (links, replayed reviews, lowered versions) follow as rules `gate/<title>`, at their line.

import { CODES, docsUrl, type Code } from "@charter/language";
import type { PolicyReport } from "./evaluate.js";

const GATE_DOCS = "https://github.com/charter-policy/charter/blob/main/docs/github-action.md";
const gateRuleId = (title: string) => `gate/${title.replace(/\s+/g, "-")}`;

const LEVEL = { error: "error", warning: "warning", info: "note" } as const;

export function sarifLog(reports: readonly PolicyReport[], version: string): unknown {
  const codes = [...new Set(reports.flatMap((r) => r.diagnostics.map((d) => d.code)))].sort() as Code[];
  const rules: {
    id: string;
    name: string;
    shortDescription: { text: string };
    helpUri: string;
    defaultConfiguration: { level: string };
  }[] = codes.map((code) => ({
    id: code,
    name: CODES[code].title.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase()).replace(/\W/g, ""),
    shortDescription: { text: CODES[code].title },
    helpUri: docsUrl(code),
    defaultConfiguration: { level: LEVEL[CODES[code].severity] },
  }));
  const results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: unknown[] }[] = reports.flatMap(
    (r) =>
      r.diagnostics.map((d) => ({
        ruleId: d.code,
        ruleIndex: codes.indexOf(d.code),
        level: LEVEL[d.severity],
        message: { text: d.help ? `${d.message}\nhelp: ${d.help}` : d.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: r.path, uriBaseId: "%SRCROOT%" },
              region: {
                startLine: d.range.start.line + 1,
                startColumn: d.range.start.character + 1,
                endLine: d.range.end.line + 1,
                endColumn: d.range.end.character + 1,
              },
            },
          },
        ],
      })),
  );
  const gateIds = [...new Set(reports.flatMap((r) => r.gate.map((g) => gateRuleId(g.title))))].sort();
  for (const id of gateIds) {
    const title = reports.flatMap((r) => r.gate).find((g) => gateRuleId(g.title) === id)!.title;
    rules.push({
      id,
      name: title.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase()).replace(/\W/g, ""),
      shortDescription: { text: title },
      helpUri: GATE_DOCS,
      defaultConfiguration: { level: "error" },
    });
  }
  for (const r of reports) {
    for (const g of r.gate) {
      results.push({
        ruleId: gateRuleId(g.title),
        ruleIndex: codes.length + gateIds.indexOf(gateRuleId(g.title)),
        level: g.severity,
        message: { text: `${g.message}\nhelp: ${g.help}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: r.path, uriBaseId: "%SRCROOT%" }, region: { startLine: g.line } } }],
      });
    }
  }
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "Charter", version, informationUri: "https://github.com/charter-policy/charter", rules } },
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
}
