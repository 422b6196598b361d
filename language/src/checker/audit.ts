// Tamper-evident audit: every agent has an effective audit block (CH7003) that keeps records for
// at least a year (CH7001) and never stores raw personal data (CH7002).

import * as A from "../ast.js";
import type { CheckContext } from "./context.js";
import { agentBody, insertIntoBlock } from "./edits.js";

const YEAR_MS = 365 * 86_400_000;

export function checkAudit(ctx: CheckContext): void {
  const blocks: A.AuditBlock[] = [];
  for (const d of ctx.file.decls) {
    if (d.kind === "defaults") blocks.push(...A.itemsOf(d.items, "audit"));
    if (d.kind === "agent") blocks.push(...A.itemsOf(d.items, "audit"));
  }
  for (const b of blocks) {
    const retention = A.prop(b.items, "retention");
    if (!retention) {
      ctx.report({
        code: "CH7001",
        span: b.keywordSpan,
        message: "audit block has no retention",
        help: "keep audit records for at least a year: retention 365d",
      });
    } else if (retention.value.ms < YEAR_MS) {
      ctx.report({
        code: "CH7001",
        span: retention.value.span,
        message: `audit retention ${retention.value.raw} is below 365d`,
        help: "incidents are often found months later: keep audit records for at least 365d",
        fix: { title: "Use `365d`", edits: [{ span: retention.value.span, newText: "365d" }] },
      });
    }
    const pii = A.prop(b.items, "pii");
    if (pii?.value.value === "raw") {
      ctx.report({
        code: "CH7002",
        span: pii.value.span,
        message: "`pii raw` stores personal data in audit records as it is",
        help: "the audit log must not become a second copy of customer data: use pii hash (or redact)",
        fix: { title: "Use `hash`", edits: [{ span: pii.value.span, newText: "hash" }] },
      });
    }
  }
  for (const a of ctx.model.agents) {
    if (!ctx.model.effective(a).audit) {
      ctx.report({
        code: "CH7003",
        span: a.name.span,
        message: `agent '${a.name.value}' has no audit (no audit block of its own, none in defaults)`,
        help: "every decision must leave a record: add audit { retention 365d pii hash } to the agent or to defaults",
        fix: {
          title: "Add an audit block",
          edits: [insertIntoBlock(ctx.text, agentBody(ctx.text, a), "audit { retention 365d pii hash }")],
        },
      });
    }
  }
}
