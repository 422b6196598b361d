// Consequence and human approval: every tool has a tier (CH3001); high-tier tools wait for a
// human and have a reversal playbook (CH3002, CH3005); approvals name approvers and a timeout and
// never auto-approve (CH3003, CH3004, CH3006); consequential scopes are not tier low (CH3007).

import * as A from "../ast.js";
import type { CheckContext } from "./context.js";
import { insertIntoBlock } from "./edits.js";

/** A sensible first tier for a scope; the reviewer can raise it. */
const TIER_FOR_SCOPE: Record<string, string> = { read: "low", write: "medium", send: "medium", delete: "high", execute: "high" };

export function checkTiers(ctx: CheckContext): void {
  const policy = ctx.model.policy;
  const owner = policy && A.prop(policy.items, "owner")?.value.value;
  const defaultApprover = JSON.stringify(owner || "security");
  for (const a of ctx.model.agents) {
    for (const t of ctx.model.tools(a)) {
      const tier = A.prop(t.items, "tier");
      const scope = A.prop(t.items, "scope");
      const approval = A.item(t.items, "approval");
      const name = t.name.value;
      if (!tier) {
        const scopeValue = scope?.value.value ?? "";
        const guess = Object.hasOwn(TIER_FOR_SCOPE, scopeValue) ? TIER_FOR_SCOPE[scopeValue]! : "medium";
        ctx.report({
          code: "CH3001",
          span: t.name.span,
          message: `tool '${name}' has no tier`,
          help: "classify how consequential a call is: tier low, medium or high (high needs approval and a reversal playbook)",
          fix: { title: `Add \`tier ${guess}\``, edits: [insertIntoBlock(ctx.text, t.bodySpan, `tier ${guess}`)] },
        });
      }
      if (tier?.value.value === "high") {
        if (!approval) {
          ctx.report({
            code: "CH3002",
            span: t.name.span,
            message: `high-tier tool '${name}' has no approval`,
            help: "high-consequence actions must wait for a human: add approval { approvers [...] timeout 15m }",
            related: [{ span: tier.span, message: "classified high here" }],
            fix: {
              title: "Add an approval block",
              edits: [insertIntoBlock(ctx.text, t.bodySpan, `approval { approvers [${defaultApprover}] timeout 15m }`)],
            },
          });
        }
        if (!A.prop(t.items, "reversal")) {
          ctx.report({
            code: "CH3005",
            span: t.name.span,
            message: `high-tier tool '${name}' has no reversal playbook`,
            help: 'say how its effect is undone when a call turns out to be malicious: add reversal "playbooks/….md"',
            related: [{ span: tier.span, message: "classified high here" }],
            fix: {
              title: "Add a reversal playbook",
              edits: [insertIntoBlock(ctx.text, t.bodySpan, `reversal "playbooks/${name}-reversal.md"`)],
            },
          });
        }
      }
      if (tier?.value.value === "low" && scope && scope.value.value !== "read") {
        ctx.report({
          code: "CH3007",
          span: tier.value.span,
          message: `tool '${name}' can ${scope.value.value} but is classified tier low`,
          help: "a tool that changes the world is rarely low-consequence: consider tier medium, or high with approval",
          related: [{ span: scope.span, message: `scope ${scope.value.value}` }],
          fix: { title: "Change to `tier medium`", edits: [{ span: tier.value.span, newText: "medium" }] },
        });
      }
      if (approval) checkApproval(ctx, t, approval, defaultApprover);
    }
  }
}

function checkApproval(ctx: CheckContext, t: A.ToolDecl, approval: A.ApprovalBlock, defaultApprover: string): void {
  const name = t.name.value;
  const approvers = A.prop(approval.items, "approvers");
  if (!approvers || approvers.value.items.length === 0) {
    ctx.report({
      code: "CH3006",
      span: approvers ? approvers.value.span : approval.keywordSpan,
      message: `the approval of '${name}' names no approvers`,
      help: 'say who may approve: approvers ["team-or-person"]',
      fix: approvers
        ? { title: "Add an approver", edits: [{ span: approvers.value.span, newText: `[${defaultApprover}]` }] }
        : { title: "Add approvers", edits: [insertIntoBlock(ctx.text, approval.bodySpan, `approvers [${defaultApprover}]`)] },
    });
  }
  if (!A.prop(approval.items, "timeout")) {
    ctx.report({
      code: "CH3003",
      span: approval.keywordSpan,
      message: `the approval of '${name}' has no timeout`,
      help: "without a timeout a pending call can wait forever, or be approved long after its context is gone: add timeout 15m",
      fix: { title: "Add `timeout 15m`", edits: [insertIntoBlock(ctx.text, approval.bodySpan, "timeout 15m")] },
    });
  }
  const onTimeout = A.prop(approval.items, "on_timeout");
  if (onTimeout && onTimeout.value.value === "approve") {
    ctx.report({
      code: "CH3004",
      span: onTimeout.value.span,
      message: `the approval of '${name}' approves on timeout`,
      help: "an unapproved action is rejected, never auto-approved: an attacker only has to wait",
      fix: { title: "Replace with `reject`", edits: [{ span: onTimeout.value.span, newText: "reject" }] },
    });
  }
}
