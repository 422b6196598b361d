// Flow rules, conditions on values, budgets and mode (spec §4, v1): every `after`, `when` and
// `budget` names something that exists (CH1004) and reads one way only (CH0001); a rule that asks
// for approval has somebody to ask (CH3009); `mode monitor` is said out loud (CH3008). These rules
// only ever make a decision stricter, so what is checked here is that they mean what they say.

import * as A from "../ast.js";
import { suggest } from "../diagnostics.js";
import { TRUST_LEVELS } from "../schema.js";
import type { CheckContext } from "./context.js";
import { insertIntoBlock } from "./edits.js";

const isTrust = (w: string) => (TRUST_LEVELS as readonly string[]).includes(w);

/** The JSON type a constraint admits, for `when ARG outside C` (C must be of the argument's type). */
function typeOf(c: A.Constraint): "number" | "string" | "bool" | "list" | "object" | "any" | "mixed" {
  switch (c.kind) {
    case "number_between":
    case "number_max":
    case "integer_between":
    case "integer_max":
      return "number";
    case "string_max":
    case "string_matching":
    case "email_in_domains":
    case "url_in_domains":
    case "path_under":
      return "string";
    case "one_of": {
      const kinds = new Set(c.values.items.map((i) => i.kind));
      return kinds.size === 1 ? (kinds.has("number") ? "number" : "string") : "mixed";
    }
    case "bool":
      return "bool";
    case "subset_of":
    case "list_of":
      return "list";
    case "object":
      return "object";
    case "any":
      return "any";
  }
}

const NUMERIC = new Set(["number_between", "number_max", "integer_between", "integer_max"]);

export function checkFlow(ctx: CheckContext): void {
  const { model } = ctx;
  const owner = model.policy && A.prop(model.policy.items, "owner")?.value.value;
  const approvalSkeleton = `approval { approvers [${JSON.stringify(owner || "security")}] timeout 15m required conditionally }`;
  const monitorMode = (w: A.WordLit | undefined, what: string) => {
    if (w?.value !== "monitor") return;
    ctx.report({
      code: "CH3008",
      span: w.span,
      message: `${what} is in mode monitor: refused calls are recorded, not stopped`,
      help: "monitor mode is for adopting a policy on live traffic; switch to `mode enforce` once the audit log shows no surprises",
      fix: { title: "Switch to `mode enforce`", edits: [{ span: w.span, newText: "enforce" }] },
    });
  };
  if (model.policy) monitorMode(A.prop(model.policy.items, "mode")?.value, `policy '${model.policy.name.value}'`);

  for (const agent of model.agents) {
    monitorMode(A.prop(agent.items, "mode")?.value, `agent '${agent.name.value}'`);
    const tools = model.tools(agent);
    const toolNames = tools.map((t) => t.name.value);

    for (const rule of A.itemsOf(agent.items, "after")) {
      if (rule.outcome.value !== "approval") continue;
      const scopes = new Set(rule.scopes.map((s) => s.value));
      for (const t of tools) {
        if (A.item(t.items, "approval") || !scopes.has(A.prop(t.items, "scope")?.value.value ?? "")) continue;
        ctx.report({
          code: "CH3009",
          span: rule.outcome.span,
          message: `this rule asks for approval of '${t.name.value}', but the tool says nobody who approves`,
          help: "say who approves and how long to wait, without making approval unconditional: add approval { approvers [...] timeout 15m required conditionally }",
          related: [{ span: t.name.span, message: `'${t.name.value}' has scope ${A.prop(t.items, "scope")!.value.value} and no approval` }],
          fix: { title: "Add a conditional approval block", edits: [insertIntoBlock(ctx.text, t.bodySpan, approvalSkeleton)] },
        });
      }
    }

    for (const t of tools) {
      const args = A.item(t.items, "args");
      const argsByName = new Map<string, A.ArgConstraint>();
      for (const a of args?.args ?? []) if (!argsByName.has(a.name.value)) argsByName.set(a.name.value, a);
      const approval = A.item(t.items, "approval");
      const asksApproval: A.WordLit[] = [];
      const argOf = (n: A.Name, what: string): A.ArgConstraint | undefined => {
        const a = argsByName.get(n.value);
        if (a) return a;
        if (!args) {
          ctx.report({
            code: "CH1004",
            span: n.span,
            message: `${what} names argument '${n.value}', but tool '${t.name.value}' has no args block`,
            help: `declare it: args { ${n.value}: … }`,
          });
        } else
          ctx.report(
            suggest(
              "CH1004",
              n.span,
              `${what} names unknown argument '${n.value}' of tool '${t.name.value}'`,
              n.value,
              argsByName.keys(),
              `its arguments: ${[...argsByName.keys()].join(", ") || "none"}`,
            ),
          );
        return undefined;
      };

      for (const item of t.items) {
        if (item.kind === "flow") {
          if (item.outcome.value === "approval") asksApproval.push(item.outcome);
          const name = item.after.value;
          const tool = toolNames.includes(name);
          if (isTrust(name) && tool) {
            ctx.report({
              code: "CH0001",
              span: item.after.span,
              message: `'after ${name}' reads two ways: the trust level ${name}, or the tool '${name}' of agent '${agent.name.value}'`,
              help: "rename the tool: a trust level and a tool name must never be one word in a flow rule",
              related: [{ span: model.tool(agent, name)!.name.span, message: `tool '${name}' is granted here` }],
            });
          } else if (!isTrust(name) && !tool) {
            ctx.report(
              suggest(
                "CH1004",
                item.after.span,
                `flow rule after unknown tool or trust level '${name}'`,
                name,
                [...TRUST_LEVELS, ...toolNames],
                `'after' takes a trust level (${TRUST_LEVELS.join(", ")}) or a tool agent '${agent.name.value}' grants`,
              ),
            );
          }
        } else if (item.kind === "when") {
          if (item.outcome.value === "approval") asksApproval.push(item.outcome);
          const a = argOf(item.arg, "condition");
          if (a && item.test.kind === "outside") {
            // for a list argument the condition applies to each element
            const target = a.constraint.kind === "list_of" ? a.constraint.item : a.constraint;
            const want = typeOf(target);
            const got = typeOf(item.test.constraint);
            if (want !== "any" && got !== "any" && want !== got) {
              ctx.report({
                code: "CH0003",
                span: item.test.constraint.span,
                message: `'when ${item.arg.value} outside …' compares a ${got} constraint with argument '${item.arg.value}', which is a ${want}`,
                help: `use a narrower constraint of the argument's own type (its constraint: ${ctx.text.slice(target.span.start, target.span.end)})`,
                related: [{ span: a.constraint.span, message: `'${item.arg.value}' is constrained here` }],
              });
            }
          }
        } else if (item.kind === "budget") {
          if (item.outcome.value === "approval") asksApproval.push(item.outcome);
          const a = argOf(item.arg, "budget");
          if (a && !NUMERIC.has(a.constraint.kind)) {
            ctx.report({
              code: "CH0003",
              span: item.arg.span,
              message: `budget sums argument '${item.arg.value}', which is not a number`,
              help: "a budget caps the sum of a numeric argument (number … or integer …)",
              related: [{ span: a.constraint.span, message: `'${item.arg.value}' is constrained here` }],
            });
          }
          if (Number.isFinite(item.limit.value) && !(item.limit.value > 0)) {
            ctx.report({
              code: "CH0003",
              span: item.limit.span,
              message: `budget ${item.limit.raw} is not positive`,
              help: "a budget is the largest total allowed, e.g. budget amount 1000 per 1d => deny",
            });
          }
        }
      }
      if (!approval) {
        for (const outcome of asksApproval) {
          ctx.report({
            code: "CH3009",
            span: outcome.span,
            message: `rule asks for approval but tool '${t.name.value}' says nobody who approves`,
            help: "say who approves and how long to wait, without making approval unconditional: add approval { approvers [...] timeout 15m required conditionally }",
            fix: { title: "Add a conditional approval block", edits: [insertIntoBlock(ctx.text, t.bodySpan, approvalSkeleton)] },
          });
        }
      }
      const required = approval && A.prop(approval.items, "required");
      const tier = A.prop(t.items, "tier");
      if (required?.value.value === "conditionally" && tier?.value.value === "high") {
        ctx.report({
          code: "CH3002",
          span: required.value.span,
          message: `high-tier tool '${t.name.value}' asks for approval only conditionally`,
          help: "a high-consequence action waits for a human on every call: remove `required conditionally` or lower the tier",
          related: [{ span: tier.span, message: "classified high here" }],
          fix: { title: "Replace with `always`", edits: [{ span: required.value.span, newText: "always" }] },
        });
      }
    }
  }
}
