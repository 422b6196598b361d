// One analysed form per document version, shared by every request and the diagnostics push. An
// edit is parsed once (against the previous version's tree, so only the statements it touched are
// parsed again); the checks run at most once per version, when diagnostics or a request that
// needs them asks. Completion needs only the parse, so it never waits for the checks.

import { checkParsed, LineIndex, MAX_POLICY_LENGTH, parse, type CheckOptions, type CheckResult, type ParseResult } from "@charter/language";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { indexSymbols, type SymbolIndex } from "@charter/language/ide";

export interface Analysis {
  uri: string;
  version: number;
  text: string;
  /** the parse of this version: tokens, comments, syntax tree and typed AST */
  parsed: ParseResult;
  lines: LineIndex;
  /** the checked form, computed on first use */
  readonly check: CheckResult;
  /** built on first use: diagnostics do not need it */
  symbols(): SymbolIndex;
}

export interface AnalysisOptions {
  /** fixed date for review ages (tests); otherwise today in UTC */
  today?: string;
}

export class Analyses {
  private readonly cache = new Map<string, Analysis>();
  private options: AnalysisOptions = {};

  configure(options: AnalysisOptions): void {
    this.options = options;
    this.cache.clear();
  }

  today(): string {
    return this.options.today ?? new Date().toISOString().slice(0, 10);
  }

  of(doc: TextDocument): Analysis {
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit;
    const text = doc.getText();
    const options: CheckOptions = { today: this.today() };
    // the previous version's tree lets the parser skip every top-level statement the edit left alone
    // (a text past the size limit is not parsed: its check is the one diagnostic saying so)
    const parsed = text.length > MAX_POLICY_LENGTH ? parse("") : parse(text, hit?.parsed.syntax);
    const lines = new LineIndex(text);
    let check: CheckResult | undefined;
    let symbols: SymbolIndex | undefined;
    const analysis: Analysis = {
      uri: doc.uri,
      version: doc.version,
      text,
      parsed,
      lines,
      get check() {
        return (check ??= checkParsed(text, parsed, options, lines));
      },
      symbols: () => (symbols ??= indexSymbols(parsed.file)),
    };
    this.cache.set(doc.uri, analysis);
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
