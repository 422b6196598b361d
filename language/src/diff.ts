// Semantic diff of two compiled bundles: every difference in meaning, classified as an escalation
// (an agent can do, reach or read more, acts with less oversight, or is watched or audited less),
// a reduction (the reverse) or neutral. Comments and layout never reach a bundle, so they are no change.
// Pure: the caller lowers both sides (`checkText(text).bundle`); nothing here reads files.
// Names are user text and may be `constructor` or `toString`: records keyed by a name are read
// through `own`, never by plain indexing, so Object.prototype never answers for a policy.

import type {
  Bundle,
  BundleAgent,
  BundleArgs,
  BundleAudit,
  BundleBudget,
  BundleCondition,
  BundleConstraint,
  BundleFlowRule,
  BundleMonitorRule,
  BundleSandbox,
  BundleTool,
} from "./bundle.js";
import { canonicalJson } from "./digest.js";
import { pathIsUnder } from "./paths.js";
import { FILESYSTEMS, MODES, ON_INJECTION, SCOPES, TIERS, TRUST_LEVELS } from "./schema.js";

export type ChangeKind = "escalation" | "reduction" | "neutral";

/**
 * One classified change, with its keys always in this order (spec §6 prints it as JSON):
 * `agent` is null for policy-level changes, `tool` when the change is not about one tool.
 */
export interface Change {
  kind: ChangeKind;
  agent: string | null;
  tool: string | null;
  what: string;
}

function change(kind: ChangeKind, agent: string | null, tool: string | null, what: string): Change {
  return { kind, agent, tool, what };
}

/** `record[key]` when `key` is the record's own: a name such as `constructor` never finds Object.prototype. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * Ordered scales, least to most power (or least to most oversight, see `ASPECTS`). Documented in
 * docs/github-action.md; changing an order changes how reviews are gated, so it needs a review too.
 */
// The vocabularies are the grammar's (schema.ts), declared in these orders there on purpose.
export const SCOPE_ORDER = SCOPES;
export const TIER_ORDER = TIERS;
export const TRUST_ORDER = TRUST_LEVELS;
export const KIND_ORDER = ["document-processing", "conversational", "code-executing"] as const;
export const FILESYSTEM_ORDER = FILESYSTEMS;
/** Enforcement first: monitor lets refused calls through. */
export const MODE_ORDER = MODES;
/** Refusing a poisoned text whole admits less than redacting its passages. */
export const ON_INJECTION_ORDER = ON_INJECTION;
/** A rule's outcome, from strictest to weakest: deny → approval is an escalation. */
export const RULE_OUTCOME_ORDER = ["deny", "approval"] as const;
/** Monitor actions from weakest to strongest response. */
export const ACTION_ORDER = ["alert low", "alert medium", "alert high", "alert critical", "redact", "block"] as const;
/** Audit PII handling from least to most personal data retained: a hash of an email is guessable. */
export const PII_ORDER = ["redact", "hash"] as const;

/**
 * For every comparable aspect: its order (a list of words, or numeric) and what moving up it means.
 * `up: "escalation"` — a larger value grants more; `up: "reduction"` — a larger value adds oversight.
 */
export const ASPECTS = {
  scope: { order: SCOPE_ORDER, up: "escalation" },
  tier: { order: TIER_ORDER, up: "reduction" },
  trust: { order: TRUST_ORDER, up: "escalation" },
  kind: { order: KIND_ORDER, up: "escalation" },
  filesystem: { order: FILESYSTEM_ORDER, up: "escalation" },
  action: { order: ACTION_ORDER, up: "reduction" },
  pii: { order: PII_ORDER, up: "escalation" },
  mode: { order: MODE_ORDER, up: "escalation" },
  onInjection: { order: ON_INJECTION_ORDER, up: "escalation" },
  ruleOutcome: { order: RULE_OUTCOME_ORDER, up: "escalation" },
  threshold: { order: "numeric", up: "escalation" },
  approvalTimeout: { order: "numeric", up: "escalation" },
  multiplier: { order: "numeric", up: "escalation" },
  monitorWindow: { order: "numeric", up: "escalation" },
  noveltyScore: { order: "numeric", up: "escalation" },
  retention: { order: "numeric", up: "reduction" },
  cpu: { order: "numeric", up: "escalation" },
  memory: { order: "numeric", up: "escalation" },
  time: { order: "numeric", up: "escalation" },
} as const satisfies Record<string, { order: readonly string[] | "numeric"; up: "escalation" | "reduction" }>;

export type Aspect = keyof typeof ASPECTS;

/** Classifies a move of one aspect from `before` to `after`; undefined when nothing moved. */
export function classifyChange(aspect: Aspect, before: string | number, after: string | number): ChangeKind | undefined {
  const { order, up } = ASPECTS[aspect];
  const rank = (v: string | number) => (order === "numeric" ? Number(v) : (order as readonly (string | number)[]).indexOf(v));
  const a = rank(before);
  const b = rank(after);
  if (a === b) return before === after ? undefined : "neutral";
  if (a < 0 || b < 0) return "escalation"; // an unknown word: assume the worst, a reviewer must look
  return b > a ? up : up === "escalation" ? "reduction" : "escalation";
}

const KIND_RANK: Record<ChangeKind, number> = { escalation: 0, reduction: 1, neutral: 2 };

/** Every change from `base` to `head`, escalations first, then reductions, then neutral changes. */
export function diffPolicies(base: Bundle, head: Bundle): Change[] {
  const out: Change[] = [];
  diffPolicyHeader(base, head, out);
  diffSources(base, head, out);
  for (const name of unionKeys(base.agents, head.agents)) {
    const a = own(base.agents, name);
    const b = own(head.agents, name);
    if (!a && b) {
      const tools = Object.keys(b.tools).sort();
      out.push(change("escalation", name, null, `new agent (${b.kind}) with ${tools.length} tool${tools.length === 1 ? "" : "s"}`));
      for (const t of tools) out.push(change("escalation", name, t, `new tool: ${describeTool(own(b.tools, t)!)}`));
      for (const l of b.talksTo) out.push(change("escalation", name, null, `talks to ${l.agent} via ${l.via}`));
      for (const i of b.exposes) out.push(change("escalation", name, null, `exposes ${i} to agents that talk to it`));
      for (const s of b.reads) out.push(change("escalation", name, null, `reads source '${s}'`));
    } else if (a && !b) {
      const n = Object.keys(a.tools).length;
      out.push(change("reduction", name, null, `agent removed (it had ${n} tool${n === 1 ? "" : "s"})`));
    } else if (a && b) {
      diffAgent(name, a, b, out);
    }
  }
  return out
    .map((c, i) => [c, i] as const)
    .sort((x, y) => KIND_RANK[x[0].kind] - KIND_RANK[y[0].kind] || x[1] - y[1])
    .map((x) => x[0]);
}

/** Counts by kind, for summaries. */
export function countChanges(changes: readonly Change[]): Record<ChangeKind, number> {
  const n = { escalation: 0, reduction: 0, neutral: 0 };
  for (const c of changes) n[c.kind]++;
  return n;
}

// ---------------------------------------------------------------- policy and sources

function diffPolicyHeader(base: Bundle, head: Bundle, out: Change[]): void {
  const a = base.policy;
  const b = head.policy;
  if (a.name !== b.name) out.push(change("neutral", null, null, `policy renamed from '${a.name}' to '${b.name}'`));
  if (a.owner !== b.owner) out.push(change("neutral", null, null, `owner changed from "${a.owner}" to "${b.owner}"`));
  if (a.version !== b.version)
    out.push(change("neutral", null, null, `version changed from ${a.version ?? "none"} to ${b.version ?? "none"}`));
}

function diffSources(base: Bundle, head: Bundle, out: Change[]): void {
  for (const name of unionKeys(base.sources, head.sources)) {
    const a = own(base.sources, name);
    const b = own(head.sources, name);
    const moves: { kind: ChangeKind; what: string }[] = [];
    if (!a || !b) {
      // a source matters only through the agents that read it; `reads` changes report those
      out.push(
        change(
          "neutral",
          null,
          null,
          a ? `source '${name}' removed` : `new source '${name}' (trust ${b!.trust}, threshold ${b!.threshold})`,
        ),
      );
      continue;
    }
    const trust = classifyChange("trust", a.trust, b.trust);
    if (trust)
      moves.push({
        kind: trust,
        what: `source '${name}' trust ${trust === "escalation" ? "raised" : "lowered"} from ${a.trust} to ${b.trust}`,
      });
    const threshold = classifyChange("threshold", a.threshold, b.threshold);
    if (threshold) {
      const how = threshold === "escalation" ? "raised" : "lowered";
      const why = threshold === "escalation" ? "content with a higher injection risk is accepted" : "less risky content is accepted";
      moves.push({ kind: threshold, what: `source '${name}' threshold ${how} from ${a.threshold} to ${b.threshold}: ${why}` });
    }
    const inj = classifyChange("onInjection", a.onInjection, b.onInjection);
    if (inj) {
      moves.push({
        kind: inj,
        what:
          inj === "escalation"
            ? `source '${name}' now redacts injected passages instead of refusing the whole text: the rest of a poisoned text is admitted`
            : `source '${name}' now refuses a text with an injection whole instead of redacting it`,
      });
    }
    const readers = Object.keys(head.agents).filter((ag) => own(head.agents, ag)!.reads.includes(name));
    for (const m of moves) {
      if (!readers.length) out.push(change("neutral", null, null, `${m.what} (no agent reads it)`));
      for (const r of readers) out.push(change(m.kind, r, null, `reads ${m.what}`));
    }
  }
}

// ---------------------------------------------------------------- agents

function diffAgent(name: string, a: BundleAgent, b: BundleAgent, out: Change[]): void {
  const push = (kind: ChangeKind, what: string) => out.push(change(kind, name, null, what));
  const kind = classifyChange("kind", a.kind, b.kind);
  if (kind) push(kind, `kind changed from ${a.kind} to ${b.kind}`);
  const mode = classifyChange("mode", a.mode, b.mode);
  if (mode)
    push(
      mode,
      mode === "escalation"
        ? "mode changed from enforce to monitor: refused calls are now let through (and recorded)"
        : "mode changed from monitor to enforce: refused calls are now stopped",
    );
  const reads = setDiff(a.reads, b.reads);
  for (const s of reads.added) push("escalation", `now reads source '${s}'`);
  for (const s of reads.removed) push("reduction", `no longer reads source '${s}'`);

  for (const t of unionKeys(a.tools, b.tools)) {
    const ta = own(a.tools, t);
    const tb = own(b.tools, t);
    if (!ta && tb) out.push(change("escalation", name, t, `new tool: ${describeTool(tb)}`));
    else if (ta && !tb) out.push(change("reduction", name, t, "tool removed"));
    else if (ta && tb) diffTool(name, t, ta, tb, out);
  }

  const deny = setDiff(a.deny, b.deny);
  // a deny entry is about one tool: name it, so reviewers and tools can filter by it
  for (const t of deny.removed) out.push(change("escalation", name, t, `'${t}' is no longer explicitly denied`));
  for (const t of deny.added) out.push(change("reduction", name, t, `now explicitly denies '${t}'`));
  const exposes = setDiff(a.exposes, b.exposes);
  for (const i of exposes.added) push("escalation", `now exposes ${i} to agents that talk to it`);
  for (const i of exposes.removed) push("reduction", `no longer exposes ${i}`);
  const talks = setDiff(
    a.talksTo.map((l) => `${l.agent} via ${l.via}`),
    b.talksTo.map((l) => `${l.agent} via ${l.via}`),
  );
  for (const l of talks.added) push("escalation", `now talks to ${l}`);
  for (const l of talks.removed) push("reduction", `no longer talks to ${l}`);

  diffSandbox(a.sandbox, b.sandbox, push);
  diffMonitor(a.monitor, b.monitor, push);
  diffAudit(a.audit, b.audit, push);
}

function diffSandbox(a: BundleSandbox | null, b: BundleSandbox | null, push: (k: ChangeKind, what: string) => void): void {
  if (!a && !b) return;
  if (a && !b) return push("escalation", "sandbox removed: the agent's code is no longer contained");
  if (!a && b) return push("reduction", `now runs in a sandbox (filesystem ${b.filesystem}, network [${b.network.join(", ")}])`);
  const s = a!;
  const t = b!;
  const fs = classifyChange("filesystem", s.filesystem, t.filesystem);
  if (fs) push(fs, `sandbox filesystem ${fs === "escalation" ? "loosened" : "tightened"} from ${s.filesystem} to ${t.filesystem}`);
  const hosts = setDiff(s.network, t.network);
  if (hosts.added.length) push("escalation", `sandbox network widened: ${quoteList(hosts.added)} now reachable`);
  if (hosts.removed.length) push("reduction", `sandbox network narrowed: ${quoteList(hosts.removed)} no longer reachable`);
  const limits: [Aspect, string, number, number, (n: number) => string][] = [
    ["cpu", "cpu", s.cpu, t.cpu, String],
    ["memory", "memory", s.memoryBytes, t.memoryBytes, formatSize],
    ["time", "time", s.timeMs, t.timeMs, formatDuration],
  ];
  for (const [aspect, label, x, y, show] of limits) {
    const k = classifyChange(aspect, x, y);
    if (k) push(k, `sandbox ${label} limit ${k === "escalation" ? "raised" : "lowered"} from ${show(x)} to ${show(y)}`);
  }
  if (s.output !== t.output) {
    if (t.output === null) push("reduction", `sandbox output "${s.output}" removed`);
    else
      push(
        "escalation",
        s.output === null ? `sandbox now writes output to "${t.output}"` : `sandbox output moved from "${s.output}" to "${t.output}"`,
      );
  }
}

function diffMonitor(a: BundleMonitorRule[], b: BundleMonitorRule[], push: (k: ChangeKind, what: string) => void): void {
  const kinds = [...new Set([...a, ...b].map((r) => r.kind))].sort();
  for (const kind of kinds) {
    const ra = a.filter((r) => r.kind === kind);
    const rb = b.filter((r) => r.kind === kind);
    if (ra.length === 1 && rb.length === 1) {
      diffMonitorRule(ra[0]!, rb[0]!, push);
      continue;
    }
    // several rules of one kind: compare them as sets of whole rules
    const keyed = setDiff(ra.map(canonicalJson), rb.map(canonicalJson));
    for (const r of keyed.removed) push("escalation", `monitor rule removed: ${describeRule(JSON.parse(r) as BundleMonitorRule)}`);
    for (const r of keyed.added) push("reduction", `monitor rule added: ${describeRule(JSON.parse(r) as BundleMonitorRule)}`);
  }
}

function diffMonitorRule(a: BundleMonitorRule, b: BundleMonitorRule, push: (k: ChangeKind, what: string) => void): void {
  const label = RULE_LABEL[a.kind];
  const moved = (k: ChangeKind) => (k === "escalation" ? "loosened" : "tightened");
  if ("multiplier" in a && "multiplier" in b) {
    const k = classifyChange("multiplier", a.multiplier, b.multiplier);
    if (k) push(k, `monitor ${label} ${moved(k)}: alerts above ${b.multiplier}x baseline instead of ${a.multiplier}x`);
  }
  if (a.kind === "tool_rate" && b.kind === "tool_rate") {
    const k = classifyChange("monitorWindow", a.windowMs, b.windowMs);
    if (k) push(k, `monitor ${label} window ${moved(k)} from ${formatDuration(a.windowMs)} to ${formatDuration(b.windowMs)}`);
  }
  if (a.kind === "novel_sequence" && b.kind === "novel_sequence") {
    const k = classifyChange("noveltyScore", a.score, b.score);
    if (k) push(k, `monitor ${label} ${moved(k)}: fires at score ${b.score} instead of ${a.score}`);
  }
  if (a.kind === "external_domain" && b.kind === "external_domain") {
    const d = setDiff(a.domains, b.domains);
    if (d.added.length) push("escalation", `monitor ${label} loosened: ${quoteList(d.added)} no longer flagged`);
    if (d.removed.length) push("reduction", `monitor ${label} tightened: ${quoteList(d.removed)} now flagged`);
  }
  const k = classifyChange("action", actionWord(a.action), actionWord(b.action));
  if (k)
    push(
      k,
      `monitor ${label} action ${k === "escalation" ? "weakened" : "strengthened"} from ${actionWord(a.action)} to ${actionWord(b.action)}`,
    );
}

function diffAudit(a: BundleAudit, b: BundleAudit, push: (k: ChangeKind, what: string) => void): void {
  const r = classifyChange("retention", a.retentionMs, b.retentionMs);
  if (r)
    push(
      r,
      `audit retention ${r === "escalation" ? "shortened" : "lengthened"} from ${formatDuration(a.retentionMs)} to ${formatDuration(b.retentionMs)}`,
    );
  const p = classifyChange("pii", a.pii, b.pii);
  if (p)
    push(
      p,
      `audit PII handling changed from ${a.pii} to ${b.pii}: ${p === "escalation" ? "records now keep a guessable derivative of personal data" : "records no longer keep personal data"}`,
    );
  if (a.store !== b.store)
    push("escalation", `audit store changed from ${storeName(a.store)} to ${storeName(b.store)}: the audit trail now goes elsewhere`);
}

// ---------------------------------------------------------------- tools

function diffTool(agent: string, tool: string, a: BundleTool, b: BundleTool, out: Change[]): void {
  const push = (kind: ChangeKind, what: string) => out.push(change(kind, agent, tool, what));
  const scope = classifyChange("scope", a.scope, b.scope);
  if (scope) push(scope, `scope ${scope === "escalation" ? "widened" : "narrowed"} from ${a.scope} to ${b.scope}`);
  const tier = classifyChange("tier", a.tier, b.tier);
  if (tier) push(tier, `tier ${tier === "escalation" ? "lowered" : "raised"} from ${a.tier} to ${b.tier}`);
  diffRate(a.rate, b.rate, push);
  diffSessionRate(a.sessionRate, b.sessionRate, push);
  diffApproval(a.approval, b.approval, push);
  if (a.returns !== b.returns) {
    if (b.returns === null)
      push("escalation", `results no longer ingested as source '${a.returns}': they carry the gateway's default trust`);
    else if (a.returns === null) push("reduction", `results now ingested as source '${b.returns}'`);
    else push("escalation", `results now ingested as source '${b.returns}' instead of '${a.returns}': a reviewer must compare their trust`);
  }
  diffFlow(a.flow, b.flow, push);
  diffConditions(a.conditions, b.conditions, push);
  diffBudgets(a.budgets, b.budgets, push);
  if (a.reversal !== b.reversal) {
    if (b.reversal === null) push("escalation", `reversal playbook "${a.reversal}" removed`);
    else if (a.reversal === null) push("reduction", `reversal playbook "${b.reversal}" added`);
    else push("neutral", `reversal playbook changed from "${a.reversal}" to "${b.reversal}"`);
  }
  if (a.pin !== b.pin) {
    if (b.pin === null) push("escalation", "definition pin removed: any published definition of the tool is now trusted");
    else if (a.pin === null) push("reduction", `definition pinned to ${b.pin}`);
    else push("escalation", `definition pin changed from ${a.pin} to ${b.pin}: a different tool definition is trusted`);
  }
  diffArgs(a.args, b.args, push);
}

function diffRate(a: BundleTool["rate"], b: BundleTool["rate"], push: (k: ChangeKind, what: string) => void): void {
  if (a.count === b.count && a.windowMs === b.windowMs) return;
  // compare calls per unit of time exactly: a.count/a.window vs b.count/b.window
  const lhs = b.count * a.windowMs;
  const rhs = a.count * b.windowMs;
  const from = `${a.count} per ${formatDuration(a.windowMs)}`;
  const to = `${b.count} per ${formatDuration(b.windowMs)}`;
  if (lhs > rhs) push("escalation", `rate raised from ${from} to ${to} (${ratio(lhs, rhs)} the calls per unit of time)`);
  else if (lhs < rhs) push("reduction", `rate lowered from ${from} to ${to} (${ratio(lhs, rhs)} the calls per unit of time)`);
  else if (b.count > a.count) push("escalation", `rate burst widened from ${from} to ${to} (same average, more calls at once)`);
  else push("reduction", `rate burst narrowed from ${from} to ${to} (same average, fewer calls at once)`);
}

function diffSessionRate(a: BundleTool["sessionRate"], b: BundleTool["sessionRate"], push: (k: ChangeKind, what: string) => void): void {
  if (a && !b) return push("escalation", `per-session rate ${a.count} per session removed`);
  if (!a && b) return push("reduction", `now at most ${b.count} calls per session`);
  if (a && b && a.count !== b.count)
    push(
      b.count > a.count ? "escalation" : "reduction",
      `per-session rate ${b.count > a.count ? "raised" : "lowered"} from ${a.count} to ${b.count} per session`,
    );
}

function diffApproval(a: BundleTool["approval"], b: BundleTool["approval"], push: (k: ChangeKind, what: string) => void): void {
  if (a && !b) return push("escalation", "approval removed: the tool no longer waits for a human");
  if (!a && b)
    return push(
      "reduction",
      `approval added${b.conditional ? " (when a rule asks)" : ""}: approvers [${b.approvers.join(", ")}], timeout ${formatDuration(b.timeoutMs)}`,
    );
  if (!a || !b) return;
  if (!a.conditional && b.conditional) push("escalation", "approval now required only when a rule asks (was: every call)");
  if (a.conditional && !b.conditional) push("reduction", "approval now required on every call (was: only when a rule asks)");
  const who = setDiff(a.approvers, b.approvers);
  if (who.added.length) push("escalation", `approvers added: ${quoteList(who.added)} can now approve`);
  if (who.removed.length) push("reduction", `approvers removed: ${quoteList(who.removed)} can no longer approve`);
  const t = classifyChange("approvalTimeout", a.timeoutMs, b.timeoutMs);
  if (t)
    push(
      t,
      `approval timeout ${t === "escalation" ? "lengthened" : "shortened"} from ${formatDuration(a.timeoutMs)} to ${formatDuration(b.timeoutMs)}`,
    );
}

function diffArgs(a: BundleTool["args"], b: BundleTool["args"], push: (k: ChangeKind, what: string) => void): void {
  if (a === null && b === null) return;
  if (a && b === null) return push("escalation", "args block removed: every argument is now accepted (closed world lost)");
  if (a === null && b)
    return push("reduction", `args block added: only ${quoteList(Object.keys(b.properties).sort())} accepted (closed world)`);
  for (const [kind, what] of compareProperties(a!, b!, "argument")) push(kind, what);
}

/** Two closed worlds of named constraints (a tool's args, an object constraint), property by property. */
function compareProperties(a: BundleArgs, b: BundleArgs, noun: string): [ChangeKind, string][] {
  const out: [ChangeKind, string][] = [];
  for (const name of unionKeys(a.properties, b.properties)) {
    const ca = own(a.properties, name);
    const cb = own(b.properties, name);
    const optA = a.optional.includes(name);
    const optB = b.optional.includes(name);
    if (!ca && cb) out.push(["escalation", `${noun} '${name}' now accepted${optB ? " (optional)" : ""} (${describeConstraint(cb)})`]);
    else if (ca && !cb) out.push(["reduction", `${noun} '${name}' no longer accepted`]);
    else if (ca && cb) {
      if (optA && !optB) out.push(["reduction", `${noun} '${name}' is now required`]);
      if (!optA && optB) out.push(["escalation", `${noun} '${name}' is now optional: a call may leave it out`]);
      for (const [kind, what] of compareConstraints(ca, cb)) out.push([kind, `${noun} '${name}': ${what}`]);
    }
  }
  return out;
}

// ---------------------------------------------------------------- flow rules, conditions, budgets

type Push = (k: ChangeKind, what: string) => void;

function describeAfter(f: BundleFlowRule["after"]): string {
  return f.kind === "trust" ? `after ${f.level}` : `after ${f.tool}`;
}

/** Rules keyed by what they react to: the same key with another outcome is a change of outcome. */
function diffOutcomes<T extends { outcome: "approval" | "deny" }>(
  a: readonly T[],
  b: readonly T[],
  key: (x: T) => string,
  describe: (x: T) => string,
  push: Push,
  noun: string,
): void {
  const ma = new Map(a.map((x) => [key(x), x]));
  const mb = new Map(b.map((x) => [key(x), x]));
  for (const [k, x] of ma) {
    const y = mb.get(k);
    if (!y) push("escalation", `${noun} removed: ${describe(x)} => ${x.outcome}`);
    else if (x.outcome !== y.outcome) {
      const c = classifyChange("ruleOutcome", x.outcome, y.outcome)!;
      push(c, `${noun} ${describe(x)} now => ${y.outcome} (was ${x.outcome})`);
    }
  }
  for (const [k, y] of mb) if (!ma.has(k)) push("reduction", `${noun} added: ${describe(y)} => ${y.outcome}`);
}

function diffFlow(a: readonly BundleFlowRule[], b: readonly BundleFlowRule[], push: Push): void {
  diffOutcomes(
    a,
    b,
    (r) => canonicalJson(r.after),
    (r) => describeAfter(r.after),
    push,
    "flow rule",
  );
}

function diffConditions(a: readonly BundleCondition[], b: readonly BundleCondition[], push: Push): void {
  // provenance: keyed by argument; a changed level moves where the rule applies
  const prov = (xs: readonly BundleCondition[]) =>
    xs.filter((c): c is Extract<BundleCondition, { kind: "provenance" }> => c.kind === "provenance");
  const pa = new Map(prov(a).map((c) => [c.arg, c]));
  const pb = new Map(prov(b).map((c) => [c.arg, c]));
  for (const [arg, x] of pa) {
    const y = pb.get(arg);
    if (!y || y.level === x.level) continue;
    const up = TRUST_ORDER.indexOf(y.level) > TRUST_ORDER.indexOf(x.level);
    push(
      up ? "reduction" : "escalation",
      `condition on '${arg}' now applies to values seen only at trust ${y.level} or below (was ${x.level}): ${up ? "more" : "fewer"} values are caught`,
    );
    pa.delete(arg);
    pb.delete(arg);
  }
  diffOutcomes(
    [...pa.values()],
    [...pb.values()],
    (c) => c.arg,
    (c) => `when ${c.arg} from ${c.level}`,
    push,
    "condition",
  );
  // outside: keyed by argument; a changed inner constraint moves what passes outright
  const out = (xs: readonly BundleCondition[]) =>
    xs.filter((c): c is Extract<BundleCondition, { kind: "outside" }> => c.kind === "outside");
  const oa = new Map(out(a).map((c) => [c.arg, c]));
  const ob = new Map(out(b).map((c) => [c.arg, c]));
  for (const [arg, x] of oa) {
    const y = ob.get(arg);
    if (!y) continue;
    for (const [kind, what] of compareConstraints(x.constraint, y.constraint))
      push(kind, `condition on '${arg}' (allowed outright inside): ${what}`);
    if (x.outcome !== y.outcome)
      push(classifyChange("ruleOutcome", x.outcome, y.outcome)!, `condition when ${arg} outside … now => ${y.outcome} (was ${x.outcome})`);
    oa.delete(arg);
    ob.delete(arg);
  }
  diffOutcomes(
    [...oa.values()],
    [...ob.values()],
    (c) => c.arg,
    (c) => `when ${c.arg} outside ${describeConstraint(c.constraint)}`,
    push,
    "condition",
  );
}

function diffBudgets(a: readonly BundleBudget[], b: readonly BundleBudget[], push: Push): void {
  const key = (x: BundleBudget) => `${x.arg} per ${x.windowMs === null ? "session" : x.windowMs}`;
  const per = (x: BundleBudget) => (x.windowMs === null ? "session" : formatDuration(x.windowMs));
  const ma = new Map(a.map((x) => [key(x), x]));
  const mb = new Map(b.map((x) => [key(x), x]));
  for (const [k, x] of ma) {
    const y = mb.get(k);
    if (!y || y.limit === x.limit) continue;
    push(
      y.limit > x.limit ? "escalation" : "reduction",
      `budget of '${x.arg}' per ${per(x)} ${y.limit > x.limit ? "raised" : "lowered"} from ${x.limit} to ${y.limit}`,
    );
  }
  diffOutcomes(a, b, key, (x) => `budget ${x.arg} ${mb.get(key(x))?.limit ?? x.limit} per ${per(x)}`, push, "budget");
}

type Interval = { min: number; max: number };

function interval(c: BundleConstraint): Interval | undefined {
  if (c.kind === "number_between" || c.kind === "integer_between") return { min: c.min, max: c.max };
  if (c.kind === "number_max" || c.kind === "integer_max") return { min: -Infinity, max: c.max };
  return undefined;
}

const isInteger = (c: BundleConstraint) => c.kind === "integer_between" || c.kind === "integer_max";

function valuesOf(c: BundleConstraint): string[] | undefined {
  if (c.kind === "one_of" || c.kind === "subset_of") return c.values.map((v) => JSON.stringify(v));
  if (c.kind === "email_in_domains" || c.kind === "url_in_domains") return c.domains.map((d) => JSON.stringify(d));
  return undefined;
}

/** How a constraint moved: widened parts are escalations, narrowed parts reductions. */
export function compareConstraints(a: BundleConstraint, b: BundleConstraint): [ChangeKind, string][] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  if (b.kind === "any") return [["escalation", `constraint removed (was ${describeConstraint(a)}, now any value)`]];
  if (a.kind === "any") return [["reduction", `now constrained to ${describeConstraint(b)} (was any value)`]];
  const ia = interval(a);
  const ib = interval(b);
  if (ia && ib) {
    const out: [ChangeKind, string][] = [];
    const wider = ib.min < ia.min || ib.max > ia.max;
    const narrower = ib.min > ia.min || ib.max < ia.max;
    const range = `from ${describeConstraint(a)} to ${describeConstraint(b)}`;
    if (wider) out.push(["escalation", `number range widened ${range}`]);
    else if (narrower) out.push(["reduction", `number range narrowed ${range}`]);
    if (isInteger(a) && !isInteger(b)) out.push(["escalation", `fractional numbers now accepted (${range})`]);
    if (!isInteger(a) && isInteger(b)) out.push(["reduction", `only whole numbers now accepted (${range})`]);
    return out;
  }
  if (a.kind === "path_under" && b.kind === "path_under") {
    const out: [ChangeKind, string][] = [];
    const added = b.roots.filter((r) => !a.roots.some((o) => pathIsUnder(r, o)));
    const removed = a.roots.filter((r) => !b.roots.some((o) => pathIsUnder(r, o)));
    if (added.length) out.push(["escalation", `path roots widened: ${quoteList(added)} now reachable`]);
    if (removed.length) out.push(["reduction", `path roots narrowed: ${quoteList(removed)} no longer reachable as a whole`]);
    return out;
  }
  if (a.kind === "list_of" && b.kind === "list_of") {
    const out: [ChangeKind, string][] = [];
    if (b.max !== a.max)
      out.push([
        b.max > a.max ? "escalation" : "reduction",
        `list maximum ${b.max > a.max ? "raised" : "lowered"} from ${a.max} to ${b.max}`,
      ]);
    for (const [kind, what] of compareConstraints(a.item, b.item)) out.push([kind, `each element: ${what}`]);
    return out;
  }
  if (a.kind === "object" && b.kind === "object") return compareProperties(a, b, "property");
  if (a.kind === "string_max" && b.kind === "string_max") {
    return [
      [b.max > a.max ? "escalation" : "reduction", `string maximum ${b.max > a.max ? "raised" : "lowered"} from ${a.max} to ${b.max}`],
    ];
  }
  const va = valuesOf(a);
  const vb = valuesOf(b);
  if (va && vb && a.kind === b.kind) {
    const d = setDiff(va, vb);
    const noun = a.kind === "email_in_domains" || a.kind === "url_in_domains" ? "domains" : "values";
    const out: [ChangeKind, string][] = [];
    if (d.added.length) out.push(["escalation", `${noun} widened: ${d.added.join(", ")} now allowed`]);
    if (d.removed.length) out.push(["reduction", `${noun} narrowed: ${d.removed.join(", ")} no longer allowed`]);
    return out;
  }
  // a different kind of constraint accepts a different set: a reviewer has to look
  return [["escalation", `constraint changed from ${describeConstraint(a)} to ${describeConstraint(b)}`]];
}

// ---------------------------------------------------------------- words

const RULE_LABEL: Record<BundleMonitorRule["kind"], string> = {
  tool_rate: "tool_rate",
  data_volume: "data_volume",
  novel_sequence: "novel_sequence",
  output_pii: "output pii",
  output_exfiltration: "output exfiltration",
  external_domain: "external_domain",
};

function actionWord(a: BundleMonitorRule["action"]): string {
  return a.kind === "alert" ? `alert ${a.severity}` : a.kind;
}

function describeRule(r: BundleMonitorRule): string {
  const act = actionWord(r.action);
  switch (r.kind) {
    case "tool_rate":
      return `tool_rate > ${r.multiplier}x baseline within ${formatDuration(r.windowMs)} => ${act}`;
    case "data_volume":
      return `data_volume > ${r.multiplier}x baseline per session => ${act}`;
    case "novel_sequence":
      return `novel_sequence >= ${r.score} => ${act}`;
    case "external_domain":
      return `external_domain outside [${r.domains.join(", ")}] => ${act}`;
    default:
      return `${RULE_LABEL[r.kind]} => ${act}`;
  }
}

/**
 * A constraint in the policy's words (`number between 0 and 100`). Shared with the runtime's refusal
 * reasons, so a reviewer reads the same words in a diff and in an audit record.
 */
export function describeConstraint(c: BundleConstraint): string {
  const list = (xs: readonly (string | number)[]) => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;
  switch (c.kind) {
    case "one_of":
      return `one of ${list(c.values)}`;
    case "subset_of":
      return `subset of ${list(c.values)}`;
    case "email_in_domains":
      return `email in domains ${list(c.domains)}`;
    case "url_in_domains":
      return `url in domains ${list(c.domains)}`;
    case "number_between":
      return `number between ${c.min} and ${c.max}`;
    case "number_max":
      return `number max ${c.max}`;
    case "string_max":
      return `string max ${c.max}`;
    case "any":
      return "any";
    case "integer_between":
      return `integer between ${c.min} and ${c.max}`;
    case "integer_max":
      return `integer max ${c.max}`;
    case "bool":
      return "bool";
    case "string_matching":
      return `string matching ${JSON.stringify(c.pattern)}`;
    case "path_under":
      return `path under ${list(c.roots)}`;
    case "list_of":
      return `list of ${describeConstraint(c.item)} max ${c.max}`;
    case "object": {
      const props = Object.keys(c.properties)
        .sort()
        .map((k) => `${k}${c.optional.includes(k) ? "?" : ""}: ${describeConstraint(c.properties[k]!)}`);
      return `{ ${props.join(", ")} }`;
    }
  }
}

function describeTool(t: BundleTool): string {
  const parts = [`scope ${t.scope}`, `tier ${t.tier}`, `rate ${t.rate.count} per ${formatDuration(t.rate.windowMs)}`];
  parts.push(t.approval ? `approval by [${t.approval.approvers.join(", ")}]` : "no approval");
  parts.push(t.args ? `args ${Object.keys(t.args.properties).sort().join(", ") || "(none)"}` : "arguments unconstrained");
  return parts.join(", ");
}

const storeName = (s: string | null) => (s === null ? "the default store" : JSON.stringify(s));
const quoteList = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(", ");

function ratio(x: number, y: number): string {
  const r = x / y;
  const shown = Number.isInteger(r) ? String(r) : r.toFixed(2).replace(/\.?0+$/, "");
  return `${shown}×`;
}

const DURATION_UNITS: [string, number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
];

/** Milliseconds in the largest unit that divides them exactly, as a policy would write it. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of DURATION_UNITS) if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const)
    if (bytes !== 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes} bytes`;
}

function unionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function setDiff(a: readonly string[], b: readonly string[]): { added: string[]; removed: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return { added: [...sb].filter((x) => !sa.has(x)).sort(), removed: [...sa].filter((x) => !sb.has(x)).sort() };
}
