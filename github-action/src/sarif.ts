// SARIF 2.1.0 for code scanning: one run, one rule per diagnostic code that occurs (with its
// documentation page), one result per diagnostic. Columns are 1-based UTF-16 code units, which is
// SARIF's default column kind and what the checker's LSP ranges count.

import { CODES, docsUrl, type Code } from "@charter/language";
import type { PolicyReport } from "./evaluate.js";

const LEVEL = { error: "error", warning: "warning", info: "note" } as const;

export function sarifLog(reports: readonly PolicyReport[], version: string): unknown {
  const codes = [...new Set(reports.flatMap((r) => r.diagnostics.map((d) => d.code)))].sort() as Code[];
  const rules = codes.map((code) => ({
    id: code,
    name: CODES[code].title.replace(/(^|\s)(\w)/g, (_m, _s, c: string) => c.toUpperCase()).replace(/\W/g, ""),
    shortDescription: { text: CODES[code].title },
    helpUri: docsUrl(code),
    defaultConfiguration: { level: LEVEL[CODES[code].severity] },
  }));
  const results = reports.flatMap((r) =>
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
