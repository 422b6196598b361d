// The decision core, in the manner of Cedar's is_authorized: a function of the compiled policy, the
// call, a snapshot of state (kill switch, the session's history, the rate window's answer) and the clock,
// returning a decision. No I/O, no audit, no waiting: the guard (guard.ts) records, asks approvers,
// counts and ingests around it. Two phases, because the one stateful answer it needs, the rate window's,
// may come from a shared store asynchronously and must only be asked once the arguments passed:
//   decideStatic  isolated → unknown agent → audit failing → denied → not granted → arguments → memory poisoning
//   decideStateful  rate window → rate per session → monitor block → static approval → flow rules,
//                   conditions and budgets, which can only raise the outcome (allow → approval → deny).
import type { SessionSnapshot } from "../session/session-store.js";
import { embeddedValues, isSingleToken } from "../session/values.js";
import type { BudgetRule, CompiledAgent, CompiledTool } from "./compile-policy.js";
import { typeOfValue } from "./constraints.js";
import type { Decision, DecisionRule, ToolCall } from "./decision.js";
import type { KillSwitch } from "./kill-switch.js";

export interface CompiledPolicy {
  name: string;
  agents: Map<string, CompiledAgent>;
  /** The agent of the last call: a guard mostly serves one agent, and a string compare beats a Map lookup. */
  recent?: CompiledAgent;
}

export interface StaticInputs {
  kill: KillSwitch;
  /** Set while the audit log is failing: nothing may run that cannot be recorded. */
  auditFailure: string | undefined;
  /** Injection risk score of a text (memory poisoning); asked only for a `write` tool that `returns` a source. */
  score: (text: string) => number;
}

export interface StatefulInputs {
  /** The rate window's answer for this call (it counted the call when true). */
  rateOk: boolean;
  /** A monitor rule's block, when one fired. */
  monitorBlock: Decision | undefined;
  session: SessionSnapshot;
  /** The sum so far of a windowed budget (the store's answer). */
  windowSum: (budget: BudgetRule) => number;
}

function deny(rule: DecisionRule, reason: string): Decision {
  return { outcome: "deny", rule, reason };
}

/** Phase one: a decision, or the tool the call may go on to (phase two decides it). */
export function decideStatic(policy: CompiledPolicy, call: ToolCall, inputs: StaticInputs): Decision | CompiledTool {
  const kill = inputs.kill;
  const isolated = kill.isolation(call.agent);
  if (isolated !== undefined) return isolated;
  let agent = policy.recent;
  if (agent === undefined || agent.name !== call.agent) {
    agent = policy.agents.get(call.agent);
    if (agent === undefined) return deny("unknown_agent", `no agent named '${call.agent}' in policy ${policy.name}`);
    policy.recent = agent;
  }
  if (inputs.auditFailure !== undefined) {
    return deny("audit_failure", `the audit log is failing (${inputs.auditFailure}): no call is allowed that cannot be recorded`);
  }
  const tool = agent.calls.get(call.tool);
  if (tool === undefined) return decideLink(call, agent, kill);
  if ((tool as Decision).outcome !== undefined) return tool as Decision; // on the deny list
  return checkTool(tool as CompiledTool, call, inputs);
}

function checkTool(tool: CompiledTool, call: ToolCall, inputs: StaticInputs): Decision | CompiledTool {
  if (tool.args !== null) {
    const refused = checkArgs(tool, call.args);
    if (refused !== undefined) return refused;
  }
  if (tool.poisonCheck !== null) {
    const refused = checkPoisoning(tool, call.args, inputs.score);
    if (refused !== undefined) return refused;
  }
  return tool;
}

/**
 * Phase two: the tool's decision given the state (the fields of StatefulInputs, passed one by one so
 * the hot path allocates no inputs object). Allocation-free when nothing refuses.
 */
export function decideStateful(
  _agent: CompiledAgent,
  tool: CompiledTool,
  call: ToolCall,
  rateOk: boolean,
  monitorBlock: Decision | undefined,
  session: SessionSnapshot,
  windowSum: (budget: BudgetRule) => number,
): Decision {
  if (!rateOk) return tool.rateDeny;
  if (tool.sessionRate > 0 && (session.calls.get(tool.rateKey) ?? 0) >= tool.sessionRate) return tool.sessionRateDeny!;
  if (monitorBlock !== undefined) return monitorBlock;
  const base = tool.needsApproval ? tool.approval : tool.allow;
  return tool.historyRules ? raiseByHistory(tool, call, base, session, windowSum) : base;
}

/** decideStateful over an inputs object, for callers that prefer one. */
export function decideWithState(agent: CompiledAgent, tool: CompiledTool, call: ToolCall, inputs: StatefulInputs): Decision {
  return decideStateful(agent, tool, call, inputs.rateOk, inputs.monitorBlock, inputs.session, inputs.windowSum);
}

const RANK = { allow: 0, needs_approval: 1, deny: 2 } as const;

/** Flow rules, conditions and budgets: the strictest outcome wins; on a tie the first (static) one stands. */
export function raiseByHistory(
  tool: CompiledTool,
  call: ToolCall,
  base: Decision,
  session: SessionSnapshot,
  windowSum: (b: BudgetRule) => number,
): Decision {
  let d = base;
  // the strictness of d, kept beside it: each rule compares a number it was compiled with
  let level = RANK[base.outcome];
  for (let i = 0; i < tool.flowTrust.length; i++) {
    const r = tool.flowTrust[i]!;
    if (session.minTrust <= r.rank && r.level > level) {
      d = r.decision;
      if (d.outcome === "deny") return d;
      level = r.level;
    }
  }
  for (let i = 0; i < tool.flowTools.length; i++) {
    const r = tool.flowTools[i]!;
    if (r.level > level && session.called.has(r.tool)) {
      d = r.decision;
      if (d.outcome === "deny") return d;
      level = r.level;
    }
  }
  const args =
    call.args !== null && typeof call.args === "object" && !Array.isArray(call.args) ? (call.args as Record<string, unknown>) : undefined;
  if (args === undefined) return d;
  for (let i = 0; i < tool.provenance.length; i++) {
    const r = tool.provenance[i]!;
    if (r.level <= level || !Object.hasOwn(args, r.arg)) continue;
    if (provenanceBelow(args[r.arg], r.rank, r.normalise, session)) {
      d = r.decision;
      if (d.outcome === "deny") return d;
      level = r.level;
    }
  }
  for (let i = 0; i < tool.outside.length; i++) {
    const r = tool.outside[i]!;
    if (r.level <= level || !Object.hasOwn(args, r.arg)) continue;
    const v = args[r.arg];
    let out = false;
    if (Array.isArray(v)) {
      for (let j = 0; j < v.length && !out; j++) out = !r.test(v[j]);
    } else out = v !== undefined && !r.test(v);
    if (out) {
      d = r.decision;
      if (d.outcome === "deny") return d;
      level = r.level;
    }
  }
  for (let i = 0; i < tool.budgets.length; i++) {
    const r = tool.budgets[i]!;
    if (r.level <= level) continue;
    const amount = Object.hasOwn(args, r.arg) ? args[r.arg] : undefined;
    if (typeof amount !== "number") continue;
    const sum = r.windowMs === null ? (session.sums.get(r.key) ?? 0) : windowSum(r);
    if (sum + amount > r.limit) {
      d = r.decision;
      if (d.outcome === "deny") return d;
      level = r.level;
    }
  }
  return d;
}

/**
 * True when some value of `v` (each element of a list) was seen in the session only in content of trust
 * `rank` or lower. A value the session never saw is not "seen only below": the rule is about provenance.
 */
function provenanceBelow(v: unknown, rank: number, normalise: (s: string) => string, session: SessionSnapshot): boolean {
  if (typeof v !== "string") {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (provenanceBelow(v[i], rank, normalise, session)) return true;
      return false;
    }
    if (typeof v !== "number") return false;
  }
  const n = normalise(typeof v === "string" ? v : String(v));
  if (n.length === 0) return false;
  if (isSingleToken(n)) {
    const seen = session.values.get(n);
    return seen !== undefined && seen <= rank;
  }
  // several words: the most trusted text that holds them says where they came from …
  for (let r = session.texts.length - 1; r >= 0; r--) {
    if (session.texts[r]!.includes(n)) {
      if (r <= rank) return true;
      break;
    }
  }
  // … and each address, URL or IBAN inside them is a value of its own: a message that carries a link
  // only an untrusted page gave is as suspect as the link
  for (const inner of embeddedValues(v as string)) {
    const seen = session.values.get(inner);
    if (seen !== undefined && seen <= rank) return true;
  }
  return false;
}

/** `talks_to A via I`: calling interface I is allowed only over a declared link to an agent exposing I. */
function decideLink(call: ToolCall, agent: CompiledAgent, kill: KillSwitch): Decision {
  const targets = agent.links.get(call.tool);
  if (targets === undefined) return notGranted(agent, call.tool);
  if (call.target !== undefined && !targets.has(call.target)) {
    return deny("not_granted", `${agent.name} has no talks_to link to ${call.target} via ${call.tool}`);
  }
  if (call.target === undefined && targets.size > 1) {
    return deny("not_granted", `${call.tool} is exposed by several linked agents (${[...targets].join(", ")}): name the target`);
  }
  // the kill switch also stops work flowing into an isolated agent
  const isolated = kill.isolation(call.target ?? targets.values().next().value!);
  if (isolated !== undefined) return isolated;
  return agent.linkAllow.get(call.tool)!;
}

/** Names a steered model keeps trying are refused with one shared decision; the cache stops growing at 256. */
function notGranted(agent: CompiledAgent, tool: string): Decision {
  let d = agent.notGranted.get(tool);
  if (d === undefined) {
    d = Object.freeze(deny("not_granted", `${agent.name} is not granted ${tool} (default deny)`));
    if (agent.notGranted.size < 256) agent.notGranted.set(tool, d);
  }
  return d;
}

/** Closed world first (an undeclared argument is refused), then every declared argument against its constraint. */
export function checkArgs(tool: CompiledTool, args: unknown): Decision | undefined {
  const declared = tool.args!;
  if (args !== undefined && args !== null) {
    if (typeof args !== "object" || Array.isArray(args))
      return deny("args", `${tool.name} takes named arguments, got ${typeOfValue(args)}`);
    const obj = args as Record<string, unknown>;
    const names = tool.argNameList!;
    const few = names.length <= 8;
    for (const key in obj) {
      if (few ? !names.includes(key) : !tool.argNames!.has(key))
        return deny("args", `${tool.name} has no argument '${key}'${tool.closedWorld}`);
    }
  }
  const obj = (args ?? {}) as Record<string, unknown>;
  for (let i = 0; i < declared.length; i++) {
    const a = declared[i]!;
    // own values only: an inherited one would pass here and never reach the tool as JSON
    const v = Object.hasOwn(obj, a.name) ? obj[a.name] : undefined;
    if (v === undefined) {
      if (a.check.optional) continue;
      return a.missing;
    }
    if (!a.check.test(v)) {
      // the precise reason (a wrong JSON type, which element or property) is worked out only for a refusal
      const why = a.check.explain(v);
      return why === undefined ? a.outside : deny("args", `argument '${a.name}' of ${tool.name}: ${why}`);
    }
  }
  return undefined;
}

/** Spec §4 (v1): what a `write` tool stores comes back as its `returns` source; refuse what that source would refuse. */
function checkPoisoning(tool: CompiledTool, args: unknown, score: (text: string) => number): Decision | undefined {
  const { source, threshold } = tool.poisonCheck!;
  let worst = 0;
  let where = "";
  const visit = (v: unknown, path: string, depth: number): void => {
    if (typeof v === "string") {
      if (v.length < 8) return;
      const s = score(v);
      if (s > worst) {
        worst = s;
        where = path;
      }
    } else if (depth < 8 && v !== null && typeof v === "object") {
      if (Array.isArray(v))
        v.forEach((x, i) => {
          visit(x, `${path}[${i}]`, depth + 1);
        });
      else for (const k of Object.keys(v)) visit((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1);
    }
  };
  visit(args, "", 0);
  if (worst <= threshold) return undefined;
  return deny(
    "memory_poisoning",
    `${tool.name} would store text that ${source} would refuse when read back: '${where}' scores ${Math.round(worst * 1000) / 1000} > threshold ${threshold} (memory poisoning)`,
  );
}
