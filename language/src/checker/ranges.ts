// Numbers that are well-formed but cannot mean anything (CH0003): a rate of zero calls, a zero
// timeout, an empty sandbox, a range whose minimum is above its maximum. The bundle schema refuses
// them too, so a policy that checks clean always compiles to a bundle the runtime will load.

import * as A from "../ast.js";
import { agentsOf, findPolicy, toolsOf } from "../compile.js";
import type { CheckContext } from "./context.js";

export function checkRanges(ctx: CheckContext): void {
  const bad = (span: A.Span, message: string, help: string) => ctx.report({ code: "CH0003", span, message, help });
  const positive = (lit: { span: A.Span; raw: string } & ({ value: number } | { ms: number } | { bytes: number }) | undefined, what: string, help: string) => {
    if (!lit) return;
    const n = "value" in lit ? lit.value : "ms" in lit ? lit.ms : lit.bytes;
    if (Number.isFinite(n) && !(n > 0)) bad(lit.span, `${what} ${lit.raw} is not positive`, help);
  };

  const policy = findPolicy(ctx.file);
  const version = policy && A.prop(policy.items, "version")?.value;
  if (version && version.value < 0) bad(version.span, `version ${version.raw} is negative`, "versions count up from 0 or 1");
  const review = policy && A.item(policy.items, "review");
  if (review) positive(A.prop(review.items, "cadence")?.value, "review cadence", "how long a review stays valid, e.g. cadence 90d");

  for (const a of agentsOf(ctx.file)) {
    for (const t of toolsOf(a)) {
      const rate = A.item(t.items, "rate");
      if (rate) {
        positive(rate.count, "rate", "allow at least one call (to refuse the tool entirely, list it in `deny`)");
        positive(rate.per, "rate window", "a window such as 1h");
      }
      const pin = A.prop(t.items, "pin")?.value;
      if (pin && !/^sha256:[0-9a-f]{64}$/.test(pin.value)) {
        bad(pin.span, `pin ${JSON.stringify(pin.value)} is not a sha256 digest`, "pin the digest of the tool's published definition, as `charter pins -- SERVER…` prints it: \"sha256:<64 hex digits>\"");
      }
      const approval = A.item(t.items, "approval");
      if (approval) positive(A.prop(approval.items, "timeout")?.value, "approval timeout", "give approvers time to answer, e.g. timeout 15m");
      for (const args of A.itemsOf(t.items, "args")) {
        for (const arg of args.args) {
          const c = arg.constraint;
          if (c.kind === "number_between" && c.min.value > c.max.value) {
            bad({ start: c.min.span.start, end: c.max.span.end }, `argument '${arg.name.value}': between ${c.min.raw} and ${c.max.raw} admits no number`, `write the smaller bound first: number between ${c.max.raw} and ${c.min.raw}`);
          }
          if (c.kind === "string_max" && c.max.value < 0) bad(c.max.span, `argument '${arg.name.value}': string max ${c.max.raw} is negative`, "a maximum length of 0 or more");
        }
      }
    }
    const sandbox = A.item(a.items, "sandbox");
    if (sandbox) {
      positive(A.prop(sandbox.items, "cpu")?.value, "sandbox cpu", "at least a fraction of a core, e.g. cpu 1");
      positive(A.prop(sandbox.items, "memory")?.value, "sandbox memory", "e.g. memory 512MiB");
      positive(A.prop(sandbox.items, "time")?.value, "sandbox time", "e.g. time 60s");
    }
  }
}
