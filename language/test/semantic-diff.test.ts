// The semantic diff, table-driven over small policy pairs in test/fixtures/diff/: each case file is
// base.charter with one thing changed. Every row states the complete list of changes, so a missed
// change, an extra one or a wrong classification fails. Reverse rows check the opposite direction.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkText, diffPolicies, type Change } from "../src/index.js";
import { classifyChange, compareConstraints, formatDuration } from "../src/diff.js";

const DIR = join(import.meta.dirname, "../../test/fixtures/diff");
const policy = (name: string) => {
  const r = checkText(readFileSync(join(DIR, `${name}.charter`), "utf8"));
  expect(
    r.diagnostics.filter((d) => d.severity === "error"),
    `${name}.charter must be a valid policy`,
  ).toEqual([]);
  return r.bundle;
};

type Row = [base: string, head: string, changes: [Change["kind"], string | undefined, string | undefined, string][]];
const A = "assistant";
const R = "runner";
const P = "payer";

const CASES: Row[] = [
  ["base", "layout-and-comments", []],
  ["base", "reviewed", []],
  [
    "base",
    "new-agent",
    [
      ["escalation", "auditor", undefined, "new agent (conversational) with 1 tool"],
      ["escalation", "auditor", "readLedger", "new tool: scope read, tier low, rate 20 per 1h, no approval, arguments unconstrained"],
      ["escalation", "auditor", undefined, "reads source 'docs'"],
    ],
  ],
  ["new-agent", "base", [["reduction", "auditor", undefined, "agent removed (it had 1 tool)"]]],
  [
    "base",
    "new-tool",
    [["escalation", A, "trackParcel", "new tool: scope read, tier low, rate 60 per 1h, no approval, arguments unconstrained"]],
  ],
  ["new-tool", "base", [["reduction", A, "trackParcel", "tool removed"]]],
  ["base", "scope-widened", [["escalation", A, "readOrders", "scope widened from read to send"]]],
  ["scope-widened", "base", [["reduction", A, "readOrders", "scope narrowed from send to read"]]],
  ["base", "rate-per-unit", [["escalation", A, "refund", "rate raised from 5 per 1d to 5 per 1h (24× the calls per unit of time)"]]],
  ["rate-per-unit", "base", [["reduction", A, "refund", "rate lowered from 5 per 1h to 5 per 1d (0.04× the calls per unit of time)"]]],
  [
    "base",
    "rate-same-average",
    [["escalation", A, "readOrders", "rate burst widened from 100 per 1h to 2400 per 1d (same average, more calls at once)"]],
  ],
  [
    "rate-same-average",
    "base",
    [["reduction", A, "readOrders", "rate burst narrowed from 2400 per 1d to 100 per 1h (same average, fewer calls at once)"]],
  ],
  ["base", "tier-lowered", [["escalation", R, "runReport", "tier lowered from medium to low"]]],
  ["tier-lowered", "base", [["reduction", R, "runReport", "tier raised from low to medium"]]],
  ["base", "approval-removed", [["escalation", R, "runReport", "approval removed: the tool no longer waits for a human"]]],
  ["approval-removed", "base", [["reduction", R, "runReport", "approval added: approvers [data-leads], timeout 10m"]]],
  ["base", "approvers-added", [["escalation", A, "refund", 'approvers added: "support-agents" can now approve']]],
  ["approvers-added", "base", [["reduction", A, "refund", 'approvers removed: "support-agents" can no longer approve']]],
  ["base", "approval-timeout", [["escalation", A, "refund", "approval timeout lengthened from 15m to 4h"]]],
  ["base", "values-widened", [["escalation", A, "readOrders", `argument 'status': values widened: "cancelled" now allowed`]]],
  ["values-widened", "base", [["reduction", A, "readOrders", `argument 'status': values narrowed: "cancelled" no longer allowed`]]],
  ["base", "domains-widened", [["escalation", A, "refund", `argument 'to': domains widened: "gmail.com" now allowed`]]],
  [
    "base",
    "number-range-widened",
    [["escalation", A, "refund", "argument 'amount': number range widened from number between 0 and 100 to number between 0 and 1000"]],
  ],
  [
    "number-range-widened",
    "base",
    [["reduction", A, "refund", "argument 'amount': number range narrowed from number between 0 and 1000 to number between 0 and 100"]],
  ],
  ["base", "string-max-raised", [["escalation", A, "refund", "argument 'note': string maximum raised from 200 to 2000"]]],
  ["base", "constraint-removed", [["escalation", A, "refund", "argument 'note': constraint removed (was string max 200, now any value)"]]],
  ["constraint-removed", "base", [["reduction", A, "refund", "argument 'note': now constrained to string max 200 (was any value)"]]],
  ["base", "argument-added", [["escalation", A, "refund", `argument 'reason' now accepted (one of ["damaged", "late"])`]]],
  ["argument-added", "base", [["reduction", A, "refund", "argument 'reason' no longer accepted"]]],
  ["base", "args-removed", [["escalation", A, "readOrders", "args block removed: every argument is now accepted (closed world lost)"]]],
  ["args-removed", "base", [["reduction", A, "readOrders", `args block added: only "status" accepted (closed world)`]]],
  ["base", "deny-removed", [["escalation", A, "exportData", "'exportData' is no longer explicitly denied"]]],
  ["deny-removed", "base", [["reduction", A, "exportData", "now explicitly denies 'exportData'"]]],
  [
    "base",
    "threshold-raised",
    [
      [
        "escalation",
        A,
        undefined,
        "reads source 'user' threshold raised from 0.5 to 0.6: content with a higher injection risk is accepted",
      ],
    ],
  ],
  ["base", "trust-raised", [["escalation", R, undefined, "reads source 'docs' trust raised from medium to high"]]],
  ["base", "monitor-multiplier", both("escalation", "monitor tool_rate loosened: alerts above 4x baseline instead of 2x")],
  ["base", "monitor-window", both("escalation", "monitor tool_rate window loosened from 5m to 1h")],
  ["base", "monitor-rule-removed", both("escalation", "monitor rule removed: novel_sequence >= 0.85 => alert medium")],
  ["monitor-rule-removed", "base", both("reduction", "monitor rule added: novel_sequence >= 0.85 => alert medium")],
  ["base", "monitor-action-weakened", both("escalation", "monitor output exfiltration action weakened from block to alert high")],
  ["monitor-action-weakened", "base", both("reduction", "monitor output exfiltration action strengthened from alert high to block")],
  ["base", "novelty-score-raised", both("escalation", "monitor novel_sequence loosened: fires at score 0.95 instead of 0.85")],
  ["base", "external-domain-widened", both("escalation", 'monitor external_domain loosened: "partner.example" no longer flagged')],
  ["base", "retention-shortened", both("escalation", "audit retention shortened from 730d to 365d")],
  ["retention-shortened", "base", both("reduction", "audit retention lengthened from 365d to 730d")],
  ["base", "pii-redacted", both("reduction", "audit PII handling changed from hash to redact: records no longer keep personal data")],
  [
    "pii-redacted",
    "base",
    both("escalation", "audit PII handling changed from redact to hash: records now keep a guessable derivative of personal data"),
  ],
  [
    "base",
    "audit-store",
    both("escalation", 'audit store changed from the default store to "s3://shop-audit": the audit trail now goes elsewhere'),
  ],
  ["base", "sandbox-network", [["escalation", R, undefined, 'sandbox network widened: "files.shop.example" now reachable']]],
  ["sandbox-network", "base", [["reduction", R, undefined, 'sandbox network narrowed: "files.shop.example" no longer reachable']]],
  [
    "base",
    "sandbox-limits",
    [
      ["escalation", R, undefined, "sandbox cpu limit raised from 1 to 2"],
      ["escalation", R, undefined, "sandbox memory limit raised from 512MiB to 2GiB"],
      ["escalation", R, undefined, "sandbox time limit raised from 1m to 10m"],
    ],
  ],
  ["base", "sandbox-filesystem", [["escalation", R, undefined, "sandbox filesystem loosened from read-only to ephemeral"]]],
  [
    "base",
    "talks-to-added",
    [
      ["escalation", A, undefined, "now talks to runner via runJob"],
      ["escalation", R, undefined, "now exposes runJob to agents that talk to it"],
    ],
  ],
  [
    "talks-to-added",
    "base",
    [
      ["reduction", A, undefined, "no longer talks to runner via runJob"],
      ["reduction", R, undefined, "no longer exposes runJob"],
    ],
  ],
  [
    "base",
    "kind-changed",
    [
      ["escalation", A, undefined, "kind changed from conversational to code-executing"],
      ["reduction", A, undefined, "now runs in a sandbox (filesystem none, network [])"],
    ],
  ],
  ["base", "owner-changed", [["neutral", undefined, undefined, 'owner changed from "shop-eng" to "shop-platform"']]],
  [
    "base",
    "pin-added",
    [["reduction", R, "runReport", "definition pinned to sha256:9f2c1e00000000000000000000000000000000000000000000000000000000ab"]],
  ],
  ["pin-added", "base", [["escalation", R, "runReport", "definition pin removed: any published definition of the tool is now trusted"]]],
  // names that exist on Object.prototype are names like any other, on either side of a diff
  [
    "base",
    "proto-agent",
    [
      ["escalation", "constructor", undefined, "new agent (conversational) with 1 tool"],
      ["escalation", "constructor", "toString", "new tool: scope read, tier low, rate 20 per 1h, no approval, args valueOf"],
      ["escalation", "constructor", undefined, "reads source 'user'"],
    ],
  ],
  ["proto-agent", "base", [["reduction", "constructor", undefined, "agent removed (it had 1 tool)"]]],
  [
    "proto-agent",
    "proto-agent-widened",
    [["escalation", "constructor", "toString", "argument 'valueOf': number range widened from number max 5 to number max 50"]],
  ],
  [
    "base",
    "proto-tool",
    [
      ["escalation", A, "hasOwnProperty", "new tool: scope read, tier low, rate 60 per 1h, no approval, arguments unconstrained"],
      ["escalation", A, "refund", "argument 'constructor' now accepted (string max 10)"],
    ],
  ],
  [
    "proto-tool",
    "base",
    [
      ["reduction", A, "hasOwnProperty", "tool removed"],
      ["reduction", A, "refund", "argument 'constructor' no longer accepted"],
    ],
  ],
  [
    "base",
    "proto-source",
    [
      ["escalation", R, undefined, "now reads source 'toString'"],
      ["neutral", undefined, undefined, "new source 'toString' (trust low, threshold 0.4)"],
    ],
  ],
  [
    "proto-source",
    "base",
    [
      ["reduction", R, undefined, "no longer reads source 'toString'"],
      ["neutral", undefined, undefined, "source 'toString' removed"],
    ],
  ],
  [
    "proto-source",
    "proto-source-threshold",
    [
      [
        "escalation",
        R,
        undefined,
        "reads source 'toString' threshold raised from 0.4 to 0.5: content with a higher injection risk is accepted",
      ],
    ],
  ],
  // v1: optional arguments, path and list constraints, flow rules, conditions, budgets, mode
  ["v1-base", "v1-agent-flow-removed", [["escalation", P, "deleteFile", "flow rule removed: after untrusted => deny"]]],
  ["v1-agent-flow-removed", "v1-base", [["reduction", P, "deleteFile", "flow rule added: after untrusted => deny"]]],
  ["v1-base", "v1-approval-always", [["reduction", P, "sendMoney", "approval now required on every call (was: only when a rule asks)"]]],
  ["v1-approval-always", "v1-base", [["escalation", P, "sendMoney", "approval now required only when a rule asks (was: every call)"]]],
  ["v1-base", "v1-budget-raised", [["escalation", P, "sendMoney", "budget of 'amount' per 1d raised from 1000 to 5000"]]],
  ["v1-budget-raised", "v1-base", [["reduction", P, "sendMoney", "budget of 'amount' per 1d lowered from 5000 to 1000"]]],
  ["v1-base", "v1-budget-removed", [["escalation", P, "sendMoney", "budget removed: budget amount 1000 per 1d => deny"]]],
  ["v1-budget-removed", "v1-base", [["reduction", P, "sendMoney", "budget added: budget amount 1000 per 1d => deny"]]],
  ["v1-base", "v1-condition-removed", [["escalation", P, "sendMoney", "condition removed: when recipient from low => approval"]]],
  ["v1-condition-removed", "v1-base", [["reduction", P, "sendMoney", "condition added: when recipient from low => approval"]]],
  ["v1-base", "v1-flow-approval", [["escalation", P, "sendMoney", "flow rule after readSecrets now => approval (was deny)"]]],
  ["v1-flow-approval", "v1-base", [["reduction", P, "sendMoney", "flow rule after readSecrets now => deny (was approval)"]]],
  ["v1-base", "v1-flow-removed", [["escalation", P, "sendMoney", "flow rule removed: after readSecrets => deny"]]],
  ["v1-flow-removed", "v1-base", [["reduction", P, "sendMoney", "flow rule added: after readSecrets => deny"]]],
  [
    "v1-base",
    "v1-integer-range",
    [["escalation", P, "readFile", "argument 'head': number range widened from integer max 100 to integer max 1000"]],
  ],
  [
    "v1-integer-range",
    "v1-base",
    [["reduction", P, "readFile", "argument 'head': number range narrowed from integer max 1000 to integer max 100"]],
  ],
  ["v1-base", "v1-list-max", [["escalation", P, "readFile", "argument 'tags': list maximum raised from 5 to 50"]]],
  ["v1-list-max", "v1-base", [["reduction", P, "readFile", "argument 'tags': list maximum lowered from 50 to 5"]]],
  [
    "v1-base",
    "v1-mode-monitor",
    [["escalation", P, undefined, "mode changed from enforce to monitor: refused calls are now let through (and recorded)"]],
  ],
  ["v1-mode-monitor", "v1-base", [["reduction", P, undefined, "mode changed from monitor to enforce: refused calls are now stopped"]]],
  [
    "v1-base",
    "v1-on-injection",
    [
      [
        "escalation",
        P,
        undefined,
        "reads source 'email' now redacts injected passages instead of refusing the whole text: the rest of a poisoned text is admitted",
      ],
    ],
  ],
  [
    "v1-on-injection",
    "v1-base",
    [["reduction", P, undefined, "reads source 'email' now refuses a text with an injection whole instead of redacting it"]],
  ],
  ["v1-base", "v1-optional-required", [["reduction", P, "readFile", "argument 'head' is now required"]]],
  ["v1-optional-required", "v1-base", [["escalation", P, "readFile", "argument 'head' is now optional: a call may leave it out"]]],
  [
    "v1-base",
    "v1-outside-widened",
    [
      [
        "escalation",
        P,
        "sendMoney",
        "condition on 'amount' (allowed outright inside): number range widened from number max 100 to number max 500",
      ],
    ],
  ],
  [
    "v1-outside-widened",
    "v1-base",
    [
      [
        "reduction",
        P,
        "sendMoney",
        "condition on 'amount' (allowed outright inside): number range narrowed from number max 500 to number max 100",
      ],
    ],
  ],
  ["v1-base", "v1-path-widened", [["escalation", P, "readFile", "argument 'path': path roots widened: \"/srv\" now reachable"]]],
  [
    "v1-path-widened",
    "v1-base",
    [["reduction", P, "readFile", "argument 'path': path roots narrowed: \"/srv\" no longer reachable as a whole"]],
  ],
  [
    "v1-base",
    "v1-provenance-level",
    [
      [
        "escalation",
        P,
        "sendMoney",
        "condition on 'recipient' now applies to values seen only at trust untrusted or below (was low): fewer values are caught",
      ],
    ],
  ],
  [
    "v1-provenance-level",
    "v1-base",
    [
      [
        "reduction",
        P,
        "sendMoney",
        "condition on 'recipient' now applies to values seen only at trust low or below (was untrusted): more values are caught",
      ],
    ],
  ],
  [
    "v1-base",
    "v1-returns-removed",
    [["escalation", P, "readFile", "results no longer ingested as source 'email': they carry the gateway's default trust"]],
  ],
  ["v1-returns-removed", "v1-base", [["reduction", P, "readFile", "results now ingested as source 'email'"]]],
  ["v1-base", "v1-session-rate", [["escalation", P, "sendMoney", "per-session rate raised from 5 to 50 per session"]]],
  ["v1-session-rate", "v1-base", [["reduction", P, "sendMoney", "per-session rate lowered from 50 to 5 per session"]]],
  // several changes at once come out escalations first
  [
    "rate-per-unit",
    "tier-lowered",
    [
      ["escalation", R, "runReport", "tier lowered from medium to low"],
      ["reduction", A, "refund", "rate lowered from 5 per 1h to 5 per 1d (0.04× the calls per unit of time)"],
    ],
  ],
];

function both(kind: Change["kind"], what: string): Row[2] {
  return [A, R].map((agent) => [kind, agent, undefined, what]);
}

const asChange = ([kind, agent, tool, what]: Row[2][number]): Change => ({ kind, agent: agent ?? null, tool: tool ?? null, what });

describe("diffPolicies over policy pairs", () => {
  it.each(CASES)("%s → %s", (base, head, expected) => {
    expect(diffPolicies(policy(base), policy(head))).toEqual(expected.map(asChange));
  });

  it("gives every change all four keys of spec §6, in order, with null for no agent or tool", () => {
    for (const [base, head] of CASES) {
      for (const c of diffPolicies(policy(base), policy(head))) {
        expect(Object.keys(c), `${base} → ${head}: ${c.what}`).toEqual(["kind", "agent", "tool", "what"]);
        expect(c.agent === null || typeof c.agent === "string").toBe(true);
        expect(c.tool === null || typeof c.tool === "string").toBe(true);
      }
    }
  });

  it("covers every fixture", () => {
    const used = new Set<string>();
    for (const [b, h] of CASES) used.add(b).add(h);
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith(".charter"))
      .map((f) => f.replace(/\.charter$/, ""));
    expect(files.filter((f) => !used.has(f))).toEqual([]);
  });
});

describe("classifyChange", () => {
  it.each([
    ["scope", "read", "execute", "escalation"],
    ["scope", "delete", "write", "reduction"],
    ["tier", "high", "low", "escalation"],
    ["trust", "untrusted", "low", "escalation"],
    ["filesystem", "ephemeral", "none", "reduction"],
    ["action", "block", "redact", "escalation"],
    ["action", "alert low", "alert critical", "reduction"],
    ["retention", 400, 365, "escalation"],
    ["threshold", 0.5, 0.5, undefined],
    ["scope", "read", "teleport", "escalation"],
  ] as const)("%s %s → %s is %s", (aspect, before, after, kind) => {
    expect(classifyChange(aspect, before, after)).toBe(kind);
  });

  it("compares constraints of different kinds conservatively", () => {
    expect(compareConstraints({ kind: "number_max", max: 10 }, { kind: "number_between", min: 0, max: 10 })).toEqual([
      ["reduction", "number range narrowed from number max 10 to number between 0 and 10"],
    ]);
    expect(compareConstraints({ kind: "one_of", values: ["a"] }, { kind: "subset_of", values: ["a"] })).toEqual([
      ["escalation", 'constraint changed from one of ["a"] to subset of ["a"]'],
    ]);
    expect(compareConstraints({ kind: "one_of", values: ["a", "b"] }, { kind: "one_of", values: ["b", "c"] })).toEqual([
      ["escalation", 'values widened: "c" now allowed'],
      ["reduction", 'values narrowed: "a" no longer allowed'],
    ]);
  });

  it("writes durations as a policy would", () => {
    expect([formatDuration(86_400_000), formatDuration(90 * 60_000), formatDuration(1500)]).toEqual(["1d", "90m", "1500ms"]);
  });
});
