// Precompiles a validated bundle into the structures the decision core reads on every call: Maps and
// Sets by name, one predicate per argument, the rate-limit key, the flow rules, conditions and budgets
// of each tool with their decisions built once. Nothing here is consulted from the model's text; only
// the bundle decides. Bundles of format v0 (args as a plain record, no flow rules) compile the same way.
import type { Bundle, BundleAgent, BundleConstraint, BundleTool } from "@charter/language";
import { constantTrace, type TraceStep } from "../audit/record.js";
import { rateKey } from "../rate/rate-store.js";
import { baselineAgent, type Baseline } from "../monitor/baseline.js";
import { AgentMonitor } from "../monitor/agent-monitor.js";
import type { MonitorStore } from "../state/state-store.js";
import { mayNameHost } from "../monitor/external-hosts.js";
import { TRUST_RANK, type CallFact } from "../session/session-store.js";
import { normaliseValue } from "../session/values.js";
import { compileConstraint, describeConstraint, type CompiledConstraint } from "./constraints.js";
import type { Decision, DecisionRule } from "./decision.js";

export type Outcome = "approval" | "deny";
type Trust = "untrusted" | "low" | "medium" | "high";

/** The v1 fields of a tool (docs/design/v1-contract.md), read so that a v0 bundle compiles too. */
export interface ToolV1 {
  args: BundleTool["args"] | { properties: Record<string, BundleConstraint>; optional: string[] } | null;
  approval: { approvers: string[]; timeoutMs: number; conditional?: boolean } | null;
  sessionRate?: { count: number } | null;
  returns?: string | null;
  flow?: { after: { kind: "trust"; level: Trust } | { kind: "tool"; tool: string }; outcome: Outcome }[];
  conditions?: (
    | { kind: "provenance"; arg: string; level: Trust; outcome: Outcome }
    | { kind: "outside"; arg: string; constraint: BundleConstraint; outcome: Outcome }
  )[];
  budgets?: { arg: string; limit: number; windowMs: number | null; outcome: Outcome }[];
}

export interface CompiledArg {
  name: string;
  check: CompiledConstraint;
  /** Refusals, built once (frozen, shared): the deny path is hot too when an agent is being steered. */
  outside: Decision;
  missing: Decision;
}

/** A history rule's outcome as a decision, built once. */
interface Raise {
  outcome: Outcome;
  /** The strictness of `decision` (allow 0 < needs approval 1 < deny 2), compared on the hot path. */
  level: 1 | 2;
  decision: Decision;
}

export interface FlowTrustRule extends Raise {
  /** applies once the session read text of this trust rank or lower */
  rank: number;
}
export interface FlowToolRule extends Raise {
  tool: string;
}
export interface ProvenanceRule extends Raise {
  arg: string;
  rank: number;
  /** How the argument's constraint compares values: every kind is compared in normalised form. */
  normalise: (s: string) => string;
}
export interface OutsideRule extends Raise {
  arg: string;
  test: (v: unknown) => boolean;
}
export interface BudgetRule extends Raise {
  arg: string;
  key: string;
  limit: number;
  windowMs: number | null;
}

export interface CompiledTool {
  name: string;
  tool: BundleTool;
  /** The agent that holds the tool (set by compilePolicy): the call path needs no second lookup. */
  owner: CompiledAgent;
  rateKey: string;
  rateCount: number;
  rateWindowMs: number;
  /** The refusal once the rate window is full, built once. */
  rateDeny: Decision;
  /** `rate N per session`, or 0 when none */
  sessionRate: number;
  sessionRateDeny: Decision | null;
  /** Every `high` tool and every tool with an unconditional `approval` waits for a human (spec §4). */
  needsApproval: boolean;
  /** The approval block's timeout, also for approvals a rule asks for; undefined when there is none. */
  approvalTimeoutMs: number | undefined;
  /** null: arguments unconstrained; otherwise the closed world of declared arguments. */
  args: CompiledArg[] | null;
  argNames: Set<string> | null;
  /** The same names as a list: a few === comparisons beat a Set lookup for the usual handful of arguments. */
  argNameList: string[] | null;
  /**
   * For the external_domain monitor, once checkArgs passed: every key is a declared name that names no
   * host, and these arguments' constraints admit only values that name none (numbers, plain word lists).
   */
  hostFreeKeys: boolean;
  hostFreeArgs: string[];
  /** "(closed world: only a, b)", for the refusal of an undeclared argument. */
  closedWorld: string;
  allow: Decision;
  approval: Decision;
  /** The audit traces of `allow` and `approval`, frozen with their JSON precomputed (see constantTrace). */
  allowTrace: TraceStep[];
  approvalTrace: TraceStep[];
  /** `returns SOURCE`: the source its results are ingested as. */
  returns: string | null;
  /** memory poisoning: a `write` tool whose results come back as `returns` has its strings scored */
  poisonCheck: { source: string; threshold: number } | null;
  flowTrust: FlowTrustRule[];
  flowTools: FlowToolRule[];
  provenance: ProvenanceRule[];
  outside: OutsideRule[];
  budgets: BudgetRule[];
  /** any rule that reads the session's history */
  historyRules: boolean;
  /** a budget counted per window (its sums live in the store, across sessions) */
  windowedBudgets: boolean;
  /** the session must remember this tool's calls: a flow rule names it, or it has a session rate or budget */
  recordsCall: boolean;
  /** The decision needs the session's history (history rules or a session rate); otherwise it is not fetched. */
  readsSession: boolean;
  /** What the session store is told when the call runs, built once when it is the same every time (no budgets). */
  constantFact: CallFact | null;
}

export interface CompiledAgent {
  name: string;
  agent: BundleAgent;
  tools: Map<string, CompiledTool>;
  denied: Set<string>;
  /** Every name the agent may call or is refused, in one Map: the tool, or the deny list's refusal (deny wins). */
  calls: Map<string, CompiledTool | Decision>;
  /** `not_granted` refusals by tool name, built on first use and bounded (the names come from the model). */
  notGranted: Map<string, Decision>;
  /** interface name → agents that the link reaches and that expose it */
  links: Map<string, Set<string>>;
  linkAllow: Map<string, Decision>;
  pii: "hash" | "redact";
  monitor: AgentMonitor;
  /** `mode monitor`: decisions are recorded, not applied */
  monitorMode: boolean;
  /** some tool reads what the session ingested (`after LEVEL`, `when ARG from LEVEL`) */
  readsHistory: boolean;
}

function refusal(rule: DecisionRule, reason: string): Decision {
  return Object.freeze({ outcome: "deny", rule, reason });
}

const levelOf = (outcome: Outcome): 1 | 2 => (outcome === "deny" ? 2 : 1);

function raise(outcome: Outcome, rule: DecisionRule, reason: string): Decision {
  return Object.freeze({ outcome: outcome === "deny" ? "deny" : "needs_approval", rule, reason });
}

const MAY_CHANGE_CASE = /[A-Z\u0080-\uffff]/;
/** Most addresses are already lower case: the test spares the copy. */
const lower = (s: string): string => (MAY_CHANGE_CASE.test(s) ? s.toLowerCase() : s);

function normaliserFor(c: BundleConstraint | undefined): (s: string) => string {
  if (c === undefined) return normaliseValue;
  // e-mail addresses and URLs compare case-insensitively; everything else in the one normal form too
  return c.kind === "email_in_domains" ? lower : normaliseValue;
}

/** A constraint this runtime cannot compile refuses every value: a newer bundle never widens an old runtime. */
function compileOrRefuse(c: BundleConstraint): CompiledConstraint {
  const compiled = compileConstraint(c) as CompiledConstraint | undefined;
  return (
    compiled ?? {
      constraint: c,
      optional: false,
      test: () => false,
      explain: () => `a ${(c as { kind: string }).kind} constraint this runtime does not know`,
    }
  );
}

function describe(c: BundleConstraint): string {
  try {
    return describeConstraint(c);
  } catch {
    return (c as { kind: string }).kind;
  }
}

/** v1 `{ properties, optional }` or the v0 record of constraints. */
function argsOf(t: ToolV1): { properties: Record<string, BundleConstraint>; optional: Set<string> } | null {
  const a = t.args as unknown;
  if (a === null || a === undefined) return null;
  const v1 = a as { properties?: unknown; optional?: unknown };
  if (Array.isArray(v1.optional) && typeof v1.properties === "object" && v1.properties !== null) {
    return { properties: v1.properties as Record<string, BundleConstraint>, optional: new Set(v1.optional as string[]) };
  }
  return { properties: a as Record<string, BundleConstraint>, optional: new Set() };
}

/** True when every value the constraint admits names no host (so the external_domain scan can skip it). */
function admitsNoHost(c: BundleConstraint): boolean {
  switch (c.kind) {
    case "one_of":
    case "subset_of":
      return c.values.every((v) => typeof v === "number" || (typeof v === "string" && !mayNameHost(v)));
    case "number_between":
    case "number_max":
      return true;
    default:
      return false;
  }
}

function windowWords(ms: number | null): string {
  return ms === null ? "per session" : `per ${ms / 1000}s`;
}

export function compileTool(agent: string, name: string, tool: BundleTool, bundle?: Bundle): CompiledTool {
  const t = tool as unknown as ToolV1 & BundleTool;
  const declared = argsOf(t);
  const conditional = t.approval?.conditional === true && tool.tier !== "high";
  const needsApproval = tool.tier === "high" || (t.approval !== null && !conditional);
  const args =
    declared === null
      ? null
      : Object.entries(declared.properties).map(([argName, c]) => {
          const check = compileOrRefuse(c);
          return {
            name: argName,
            check: declared.optional.has(argName) && !check.optional ? { ...check, optional: true } : check,
            outside: refusal("args", `argument '${argName}' of ${name} is outside its constraint: ${describe(c)}`),
            missing: refusal("args", `${name} needs argument '${argName}' (${describe(c)})`),
          };
        });
  const sessionRate = t.sessionRate?.count ?? 0;
  const allowReason =
    `${agent} is granted ${name}` +
    (args ? " and every argument is within its constraint" : "") +
    `; within ${tool.rate.count} per ${tool.rate.windowMs / 1000}s`;
  const approvers = t.approval ? ` by ${t.approval.approvers.join(" or ")}` : "";
  const approvalReason = `${name} is tier ${tool.tier}${t.approval ? ` and needs approval${approvers}` : " and needs human approval"}`;
  const flowTrust: FlowTrustRule[] = [];
  const flowTools: FlowToolRule[] = [];
  for (const f of t.flow ?? []) {
    const words = (what: string): string =>
      f.outcome === "deny" ? `${name} is refused ${what}` : `${name} needs approval${approvers} ${what}`;
    if (f.after.kind === "trust") {
      const level = f.after.level;
      flowTrust.push({
        rank: TRUST_RANK[level]!,
        outcome: f.outcome,
        level: levelOf(f.outcome),
        decision: raise(
          f.outcome,
          "flow",
          words(`after the session read content of trust ${level}${level === "untrusted" ? "" : " or lower"} (after ${level})`),
        ),
      });
    } else {
      flowTools.push({
        tool: f.after.tool,
        outcome: f.outcome,
        level: levelOf(f.outcome),
        decision: raise(f.outcome, "flow", words(`after the session called ${f.after.tool} (after ${f.after.tool})`)),
      });
    }
  }
  const provenance: ProvenanceRule[] = [];
  const outside: OutsideRule[] = [];
  for (const c of t.conditions ?? []) {
    const what = c.outcome === "deny" ? `${name} is refused` : `${name} needs approval${approvers}`;
    if (c.kind === "provenance") {
      provenance.push({
        arg: c.arg,
        rank: TRUST_RANK[c.level]!,
        normalise: normaliserFor(declared?.properties[c.arg]),
        outcome: c.outcome,
        level: levelOf(c.outcome),
        decision: raise(
          c.outcome,
          "provenance",
          `${what}: the value of '${c.arg}' was seen in this session only in content of trust ${c.level}${c.level === "untrusted" ? "" : " or lower"} (when ${c.arg} from ${c.level})`,
        ),
      });
    } else {
      const check = compileOrRefuse(c.constraint);
      outside.push({
        arg: c.arg,
        test: check.test,
        outcome: c.outcome,
        level: levelOf(c.outcome),
        decision: raise(c.outcome, "outside", `${what}: '${c.arg}' is outside ${describe(c.constraint)} (when ${c.arg} outside …)`),
      });
    }
  }
  const budgets: BudgetRule[] = (t.budgets ?? []).map((b, i) => ({
    arg: b.arg,
    key: rateKey(agent, name) + "\u0000budget\u0000" + i + "\u0000" + b.arg,
    limit: b.limit,
    windowMs: b.windowMs,
    outcome: b.outcome,
    level: levelOf(b.outcome),
    decision: raise(
      b.outcome,
      "budget",
      `${b.outcome === "deny" ? `${name} is refused` : `${name} needs approval${approvers}`}: the sum of '${b.arg}' would exceed ${b.limit} ${windowWords(b.windowMs)} (budget ${b.arg})`,
    ),
  }));
  const returns = t.returns ?? null;
  const returnsSource =
    returns !== null && bundle !== undefined && Object.hasOwn(bundle.sources, returns) ? bundle.sources[returns]! : undefined;
  const historyRules = flowTrust.length + flowTools.length + provenance.length + outside.length + budgets.length > 0;
  return {
    name,
    tool,
    owner: undefined as unknown as CompiledAgent, // set by compilePolicy once the agent exists
    rateKey: rateKey(agent, name),
    rateCount: tool.rate.count,
    rateWindowMs: tool.rate.windowMs,
    rateDeny: refusal("rate", `rate limit: ${name} allows ${tool.rate.count} calls per ${tool.rate.windowMs / 1000}s for ${agent}`),
    sessionRate,
    sessionRateDeny:
      sessionRate > 0 ? refusal("session_rate", `rate limit: ${name} allows ${sessionRate} calls per session for ${agent}`) : null,
    needsApproval,
    approvalTimeoutMs: t.approval?.timeoutMs,
    args,
    argNames: args ? new Set(args.map((a) => a.name)) : null,
    argNameList: args ? args.map((a) => a.name) : null,
    hostFreeKeys: args?.every((a) => !mayNameHost(a.name)) ?? false,
    hostFreeArgs: args === null ? [] : args.filter((a) => admitsNoHost(a.check.constraint)).map((a) => a.name),
    closedWorld: args ? ` (closed world: only ${args.map((a) => a.name).join(", ") || "none"})` : "",
    allow: Object.freeze({ outcome: "allow", rule: "granted", reason: allowReason }),
    approval: Object.freeze({ outcome: "needs_approval", rule: "approval", reason: approvalReason }),
    allowTrace: constantTrace([{ rule: "granted", reason: allowReason }]),
    approvalTrace: constantTrace([{ rule: "approval", reason: approvalReason }]),
    returns,
    poisonCheck: tool.scope === "write" && returnsSource !== undefined ? { source: returns!, threshold: returnsSource.threshold } : null,
    flowTrust,
    flowTools,
    provenance,
    outside,
    budgets,
    historyRules,
    windowedBudgets: budgets.some((b) => b.windowMs !== null),
    recordsCall: sessionRate > 0 || budgets.length > 0,
    readsSession: historyRules || sessionRate > 0,
    constantFact:
      budgets.length > 0 ? null : Object.freeze(sessionRate > 0 ? { tool: name, sessionRateKey: rateKey(agent, name) } : { tool: name }),
  };
}

export function compilePolicy(
  bundle: Bundle,
  baseline: Baseline | undefined,
  /** the monitor's counters shared by replicas (state/state-store.ts); in process when absent */
  sharedMonitor?: MonitorStore,
): Map<string, CompiledAgent> {
  const out = new Map<string, CompiledAgent>();
  for (const [name, agent] of Object.entries(bundle.agents)) {
    const tools = new Map<string, CompiledTool>();
    for (const [toolName, tool] of Object.entries(agent.tools)) tools.set(toolName, compileTool(name, toolName, tool, bundle));
    let readsHistory = false;
    for (const t of tools.values()) {
      if (t.flowTrust.length > 0 || t.provenance.length > 0) readsHistory = true;
      for (const f of t.flowTools) {
        const named = tools.get(f.tool);
        if (named !== undefined) named.recordsCall = true;
      }
    }
    const links = new Map<string, Set<string>>();
    const linkAllow = new Map<string, Decision>();
    for (const link of agent.talksTo) {
      // A link counts only when its target really exposes the interface (CH1006 makes that an error anyway).
      if (!bundle.agents[link.agent]?.exposes.includes(link.via)) continue;
      let targets = links.get(link.via);
      if (!targets) links.set(link.via, (targets = new Set()));
      targets.add(link.agent);
      linkAllow.set(
        link.via,
        Object.freeze({ outcome: "allow", rule: "talks_to", reason: `${name} talks to ${[...targets].join(", ")} via ${link.via}` }),
      );
    }
    const compiled: CompiledAgent = {
      name,
      agent,
      tools,
      denied: new Set(agent.deny),
      calls: new Map<string, CompiledTool | Decision>([
        ...tools,
        ...agent.deny.map((d): [string, Decision] => [d, refusal("denied", `explicit refusal: ${d} is in ${name}'s deny list`)]),
      ]),
      notGranted: new Map(),
      links,
      linkAllow,
      pii: agent.audit.pii,
      monitor: new AgentMonitor(name, agent.monitor, baselineAgent(baseline, name), baseline?.ngram ?? 3, sharedMonitor),
      monitorMode: (agent as { mode?: string }).mode === "monitor",
      readsHistory,
    };
    for (const t of tools.values()) t.owner = compiled;
    out.set(name, compiled);
  }
  return out;
}
