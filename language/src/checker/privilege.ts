// Least privilege: grants are additive from zero. Wildcards, exclusions, `default allow` and
// delegation are rejected with their own codes (CH2001–CH2005), wildcards inside allowlists too,
// and every grant must say what it does (`scope`, CH2006) and how often (`rate`, CH2007).

import * as A from "../ast.js";
import type { CheckContext } from "./context.js";
import { insertIntoBlock } from "./edits.js";

export function checkPrivilege(ctx: CheckContext): void {
  for (const d of ctx.file.decls) {
    if (d.kind === "forbidden") reportForbidden(ctx, d, undefined);
  }
  for (const a of ctx.model.agents) {
    if (a.inheritance) {
      ctx.report({
        code: "CH2005",
        span: a.inheritance.span,
        message: `agent '${a.name.value}' ${a.inheritance.keyword.value} ${a.inheritance.target ? `'${a.inheritance.target.value}'` : "another agent"}: agents never inherit grants`,
        help: "list this agent's own tools explicitly; inherited grants widen silently when the parent changes",
        fix: { title: "Remove the inheritance", edits: [{ span: { start: a.name.span.end, end: a.inheritance.span.end }, newText: "" }] },
      });
    }
    for (const i of a.items) if (i.kind === "forbidden") reportForbidden(ctx, i, a);
    for (const t of ctx.model.tools(a)) {
      if (!A.prop(t.items, "scope")) {
        ctx.report({
          code: "CH2006",
          span: t.name.span,
          message: `tool '${t.name.value}' has no scope`,
          help: "say what the tool does to the world: scope read, write, send, delete or execute (the most powerful thing it can do)",
        });
      }
      if (!A.item(t.items, "rate")) {
        ctx.report({
          code: "CH2007",
          span: t.name.span,
          message: `tool '${t.name.value}' has no rate limit`,
          help: "bound how often a hijacked agent can call it: add rate N per DURATION, e.g. rate 60 per 1h",
          fix: { title: "Add `rate 60 per 1h`", edits: [insertIntoBlock(ctx.text, t.bodySpan, "rate 60 per 1h")] },
        });
      }
    }
  }
  checkWildcardLists(ctx);
}

function reportForbidden(ctx: CheckContext, f: A.ForbiddenItem, agent: A.AgentDecl | undefined): void {
  const who = agent ? `agent '${agent.name.value}'` : "this policy";
  switch (f.form) {
    case "wildcard_tool":
    case "tools_all":
      ctx.report({
        code: "CH2001",
        span: f.span,
        message: `wildcard grant \`${f.text.split(/\s*\{/)[0]}\`: ${who} would get every tool, including ones added later`,
        help: "grant each tool by name with its own scope, tier and rate: tool NAME { scope … tier … rate … }",
        fix: {
          title: "Replace with an explicit tool placeholder",
          edits: [{ span: f.span, newText: "tool TOOL_NAME {\n    scope read\n    tier low\n    rate 60 per 1h\n  }" }],
        },
      });
      return;
    case "allow_all":
    case "except":
      ctx.report({
        code: "CH2002",
        span: f.span,
        message: `exclusion-based grant \`${f.text}\`: ${who} would be allowed everything not listed`,
        help: "authorisation is additive from zero: grant the tools it needs one by one, and use `deny` only as an extra refusal",
      });
      return;
    case "default_allow":
      ctx.report({
        code: "CH2003",
        span: f.span,
        message: "`default allow`: anything not mentioned would be permitted",
        help: "Charter denies by default and there is no way to change that: remove this line and grant tools explicitly",
        fix: { title: "Remove `default allow`", edits: [{ span: f.span, newText: "" }] },
      });
      return;
    case "delegate":
    case "inherits":
      ctx.report({
        code: "CH2005",
        span: f.span,
        message: `\`${f.text}\`: ${who} cannot inherit or hand on grants`,
        help: "agents cooperate only through `exposes` and `talks_to AGENT via INTERFACE`; list each agent's own tools",
      });
      return;
  }
}

/** CH2004: `"*"`, `"*.com"` and friends in any allowlist or constraint. */
function checkWildcardLists(ctx: CheckContext): void {
  const lists: { list: A.ListLit; where: string }[] = [];
  for (const d of ctx.file.decls) {
    if (d.kind === "defaults") for (const m of A.itemsOf(d.items, "monitor")) collectMonitor(m, lists);
    if (d.kind !== "agent") continue;
    for (const i of d.items) {
      if (i.kind === "monitor") collectMonitor(i, lists);
      if (i.kind === "sandbox") {
        const net = A.prop(i.items, "network");
        if (net) lists.push({ list: net.value, where: "the sandbox network allowlist" });
      }
      if (i.kind !== "tool") continue;
      for (const ap of A.itemsOf(i.items, "approval")) {
        const approvers = A.prop(ap.items, "approvers");
        if (approvers) lists.push({ list: approvers.value, where: `the approvers of '${i.name.value}'` });
      }
      for (const args of A.itemsOf(i.items, "args")) {
        for (const a of args.args) {
          const c = a.constraint;
          const list =
            c.kind === "one_of" || c.kind === "subset_of"
              ? c.values
              : c.kind === "email_in_domains" || c.kind === "url_in_domains"
                ? c.domains
                : undefined;
          if (list) lists.push({ list, where: `the constraint on '${i.name.value}(${a.name.value})'` });
        }
      }
    }
  }
  for (const { list, where } of lists) {
    for (const el of list.items) {
      if (el.kind === "string" && el.value.includes("*")) {
        ctx.report({
          code: "CH2004",
          span: el.span,
          message: `wildcard "${el.value}" in ${where}`,
          help: "list exact values: a pattern admits values nobody reviewed (domains match exactly, subdomains included)",
          fix: { title: "Replace with an explicit placeholder", edits: [{ span: el.span, newText: '"REPLACE-WITH-EXACT-VALUE"' }] },
        });
      }
    }
  }
}

function collectMonitor(m: A.MonitorBlock, lists: { list: A.ListLit; where: string }[]): void {
  for (const r of m.rules) if (r.kind === "external_domain") lists.push({ list: r.domains, where: "the external_domain allowlist" });
}
