// Translation of the checker's diagnostics into LSP's, and of codes into links to their docs pages.
// No decisions here: messages, severities, ranges (already UTF-16 line/character, as LSP wants) and
// related locations come from the checker unchanged.

import { docsPath, docsUrl, type Code, type Diagnostic as CharterDiagnostic } from "@charter/language";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DiagnosticSeverity, type Diagnostic } from "vscode-languageserver/node";

/** The documentation page of a diagnostic code, as a URI. */
export type DocsHref = (code: Code) => string;

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** Where each code's page is: a file:// URI into the installed docs when present, else the public page. */
export function docsLinker(docsRoot: string | undefined): DocsHref {
  const cache = new Map<string, string>();
  return (code) => {
    let href = cache.get(code);
    if (!href) {
      const page = docsRoot && join(docsRoot, docsPath(code));
      href = page && existsSync(page) ? pathToFileURL(page).href : docsUrl(code);
      cache.set(code, href);
    }
    return href;
  };
}

export function toLspDiagnostic(d: CharterDiagnostic, uri: string, docsHref: DocsHref): Diagnostic {
  const out: Diagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    codeDescription: { href: docsHref(d.code) },
    source: "charter",
    message: d.help ? `${d.message}\nhelp: ${d.help}` : d.message,
  };
  if (d.related?.length) out.relatedInformation = d.related.map((r) => ({ location: { uri, range: r.range }, message: r.message }));
  return out;
}
