// Trust of content sources: thresholds are risk scores in 0..1 (CH5001), and a less-trusted
// source never accepts riskier content than a more-trusted one (CH5002).

import * as A from "../ast.js";
import type { CheckContext } from "./context.js";

const RANK: Record<string, number> = { untrusted: 0, low: 1, medium: 2, high: 3 };

export function checkSources(ctx: CheckContext): void {
  const sources: { decl: A.SourceDecl; rank: number; threshold: A.NumberLit }[] = [];
  for (const d of ctx.file.decls) {
    if (d.kind !== "source") continue;
    const threshold = A.prop(d.items, "threshold")?.value;
    const trust = A.prop(d.items, "trust")?.value.value;
    if (threshold && !(threshold.value >= 0 && threshold.value <= 1)) {
      ctx.report({
        code: "CH5001",
        span: threshold.span,
        message: `source '${d.name.value}' has threshold ${threshold.raw}, outside 0..1`,
        help: "the threshold is the highest injection risk score accepted, between 0 and 1 (e.g. 0.5 for untrusted content)",
      });
      continue;
    }
    if (threshold && trust !== undefined && Object.hasOwn(RANK, trust)) sources.push({ decl: d, rank: RANK[trust]!, threshold });
  }
  // the strictest source of each trust rank, then of each rank or above: linear in the sources
  const strictestAt: ((typeof sources)[number] | undefined)[] = [undefined, undefined, undefined, undefined];
  for (const s of sources) {
    const cur = strictestAt[s.rank];
    if (!cur || s.threshold.value < cur.threshold.value) strictestAt[s.rank] = s;
  }
  const strictestAbove: ((typeof sources)[number] | undefined)[] = [undefined, undefined, undefined, undefined];
  for (let r = 2; r >= 0; r--) {
    const a = strictestAbove[r + 1];
    const b = strictestAt[r + 1];
    strictestAbove[r] = !a ? b : !b ? a : b.threshold.value < a.threshold.value ? b : a;
  }
  for (const s of sources) {
    // the strictest more-trusted source that this one is laxer than
    const worst = strictestAbove[s.rank];
    if (!worst || !(s.threshold.value > worst.threshold.value)) continue;
    const trust = A.prop(s.decl.items, "trust")!.value.value;
    const otherTrust = A.prop(worst.decl.items, "trust")!.value.value;
    ctx.report({
      code: "CH5002",
      span: s.threshold.span,
      message: `source '${s.decl.name.value}' (trust ${trust}) accepts risk up to ${s.threshold.raw}, more than '${worst.decl.name.value}' (trust ${otherTrust}) at ${worst.threshold.raw}`,
      help: `a less-trusted source must be at least as strict: lower this threshold to ${worst.threshold.raw} or below`,
      related: [{ span: worst.threshold.span, message: `'${worst.decl.name.value}' is trusted more but stricter` }],
      fix: { title: `Set threshold to ${worst.threshold.raw}`, edits: [{ span: s.threshold.span, newText: worst.threshold.raw }] },
    });
  }
}
