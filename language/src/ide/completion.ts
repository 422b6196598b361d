// Completion that knows where it is: the keywords of the block at the cursor, the values a keyword
// takes, and the names that fit the statement being written (sources after `reads`, agents after
// `talks_to`, interfaces after `via`, tools in `deny` and `expect … call`). Plain data: the server
// maps it to LSP.

import type { IToken } from "chevrotain";
import type * as A from "../ast.js";
import { agentsOf, namesOf, talksToOf, toolsOf } from "../compile.js";
import { Arrow, Colon, Comma, Quantity, StringLiteral } from "../lexer.js";
import { isPairBlock, keywordsOf, OUTCOMES, RULE_ACTIONS, SCHEMA, SEVERITIES, type BlockKind } from "../schema.js";
import { cursorContext, type BlockFrame, type Statement } from "./context.js";

export type CompletionKind = "keyword" | "value" | "agent" | "source" | "interface" | "tool" | "snippet";

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail?: string;
  documentation?: string;
  /** with `${1:placeholder}` tab stops when `snippet` is set */
  insertText?: string;
  snippet?: boolean;
}

export interface CompletionResult {
  items: CompletionItem[];
  /** the partial word the chosen item replaces */
  replace: A.Span;
}

export interface CompletionInput {
  text: string;
  /** tokens of `text` (the parse's, or a fresh lex) */
  tokens: readonly IToken[];
  /** comments of `text`: no completion inside them */
  comments: readonly IToken[];
  /** the typed AST, for the names declared in the file */
  file: A.CharterFile;
}

const SNIPPETS: Partial<Record<BlockKind, CompletionItem[]>> = {
  file: [
    {
      label: "agent",
      kind: "snippet",
      detail: "agent with one tool",
      insertText: "agent ${1:name} {\n  kind ${2|conversational,code-executing,document-processing|}\n  reads ${3:source}\n\n  tool ${4:toolName} {\n    scope ${5|read,write,send,delete,execute|}\n    tier ${6|low,medium,high|}\n    rate ${7:60} per ${8:1h}\n  }\n}",
      snippet: true,
    },
  ],
  agent: [
    {
      label: "tool",
      kind: "snippet",
      detail: "tool grant with scope, tier and rate",
      insertText: "tool ${1:toolName} {\n  scope ${2|read,write,send,delete,execute|}\n  tier ${3|low,medium,high|}\n  rate ${4:60} per ${5:1h}\n}",
      snippet: true,
    },
    {
      label: "sandbox",
      kind: "snippet",
      detail: "sandbox with every limit",
      insertText: "sandbox {\n  filesystem ${1|ephemeral,read-only,none|}\n  network [${2}]\n  cpu ${3:1}\n  memory ${4:512MiB}\n  time ${5:60s}\n}",
      snippet: true,
    },
  ],
  tool: [
    {
      label: "approval",
      kind: "snippet",
      detail: "approval that rejects on timeout",
      insertText: 'approval {\n  approvers ["${1:team}"]\n  timeout ${2:15m}\n  on_timeout reject\n}',
      snippet: true,
    },
  ],
};

const CONSTRAINTS: CompletionItem[] = [
  { label: "one of", kind: "snippet", insertText: 'one of ["${1}"]', snippet: true, detail: "the value is one of these" },
  { label: "subset of", kind: "snippet", insertText: 'subset of ["${1}"]', snippet: true, detail: "every element is one of these" },
  { label: "email in domains", kind: "snippet", insertText: 'email in domains ["${1}"]', snippet: true, detail: "an email address at one of these domains" },
  { label: "url in domains", kind: "snippet", insertText: 'url in domains ["${1}"]', snippet: true, detail: "a URL on one of these domains" },
  { label: "number between", kind: "snippet", insertText: "number between ${1:0} and ${2:100}", snippet: true, detail: "a number in this range" },
  { label: "number max", kind: "snippet", insertText: "number max ${1:100}", snippet: true, detail: "a number at most this" },
  { label: "string max", kind: "snippet", insertText: "string max ${1:200}", snippet: true, detail: "a string at most this long" },
  { label: "any", kind: "keyword", detail: "not constrained (named, so not refused)" },
];

export function complete(input: CompletionInput, offset: number): CompletionResult {
  const ctx = cursorContext(input.text, input.tokens, offset);
  const replace = { start: ctx.word.start, end: ctx.word.end };
  const none = { items: [], replace };
  if (insideToken(input.tokens, offset, StringLiteral) || input.comments.some((c) => insideComment(c, offset))) return none;
  if (ctx.inList) return none;
  const frame = ctx.frames[ctx.frames.length - 1]!;
  if (isPairBlock(frame.kind)) {
    const ops = frame.current?.ops ?? [];
    return { items: frame.kind === "args" && ops.length === 1 && ops[0]!.tokenType === Colon ? CONSTRAINTS : [], replace };
  }
  const stmt = frame.current;
  const operands = stmt ? operandItems(input.file, ctx.frames, frame, stmt, input.text.slice(ctx.word.start, ctx.word.end)) : null;
  return { items: operands ?? keywordItems(frame), replace };
}

function insideToken(tokens: readonly IToken[], offset: number, type: unknown): boolean {
  return tokens.some((t) => t.tokenType === type && t.startOffset < offset && offset < t.startOffset + t.image.length);
}

/** Inside a comment; the end of a line comment still is (the cursor sits before the line break). */
function insideComment(c: IToken, offset: number): boolean {
  const end = c.startOffset + c.image.length;
  return c.startOffset < offset && (offset < end || (offset === end && c.image.startsWith("//")));
}

function keywordItems(frame: BlockFrame): CompletionItem[] {
  const items: CompletionItem[] = [];
  for (const key of keywordsOf(frame.kind)) {
    const info = SCHEMA[frame.kind][key]!;
    if (!info.repeatable && frame.keys.has(key)) continue;
    items.push({ label: key, kind: "keyword", detail: info.opens ? `${key} { … }` : "", documentation: info.doc, insertText: `${key} ` });
  }
  for (const s of SNIPPETS[frame.kind] ?? []) if (SCHEMA[frame.kind][s.label]?.repeatable || !frame.keys.has(s.label)) items.push(s);
  return items;
}

const words = (values: readonly string[], detail: string): CompletionItem[] => values.map((v) => ({ label: v, kind: "value", detail }));
const connective = (w: string, detail: string): CompletionItem[] => [{ label: w, kind: "keyword", detail }];

/** What may follow the operands written so far, or null when the statement is complete. */
function operandItems(file: A.CharterFile, frames: BlockFrame[], frame: BlockFrame, stmt: Statement, word: string): CompletionItem[] | null {
  const { key, ops } = stmt;
  const last = ops[ops.length - 1];
  const afterComma = !last || last.tokenType === Comma;
  let lastComma = -1;
  ops.forEach((t, i) => t.tokenType === Comma && (lastComma = i));
  const tail = ops.slice(lastComma + 1);
  const info = SCHEMA[frame.kind][key];
  if (!info || info.forbidden) return null;
  const agentName = frames.find((f) => f.kind === "agent")?.opener?.ops[0]?.image;
  const agent = agentsOf(file).find((a) => a.name.value === agentName);
  // names the statement already lists, before or after the cursor (the word being replaced aside)
  const listedIn = (k: "reads" | "deny" | "exposes") => new Set([...ops.map((t) => t.image), ...(agent ? namesOf(agent, k).map((n) => n.value).filter((n) => n !== word) : [])]);

  if (frame.kind === "agent") {
    switch (key) {
      case "reads": {
        if (!afterComma) return null;
        const listed = listedIn("reads");
        return file.decls.flatMap((d) => (d.kind === "source" && !listed.has(d.name.value) ? [sourceItem(d)] : []));
      }
      case "deny": {
        if (!afterComma) return null;
        const listed = listedIn("deny");
        const granted = new Set(agent ? toolsOf(agent).map((t) => t.name.value) : []);
        return knownToolNames(file).filter((n) => !listed.has(n) && !granted.has(n)).map((n) => ({ label: n, kind: "tool", detail: "tool" }));
      }
      case "exposes": {
        if (!afterComma) return null;
        const listed = listedIn("exposes");
        const wanted = agentsOf(file).flatMap((a) => talksToOf(a).filter((l) => l.agent.value === agentName).map((l) => l.via.value));
        return [...new Set(wanted)].filter((n) => !listed.has(n)).map((n) => ({ label: n, kind: "interface", detail: "interface other agents call" }));
      }
      case "talks_to": {
        if (tail.length === 0) return agentsOf(file).filter((a) => a.name.value !== agentName).map(agentItem);
        if (tail.length === 1) return connective("via", "talks_to AGENT via INTERFACE");
        if (tail.length === 2) {
          const target = agentsOf(file).find((a) => a.name.value === tail[0]!.image);
          return target ? namesOf(target, "exposes").map((n) => ({ label: n.value, kind: "interface", detail: `exposed by ${target.name.value}` })) : [];
        }
        return null;
      }
    }
  }
  if (frame.kind === "test" && key === "expect") {
    const arrow = ops.findIndex((t) => t.tokenType === Arrow);
    if (arrow >= 0) return arrow === ops.length - 1 ? words(OUTCOMES, "expected decision") : null;
    if (ops.length === 0) return agentsOf(file).map(agentItem);
    if (ops.length === 1) return connective("call", "expect AGENT call TOOL");
    if (ops.length === 2) {
      const target = agentsOf(file).find((a) => a.name.value === ops[0]!.image);
      if (!target) return [];
      const granted = toolsOf(target).map((t): CompletionItem => ({ label: t.name.value, kind: "tool", detail: `granted to ${target.name.value}` }));
      const denied = namesOf(target, "deny").map((n): CompletionItem => ({ label: n.value, kind: "tool", detail: `denied to ${target.name.value}` }));
      return [...granted, ...denied];
    }
    return connective("=>", "the expected decision follows");
  }
  if (frame.kind === "monitor") return monitorItems(key, ops);
  if (frame.kind === "tool" && key === "rate") return ops.length === 1 && ops[0]!.tokenType === Quantity ? connective("per", "rate COUNT per WINDOW") : ops.length < 3 ? [] : null;
  if (info.values) return ops.length === 0 ? words(info.values, key) : null;
  if (info.opens) return ops.length === 0 ? [] : null;
  // a literal-valued keyword: nothing to suggest until it has its value
  return ops.length === 0 ? [] : null;
}

function monitorItems(key: string, ops: IToken[]): CompletionItem[] | null {
  const last = ops[ops.length - 1];
  if (!last) {
    if (key === "output") return words(["pii", "exfiltration"], "output rule");
    if (key === "external_domain") return connective("outside", "external_domain outside [domains]");
    return [];
  }
  if (last.tokenType === Arrow) return words(RULE_ACTIONS, "rule action");
  if (last.image === "alert") return words(SEVERITIES, "alert severity");
  if (ops.some((t) => t.tokenType === Arrow)) return null;
  if (last.tokenType === Quantity && /x$/.test(last.image)) return connective("baseline", "against the behavioural baseline");
  if (last.image === "baseline") return key === "tool_rate" ? connective("within", "within WINDOW") : connective("per", "per session");
  if (last.image === "per") return connective("session", "per session");
  return connective("=>", "then the action");
}

function agentItem(a: A.AgentDecl): CompletionItem {
  const kind = a.items.find((i): i is A.Prop<"kind", A.WordLit> => i.kind === "prop" && i.key === "kind")?.value.value;
  return { label: a.name.value, kind: "agent", detail: kind ? `agent (${kind})` : "agent" };
}

function sourceItem(s: A.SourceDecl): CompletionItem {
  const trust = s.items.find((i) => i.key === "trust")?.value;
  const threshold = s.items.find((i) => i.key === "threshold")?.value;
  const parts = [trust && "value" in trust ? `trust ${trust.value}` : "", threshold && threshold.kind === "number" ? `threshold ${threshold.raw}` : ""].filter(Boolean);
  return { label: s.name.value, kind: "source", detail: parts.length ? `source (${parts.join(", ")})` : "source" };
}

/** Every tool name the file mentions: granted anywhere, denied anywhere or called in a test. */
function knownToolNames(file: A.CharterFile): string[] {
  const names = new Set<string>();
  for (const a of agentsOf(file)) {
    for (const t of toolsOf(a)) names.add(t.name.value);
    for (const n of namesOf(a, "deny")) names.add(n.value);
  }
  for (const d of file.decls) if (d.kind === "test") for (const e of d.expects) names.add(e.tool.value);
  // a half-typed statement can parse a keyword as a name (`deny` then `talks_to …`): not a tool
  return [...names].filter((n) => n && !(n in SCHEMA.agent)).sort();
}
