// Names and references: duplicates (CH1001–CH1003), unknown references (CH1004), a tool both
// granted and denied (CH1005), and talks_to an interface that is not exposed (CH1006).

import * as A from "../ast.js";
import { suggest, type RawDiagnostic } from "../diagnostics.js";
import { keywordInfo, type BlockKind } from "../schema.js";
import type { CheckContext } from "./context.js";

export function checkNames(ctx: CheckContext): void {
  const { file } = ctx;
  const agents = new Map<string, A.AgentDecl>();
  for (const a of ctx.model.agents) {
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
      ctx.report({
        code: "CH1003",
        span: d.name.span,
        message: `source '${d.name.value}' is declared twice`,
        help: "keep one declaration",
        related: [{ span: first.name.span, message: "first declared here" }],
      });
    } else sources.set(d.name.value, d);
  }
  for (const kind of ["policy", "defaults"] as const) {
    const decls = file.decls.filter((d): d is A.PolicyDecl | A.DefaultsDecl => d.kind === kind);
    for (const d of decls.slice(1)) {
      ctx.report({
        code: "CH1003",
        span: d.keywordSpan,
        message: `a file holds at most one '${kind}' block`,
        help: `merge this block into the first one`,
        related: [{ span: decls[0]!.keywordSpan, message: "first declared here" }],
      });
    }
  }

  for (const d of file.decls) {
    // a declaration's own duplicates depend on it alone: an editor's re-check reuses the unchanged
    // declarations (same objects, same offsets, see parser.ts), and their findings with them
    let found = duplicatePropsOf.get(d);
    if (!found) duplicatePropsOf.set(d, (found = duplicateProps(d)));
    for (const f of found) ctx.report(f);
  }

  for (const a of ctx.model.agents) {
    const tools = new Map<string, A.ToolDecl>();
    for (const t of ctx.model.tools(a)) {
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
    for (const n of ctx.model.names(a, "deny")) {
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
    for (const n of ctx.model.names(a, "reads")) {
      if (!sources.has(n.value)) {
        ctx.report(
          suggest(
            "CH1004",
            n.span,
            `agent '${a.name.value}' reads unknown source '${n.value}'`,
            n.value,
            sources.keys(),
            `declare it: source ${n.value} { trust untrusted threshold 0.3 }`,
          ),
        );
      }
    }
    for (const link of ctx.model.links(a)) {
      const target = agents.get(link.agent.value);
      if (!target) {
        ctx.report(
          suggest(
            "CH1004",
            link.agent.span,
            `agent '${a.name.value}' talks to unknown agent '${link.agent.value}'`,
            link.agent.value,
            agents.keys(),
            "declare the agent, or remove the link",
          ),
        );
        continue;
      }
      const exposed = ctx.model.names(target, "exposes").map((e) => e.value);
      if (!exposed.includes(link.via.value)) {
        const d = suggest(
          "CH1006",
          link.via.span,
          `agent '${link.agent.value}' does not expose interface '${link.via.value}'`,
          link.via.value,
          exposed,
          exposed.length
            ? `it exposes: ${exposed.join(", ")}`
            : `'${link.agent.value}' exposes no interface: add \`exposes ${link.via.value}\` to it if it should accept this call`,
        );
        d.related = [{ span: target.name.span, message: `'${link.agent.value}' is declared here` }];
        ctx.report(d);
      }
    }
    for (const t of ctx.model.tools(a)) {
      const returns = A.item(t.items, "returns");
      if (returns && !sources.has(returns.source.value)) {
        ctx.report(
          suggest(
            "CH1004",
            returns.source.span,
            `tool '${t.name.value}' returns unknown source '${returns.source.value}'`,
            returns.source.value,
            sources.keys(),
            `declare it: source ${returns.source.value} { trust untrusted threshold 0.3 }`,
          ),
        );
      }
    }
  }

  for (const d of ctx.model.tests) {
    for (const step of d.steps) {
      const agent = agents.get(step.agent.value);
      if (!agent) {
        const verb = step.kind === "expect" ? "expects" : "gives history for";
        ctx.report(
          suggest(
            "CH1004",
            step.agent.span,
            `test ${verb} unknown agent '${step.agent.value}'`,
            step.agent.value,
            agents.keys(),
            "name an agent declared in this file",
          ),
        );
        continue;
      }
      if (step.kind === "ingested") {
        if (!sources.has(step.source.value))
          ctx.report(
            suggest(
              "CH1004",
              step.source.span,
              `test ingests unknown source '${step.source.value}'`,
              step.source.value,
              sources.keys(),
              "name a source declared in this file",
            ),
          );
        continue;
      }
      const known = new Set([...ctx.model.tools(agent).map((t) => t.name.value), ...ctx.model.names(agent, "deny").map((n) => n.value)]);
      if (!known.has(step.tool.value)) {
        const why =
          step.kind === "expect"
            ? "an unknown tool is always denied, so this test would prove nothing"
            : "the session could not have called it";
        ctx.report(
          suggest(
            "CH1004",
            step.tool.span,
            `agent '${step.agent.value}' neither grants nor denies tool '${step.tool.value}'`,
            step.tool.value,
            known,
            `${why}: name a granted or denied tool`,
          ),
        );
      }
    }
  }
}

/** The keyword of AST nodes whose kind is not their keyword. */
const STATEMENT_OF_KIND: Record<string, string> = { flow: "after", session_rate: "rate per session" };

/** The property lists of the object constraints inside a constraint (at every depth), appended to `out`. */
function nestedObjects(c: A.Constraint, out: A.ArgConstraint[][]): void {
  // iterative: a list of lists of … is walked without recursion
  for (let cur: A.Constraint | undefined = c; cur; ) {
    if (cur.kind === "object") {
      out.push(cur.props);
      cur = undefined;
    } else cur = cur.kind === "list_of" ? cur.item : undefined;
  }
}

const duplicatePropsOf = new WeakMap<A.Decl, RawDiagnostic[]>();

/** CH1003: a property given twice in one block, in every block of a declaration. */
function duplicateProps(d: A.Decl): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const blocks: {
    items: readonly { kind: string; key?: string; span: A.Span; keySpan?: A.Span; keywordSpan?: A.Span }[];
    schema: string;
  }[] = [];
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
          const objects: A.ArgConstraint[][] = A.itemsOf(i.items, "args").map((a) => a.args);
          for (const w of A.itemsOf(i.items, "when")) if (w.test.kind === "outside") nestedObjects(w.test.constraint, objects);
          for (let k = 0; k < objects.length; k++) {
            for (const arg of objects[k]!) nestedObjects(arg.constraint, objects);
            blocks.push({
              items: objects[k]!.map((a) => ({ kind: "arg", key: a.name.value, span: a.span, keySpan: a.name.span })),
              schema: "args",
            });
          }
        } else if (i.kind === "sandbox") blocks.push({ items: i.items, schema: "sandbox" });
        else if (i.kind === "audit") blocks.push({ items: i.items, schema: "audit" });
      }
      break;
    default:
      return out;
  }
  for (const b of blocks) {
    const seen = new Map<string, A.Span>();
    for (const it of b.items) {
      const key = it.key ?? STATEMENT_OF_KIND[it.kind] ?? it.kind;
      const info = keywordInfo(b.schema as BlockKind, key);
      if (info?.repeatable || it.kind === "forbidden") continue;
      const at = it.keySpan ?? it.keywordSpan ?? it.span;
      const first = seen.get(key);
      if (first) {
        out.push({
          code: "CH1003",
          span: at,
          message:
            b.schema === "args"
              ? `argument '${key}' is constrained twice`
              : key === "rate per session"
                ? "'rate … per session' is given twice in this tool block"
                : `'${key}' is given twice in this ${b.schema === "file" ? "file" : b.schema} block`,
          help: "keep one: with two, a reviewer cannot tell which one the runtime enforces (the first one is compiled)",
          related: [{ span: first, message: "first given here" }],
        });
      } else seen.set(key, at);
    }
  }
  return out;
}
