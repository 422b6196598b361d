// Renaming an agent, source, interface or tool everywhere it is mentioned. A rename that would
// merge two names (an existing agent, a tool the agent already grants or denies, …) is refused
// with a reason, because it would silently change what the policy means.

import type * as A from "../ast.js";
import { SCHEMA, type BlockKind } from "../schema.js";
import type { SymbolIndex, SymbolKind } from "./symbols.js";
import { spansOf } from "./symbols.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export type PrepareRenameResult = { ok: true; span: A.Span; placeholder: string } | { ok: false; reason: string };
export type RenameResult = { ok: true; edits: { span: A.Span; newText: string }[] } | { ok: false; reason: string };

/**
 * A name stands after `via` (interfaces, in an agent) or after `call` (tools, in a test), where a
 * keyword of that block would end the statement; elsewhere it is the first operand, which is safe.
 */
const CONTEXTS: readonly BlockKind[] = ["file", "agent", "test"];
function isKeyword(word: string): boolean {
  return CONTEXTS.some((kind) => Object.hasOwn(SCHEMA[kind], word));
}

export function prepareRename(index: SymbolIndex, offset: number): PrepareRenameResult {
  const occ = index.at(offset);
  if (!occ) return { ok: false, reason: "only agents, sources, interfaces and tools can be renamed" };
  return { ok: true, span: occ.span, placeholder: occ.symbol.name };
}

const WHAT: Record<SymbolKind, string> = { agent: "an agent", source: "a source", interface: "an interface", tool: "a tool" };

export function rename(index: SymbolIndex, offset: number, newName: string): RenameResult {
  const occ = index.at(offset);
  if (!occ) return { ok: false, reason: "only agents, sources, interfaces and tools can be renamed" };
  const sym = occ.symbol;
  if (!NAME.test(newName))
    return { ok: false, reason: `'${newName}' is not a valid name: letters, digits, '_', '-' and '.', starting with a letter or '_'` };
  if (newName === sym.name) return { ok: true, edits: [] };
  // keywords are contextual: a keyword where a statement could end would end it and change the parse
  if (isKeyword(newName)) return { ok: false, reason: `'${newName}' is a Charter keyword: as a name it would change how the policy reads` };
  const clash = index.get(sym.kind, newName, sym.owner);
  if (clash && (clash.decls.length || clash.refs.length)) {
    const where = sym.owner === undefined ? "in this file" : sym.kind === "tool" ? `for agent '${sym.owner}'` : `on agent '${sym.owner}'`;
    return { ok: false, reason: `cannot rename to '${newName}': ${WHAT[sym.kind]} of that name already exists ${where}` };
  }
  return { ok: true, edits: spansOf(sym).map((span) => ({ span, newText: newName })) };
}
