// Completion that knows where it is: the keywords of the block at the cursor, the values a keyword
// takes, and the names that fit the statement being written (sources after `reads`, agents after
// `talks_to`, interfaces after `via`, tools in `deny` and `expect … call`). Plain data: the server
// maps it to LSP.

import type { IToken } from "chevrotain";
import * as A from "../ast.js";
import { agentsOf, namesOf, talksToOf, toolsOf } from "../compile.js";
import { Colon, StringLiteral } from "../lexer.js";
import {
  CONSTRAINT_SHAPE,
  CONSTRAINTS,
  isPairBlock,
  keywordInfo,
  keywordsOf,
  SCHEMA,
  TRUST_LEVELS,
  word,
  type BlockKind,
  type LiteralKind,
  type Shape,
} from "../schema.js";
import { readShape, tkOfToken, type Leaf } from "../shape.js";
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
      insertText:
        "agent ${1:name} {\n  kind ${2|conversational,code-executing,document-processing|}\n  reads ${3:source}\n\n  tool ${4:toolName} {\n    scope ${5|read,write,send,delete,execute|}\n    tier ${6|low,medium,high|}\n    rate ${7:60} per ${8:1h}\n  }\n}",
      snippet: true,
    },
  ],
  agent: [
    {
      label: "tool",
      kind: "snippet",
      detail: "tool grant with scope, tier and rate",
      insertText:
        "tool ${1:toolName} {\n  scope ${2|read,write,send,delete,execute|}\n  tier ${3|low,medium,high|}\n  rate ${4:60} per ${5:1h}\n}",
      snippet: true,
    },
    {
      label: "sandbox",
      kind: "snippet",
      detail: "sandbox with every limit",
      insertText:
        "sandbox {\n  filesystem ${1|ephemeral,read-only,none|}\n  network [${2}]\n  cpu ${3:1}\n  memory ${4:512MiB}\n  time ${5:60s}\n}",
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

/** The constraint heads as the grammar declares them: one item per alternative, with a snippet derived from its shape. */
const CONSTRAINT_ITEMS: CompletionItem[] = Object.entries(CONSTRAINTS).flatMap(([head, c]) => {
  const options = c.shape.t === "alt" ? c.shape.options : [c.shape];
  return options.map((shape): CompletionItem => {
    const label = [head, ...leadingWords(shape)].join(" ");
    const insertText = snippetOf([word(head), shape]);
    return insertText === label
      ? { label, kind: "keyword", detail: c.doc }
      : { label, kind: "snippet", insertText, snippet: true, detail: c.doc };
  });
});

/** The fixed words a shape starts with (`of`, `in domains`, `between`). */
function leadingWords(shape: Shape): string[] {
  if (shape.t === "word") return [shape.word];
  if (shape.t !== "seq") return [];
  const out: string[] = [];
  for (const p of shape.parts) {
    if (p.t !== "word") break;
    out.push(p.word);
  }
  return out;
}

/** A snippet for a sequence of shapes: words as written, a tab stop for every value. */
function snippetOf(parts: readonly Shape[]): string {
  let n = 0;
  const out: string[] = [];
  const placeholder: Partial<Record<LiteralKind, string[]>> = { number: ["0", "100"], int: ["0", "100"], duration: ["1h"] };
  const seen: Partial<Record<LiteralKind, number>> = {};
  const walk = (s: Shape): void => {
    switch (s.t) {
      case "seq":
        return s.parts.forEach(walk);
      case "word":
        return void out.push(s.word);
      case "lit": {
        const i = (seen[s.lit] = (seen[s.lit] ?? -1) + 1);
        const p = placeholder[s.lit]?.[i];
        if (s.lit === "list") out.push(`["\${${++n}}"]`);
        else if (s.lit === "string") out.push(`"\${${++n}}"`);
        else out.push(p === undefined ? `\${${++n}}` : `\${${++n}:${p}}`);
        return;
      }
      case "constraint":
        return void out.push(`\${${++n}:string max 100}`);
      default:
        return void out.push(`\${${++n}}`);
    }
  };
  parts.forEach(walk);
  return out.join(" ");
}

export function complete(input: CompletionInput, offset: number): CompletionResult {
  const ctx = cursorContext(input.text, input.tokens, offset);
  const replace = { start: ctx.word.start, end: ctx.word.end };
  const none = { items: [], replace };
  if (insideToken(input.tokens, offset, StringLiteral) || input.comments.some((c) => insideComment(c, offset))) return none;
  if (ctx.inList) return none;
  const frame = ctx.frames[ctx.frames.length - 1]!;
  if (isPairBlock(frame.kind)) {
    const ops = frame.current?.ops ?? [];
    const colon = ops.findIndex((t) => t.tokenType === Colon);
    if (frame.kind !== "args" || colon < 0) return { items: [], replace };
    const reading = readShape(CONSTRAINT_SHAPE, ops.slice(colon + 1).map(tkOfToken));
    return { items: ops.length === colon + 1 ? CONSTRAINT_ITEMS : leafItems(reading.next, () => []), replace };
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

/** Completion items for what the grammar says may come next; names come from `names`. */
function leafItems(next: readonly Leaf[], names: (leaf: Extract<Leaf, { t: "name" }>) => CompletionItem[]): CompletionItem[] {
  const out: CompletionItem[] = [];
  const seen = new Set<string>();
  const add = (item: CompletionItem) => {
    if (seen.has(item.label)) return;
    seen.add(item.label);
    out.push(item);
  };
  for (const leaf of next) {
    if (leaf.t === "word") {
      // a constraint head offers its whole forms (`number between`, `number max`)
      const forms =
        Object.hasOwn(CONSTRAINTS, leaf.word) && leaf.doc === CONSTRAINTS[leaf.word]!.doc
          ? CONSTRAINT_ITEMS.filter((i) => i.label.split(" ")[0] === leaf.word)
          : [];
      if (forms.length) forms.forEach(add);
      else add({ label: leaf.word, kind: "keyword", detail: leaf.doc ?? "" });
    } else if (leaf.t === "punct")
      add({ label: leaf.punct, kind: "keyword", detail: leaf.punct === "=>" ? "then the outcome" : "comparison" });
    else if (leaf.t === "enum") for (const v of leaf.vocab.values) add({ label: v, kind: "value", detail: leaf.vocab.what });
    else if (leaf.t === "name") names(leaf).forEach(add);
  }
  return out;
}

/** What may follow the operands written so far (from the keyword's shape), or null when the statement is complete. */
function operandItems(
  file: A.CharterFile,
  frames: BlockFrame[],
  frame: BlockFrame,
  stmt: Statement,
  word: string,
): CompletionItem[] | null {
  const { key, ops } = stmt;
  const info = keywordInfo(frame.kind, key);
  if (!info || info.forbidden) return null;
  const reading = readShape(info.shape, ops.map(tkOfToken));
  if (reading.mismatch !== undefined) return [];
  if (reading.complete && reading.next.every((l) => l.t === "comma" || l.t === "lit" || l.t === "object" || l.t === "block")) return null;
  const agentName = frames.find((f) => f.kind === "agent")?.opener?.ops[0]?.image;
  const agent = agentsOf(file).find((a) => a.name.value === agentName);
  const toolName = frames.find((f) => f.kind === "tool")?.opener?.ops[0]?.image;
  const tool = agent && toolsOf(agent).find((t) => t.name.value === toolName);
  // names the statement already lists, before or after the cursor (the word being replaced aside)
  const listed = (k: "reads" | "deny" | "exposes") =>
    new Set([
      ...ops.map((t) => t.image),
      ...(agent
        ? namesOf(agent, k)
            .map((n) => n.value)
            .filter((n) => n !== word)
        : []),
    ]);
  const firstName = ops[0]?.image;
  // the agents the statement names, by how the grammar read them (`talks_to a via x, b via y`)
  const namedAgents = ops.filter((_, n) => {
    const leaf = reading.leaves[n];
    return leaf?.t === "name" && leaf.ref === "agent";
  });
  const lastAgent = namedAgents[namedAgents.length - 1]?.image;
  const names = (leaf: Extract<Leaf, { t: "name" }>): CompletionItem[] => {
    switch (leaf.ref) {
      case "source": {
        const skip = key === "reads" ? listed("reads") : new Set<string>();
        return file.decls.flatMap((d) => (d.kind === "source" && !skip.has(d.name.value) ? [sourceItem(d)] : []));
      }
      case "agent": {
        // an agent already linked takes more interfaces after a comma, not a second link
        const skip = new Set(key === "talks_to" ? namedAgents.map((t) => t.image) : []);
        return agentsOf(file)
          .filter((a) => (frame.kind !== "agent" || a.name.value !== agentName) && !skip.has(a.name.value))
          .map(agentItem);
      }
      case "interface": {
        if (key === "exposes") {
          const skip = listed("exposes");
          const wanted = agentsOf(file).flatMap((a) =>
            talksToOf(a)
              .filter((l) => l.agent.value === agentName)
              .map((l) => l.via.value),
          );
          return [...new Set(wanted)]
            .filter((n) => !skip.has(n))
            .map((n) => ({ label: n, kind: "interface", detail: "interface other agents call" }));
        }
        // the interfaces of the agent named last, but those the statement already lists for it
        const target = agentsOf(file).find((a) => a.name.value === lastAgent);
        const skip = new Set(
          agent ? talksToOf(agent).flatMap((l) => (l.agent.value === lastAgent && l.via.value !== word ? [l.via.value] : [])) : [],
        );
        const from = ops.lastIndexOf(namedAgents[namedAgents.length - 1]!);
        for (const [n, t] of ops.entries()) {
          const leaf = reading.leaves[n];
          if (n > from && leaf?.t === "name" && leaf.ref === "interface") skip.add(t.image);
        }
        return target
          ? namesOf(target, "exposes")
              .filter((n) => !skip.has(n.value))
              .map((n) => ({ label: n.value, kind: "interface", detail: `exposed by ${target.name.value}` }))
          : [];
      }
      case "tool": {
        if (frame.kind === "agent") {
          const skip = listed("deny");
          const granted = new Set(agent ? toolsOf(agent).map((t) => t.name.value) : []);
          return knownToolNames(file)
            .filter((n) => !skip.has(n) && !granted.has(n))
            .map((n) => ({ label: n, kind: "tool", detail: "tool" }));
        }
        const target = agentsOf(file).find((a) => a.name.value === firstName);
        if (!target) return [];
        const granted = toolsOf(target).map(
          (t): CompletionItem => ({ label: t.name.value, kind: "tool", detail: `granted to ${target.name.value}` }),
        );
        const denied = namesOf(target, "deny").map(
          (n): CompletionItem => ({ label: n.value, kind: "tool", detail: `denied to ${target.name.value}` }),
        );
        return [...granted, ...denied];
      }
      case "arg": {
        const args = tool && A.item(tool.items, "args");
        return (args?.args ?? []).map(
          (a): CompletionItem => ({ label: a.name.value, kind: "value", detail: `argument (${a.constraint.kind.replace(/_/g, " ")})` }),
        );
      }
      case "name": {
        if (key !== "after") return [];
        // a trust level or a tool of this agent
        const levels = TRUST_LEVELS.map(
          (l): CompletionItem => ({
            label: l,
            kind: "value",
            detail: "trust level: once the session ingested content this trusted or less",
          }),
        );
        const tools = agent
          ? toolsOf(agent)
              .filter((t) => t.name.value !== toolName)
              .map((t): CompletionItem => ({ label: t.name.value, kind: "tool", detail: "once the session called this tool" }))
          : [];
        return [...levels, ...tools];
      }
    }
  };
  return leafItems(reading.next, names);
}

function agentItem(a: A.AgentDecl): CompletionItem {
  const kind = a.items.find((i): i is A.Prop<"kind", A.WordLit> => i.kind === "prop" && i.key === "kind")?.value.value;
  return { label: a.name.value, kind: "agent", detail: kind ? `agent (${kind})` : "agent" };
}

function sourceItem(s: A.SourceDecl): CompletionItem {
  const trust = s.items.find((i) => i.key === "trust")?.value;
  const threshold = s.items.find((i) => i.key === "threshold")?.value;
  const parts = [
    trust && "value" in trust ? `trust ${trust.value}` : "",
    threshold && threshold.kind === "number" ? `threshold ${threshold.raw}` : "",
  ].filter(Boolean);
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
  return [...names].filter((n) => n && !keywordInfo("agent", n)).sort();
}
