// Hover text: a keyword's meaning (from the schema), a tool's effective permissions, an agent's
// summary, a source's trust and readers, an interface's provider and callers. Markdown built from
// the checked file and its lowered bundle, so it shows what the runtime will enforce.

import * as A from "../ast.js";
import type { Bundle, BundleTool } from "../bundle.js";
import { agentsOf, effectiveBlocks, namesOf, talksToOf, toolsOf } from "../compile.js";
import { article, CONSTRAINT_SHAPE, CONSTRAINTS, isPairBlock, keywordInfo, type BlockKind } from "../schema.js";
import { readShape, tkOfOperand, type Leaf } from "../shape.js";
import type { SItem, SyntaxTree } from "../syntax.js";
import type { PolicySymbol, SymbolIndex } from "./symbols.js";

export interface HoverInput {
  text: string;
  file: A.CharterFile;
  syntax: SyntaxTree;
  bundle: Bundle;
  symbols: SymbolIndex;
}

export interface HoverResult {
  span: A.Span;
  markdown: string;
}

export function hoverAt(input: HoverInput, offset: number): HoverResult | undefined {
  const occ = input.symbols.at(offset);
  if (occ) {
    const markdown = describeSymbol(input, occ.symbol);
    return markdown ? { span: occ.span, markdown } : undefined;
  }
  const hit = keywordAt(input.syntax.items, "file", offset);
  if (!hit) return undefined;
  const info = keywordInfo(hit.kind, hit.word);
  if (hit.isKey && info) {
    const values = info.values ? `\n\nValues: ${info.values.map((v) => `\`${v}\``).join(" · ")}` : "";
    return { span: hit.span, markdown: `**${hit.word}** — ${info.doc}${values}` };
  }
  const keyInfo = keywordInfo(hit.kind, hit.key);
  if (!hit.isKey && keyInfo?.values?.includes(hit.word)) {
    return { span: hit.span, markdown: `\`${hit.key} ${hit.word}\` — ${keyInfo.doc}` };
  }
  // a word inside a statement: what the grammar says it is (a connective, a constraint, a value)
  if (!hit.isKey && hit.leaf) {
    const leaf = hit.leaf;
    if (leaf.t === "word" && Object.hasOwn(CONSTRAINTS, leaf.word) && leaf.doc === CONSTRAINTS[leaf.word]!.doc)
      return { span: hit.span, markdown: `**${leaf.word}** constraint — ${leaf.doc}` };
    if (leaf.t === "word" && leaf.doc) return { span: hit.span, markdown: `\`${hit.key} … ${leaf.word}\` — ${leaf.doc}` };
    if (leaf.t === "enum")
      return {
        span: hit.span,
        markdown: `\`${hit.word}\` — ${article(leaf.vocab.what)} ${leaf.vocab.what} (${leaf.vocab.values.map((v) => `\`${v}\``).join(" · ")})`,
      };
  }
  return undefined;
}

interface KeywordHit {
  kind: BlockKind;
  key: string;
  word: string;
  span: A.Span;
  isKey: boolean;
  /** the grammar element the word was read as */
  leaf?: Leaf | undefined;
}

/** The statement keyword (or a word operand of it) under the cursor, with its block kind. */
function keywordAt(items: readonly SItem[], kind: BlockKind, offset: number): KeywordHit | undefined {
  for (const item of items) {
    if (offset < item.start || offset > item.end) continue;
    const keyEnd = item.key.startOffset + item.key.image.length;
    if (offset <= keyEnd) return { kind, key: item.key.image, word: item.key.image, span: { start: item.start, end: keyEnd }, isKey: true };
    for (const [n, op] of item.operands.entries()) {
      if (offset < op.start || offset > op.end) continue;
      if (op.t === "block") return keywordAt(op.items, op.kind, offset);
      if (op.t === "tok") {
        const shape = isPairBlock(kind) ? (kind === "args" ? CONSTRAINT_SHAPE : undefined) : keywordInfo(kind, item.key.image)?.shape;
        const leaf = shape ? readShape(shape, item.operands.map(tkOfOperand)).leaves[n] : undefined;
        return { kind, key: item.key.image, word: op.tok.image, span: { start: op.start, end: op.end }, isKey: false, leaf };
      }
    }
  }
  return undefined;
}

function describeSymbol(input: HoverInput, sym: PolicySymbol): string | undefined {
  switch (sym.kind) {
    case "tool":
      return describeTool(input, sym.owner ?? "", sym.name);
    case "agent":
      return describeAgent(input, sym.name);
    case "source":
      return describeSource(input, sym.name);
    case "interface":
      return describeInterface(input, sym.owner ?? "", sym.name);
  }
}

const code = (s: string) => `\`${s}\``;
const list = (xs: string[]) => (xs.length ? xs.map(code).join(", ") : "none");

function findAgent(file: A.CharterFile, name: string): A.AgentDecl | undefined {
  return agentsOf(file).find((a) => a.name.value === name);
}

function rawOf(text: string, node: A.Node | undefined): string {
  return node ? text.slice(node.span.start, node.span.end) : "";
}

export function needsApproval(tool: BundleTool): boolean {
  return tool.tier === "high" || tool.approval !== null;
}

function describeTool(input: HoverInput, agentName: string, name: string): string {
  const agent = findAgent(input.file, agentName);
  const decl = agent && toolsOf(agent).find((t) => t.name.value === name);
  const denied = !!agent && namesOf(agent, "deny").some((n) => n.value === name);
  const head = `**tool** ${code(name)} · agent ${code(agentName)}`;
  if (!decl)
    return `${head}\n\n${denied ? "Denied: every call is refused and audited." : "Not granted: every call is refused (default deny)."}`;
  const t = input.bundle.agents[agentName]?.tools[name];
  const lines: string[] = [];
  if (denied) lines.push("- **denied** as well: deny wins, every call is refused");
  const scope = A.prop(decl.items, "scope");
  const tier = A.prop(decl.items, "tier");
  const rate = A.item(decl.items, "rate");
  const approval = A.item(decl.items, "approval");
  lines.push(`- scope: ${scope ? code(scope.value.value) : "not given (treated as `execute`)"}`);
  lines.push(`- tier: ${tier ? code(tier.value.value) : "not given (treated as `high`)"}`);
  lines.push(`- rate: ${rate ? `${rate.count.raw} per ${rate.per.raw}` : "not given (no call is allowed)"}`);
  if (approval) {
    const approvers = A.prop(approval.items, "approvers");
    const timeout = A.prop(approval.items, "timeout");
    lines.push(
      `- approval: ${approvers ? rawOf(input.text, approvers.value) : "no approvers"} · timeout ${timeout ? timeout.value.raw : "not given"} · on timeout: reject`,
    );
  } else if (t && needsApproval(t)) lines.push("- approval: required (high tier) but no approval block");
  else lines.push("- approval: not required");
  const reversal = A.prop(decl.items, "reversal");
  if (reversal) lines.push(`- reversal: ${code(reversal.value.value)}`);
  const pin = A.prop(decl.items, "pin");
  if (pin) lines.push(`- pinned: ${code(pin.value.value)}`);
  const args = A.item(decl.items, "args");
  if (!args) lines.push("- arguments: not constrained");
  else if (!args.args.length) lines.push("- arguments: none accepted");
  else {
    lines.push("- arguments (any other is refused):");
    for (const a of args.args) lines.push(`  - ${code(a.name.value)}: ${code(rawOf(input.text, a.constraint))}`);
  }
  return `${head}\n\n${lines.join("\n")}`;
}

function describeAgent(input: HoverInput, name: string): string {
  const agent = findAgent(input.file, name);
  if (!agent) return `**agent** ${code(name)}\n\nNot declared in this file.`;
  const b = input.bundle.agents[name];
  const kind = A.prop(agent.items, "kind")?.value.value;
  const lines: string[] = [];
  if (b) {
    const tools = Object.entries(b.tools);
    const byTier = (tier: string) => tools.filter(([, t]) => t.tier === tier).map(([n]) => n);
    lines.push(
      `- tools: ${tools.length} — low: ${list(byTier("low"))} · medium: ${list(byTier("medium"))} · high: ${list(byTier("high"))}`,
    );
    lines.push(`- need approval: ${list(tools.filter(([, t]) => needsApproval(t)).map(([n]) => n))}`);
    if (b.deny.length) lines.push(`- denied: ${list(b.deny)}`);
    lines.push(
      `- reads: ${b.reads.length ? b.reads.map((s) => (input.bundle.sources[s] ? `${code(s)} (${input.bundle.sources[s]!.trust}, ${input.bundle.sources[s]!.threshold})` : `${code(s)} (undeclared)`)).join(", ") : "nothing"}`,
    );
    if (b.exposes.length) lines.push(`- exposes: ${list(b.exposes)}`);
    if (b.talksTo.length) lines.push(`- talks to: ${b.talksTo.map((l) => `${code(l.agent)} via ${code(l.via)}`).join(", ")}`);
  }
  const eff = effectiveBlocks(input.file, agent);
  lines.push(
    `- monitor: ${eff.monitor ? `${eff.monitor.rules.length} rules${eff.monitorFromDefaults ? " (from defaults)" : ""}` : "none"}`,
  );
  lines.push(
    `- audit: ${eff.audit ? `retention ${A.prop(eff.audit.items, "retention")?.value.raw ?? "not given"}${eff.auditFromDefaults ? " (from defaults)" : ""}` : "none"}`,
  );
  const sandbox = A.item(agent.items, "sandbox");
  lines.push(`- sandbox: ${sandbox ? code(rawOf(input.text, sandbox).replace(/\s+/g, " ")) : "none"}`);
  return `**agent** ${code(name)}${kind ? ` · ${kind}` : ""}\n\n${lines.join("\n")}`;
}

function describeSource(input: HoverInput, name: string): string {
  const s = input.bundle.sources[name];
  const readers = agentsOf(input.file)
    .filter((a) => namesOf(a, "reads").some((n) => n.value === name))
    .map((a) => a.name.value);
  const decl = input.file.decls.some((d) => d.kind === "source" && d.name.value === name);
  if (!decl || !s) return `**source** ${code(name)}\n\nNot declared in this file: its trust and threshold are unknown.`;
  return `**source** ${code(name)}\n\n- trust: ${code(s.trust)}\n- threshold: ${s.threshold} (higher injection scores are refused)\n- read by: ${list(readers)}`;
}

function describeInterface(input: HoverInput, provider: string, name: string): string {
  const agent = findAgent(input.file, provider);
  const exposed = !!agent && namesOf(agent, "exposes").some((n) => n.value === name);
  const callers = agentsOf(input.file)
    .filter((a) => talksToOf(a).some((l) => l.agent.value === provider && l.via.value === name))
    .map((a) => a.name.value);
  return `**interface** ${code(name)} of agent ${code(provider)}\n\n- ${exposed ? "exposed" : "**not exposed** by that agent"}\n- called by: ${list(callers)}`;
}
