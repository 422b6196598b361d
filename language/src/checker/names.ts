// Names and references: duplicates (CH1001–CH1003), unknown references (CH1004), a tool both
// granted and denied (CH1005), and talks_to an interface that is not exposed (CH1006).

import * as A from "../ast.js";
import { agentsOf, namesOf, talksToOf, toolsOf } from "../compile.js";
import { closest } from "../diagnostics.js";
import { SCHEMA } from "../schema.js";
import type { CheckContext } from "./context.js";

export function checkNames(ctx: CheckContext): void {
  const { file } = ctx;
  const agents = new Map<string, A.AgentDecl>();
  for (const a of agentsOf(file)) {
    const first = agents.get(a.name.value);
    if (first) {
      ctx.report({
        code: "CH1001",
        span: a.name.span,
        message: `agent '${a.name.value}' is declared twice`,
        help: "merge the two declarations: one agent, one list of grants, so a reviewer sees everything it may do in one place",
        related: [{ span: first.name.span, message: "first declared here" }],
      });
    } else agents.set(a.name.value, a);
  }
  const sources = new Map<string, A.SourceDecl>();
  for (const d of file.decls) {
    if (d.kind !== "source") continue;
    const first = sources.get(d.name.value);
    if (first) {
      ctx.report({ code: "CH1003", span: d.name.span, message: `source '${d.name.value}' is declared twice`, help: "keep one declaration", related: [{ span: first.name.span, message: "first declared here" }] });
    } else sources.set(d.name.value, d);
  }
  for (const kind of ["policy", "defaults"] as const) {
    const decls = file.decls.filter((d): d is A.PolicyDecl | A.DefaultsDecl => d.kind === kind);
    for (const d of decls.slice(1)) {
      ctx.report({ code: "CH1003", span: d.keywordSpan, message: `a file holds at most one '${kind}' block`, help: `merge this block into the first one`, related: [{ span: decls[0]!.keywordSpan, message: "first declared here" }] });
    }
  }

  for (const d of file.decls) checkDuplicateProps(ctx, d);

  for (const a of agentsOf(file)) {
    const tools = new Map<string, A.ToolDecl>();
    for (const t of toolsOf(a)) {
      const first = tools.get(t.name.value);
      if (first) {
        ctx.report({
          code: "CH1002",
          span: t.name.span,
          message: `tool '${t.name.value}' is granted twice to agent '${a.name.value}'`,
          help: "keep one grant: two grants of one tool leave the reviewer guessing which limits apply",
          related: [{ span: first.name.span, message: "first granted here" }],
        });
      } else tools.set(t.name.value, t);
    }
    for (const n of namesOf(a, "deny")) {
      const granted = tools.get(n.value);
      if (granted) {
        ctx.report({
          code: "CH1005",
          span: n.span,
          message: `agent '${a.name.value}' both grants and denies tool '${n.value}'`,
          help: `deny wins at run time, so the grant is dead text that misleads reviewers: remove one of them`,
          related: [{ span: granted.name.span, message: "granted here" }],
        });
      }
    }
    for (const n of namesOf(a, "reads")) {
      if (!sources.has(n.value)) {
        const guess = closest(n.value, sources.keys());
        ctx.report({
          code: "CH1004",
          span: n.span,
          message: `agent '${a.name.value}' reads unknown source '${n.value}'`,
          help: guess ? `did you mean '${guess}'?` : `declare it: source ${n.value} { trust untrusted threshold 0.3 }`,
          ...(guess ? { fix: { title: `Replace with '${guess}'`, edits: [{ span: n.span, newText: guess }] } } : {}),
        });
      }
    }
    for (const link of talksToOf(a)) {
      const target = agents.get(link.agent.value);
      if (!target) {
        const guess = closest(link.agent.value, agents.keys());
        ctx.report({
          code: "CH1004",
          span: link.agent.span,
          message: `agent '${a.name.value}' talks to unknown agent '${link.agent.value}'`,
          help: guess ? `did you mean '${guess}'?` : "declare the agent, or remove the link",
          ...(guess ? { fix: { title: `Replace with '${guess}'`, edits: [{ span: link.agent.span, newText: guess }] } } : {}),
        });
        continue;
      }
      const exposed = namesOf(target, "exposes");
      if (!exposed.some((e) => e.value === link.via.value)) {
        const guess = closest(link.via.value, exposed.map((e) => e.value));
        ctx.report({
          code: "CH1006",
          span: link.via.span,
          message: `agent '${link.agent.value}' does not expose interface '${link.via.value}'`,
          help: guess ? `did you mean '${guess}'?` : exposed.length ? `it exposes: ${exposed.map((e) => e.value).join(", ")}` : `'${link.agent.value}' exposes no interface: add \`exposes ${link.via.value}\` to it if it should accept this call`,
          related: [{ span: target.name.span, message: `'${link.agent.value}' is declared here` }],
        });
      }
    }
  }

  for (const d of file.decls) {
    if (d.kind !== "test") continue;
    for (const e of d.expects) {
      const agent = agents.get(e.agent.value);
      if (!agent) {
        const guess = closest(e.agent.value, agents.keys());
        ctx.report({ code: "CH1004", span: e.agent.span, message: `test expects unknown agent '${e.agent.value}'`, help: guess ? `did you mean '${guess}'?` : "name an agent declared in this file" });
        continue;
      }
      const known = new Set([...toolsOf(agent).map((t) => t.name.value), ...namesOf(agent, "deny").map((n) => n.value)]);
      if (!known.has(e.tool.value)) {
        const guess = closest(e.tool.value, known);
        ctx.report({
          code: "CH1004",
          span: e.tool.span,
          message: `agent '${e.agent.value}' neither grants nor denies tool '${e.tool.value}'`,
          help: guess ? `did you mean '${guess}'? (an unknown tool is always denied, so this test would prove nothing)` : "an unknown tool is always denied, so this test would prove nothing: name a granted or denied tool",
        });
      }
    }
  }
}

/** CH1003: a property given twice in one block, in every block of a declaration. */
function checkDuplicateProps(ctx: CheckContext, d: A.Decl): void {
  const blocks: { items: readonly { kind: string; key?: string; span: A.Span; keySpan?: A.Span; keywordSpan?: A.Span }[]; schema: string }[] = [];
  switch (d.kind) {
    case "policy":
      blocks.push({ items: d.items, schema: "policy" });
      for (const r of A.itemsOf(d.items, "review")) blocks.push({ items: r.items, schema: "review" });
      break;
    case "source":
      blocks.push({ items: d.items, schema: "source" });
      break;
    case "defaults":
      blocks.push({ items: d.items, schema: "defaults" });
      for (const a of A.itemsOf(d.items, "audit")) blocks.push({ items: a.items, schema: "audit" });
      break;
    case "agent":
      blocks.push({ items: d.items, schema: "agent" });
      for (const i of d.items) {
        if (i.kind === "tool") {
          blocks.push({ items: i.items, schema: "tool" });
          for (const ap of A.itemsOf(i.items, "approval")) blocks.push({ items: ap.items, schema: "approval" });
          for (const args of A.itemsOf(i.items, "args")) {
            blocks.push({ items: args.args.map((a) => ({ kind: "arg", key: a.name.value, span: a.span, keySpan: a.name.span })), schema: "args" });
          }
        } else if (i.kind === "sandbox") blocks.push({ items: i.items, schema: "sandbox" });
        else if (i.kind === "audit") blocks.push({ items: i.items, schema: "audit" });
      }
      break;
    default:
      return;
  }
  for (const b of blocks) {
    const seen = new Map<string, A.Span>();
    for (const it of b.items) {
      const key = it.key ?? it.kind;
      const info = (SCHEMA as Record<string, Record<string, { repeatable?: boolean }>>)[b.schema]?.[key];
      if (info?.repeatable || it.kind === "forbidden") continue;
      const at = it.keySpan ?? it.keywordSpan ?? it.span;
      const first = seen.get(key);
      if (first) {
        ctx.report({
          code: "CH1003",
          span: at,
          message: b.schema === "args" ? `argument '${key}' is constrained twice` : `'${key}' is given twice in this ${b.schema === "file" ? "file" : b.schema} block`,
          help: "keep one: with two, a reviewer cannot tell which one the runtime enforces (the first one is compiled)",
          related: [{ span: first, message: "first given here" }],
        });
      } else seen.set(key, at);
    }
  }
}
