// Code lens text: above each agent what it may do at a glance (`4 tools · 1 high · 2 need
// approval`), above the policy its review status. Derived from the lowered bundle, the same
// facts the checker and runtime use.

import * as A from "../ast.js";
import type { Bundle } from "../bundle.js";
import { agentsOf, findPolicy } from "../compile.js";
import { needsApproval } from "./hover.js";

export interface Lens {
  span: A.Span;
  title: string;
}

const DAY_MS = 86_400_000;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function codeLenses(file: A.CharterFile, bundle: Bundle, today: string): Lens[] {
  const out: Lens[] = [];
  const policy = findPolicy(file);
  if (policy) out.push({ span: policy.keywordSpan, title: reviewStatus(policy, bundle, today) });
  for (const a of agentsOf(file)) {
    const b = bundle.agents[a.name.value];
    if (!b) continue;
    const tools = Object.values(b.tools);
    const high = tools.filter((t) => t.tier === "high").length;
    const approval = tools.filter(needsApproval).length;
    out.push({
      span: a.keywordSpan,
      title: `${plural(tools.length, "tool", "tools")} · ${high} high · ${approval} ${approval === 1 ? "needs" : "need"} approval`,
    });
  }
  return out;
}

/** "reviewed by security/alice 12 days ago", "changed since review", "not reviewed". */
export function reviewStatus(policy: A.PolicyDecl, bundle: Bundle, today: string): string {
  const review = A.item(policy.items, "review");
  if (!review) return "not reviewed";
  const by = A.prop(review.items, "by")?.value.value || "an unnamed reviewer";
  const on = A.prop(review.items, "on")?.value.value;
  const digest = A.prop(review.items, "digest")?.value.value;
  if (digest !== bundle.digest) return `changed since review by ${by}${on ? ` on ${on}` : ""}`;
  if (!on) return `reviewed by ${by}`;
  const days = Math.floor((Date.parse(today) - Date.parse(on)) / DAY_MS);
  if (!Number.isFinite(days) || days < 0) return `reviewed by ${by} on ${on}`;
  const age = days === 0 ? "today" : days === 1 ? "1 day ago" : `${days} days ago`;
  const cadenceMs = A.prop(review.items, "cadence")?.value.ms ?? bundle.policy.review?.cadenceMs;
  const expired = cadenceMs !== undefined && days * DAY_MS > cadenceMs;
  return `reviewed by ${by} ${age}${expired ? " · review expired" : ""}`;
}
