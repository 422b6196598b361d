// One checked form per document version, shared by every request and the diagnostics push: the
// checker runs at most once per version, and a request always sees the version it names.

import { checkText, type CheckOptions, type CheckResult } from "@charter/language";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { indexSymbols, type SymbolIndex } from "@charter/language/ide";

export interface Analysis {
  uri: string;
  version: number;
  text: string;
  check: CheckResult;
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
    const check = checkText(text, options, hit?.check);
    let symbols: SymbolIndex | undefined;
    const analysis: Analysis = { uri: doc.uri, version: doc.version, text, check, symbols: () => (symbols ??= indexSymbols(check.file)) };
    this.cache.set(doc.uri, analysis);
    return analysis;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }
}
