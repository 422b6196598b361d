// The guard: enforces one compiled bundle on every tool call, ingested text and output. `decide` takes the
// spec §4 steps in order (isolated → explicitly denied → not granted → arguments → rate → monitor block →
// approval) synchronously over precompiled Maps and predicates; `authorize` adds the one asynchronous step,
// waiting for a human approver, and can only turn it into a deny on rejection, timeout or error.
// Every decision, approval, refusal, alert and isolation is written to the hash-chained audit log.
import type { Bundle } from "@charter/language";
import type { AuditLog } from "../audit/audit-log.js";
import { redactArgs, type PiiKey } from "../audit/pii-args.js";
import { sha256Tagged, type AuditEntry, type GuardrailEvent, type TraceStep } from "../audit/record.js";
import { requestApproval, type ApprovalReason, type ApprovalRequest, type ApprovalTimers, type Approver } from "../approval/request-approval.js";
import { createDetector } from "../detector/detector.js";
import type { Detector } from "../detector/types.js";
import { admitUntrusted } from "../ingest/admit-untrusted.js";
import type { TrustLevel } from "../ingest/markers.js";
import type { Baseline } from "../monitor/baseline.js";
import { severityOf, type MonitorAlert, type MonitorKind } from "../monitor/agent-monitor.js";
import { filterOutput as applyOutputRules, type Action, type Finding, type OutputRules } from "../output/filter.js";
import { MemoryRateStore, type RateStore } from "../rate/rate-store.js";
import { compilePolicy, type CompiledAgent, type CompiledTool } from "./compile-policy.js";
import { typeOfValue } from "./constraints.js";
import type { Decision, DecisionRule, FinalDecision, ToolCall } from "./decision.js";

export interface GuardOptions {
  /** The hash-chained audit log. `null` records nothing: only for benchmarks and throwaway checks. */
  audit: AuditLog | null;
  /** Asked for every call that needs approval; without one such calls are denied. */
  approver?: Approver;
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  /** Sliding-window counters for `rate`; share one store between replicas to limit them together. */
  rateStore?: RateStore;
  /** Scores ingested text; the shipped rules + classifier detector by default. */
  detector?: Detector;
  /** Receives every monitoring alert (they are audited as well). */
  alerts?: (alert: MonitorAlert) => void;
  /** From `charter baseline build`; tool_rate, data_volume and novel_sequence need it. */
  baseline?: Baseline;
  /** Secret for hashing PII in audited arguments (`audit { pii hash }`), so hashes link across runs. */
  piiKey?: PiiKey;
  /** Timer functions for approval deadlines (tests use fake ones). */
  approvalTimers?: ApprovalTimers;
}

export type IngestError =
  | { kind: "unknown_agent"; message: string; agent: string }
  | { kind: "source_not_read"; message: string; agent: string; source: string }
  | { kind: "unknown_source"; message: string; agent: string; source: string }
  | { kind: "injection_refused"; message: string; agent: string; source: string; score: number; threshold: number; signals: string[] };

export type IngestResult = { ok: true; text: string; score: number; signals: string[] } | { ok: false; error: IngestError };

export interface OutputResult {
  /** What may be shown: redacted where the policy says so, "" when blocked. */
  text: string;
  blocked: boolean;
  findings: Finding[];
  alerts: MonitorAlert[];
}

function deny(rule: DecisionRule, reason: string): Decision {
  return { outcome: "deny", rule, reason };
}

export class Guard {
  private readonly agents: Map<string, CompiledAgent>;
  private readonly audit: AuditLog | null;
  private readonly clock: () => number;
  private readonly rates: RateStore;
  private readonly outputRules = new Map<string, OutputRules | null>();
  private detector: Detector | undefined;
  private isolatedAll: string | undefined;
  private readonly isolatedAgents = new Map<string, string>();
  /** Bound once so the call path hands the monitor no fresh closure. */
  private readonly onAlert = (a: MonitorAlert): void => this.raiseAlert(a);

  constructor(
    readonly bundle: Bundle,
    private readonly options: GuardOptions,
  ) {
    this.agents = compilePolicy(bundle, options.baseline);
    this.audit = options.audit;
    this.clock = options.clock ?? Date.now;
    this.rates = options.rateStore ?? new MemoryRateStore();
    this.detector = options.detector;
    for (const [name, a] of this.agents) this.outputRules.set(name, outputRulesOf(a));
  }

  /**
   * Decides a call synchronously: allow, deny or needs_approval (the caller must then wait for a human:
   * use `authorize`). Counts the call against the rate window and records the decision.
   */
  decide(call: ToolCall): Decision {
    const agent = this.agents.get(call.agent);
    const d = this.evaluate(call, agent);
    if (this.audit !== null) this.recordDecision(call, agent, d);
    return d;
  }

  /**
   * `decide`, then for a call that needs approval, ask the approver within the tool's timeout. Not an
   * `async` function: most calls are decided synchronously and need only an already-resolved promise,
   * and the approval record reuses the arguments the decision record redacted.
   */
  authorize(call: ToolCall): Promise<FinalDecision> {
    try {
      const agent = this.agents.get(call.agent);
      const d = this.evaluate(call, agent);
      const args = this.audit !== null ? this.recordDecision(call, agent, d) : undefined;
      if (d.outcome !== "needs_approval") return Promise.resolve(d as FinalDecision);
      return this.awaitApproval(call, agent!.tools.get(call.tool)!, args);
    } catch (e) {
      return Promise.reject(e); // as an async function would: a caller awaiting authorize sees one failure path
    }
  }

  private evaluate(call: ToolCall, agent: CompiledAgent | undefined): Decision {
    if (this.isolatedAll !== undefined) return deny("isolated", `the runtime is isolated: ${this.isolatedAll}`);
    if (agent === undefined) return deny("unknown_agent", `no agent named '${call.agent}' in policy ${this.bundle.policy.name}`);
    if (this.isolatedAgents.size > 0 && this.isolatedAgents.has(call.agent)) {
      return deny("isolated", `agent ${call.agent} is isolated: ${this.isolatedAgents.get(call.agent)}`);
    }
    if (this.audit !== null && this.audit.failure !== undefined) {
      return deny("audit_failure", `the audit log is failing (${this.audit.failure.message}): no call is allowed that cannot be recorded`);
    }
    const name = call.tool;
    if (agent.denied.has(name)) return deny("denied", `explicit refusal: ${name} is in ${agent.name}'s deny list`);
    const tool = agent.tools.get(name);
    if (tool === undefined) return this.evaluateLink(call, agent);
    if (tool.args !== null) {
      const refused = checkArgs(tool, call.args);
      if (refused !== undefined) return refused;
    }
    const now = this.clock();
    if (!this.rates.hit(tool.rateKey, now, tool.rateWindowMs, tool.rateCount)) {
      return deny("rate", `rate limit: ${name} allows ${tool.rateCount} calls per ${tool.rateWindowMs / 1000}s for ${agent.name}`);
    }
    if (agent.monitor.active) {
      const block = agent.monitor.observeCall(call.session, name, call.args, now, this.onAlert);
      if (block !== undefined) return deny("monitor", `blocked by monitor rule ${block.kind}: ${block.message}`);
    }
    return tool.needsApproval ? tool.approval : tool.allow;
  }

  /** `talks_to A via I`: calling interface I is allowed only over a declared link to an agent exposing I. */
  private evaluateLink(call: ToolCall, agent: CompiledAgent): Decision {
    const targets = agent.links.get(call.tool);
    if (targets === undefined) return deny("not_granted", `${agent.name} is not granted ${call.tool} (default deny)`);
    if (call.target !== undefined && !targets.has(call.target)) {
      return deny("not_granted", `${agent.name} has no talks_to link to ${call.target} via ${call.tool}`);
    }
    if (call.target === undefined && targets.size > 1) {
      return deny("not_granted", `${call.tool} is exposed by several linked agents (${[...targets].join(", ")}): name the target`);
    }
    if (this.isolatedAgents.size > 0) {
      // the kill switch also stops work flowing into an isolated agent
      const target = call.target ?? targets.values().next().value!;
      if (this.isolatedAgents.has(target)) return deny("isolated", `agent ${target} is isolated: ${this.isolatedAgents.get(target)}`);
    }
    return agent.linkAllow.get(call.tool)!;
  }

  /** `auditedArgs`: the call's arguments as the decision record holds them (already redacted). */
  private async awaitApproval(call: ToolCall, tool: CompiledTool, auditedArgs: unknown): Promise<FinalDecision> {
    const approver = this.options.approver;
    const timeoutMs = tool.tool.approval?.timeoutMs;
    let final: FinalDecision;
    let outcome: string;
    let approverName: string | undefined;
    if (approver === undefined || timeoutMs === undefined) {
      // DEPLOYMENT.md §3: nobody to ask is its own outcome, not a human's rejection
      outcome = approver === undefined ? "no_approver" : "rejected";
      final = {
        outcome: "deny",
        rule: "approval",
        reason: approver === undefined ? `${call.tool} needs approval and no approver is configured` : `${call.tool} is tier high but the bundle gives no approval timeout`,
        approval: "rejected",
      };
    } else {
      const req: ApprovalRequest = { agent: call.agent, tool: call.tool, args: call.args, tier: tool.tool.tier };
      if (call.reasoning !== undefined) req.reasoning = call.reasoning;
      const answer = await requestApproval(approver, req, timeoutMs, this.options.approvalTimers);
      approverName = answer.approver;
      outcome = answer.reason === "approved" ? "approved" : answer.reason === "timeout" ? "timeout" : "rejected";
      const who = answer.approver ? ` by ${answer.approver}` : "";
      if (answer.approved && (this.isolatedAll !== undefined || this.isolatedAgents.has(call.agent))) {
        outcome = "rejected";
        final = withApprover({ outcome: "deny", rule: "isolated", reason: `approved${who}, but ${call.agent} was isolated while waiting`, approval: answer.reason }, approverName);
      } else if (answer.approved && this.audit !== null && this.audit.failure !== undefined) {
        // the approval could not be recorded: an action nobody can later account for does not happen
        outcome = "rejected";
        final = withApprover(
          { outcome: "deny", rule: "audit_failure", reason: `approved${who}, but the audit log failed while waiting (${this.audit.failure.message})`, approval: answer.reason },
          approverName,
        );
      } else if (answer.approved) {
        final = { outcome: "allow", rule: "approval", reason: `approved${who}${answer.note ? `: ${answer.note}` : ""}`, approval: "approved", approver: answer.approver! };
      } else {
        const why =
          answer.reason === "timeout"
            ? `no answer within ${timeoutMs / 1000}s: rejected (never auto-approved)`
            : answer.reason === "error"
              ? `the approver failed (${answer.error}): rejected`
              : `rejected${who}${answer.note ? `: ${answer.note}` : ""}`;
        final = withApprover({ outcome: "deny", rule: "approval", reason: why, approval: answer.reason }, approverName);
      }
    }
    if (this.audit !== null) {
      const entry: AuditEntry = {
        agent: call.agent,
        session: call.session,
        event: "approval",
        trace: [{ rule: final.rule, reason: final.reason }],
        action: { tool: call.tool, args: auditedArgs },
        outcome,
      };
      if (call.reasoning !== undefined) entry.inputHash = sha256Tagged(call.reasoning);
      if (approverName !== undefined) entry.approver = approverName;
      this.audit.write(entry);
    }
    return final;
  }

  /** Records the decision and returns the arguments as recorded (redacted per the agent's `audit { pii }`). */
  private recordDecision(call: ToolCall, agent: CompiledAgent | undefined, d: Decision): unknown {
    // A tool's own allow and approval decisions have constant traces whose JSON is computed once.
    const tool = d.rule === "granted" || d.outcome === "needs_approval" ? agent!.tools.get(call.tool) : undefined;
    const trace: TraceStep[] = d === tool?.allow ? tool.allowTrace : d === tool?.approval ? tool.approvalTrace : [{ rule: d.rule, reason: d.reason }];
    const args = call.args === undefined ? undefined : redactArgs(call.args, agent?.pii ?? "hash", this.options.piiKey);
    const entry: AuditEntry = {
      agent: call.agent,
      session: call.session,
      event: "decision",
      trace,
      action: { tool: call.tool, args },
      outcome: d.outcome === "needs_approval" ? "approval_required" : d.outcome,
    };
    if (call.reasoning !== undefined) entry.inputHash = sha256Tagged(call.reasoning);
    this.write(entry);
    return args;
  }

  private write(entry: AuditEntry): void {
    if (this.audit !== null) this.audit.write(entry);
  }

  private raiseAlert(a: MonitorAlert): void {
    this.write({
      agent: a.agent,
      session: a.session,
      event: "alert",
      trace: [{ rule: `monitor.${a.kind}`, reason: a.message }],
      ...(a.tool !== undefined ? { action: { tool: a.tool } } : {}),
      outcome: a.action === "block" ? "blocked" : "alerted",
      guardrail: [{ kind: a.kind, action: a.action, severity: a.severity }],
    });
    const sink = this.options.alerts;
    if (sink !== undefined) {
      try {
        sink(a);
      } catch {
        // The application's sink must not be able to change a decision; the alert is in the audit log.
      }
    }
  }

  /**
   * Admits untrusted text into an agent's context: the agent must `reads` the source, and the detector's
   * score must not exceed the source's threshold. Accepted text comes back wrapped in trust-boundary markers.
   */
  ingest(agentName: string, source: string, text: string, session = ""): IngestResult {
    const agent = this.agents.get(agentName);
    const refuse = (error: IngestError, guardrail: GuardrailEvent): IngestResult => {
      this.write({ agent: agentName, session, event: "ingest_refused", inputHash: sha256Tagged(text), trace: [{ rule: `ingest.${error.kind}`, reason: error.message }], outcome: "refused", guardrail: [guardrail] });
      return { ok: false, error };
    };
    if (agent === undefined) {
      return refuse({ kind: "unknown_agent", agent: agentName, message: `no agent named '${agentName}' in policy ${this.bundle.policy.name}` }, { kind: "unknown_agent", source });
    }
    if (!agent.agent.reads.includes(source)) {
      return refuse(
        { kind: "source_not_read", agent: agentName, source, message: `${agentName} does not read source '${source}' (it reads: ${agent.agent.reads.join(", ") || "nothing"})` },
        { kind: "source_not_read", source },
      );
    }
    const declared = this.bundle.sources[source];
    if (declared === undefined) {
      return refuse({ kind: "unknown_source", agent: agentName, source, message: `source '${source}' is not declared in policy ${this.bundle.policy.name}` }, { kind: "unknown_source", source });
    }
    this.detector ??= createDetector();
    const admitted = admitUntrusted(text, { source, trust: declared.trust as TrustLevel, threshold: declared.threshold }, this.detector);
    if (!admitted.ok) {
      const e = admitted.error;
      return refuse(
        { kind: "injection_refused", agent: agentName, source, score: e.score, threshold: e.threshold, signals: e.signals, message: e.message },
        { kind: "injection", action: "refuse", source, score: Math.round(e.score * 1e6) / 1e6, detail: e.signals.join(",") || "classifier" },
      );
    }
    return { ok: true, text: admitted.text, score: admitted.detection.score, signals: admitted.detection.signals };
  }

  /** Applies the agent's `output pii`, `output exfiltration` and `external_domain` rules to text it is about to emit. */
  filterOutput(agentName: string, text: string, session = ""): OutputResult {
    const rules = this.outputRules.get(agentName);
    if (rules === undefined) {
      this.write({ agent: agentName, session, event: "output_filtered", outputHash: sha256Tagged(text), trace: [{ rule: "unknown_agent", reason: `no agent named '${agentName}': output withheld` }], outcome: "blocked" });
      return { text: "", blocked: true, findings: [], alerts: [] };
    }
    if (rules === null) return { text, blocked: false, findings: [], alerts: [] };
    const result = applyOutputRules(text, rules);
    if (result.findings.length === 0) return { ...result, alerts: [] };
    const alerts: MonitorAlert[] = [];
    const guardrail: GuardrailEvent[] = [];
    const seen = new Set<string>();
    for (const f of result.findings) {
      const kind: MonitorKind = f.kind === "exfiltration" ? "output_exfiltration" : "output_pii";
      const key = f.kind + "/" + f.action.kind;
      if (seen.has(key)) continue;
      seen.add(key);
      guardrail.push({ kind: f.kind, action: f.action.kind, ...(f.detail ? { detail: f.detail } : {}) });
      if (f.action.kind !== "redact") {
        alerts.push({
          kind,
          action: f.action.kind,
          severity: f.action.kind === "alert" ? f.action.severity : "high",
          agent: agentName,
          session,
          message: `output of ${agentName} holds ${f.kind === "exfiltration" ? `an exfiltration channel (${f.detail})` : `${f.kind} data`}`,
        });
      }
    }
    const outcome = result.blocked ? "blocked" : result.findings.some((f) => f.action.kind === "redact") ? "redacted" : "alerted";
    this.write({
      agent: agentName,
      session,
      event: "output_filtered",
      outputHash: sha256Tagged(text),
      trace: [{ rule: "output", reason: `${result.findings.length} finding(s): ${[...seen].join(", ")}` }],
      outcome,
      guardrail,
    });
    for (const a of alerts) {
      const sink = this.options.alerts;
      if (sink !== undefined) {
        try {
          sink(a);
        } catch {
          // see raiseAlert
        }
      }
    }
    return { ...result, alerts };
  }

  /** True when `agent` is granted `tool` and does not deny it: what an MCP gateway lists to the agent. */
  /**
   * Records a refusal decided outside the guard (the gateway's pin check), so that it is audited
   * like every other decision. It can only deny.
   */
  refuse(call: ToolCall, rule: DecisionRule, reason: string): FinalDecision {
    const d = deny(rule, reason) as FinalDecision;
    if (this.audit !== null) this.recordDecision(call, this.agents.get(call.agent), d);
    return d;
  }

  isGranted(agent: string, tool: string): boolean {
    const a = this.agents.get(agent);
    return a !== undefined && a.tools.has(tool) && !a.denied.has(tool);
  }

  /** The kill switch: from now on every call (of `agent`, or of every agent) is denied. Audited. */
  isolate(reason: string, agent?: string): void {
    if (agent === undefined) this.isolatedAll ??= reason;
    else if (!this.isolatedAgents.has(agent)) this.isolatedAgents.set(agent, reason);
    this.write({ agent: agent ?? "*", session: "", event: "isolation", trace: [{ rule: "isolate", reason }], outcome: "isolated" });
  }

  isIsolated(agent?: string): boolean {
    return this.isolatedAll !== undefined || (agent !== undefined && this.isolatedAgents.has(agent));
  }
}

/** Closed world first (an undeclared argument is refused), then every declared argument against its constraint. */
function checkArgs(tool: CompiledTool, args: unknown): Decision | undefined {
  const declared = tool.args!;
  if (args !== undefined && args !== null) {
    if (typeof args !== "object" || Array.isArray(args)) return deny("args", `${tool.name} takes named arguments, got ${typeOfValue(args)}`);
    const obj = args as Record<string, unknown>;
    for (const key in obj) {
      if (!tool.argNames!.has(key)) return deny("args", `${tool.name} has no argument '${key}'${tool.closedWorld}`);
    }
  }
  const obj = (args ?? {}) as Record<string, unknown>;
  for (let i = 0; i < declared.length; i++) {
    const a = declared[i]!;
    // own values only: an inherited one would pass here and never reach the tool as JSON
    const v = Object.hasOwn(obj, a.name) ? obj[a.name] : undefined;
    if (v === undefined) {
      if (a.check.optional) continue;
      return deny("args", a.missing);
    }
    if (!a.check.test(v)) return deny("args", a.outside);
  }
  return undefined;
}

/** The denial with `approver` set when the answer named one (the field is absent otherwise). */
function withApprover(d: { outcome: "deny"; rule: DecisionRule; reason: string; approval: ApprovalReason }, approver: string | undefined): FinalDecision {
  return approver ? { ...d, approver } : d;
}

function outputRulesOf(a: CompiledAgent): OutputRules | null {
  let pii: Action | undefined;
  let exfiltration: Action | undefined;
  let external: Action | undefined;
  const allowDomains: string[] = [];
  for (const r of a.agent.monitor) {
    if (r.kind === "output_pii") pii = r.action;
    else if (r.kind === "output_exfiltration") exfiltration = r.action;
    else if (r.kind === "external_domain") {
      external = r.action;
      allowDomains.push(...r.domains);
    }
  }
  // `external_domain` alone still polices URLs in output: a link outside the allowlist is its finding.
  exfiltration ??= external;
  if (!pii && !exfiltration) return null;
  return { ...(pii ? { pii } : {}), ...(exfiltration ? { exfiltration } : {}), allowDomains };
}

export function createGuard(bundle: Bundle, options: GuardOptions): Guard {
  return new Guard(bundle, options);
}

export { severityOf };
