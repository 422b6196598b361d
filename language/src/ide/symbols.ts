// The names a policy declares and where each is used: agents and sources (file-wide), tools and
// interfaces (scoped by the agent that grants or exposes them). Definition, references, rename,
// hover and semantic tokens all read this one index, so they agree on what a name means.

import type * as A from "../ast.js";
import { agentsOf, namesOf, talksToOf, toolsOf } from "../compile.js";

export type SymbolKind = "agent" | "source" | "interface" | "tool";

export interface PolicySymbol {
  kind: SymbolKind;
  name: string;
  /** the agent that grants (tool) or exposes (interface) it */
  owner?: string;
  /** where it is declared (more than one when declared twice: CH1001, CH1002) */
  decls: A.Span[];
  /** every other mention */
  refs: A.Span[];
}

export interface Occurrence {
  span: A.Span;
  symbol: PolicySymbol;
  decl: boolean;
}

export interface SymbolIndex {
  symbols: PolicySymbol[];
  /** occurrences in text order */
  occurrences: Occurrence[];
  get(kind: SymbolKind, name: string, owner?: string): PolicySymbol | undefined;
  /** the name under (or just after) the cursor */
  at(offset: number): Occurrence | undefined;
}

const keyOf = (kind: SymbolKind, name: string, owner?: string) => (owner === undefined ? `${kind}\0${name}` : `${kind}\0${owner}\0${name}`);

export function indexSymbols(file: A.CharterFile): SymbolIndex {
  const byKey = new Map<string, PolicySymbol>();
  const occurrences: Occurrence[] = [];
  const note = (kind: SymbolKind, name: A.Name, decl: boolean, owner?: string) => {
    if (!name.value || !(name.span.end > name.span.start)) return;
    const key = keyOf(kind, name.value, owner);
    let sym = byKey.get(key);
    if (!sym) {
      sym = { kind, name: name.value, decls: [], refs: [] };
      if (owner !== undefined) sym.owner = owner;
      byKey.set(key, sym);
    }
    (decl ? sym.decls : sym.refs).push(name.span);
    occurrences.push({ span: name.span, symbol: sym, decl });
  };
  for (const d of file.decls) if (d.kind === "source") note("source", d.name, true);
  for (const a of agentsOf(file)) note("agent", a.name, true);
  for (const a of agentsOf(file)) {
    const owner = a.name.value;
    for (const t of toolsOf(a)) note("tool", t.name, true, owner);
    for (const n of namesOf(a, "exposes")) note("interface", n, true, owner);
  }
  for (const a of agentsOf(file)) {
    const owner = a.name.value;
    for (const n of namesOf(a, "reads")) note("source", n, false);
    for (const n of namesOf(a, "deny")) note("tool", n, false, owner);
    let lastAgent: A.Name | undefined;
    for (const link of talksToOf(a)) {
      // `talks_to A via I, J` names A once: one occurrence, however many links it makes
      if (link.agent !== lastAgent) note("agent", link.agent, false);
      lastAgent = link.agent;
      note("interface", link.via, false, link.agent.value);
    }
    const tools = new Set(toolsOf(a).map((t) => t.name.value));
    for (const t of toolsOf(a)) {
      for (const i of t.items) {
        if (i.kind === "returns") note("source", i.source, false);
        // `after NAME` names a tool when the agent grants one of that name (else a trust level)
        else if (i.kind === "flow" && tools.has(i.after.value)) note("tool", i.after, false, owner);
      }
    }
  }
  for (const d of file.decls) {
    if (d.kind !== "test") continue;
    for (const step of d.steps) {
      note("agent", step.agent, false);
      if (step.kind === "ingested") note("source", step.source, false);
      else note("tool", step.tool, false, step.agent.value);
    }
  }
  occurrences.sort((x, y) => x.span.start - y.span.start);
  return {
    symbols: [...byKey.values()],
    occurrences,
    get: (kind, name, owner) => byKey.get(keyOf(kind, name, owner)),
    at(offset) {
      let lo = 0;
      let hi = occurrences.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const o = occurrences[mid]!;
        if (o.span.end < offset) lo = mid + 1;
        else if (o.span.start > offset) hi = mid - 1;
        else return o;
      }
      return undefined;
    },
  };
}

/** Every span of a symbol, declarations first, in text order within each group. */
export function spansOf(symbol: PolicySymbol, includeDeclaration = true): A.Span[] {
  const sorted = (xs: A.Span[]) => [...xs].sort((a, b) => a.start - b.start);
  return includeDeclaration ? [...sorted(symbol.decls), ...sorted(symbol.refs)] : sorted(symbol.refs);
}
