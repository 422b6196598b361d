// Numbers that are well-formed but cannot mean anything (CH0003): a rate of zero calls, a zero
// timeout, an empty sandbox, a range whose minimum is above its maximum. The bundle schema refuses
// them too, so a policy that checks clean always compiles to a bundle the runtime will load.

import * as A from "../ast.js";
import { RE2JS } from "re2js";
import { normalisePosixPath } from "../paths.js";
import type { CheckContext } from "./context.js";

export function checkRanges(ctx: CheckContext): void {
  const bad = (span: A.Span, message: string, help: string) => ctx.report({ code: "CH0003", span, message, help });
  const positive = (
    lit: ({ span: A.Span; raw: string } & ({ value: number } | { ms: number } | { bytes: number })) | undefined,
    what: string,
    help: string,
  ) => {
    if (!lit) return;
    const n = "value" in lit ? lit.value : "ms" in lit ? lit.ms : lit.bytes;
    if (Number.isFinite(n) && !(n > 0)) bad(lit.span, `${what} ${lit.raw} is not positive`, help);
  };

  const policy = ctx.model.policy;
  const version = policy && A.prop(policy.items, "version")?.value;
  if (version && version.value < 0) bad(version.span, `version ${version.raw} is negative`, "versions count up from 0 or 1");
  const review = policy && A.item(policy.items, "review");
  if (review) positive(A.prop(review.items, "cadence")?.value, "review cadence", "how long a review stays valid, e.g. cadence 90d");

  for (const a of ctx.model.agents) {
    for (const t of ctx.model.tools(a)) {
      const rate = A.item(t.items, "rate");
      if (rate) {
        positive(rate.count, "rate", "allow at least one call (to refuse the tool entirely, list it in `deny`)");
        positive(rate.per, "rate window", "a window such as 1h");
      }
      const pin = A.prop(t.items, "pin")?.value;
      if (pin && !/^sha256:[0-9a-f]{64}$/.test(pin.value)) {
        bad(
          pin.span,
          `pin ${JSON.stringify(pin.value)} is not a sha256 digest`,
          'pin the digest of the tool\'s published definition, as `charter pins -- SERVER…` prints it: "sha256:<64 hex digits>"',
        );
      }
      const approval = A.item(t.items, "approval");
      if (approval)
        positive(A.prop(approval.items, "timeout")?.value, "approval timeout", "give approvers time to answer, e.g. timeout 15m");
      const sessionRate = A.item(t.items, "session_rate");
      if (sessionRate)
        positive(sessionRate.count, "rate", "allow at least one call per session (to refuse the tool entirely, list it in `deny`)");
      for (const args of A.itemsOf(t.items, "args")) for (const arg of args.args) checkConstraint(ctx, arg.name.value, arg.constraint);
      for (const w of A.itemsOf(t.items, "when")) if (w.test.kind === "outside") checkConstraint(ctx, w.arg.value, w.test.constraint);
    }
    const sandbox = A.item(a.items, "sandbox");
    if (sandbox) {
      positive(A.prop(sandbox.items, "cpu")?.value, "sandbox cpu", "at least a fraction of a core, e.g. cpu 1");
      positive(A.prop(sandbox.items, "memory")?.value, "sandbox memory", "e.g. memory 512MiB");
      positive(A.prop(sandbox.items, "time")?.value, "sandbox time", "e.g. time 60s");
    }
  }
}

/**
 * The literals of one constraint and of every constraint nested in it: bounds in order, lengths
 * not negative, whole numbers where integers are meant, patterns a linear-time engine compiles,
 * absolute path roots.
 */
function checkConstraint(ctx: CheckContext, arg: string, c: A.Constraint): void {
  const bad = (span: A.Span, message: string, help: string) =>
    ctx.report({ code: "CH0003", span, message: `argument '${arg}': ${message}`, help });
  switch (c.kind) {
    case "number_between":
    case "integer_between":
      if (c.min.value > c.max.value) {
        const word = c.kind === "number_between" ? "number" : "integer";
        bad(
          { start: c.min.span.start, end: c.max.span.end },
          `between ${c.min.raw} and ${c.max.raw} admits no ${word}`,
          `write the smaller bound first: ${word} between ${c.max.raw} and ${c.min.raw}`,
        );
      }
      break;
    case "string_max":
      if (c.max.value < 0) bad(c.max.span, `string max ${c.max.raw} is negative`, "a maximum length of 0 or more");
      break;
    case "string_matching":
      try {
        RE2JS.compile(c.pattern.value);
      } catch (e) {
        const why = e instanceof Error ? e.message.replace(/^error parsing regexp: /, "") : String(e);
        bad(
          c.pattern.span,
          `pattern ${JSON.stringify(c.pattern.value)} is not a linear-time regular expression: ${why}`,
          "patterns use RE2 syntax, matched in linear time: no backreferences (\\1) and no lookaround ((?=…), (?!…), (?<=…))",
        );
      }
      break;
    case "path_under":
      if (c.roots.items.length === 0)
        bad(c.roots.span, "path under [] admits no path", 'name at least one absolute root, e.g. path under ["/srv/docs"]');
      for (const r of c.roots.items) {
        if (r.kind !== "string")
          bad(r.span, `path root ${r.value} is not a string`, 'write roots as absolute paths in quotes, e.g. "/srv/docs"');
        else if (normalisePosixPath(r.value) === undefined) {
          bad(
            r.span,
            `path root ${JSON.stringify(r.value)} is not absolute`,
            `a root is an absolute POSIX path such as "/srv/docs": a relative root would depend on the tool's working directory`,
          );
        }
      }
      break;
    case "list_of":
      if (c.max.value < 0) bad(c.max.span, `list max ${c.max.raw} is negative`, "a maximum number of elements of 0 or more");
      checkConstraint(ctx, arg, c.item);
      break;
    case "object":
      for (const p of c.props) checkConstraint(ctx, `${arg}.${p.name.value}`, p.constraint);
      break;
    default:
      break;
  }
}
