// Lowers a checked policy to its runtime enforcement bundle. Sets are sorted and de-duplicated and
// units normalised, so that two policies that mean the same thing compile to the same bytes (and
// the same semantic digest). The caller must not ship a bundle from a file with errors: `build`
// in cli/ and `compilePolicy` below refuse; `lowerPolicy` is lenient for editors and diffs.

import * as A from "./ast.js";
import {
  BUNDLE_FORMAT,
  type Bundle,
  type BundleAgent,
  type BundleArgs,
  type BundleAudit,
  type BundleBudget,
  type BundleCondition,
  type BundleConstraint,
  type BundleFlowRule,
  type BundleMonitorRule,
  type BundleTool,
} from "./bundle.js";
import { normalisePosixPath } from "./paths.js";
import { TRUST_LEVELS } from "./schema.js";
import { DEFAULT_REVIEW_CADENCE_MS } from "./attest.js";
import { canonicalJson, semanticDigest } from "./digest.js";

const uniqSorted = <T extends string | number>(xs: Iterable<T>): T[] =>
  [...new Set(xs)].sort((a, b) =>
    typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0,
  );

const listValues = (l: A.ListLit): (string | number)[] => uniqSorted(l.items.map((i) => i.value));
const listStrings = (l: A.ListLit | undefined): string[] => (l ? uniqSorted(l.items.map((i) => String(i.value))) : []);

export function findPolicy(file: A.CharterFile): A.PolicyDecl | undefined {
  return file.decls.find((d): d is A.PolicyDecl => d.kind === "policy");
}

export function agentsOf(file: A.CharterFile): A.AgentDecl[] {
  return file.decls.filter((d): d is A.AgentDecl => d.kind === "agent");
}

export function toolsOf(agent: A.AgentDecl): A.ToolDecl[] {
  return agent.items.filter((i): i is A.ToolDecl => i.kind === "tool");
}

/** Names listed by every `reads`/`deny`/`exposes` statement of an agent. */
export function namesOf(agent: A.AgentDecl, key: "reads" | "deny" | "exposes"): A.Name[] {
  const out: A.Name[] = [];
  for (const i of agent.items) if (i.kind === "names" && i.key === key) out.push(...i.names);
  return out;
}

export function talksToOf(agent: A.AgentDecl): A.TalksTo["links"] {
  return agent.items.flatMap((i) => (i.kind === "talks_to" ? i.links : []));
}

/** The monitor and audit blocks that apply to an agent: its own, else the file's defaults. */
export function effectiveBlocks(
  file: A.CharterFile,
  agent: A.AgentDecl,
): { monitor?: A.MonitorBlock; audit?: A.AuditBlock; monitorFromDefaults: boolean; auditFromDefaults: boolean } {
  const defaults = file.decls.find((d): d is A.DefaultsDecl => d.kind === "defaults");
  const ownMonitor = A.item(agent.items, "monitor");
  const ownAudit = A.item(agent.items, "audit");
  const monitor = ownMonitor ?? (defaults && A.item(defaults.items, "monitor"));
  const audit = ownAudit ?? (defaults && A.item(defaults.items, "audit"));
  const out: ReturnType<typeof effectiveBlocks> = {
    monitorFromDefaults: !ownMonitor && !!monitor,
    auditFromDefaults: !ownAudit && !!audit,
  };
  if (monitor) out.monitor = monitor;
  if (audit) out.audit = audit;
  return out;
}

function constraint(c: A.Constraint): BundleConstraint {
  switch (c.kind) {
    case "one_of":
    case "subset_of":
      return { kind: c.kind, values: listValues(c.values) };
    case "email_in_domains":
    case "url_in_domains":
      return { kind: c.kind, domains: listStrings(c.domains).map((d) => d.toLowerCase()) };
    case "number_between":
    case "integer_between":
      return { kind: c.kind, min: c.min.value, max: c.max.value };
    case "number_max":
    case "integer_max":
      return { kind: c.kind, max: c.max.value };
    case "string_max":
      return { kind: "string_max", max: c.max.value };
    case "any":
    case "bool":
      return { kind: c.kind };
    case "string_matching":
      return { kind: "string_matching", pattern: c.pattern.value };
    case "path_under":
      return { kind: "path_under", roots: uniqSorted(listStrings(c.roots).map((r) => normalisePosixPath(r) ?? r)) };
    case "list_of":
      return { kind: "list_of", item: constraint(c.item), max: c.max.value };
    case "object":
      return { kind: "object", ...properties(c.props) };
  }
}

/** A closed world of named constraints (args, objects): the first of a duplicated name counts (CH1003). */
function properties(props: readonly A.ArgConstraint[]): BundleArgs {
  const out: Record<string, BundleConstraint> = {};
  const optional: string[] = [];
  for (const a of props) {
    if (Object.hasOwn(out, a.name.value)) continue;
    out[a.name.value] = constraint(a.constraint);
    if (a.optional) optional.push(a.name.value);
  }
  return { properties: out, optional: uniqSorted(optional) };
}

/** Sorted by canonical JSON and de-duplicated: rules are sets, their order carries no meaning. */
function canonicalSet<T>(xs: readonly T[]): T[] {
  const keyed = new Map<string, T>();
  for (const x of xs) keyed.set(canonicalJson(x), x);
  return [...keyed.keys()].sort().map((k) => keyed.get(k)!);
}

const isTrust = (w: string): w is (typeof TRUST_LEVELS)[number] => (TRUST_LEVELS as readonly string[]).includes(w);

function tool(t: A.ToolDecl, agentRules: readonly A.AgentFlowRule[]): BundleTool {
  const rate = A.item(t.items, "rate");
  const sessionRate = A.item(t.items, "session_rate");
  const approval = A.item(t.items, "approval");
  const args = A.item(t.items, "args");
  const tier = (A.prop(t.items, "tier")?.value.value ?? "high") as BundleTool["tier"];
  const scope = (A.prop(t.items, "scope")?.value.value ?? "execute") as BundleTool["scope"];
  let approvalOut: BundleTool["approval"] = null;
  if (approval) {
    approvalOut = {
      approvers: listStrings(A.prop(approval.items, "approvers")?.value),
      timeoutMs: A.prop(approval.items, "timeout")?.value.ms ?? 0,
      conditional: A.prop(approval.items, "required")?.value.value === "conditionally",
    };
  }
  const flow: BundleFlowRule[] = [];
  const conditions: BundleCondition[] = [];
  const budgets: BundleBudget[] = [];
  for (const i of t.items) {
    if (i.kind === "flow") {
      const after: BundleFlowRule["after"] = isTrust(i.after.value)
        ? { kind: "trust", level: i.after.value }
        : { kind: "tool", tool: i.after.value };
      flow.push({ after, outcome: i.outcome.value as "deny" });
    } else if (i.kind === "when") {
      const outcome = i.outcome.value as "deny";
      if (i.test.kind === "from") conditions.push({ kind: "provenance", arg: i.arg.value, level: i.test.level.value as "low", outcome });
      else conditions.push({ kind: "outside", arg: i.arg.value, constraint: constraint(i.test.constraint), outcome });
    } else if (i.kind === "budget") {
      budgets.push({ arg: i.arg.value, limit: i.limit.value, windowMs: i.per ? i.per.ms : null, outcome: i.outcome.value as "deny" });
    }
  }
  for (const r of agentRules) {
    if (r.scopes.some((s) => s.value === scope))
      flow.push({ after: { kind: "trust", level: r.level.value as "low" }, outcome: r.outcome.value as "deny" });
  }
  return {
    scope,
    tier,
    rate: { count: rate?.count.value ?? 0, windowMs: rate?.per.ms ?? 0 },
    sessionRate: sessionRate ? { count: sessionRate.count.value } : null,
    approval: approvalOut,
    reversal: A.prop(t.items, "reversal")?.value.value ?? null,
    pin: A.prop(t.items, "pin")?.value.value ?? null,
    returns: A.item(t.items, "returns")?.source.value ?? null,
    args: args ? properties(args.args) : null,
    flow: canonicalSet(flow),
    conditions: canonicalSet(conditions),
    budgets: canonicalSet(budgets),
  };
}

function ruleAction(a: A.RuleAction): BundleMonitorRule["action"] {
  if (a.kind === "alert") return { kind: "alert", severity: (a.severity?.value ?? "medium") as "low" | "medium" | "high" | "critical" };
  return { kind: a.kind };
}

function monitorRule(r: A.MonitorRule): BundleMonitorRule {
  const action = ruleAction(r.action);
  switch (r.kind) {
    case "tool_rate":
      return { kind: "tool_rate", multiplier: r.multiplier.value, windowMs: r.window.ms, action };
    case "data_volume":
      return { kind: "data_volume", multiplier: r.multiplier.value, action };
    case "novel_sequence":
      return { kind: "novel_sequence", score: r.score.value, action };
    case "output_pii":
      return { kind: "output_pii", action };
    case "output_exfiltration":
      return { kind: "output_exfiltration", action };
    case "external_domain":
      return { kind: "external_domain", domains: listStrings(r.domains).map((d) => d.toLowerCase()), action };
  }
}

function audit(block: A.AuditBlock | undefined): BundleAudit {
  const pii = block && A.prop(block.items, "pii")?.value.value;
  return {
    retentionMs: (block && A.prop(block.items, "retention")?.value.ms) ?? 0,
    pii: pii === "redact" ? "redact" : "hash",
    store: (block && A.prop(block.items, "store")?.value.value) ?? null,
  };
}

/** The rules of a monitor block, sorted and de-duplicated (a set: order carries no meaning). */
function monitorRules(block: A.MonitorBlock | undefined): BundleMonitorRule[] {
  return (block?.rules ?? [])
    .map((r) => {
      const rule = monitorRule(r);
      return [canonicalJson(rule), rule] as const;
    })
    .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    .filter((x, i, arr) => i === 0 || arr[i - 1]![0] !== x[0])
    .map((x) => x[1]);
}

/** Lowered once per file: every agent without its own block shares the defaults' (same bytes). */
interface SharedBlocks {
  monitors: Map<A.MonitorBlock | undefined, BundleMonitorRule[]>;
}

/**
 * An agent's lowered form and its canonical JSON, kept while its declaration lives. An editor
 * re-checks a document on every keystroke with the declarations it did not touch reused (parser.ts),
 * so an unchanged agent is lowered and serialised once, not once per keystroke. What an agent
 * lowers to depends on its declaration, the monitor and audit blocks that apply to it and the
 * policy's mode: the entry is used only when all of them are the same objects as when it was made.
 */
interface LoweredAgent {
  monitor: A.MonitorBlock | undefined;
  audit: A.AuditBlock | undefined;
  mode: BundleAgent["mode"];
  agent: BundleAgent;
  json: string;
}
const loweredAgents = new WeakMap<A.AgentDecl, LoweredAgent>();

function lowerAgent(
  file: A.CharterFile,
  a: A.AgentDecl,
  shared: SharedBlocks,
  policyMode: BundleAgent["mode"],
  known: Map<object, string>,
): BundleAgent {
  const eff = effectiveBlocks(file, a);
  const hit = loweredAgents.get(a);
  if (hit && hit.monitor === eff.monitor && hit.audit === eff.audit && hit.mode === policyMode) {
    known.set(hit.agent, hit.json);
    return hit.agent;
  }
  const lowered = agent(a, eff, shared, policyMode);
  const json = canonicalJson(lowered);
  loweredAgents.set(a, { monitor: eff.monitor, audit: eff.audit, mode: policyMode, agent: lowered, json });
  known.set(lowered, json);
  return lowered;
}

function agent(
  a: A.AgentDecl,
  eff: ReturnType<typeof effectiveBlocks>,
  shared: SharedBlocks,
  policyMode: BundleAgent["mode"],
): BundleAgent {
  const tools: Record<string, BundleTool> = {};
  const agentRules = A.itemsOf(a.items, "after");
  for (const t of toolsOf(a)) if (!Object.hasOwn(tools, t.name.value)) tools[t.name.value] = tool(t, agentRules);
  const sandbox = A.item(a.items, "sandbox");
  let rules = shared.monitors.get(eff.monitor);
  if (rules === undefined) shared.monitors.set(eff.monitor, (rules = monitorRules(eff.monitor)));
  const talks = talksToOf(a).map((l) => ({ agent: l.agent.value, via: l.via.value }));
  const talksKeyed = new Map(talks.map((t) => [canonicalJson(t), t]));
  return {
    kind: (A.prop(a.items, "kind")?.value.value ?? "conversational") as BundleAgent["kind"],
    mode: modeOf(A.prop(a.items, "mode")?.value.value) ?? policyMode,
    reads: uniqSorted(namesOf(a, "reads").map((n) => n.value)),
    tools,
    deny: uniqSorted(namesOf(a, "deny").map((n) => n.value)),
    exposes: uniqSorted(namesOf(a, "exposes").map((n) => n.value)),
    talksTo: [...talksKeyed.keys()].sort().map((k) => talksKeyed.get(k)!),
    sandbox: sandbox
      ? {
          filesystem: (A.prop(sandbox.items, "filesystem")?.value.value ?? "none") as "none",
          network: listStrings(A.prop(sandbox.items, "network")?.value).map((h) => h.toLowerCase()),
          cpu: A.prop(sandbox.items, "cpu")?.value.value ?? 0,
          memoryBytes: A.prop(sandbox.items, "memory")?.value.bytes ?? 0,
          timeMs: A.prop(sandbox.items, "time")?.value.ms ?? 0,
          output: A.prop(sandbox.items, "output")?.value.value ?? null,
        }
      : null,
    monitor: rules,
    audit: audit(eff.audit),
  };
}

/** The bundle of a file, whatever its diagnostics (editors and diffs need a best effort). */
export function lowerPolicy(file: A.CharterFile): Bundle {
  const policy = findPolicy(file);
  const review = policy && A.item(policy.items, "review");
  const sources: Bundle["sources"] = {};
  for (const d of file.decls) {
    if (d.kind !== "source" || Object.hasOwn(sources, d.name.value)) continue;
    sources[d.name.value] = {
      trust: (A.prop(d.items, "trust")?.value.value ?? "untrusted") as "untrusted",
      threshold: A.prop(d.items, "threshold")?.value.value ?? 0,
      onInjection: A.prop(d.items, "on_injection")?.value.value === "redact" ? "redact" : "refuse",
    };
  }
  const agents: Bundle["agents"] = {};
  const shared: SharedBlocks = { monitors: new Map() };
  const policyMode = policy && A.prop(policy.items, "mode")?.value.value === "monitor" ? "monitor" : "enforce";
  const known = new Map<object, string>();
  for (const a of agentsOf(file))
    if (!Object.hasOwn(agents, a.name.value)) agents[a.name.value] = lowerAgent(file, a, shared, policyMode, known);
  const bundle: Omit<Bundle, "digest"> = {
    format: BUNDLE_FORMAT,
    policy: {
      name: policy?.name.value ?? "",
      version: policy ? (A.prop(policy.items, "version")?.value.value ?? null) : null,
      owner: (policy && A.prop(policy.items, "owner")?.value.value) ?? "",
      review: review
        ? {
            by: A.prop(review.items, "by")?.value.value ?? "",
            on: A.prop(review.items, "on")?.value.value ?? "",
            digest: A.prop(review.items, "digest")?.value.value ?? "",
            cadenceMs: A.prop(review.items, "cadence")?.value.ms ?? DEFAULT_REVIEW_CADENCE_MS,
            signature: A.prop(review.items, "signature")?.value.value ?? null,
          }
        : null,
    },
    sources,
    agents,
  };
  return { ...bundle, digest: semanticDigest(bundle, known) };
}

function modeOf(word: string | undefined): BundleAgent["mode"] | undefined {
  return word === "monitor" || word === "enforce" ? word : undefined;
}
