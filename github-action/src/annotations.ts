// Diagnostics as workflow-command annotations: one per diagnostic, at its exact file, line and
// column (GitHub counts from 1, the checker's LSP ranges from 0), titled with its code. The text is
// the checker's message and help line, unchanged.

import * as core from "@actions/core";
import type { Diagnostic } from "@charter/language";

export function annotationOf(path: string, d: Diagnostic): { message: string; properties: core.AnnotationProperties } {
  return {
    message: d.help ? `${d.message}\nhelp: ${d.help}` : d.message,
    properties: {
      title: d.code,
      file: path,
      startLine: d.range.start.line + 1,
      startColumn: d.range.start.character + 1,
      endLine: d.range.end.line + 1,
      endColumn: d.range.end.character + 1,
    },
  };
}

export function annotate(path: string, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const { message, properties } = annotationOf(path, d);
    if (d.severity === "error") core.error(message, properties);
    else if (d.severity === "warning") core.warning(message, properties);
    else core.notice(message, properties);
  }
}
