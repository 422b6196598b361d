// The guard: enforces one compiled bundle on every tool call, ingested text and output. It is a thin
// set of services around the pure decision core (decide-core.ts): it asks the rate window and the
// session store, hands their answers to the core, records every decision in the audit log, waits for
// approvers (approval.ts), admits ingested text (and remembers it in the session's history) and filters
// output. The kill switch (kill-switch.ts) is read by the core in one place.
import type { Bundle } from "@charter/language";
import type { AuditLog } from "../audit/audit-log.js";
import { redactArgs, type PiiKey } from "../audit/pii-args.js";
import { constantTrace, sha256Tagged, type AuditEntry, type GuardrailEvent, type TraceStep } from "../audit/record.js";
import type { ApprovalTimers, Approver } from "../approval/request-approval.js";
import { createDetector } from "../detector/detector.js";
import type { Detector } from "../detector/types.js";
import { admitUntrusted } from "../ingest/admit-untrusted.js";
import { redactInjections } from "../ingest/redact.js";
import type { TrustLevel } from "../ingest/markers.js";
import type { Baseline } from "../monitor/baseline.js";
import { severityOf, type MonitorAlert } from "../monitor/agent-monitor.js";
import { MemoryRateStore, type SharedRateStore } from "../rate/rate-store.js";
import type { MonitorStore } from "../state/state-store.js";
import {
  EMPTY_SNAPSHOT,
  MemorySessionStore,
  TRUST_RANK,
  type CallFact,
  type SessionSnapshot,
  type SessionStore,
  type TrustRank,
} from "../session/session-store.js";
import { awaitApproval } from "./approval.js";
import { compilePolicy, type BudgetRule, type CompiledAgent, type CompiledTool } from "./compile-policy.js";
import { decideStatic, decideStateful, type CompiledPolicy, type StaticInputs } from "./decide-core.js";
import type { Decision, DecisionRule, FinalDecision, ToolCall } from "./decision.js";
import { KillSwitch } from "./kill-switch.js";
import { filterAgentOutput, outputRulesOf, type OutputResult } from "./output.js";

type MaybePromise<T> = T | PromiseLike<T>;

/** A rate store in process (answers at once) or shared (may answer with a Promise; only `authorize` waits). */
export interface GuardRateStore {
  hit(key: string, now: number, windowMs: number, limit: number): MaybePromise<boolean>;
}

export interface GuardOptions {
  /** The hash-chained audit log. `null` records nothing: only for benchmarks and throwaway checks. */
  audit: AuditLog | null;
  /**
   * Asked for every call that needs approval; without one such calls are denied. The request carries
   * the agent, tool, arguments and tier, and also the session, the approver groups and the reason a
   * rule asked; the context carries an AbortSignal. Approval services may pass more.
   */
  approver?: Approver;
  /** Milliseconds since the epoch (default Date.now). */
  clock?: () => number;
  /** Sliding-window counters for `rate`; share one store between replicas to limit them together. */
  rateStore?: GuardRateStore;
  /**
   * Rate windows shared by replicas (state/redis-state.ts). When set, it replaces `rateStore`, `decide`
   * cannot be used (only `authorize`), and a store that fails denies (fail closed, rule state_unavailable).
   */
  sharedRates?: SharedRateStore;
  /**
   * The monitor's counters shared by replicas (state/redis-state.ts): tool_rate, data_volume and
   * novel_sequence then see one session's calls on every replica. Like `sharedRates`, only `authorize`
   * can use it, and a store that fails denies (state_unavailable).
   */
  sharedMonitor?: MonitorStore;
  /** Session histories for flow rules, provenance conditions, session rates and budgets. */
  sessionStore?: SessionStore;
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

/** `redacted`: how many passages `on_injection redact` replaced by a marker (absent when none). */
export type IngestResult =
  | { ok: true; text: string; score: number; signals: string[]; redacted?: number }
  | { ok: false; error: IngestError };

export type { OutputResult } from "./output.js";

function isPromise<T>(v: MaybePromise<T>): v is PromiseLike<T> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

function isTool(v: Decision | CompiledTool): v is CompiledTool {
  return (v as Decision).outcome === undefined;
}

export class Guard {
  private readonly policy: CompiledPolicy;
  private readonly agents: Map<string, CompiledAgent>;
  private readonly audit: AuditLog | null;
  private readonly clock: () => number;
  private readonly rates: GuardRateStore;
  private readonly sessions: SessionStore;
  private readonly kill = new KillSwitch();
  private readonly outputRules = new Map<string, ReturnType<typeof outputRulesOf>>();
  private detector: Detector | undefined;
  private readonly staticInputs: StaticInputs;
  /** Bound once so the call path hands the monitor no fresh closure. */
  private readonly onAlert = (a: MonitorAlert): void => this.raiseAlert(a);
  /** The clock of the call being decided, for windowSumNow. */
  private now = 0;
  private readonly windowSumNow = (b: BudgetRule): number => {
    const s = this.sessions.windowSum(b.key, this.now, b.windowMs!);
    if (isPromise(s)) throw new Error("decide needs an in-process session store; use authorize with a shared one");
    return s;
  };

  constructor(
    readonly bundle: Bundle,
    private readonly options: GuardOptions,
  ) {
    this.agents = compilePolicy(bundle, options.baseline, options.sharedMonitor);
    this.policy = { name: bundle.policy.name, agents: this.agents };
    this.audit = options.audit;
    // every record names the bundle that decided (DEPLOYMENT.md §4); a reload's new guard restamps the log
    if (this.audit !== null) this.audit.bundle = bundle.digest;
    this.clock = options.clock ?? Date.now;
    this.rates = options.sharedRates ?? options.rateStore ?? new MemoryRateStore();
    this.sessions = options.sessionStore ?? new MemorySessionStore();
    this.detector = options.detector;
    const audit = this.audit;
    this.staticInputs = {
      kill: this.kill,
      get auditFailure() {
        return audit?.failure?.message;
      },
      score: (text) => this.detect().score(text).score,
    };
    for (const [name, a] of this.agents) this.outputRules.set(name, outputRulesOf(a));
    this.anyMonitorMode = [...this.agents.values()].some((a) => a.monitorMode);
  }

  /** Some agent is in `mode monitor` (otherwise settle need not look the agent up). */
  private readonly anyMonitorMode: boolean;

  private detect(): Detector {
    return (this.detector ??= createDetector());
  }

  /**
   * Decides a call synchronously: allow, deny or needs_approval (the caller must then wait for a human:
   * use `authorize`). Counts the call against its rate window and records the decision. Needs in-process
   * stores; with a shared (asynchronous) store, use `authorize`.
   */
  decide(call: ToolCall): Decision {
    const now = this.clock();
    const first = decideStatic(this.policy, call, this.staticInputs);
    if (!isTool(first)) return this.settle(call, undefined, first, now);
    const agent = first.owner;
    const hit = this.rates.hit(first.rateKey, now, first.rateWindowMs, first.rateCount);
    const session = this.snapshotOf(first, call.session);
    if ((hit !== true && hit !== false) || (session !== EMPTY_SNAPSHOT && isPromise(session))) {
      throw new Error("decide needs in-process rate and session stores; use authorize with shared ones");
    }
    return this.settle(call, first, this.decideTool(agent, first, call, hit, session as SessionSnapshot, now, this.windowSumNow), now);
  }

  /**
   * `decide`, then for a call that needs approval, ask the approver within the tool's timeout. Not an
   * `async` function: with in-process stores most calls are decided synchronously and need only an
   * already-resolved promise. Shared stores that answer with Promises are awaited here.
   */
  authorize(call: ToolCall): Promise<FinalDecision> {
    try {
      const now = this.clock();
      const first = decideStatic(this.policy, call, this.staticInputs);
      if (!isTool(first)) return this.durably(call, this.settle(call, undefined, first, now) as FinalDecision);
      const agent = first.owner;
      const hit = this.rates.hit(first.rateKey, now, first.rateWindowMs, first.rateCount);
      const session = this.snapshotOf(first, call.session);
      const sums = this.windowSums(first, now);
      if (
        (hit !== true && hit !== false) ||
        (session !== EMPTY_SNAPSHOT && isPromise(session)) ||
        (sums !== null && isPromise(sums)) ||
        agent.monitor.sharesState
      ) {
        return this.authorizeLater(call, agent, first, hit, session, sums, now);
      }
      const d = this.decideTool(
        agent,
        first,
        call,
        hit,
        session as SessionSnapshot,
        now,
        sums === null ? this.windowSumNow : (b) => (sums as number[])[first.budgets.indexOf(b)]!,
      );
      return this.finish(call, agent, first, d, now);
    } catch (e) {
      return Promise.reject(e); // as an async function would: a caller awaiting authorize sees one failure path
    }
  }

  private async authorizeLater(
    call: ToolCall,
    agent: CompiledAgent,
    tool: CompiledTool,
    hit: MaybePromise<boolean>,
    session: MaybePromise<SessionSnapshot>,
    sums: MaybePromise<number[] | null>,
    now: number,
  ): Promise<FinalDecision> {
    let ok: boolean;
    let snapshot: SessionSnapshot;
    let windowSums: number[] | null;
    let shared: { block: MonitorAlert | undefined } | undefined;
    try {
      [ok, snapshot, windowSums] = await Promise.all([hit, session, sums]);
      // the shared monitor counts only a call within its rate, as decideTool does in process
      if (ok && agent.monitor.sharesState) {
        const m = agent.monitor;
        shared = {
          block: await m.observeShared(call.session, tool.name, call.args, now, this.onAlert, tool.hostFreeKeys, tool.hostFreeArgs),
        };
      }
    } catch (e) {
      // a shared store that cannot answer fails closed (DEPLOYMENT.md §5), and the refusal is audited
      return this.settle(
        call,
        undefined,
        {
          outcome: "deny",
          rule: "state_unavailable",
          reason: `the shared state store is unreachable (${(e as Error).message}): failing closed`,
        },
        now,
      ) as FinalDecision;
    }
    const d = this.decideTool(
      agent,
      tool,
      call,
      ok,
      snapshot,
      now,
      windowSums === null ? this.windowSumNow : (b) => windowSums[tool.budgets.indexOf(b)]!,
      shared,
    );
    return this.finish(call, agent, tool, d, now);
  }

  private finish(call: ToolCall, agent: CompiledAgent, tool: CompiledTool, d: Decision, now: number): Promise<FinalDecision> {
    const decision = this.settle(call, tool, d, now);
    if (decision.outcome !== "needs_approval") return this.durably(call, decision as FinalDecision);
    return awaitApproval(this.approvalContext, call, agent, tool, decision, this.auditedArgs).then((final) => {
      if (final.outcome !== "allow") return final;
      this.commitRun(tool, call, now);
      return this.durably(call, final);
    });
  }

  /**
   * DEPLOYMENT.md §4: the record of a call that may run is durable (handed to the operating system, or
   * committed) before the caller may forward it. A log that cannot make it durable turns the allow into
   * a denial, recorded if the log still can.
   */
  private durably(call: ToolCall, d: FinalDecision): Promise<FinalDecision> {
    if (d.outcome !== "allow" || this.audit === null) return Promise.resolve(d);
    const written = this.audit.durable();
    if (written === undefined) return Promise.resolve(d);
    return written.then(
      () => d,
      (e: Error) => {
        const refused = {
          outcome: "deny",
          rule: "audit_failure",
          reason: `the audit log could not record the decision (${e.message}): no call is allowed that cannot be recorded`,
        } as FinalDecision;
        try {
          this.recordDecision(call, this.agents.get(call.agent), undefined, refused, undefined);
        } catch {
          // the log is failing; the denial stands
        }
        return refused;
      },
    );
  }

  private readonly approvalContext = {
    approver: () => this.options.approver,
    timers: () => this.options.approvalTimers,
    kill: this.kill,
    audit: () => this.audit,
    write: (e: AuditEntry) => this.write(e),
    clock: () => this.clock(),
    piiKey: () => this.options.piiKey,
  };

  /** Only a tool whose decision reads the history pays for fetching it. */
  private snapshotOf(tool: CompiledTool, session: string): MaybePromise<SessionSnapshot> {
    return tool.readsSession ? this.sessions.snapshot(session) : EMPTY_SNAPSHOT;
  }

  /** The windowed budgets' sums when the tool has any (null: none to ask). */
  private windowSums(tool: CompiledTool, now: number): MaybePromise<number[] | null> {
    if (!tool.windowedBudgets) return null;
    const sums = tool.budgets.map((b) => (b.windowMs === null ? 0 : this.sessions.windowSum(b.key, now, b.windowMs)));
    return sums.some(isPromise) ? Promise.all(sums) : (sums as number[]);
  }

  private decideTool(
    agent: CompiledAgent,
    tool: CompiledTool,
    call: ToolCall,
    rateOk: boolean,
    session: SessionSnapshot,
    now: number,
    windowSum: (b: BudgetRule) => number,
    /** the shared monitor's answer, already observed (authorizeLater) */
    shared?: { block: MonitorAlert | undefined },
  ): Decision {
    let monitorBlock: Decision | undefined;
    if (rateOk && agent.monitor.active) {
      if (shared === undefined && agent.monitor.sharesState)
        throw new Error("decide needs an in-process monitor; use authorize with a shared one");
      const block =
        shared !== undefined
          ? shared.block
          : agent.monitor.observeCall(call.session, tool.name, call.args, now, this.onAlert, tool.hostFreeKeys, tool.hostFreeArgs);
      if (block !== undefined)
        monitorBlock = { outcome: "deny", rule: "monitor", reason: `blocked by monitor rule ${block.kind}: ${block.message}` };
    }
    this.now = now;
    return decideStateful(agent, tool, call, rateOk, monitorBlock, session, windowSum);
  }

  /**
   * Records the decision, applies `mode monitor` (a refusal recorded, the call let through) and remembers
   * a call that will run. Returns the decision the caller acts on; the arguments as recorded are left in
   * `auditedArgs` (no result object per call).
   */
  private settle(call: ToolCall, tool: CompiledTool | undefined, d: Decision, now: number): Decision {
    // a tool knows the agent that holds it; only a refusal before the tool was found looks the agent up
    const agent = tool !== undefined ? tool.owner : this.audit !== null || this.anyMonitorMode ? this.agents.get(call.agent) : undefined;
    let decision = d;
    let enforced: boolean | undefined;
    if (agent?.monitorMode === true && d.outcome !== "allow" && d.rule !== "unknown_agent") {
      enforced = false;
      decision = {
        outcome: "allow",
        rule: d.rule,
        reason: `mode monitor: would ${d.outcome === "deny" ? "deny" : "need approval"} (${d.reason}); let through`,
        enforced: false,
        wouldBe: d.outcome === "deny" ? "deny" : "needs_approval",
      };
    }
    this.auditedArgs = this.audit !== null ? this.recordDecision(call, agent, tool, d, enforced) : undefined;
    if (decision.outcome === "allow" && tool !== undefined && tool.recordsCall) this.commitRun(tool, call, now);
    return decision;
  }

  /** The arguments of the last decision as its audit record holds them (redacted). */
  private auditedArgs: unknown;

  /** A call that runs: remembered for `after TOOL`, session rates and budgets (only what some rule reads). */
  private commitRun(tool: CompiledTool, call: ToolCall, now: number): void {
    if (!tool.recordsCall) return;
    void this.sessions.recordCall(call.session, callFact(tool, call.args), now);
  }

  /** Records the decision and returns the arguments as recorded (redacted per the agent's `audit { pii }`). */
  private recordDecision(
    call: ToolCall,
    agent: CompiledAgent | undefined,
    tool: CompiledTool | undefined,
    d: Decision,
    enforced: boolean | undefined,
  ): unknown {
    // A tool's own allow and approval decisions, and every other compiled (frozen) decision, have
    // constant traces whose JSON is computed once.
    const trace: TraceStep[] = d === tool?.allow ? tool.allowTrace : d === tool?.approval ? tool.approvalTrace : traceOf(d);
    const args = call.args === undefined ? undefined : redactArgs(call.args, agent?.pii ?? "hash", this.options.piiKey);
    const entry: AuditEntry = {
      agent: call.agent,
      session: call.session,
      event: "decision",
      trace,
      action: { tool: call.tool, args },
      outcome: d.outcome === "needs_approval" ? "approval_required" : d.outcome,
    };
    if (enforced === false) entry.enforced = false;
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
    this.notify(a);
  }

  private notify(a: MonitorAlert): void {
    const sink = this.options.alerts;
    if (sink === undefined) return;
    try {
      sink(a);
    } catch {
      // The application's sink must not be able to change a decision; the alert is in the audit log.
    }
  }

  /**
   * Admits untrusted text into an agent's context: the agent must `reads` the source, and the detector's
   * score must not exceed the source's threshold. Accepted text comes back wrapped in trust-boundary
   * markers. Whatever was offered, admitted or refused, enters the session's history: admitted text with
   * its source's trust, refused text (an injection, or a source the agent does not read) as untrusted.
   * It says where a value could have come from, and flow rules stay strict when the detector catches
   * one passage of an attack but not another.
   */
  ingest(agentName: string, source: string, text: string, session = "", tool?: string): IngestResult {
    const agent = this.agents.get(agentName);
    const refuse = (error: IngestError, guardrail: GuardrailEvent): IngestResult => {
      this.write({
        agent: agentName,
        session,
        event: "ingest_refused",
        inputHash: sha256Tagged(text),
        trace: [{ rule: `ingest.${error.kind}`, reason: error.message }],
        ...(tool !== undefined ? { action: { tool } } : {}),
        outcome: "refused",
        guardrail: [guardrail],
      });
      return { ok: false, error };
    };
    if (agent === undefined) {
      return refuse(
        { kind: "unknown_agent", agent: agentName, message: `no agent named '${agentName}' in policy ${this.bundle.policy.name}` },
        { kind: "unknown_agent", source },
      );
    }
    const declared = Object.hasOwn(this.bundle.sources, source) ? this.bundle.sources[source] : undefined;
    if (!agent.agent.reads.includes(source) || declared === undefined) {
      if (agent.readsHistory) this.remember(session, source, 0, text);
    }
    if (!agent.agent.reads.includes(source)) {
      return refuse(
        {
          kind: "source_not_read",
          agent: agentName,
          source,
          message: `${agentName} does not read source '${source}' (it reads: ${agent.agent.reads.join(", ") || "nothing"})`,
        },
        { kind: "source_not_read", source },
      );
    }
    if (declared === undefined) {
      return refuse(
        {
          kind: "unknown_source",
          agent: agentName,
          source,
          message: `source '${source}' is not declared in policy ${this.bundle.policy.name}`,
        },
        { kind: "unknown_source", source },
      );
    }
    const admitted = admitUntrusted(text, { source, trust: declared.trust as TrustLevel, threshold: declared.threshold }, this.detect());
    if (!admitted.ok && declared.onInjection === "redact") {
      const redacted = this.redact(agent, agentName, source, declared, text, session, tool);
      if (redacted !== undefined) return redacted;
    }
    // text the detector refused is an attacker's, whatever its source: it counts as untrusted
    if (agent.readsHistory) this.remember(session, source, admitted.ok ? TRUST_RANK[declared.trust]! : 0, text);
    if (!admitted.ok) {
      const e = admitted.error;
      return refuse(
        {
          kind: "injection_refused",
          agent: agentName,
          source,
          score: e.score,
          threshold: e.threshold,
          signals: e.signals,
          message: e.message,
        },
        {
          kind: "injection",
          action: "refuse",
          source,
          score: Math.round(e.score * 1e6) / 1e6,
          detail: e.signals.join(",") || "classifier",
        },
      );
    }
    return { ok: true, text: admitted.text, score: admitted.detection.score, signals: admitted.detection.signals };
  }

  /**
   * `on_injection redact` (spec §3, v1): only the offending passages are replaced by a marker and the rest
   * is admitted, so one poisoned record cannot lock an agent out of a store. The replaced passages enter
   * the session's history as untrusted, the rest with the source's trust; the redaction is audited. When
   * the evidence cannot be localised (the whole text would go), the text is refused as under `refuse`.
   */
  private redact(
    agent: CompiledAgent,
    agentName: string,
    source: string,
    declared: Bundle["sources"][string],
    text: string,
    session: string,
    tool: string | undefined,
  ): IngestResult | undefined {
    const r = redactInjections(text, declared.threshold, this.detect());
    if (!r.complete) return undefined;
    const admitted = admitUntrusted(r.text, { source, trust: declared.trust as TrustLevel, threshold: declared.threshold }, this.detect());
    if (!admitted.ok) return undefined;
    if (agent.readsHistory) {
      this.remember(session, source, TRUST_RANK[declared.trust]!, r.text);
      for (const p of r.redacted) this.remember(session, source, 0, p.text);
    }
    const top = r.redacted.reduce((m, p) => Math.max(m, p.score), 0);
    this.write({
      agent: agentName,
      session,
      event: "ingest_redacted",
      inputHash: sha256Tagged(text),
      trace: [
        {
          rule: "ingest.injection_redacted",
          reason: `${r.redacted.length} passage(s) above ${source}'s threshold ${declared.threshold} replaced by a marker`,
        },
      ],
      ...(tool !== undefined ? { action: { tool } } : {}),
      outcome: "redacted",
      guardrail: [
        {
          kind: "injection",
          action: "redact",
          source,
          score: Math.round(top * 1e6) / 1e6,
          detail: [...new Set(r.redacted.flatMap((p) => p.signals))].join(",") || "classifier",
        },
      ],
    });
    return {
      ok: true,
      text: admitted.text,
      score: admitted.detection.score,
      signals: admitted.detection.signals,
      redacted: r.redacted.length,
    };
  }

  private remember(session: string, source: string, trust: TrustRank, text: string): void {
    void this.sessions.recordIngest(session, { source, trust, text });
  }

  /**
   * History that holds without the text passing through `ingest` (a test's `given … ingested`, a
   * replayed session): the text is remembered with its source's trust; nothing is audited.
   */
  noteIngested(agentName: string, session: string, source: string, text: string): void {
    const declared = Object.hasOwn(this.bundle.sources, source) ? this.bundle.sources[source] : undefined;
    const reads = this.agents.get(agentName)?.agent.reads.includes(source) === true;
    this.remember(session, source, declared !== undefined && reads ? TRUST_RANK[declared.trust]! : 0, text);
  }

  /** History: `call` ran (a test's `given … called`, or a replayed call whose approval is assumed). */
  noteCalled(call: ToolCall): void {
    const tool = this.agents.get(call.agent)?.tools.get(call.tool);
    if (tool?.recordsCall) void this.sessions.recordCall(call.session, callFact(tool, call.args), this.clock());
  }

  /** The source a tool's results are ingested as: its `returns`, else `fallback` (the gateway's source). */
  resultSource(agentName: string, tool: string, fallback: string | undefined): string | undefined {
    return this.agents.get(agentName)?.tools.get(tool)?.returns ?? fallback;
  }

  /** Applies the agent's `output pii`, `output exfiltration` and `external_domain` rules to text it is about to emit. */
  filterOutput(agentName: string, text: string, session = "", tool?: string): OutputResult {
    const write = tool === undefined ? (e: AuditEntry) => this.write(e) : (e: AuditEntry) => this.write({ ...e, action: { tool } });
    return filterAgentOutput(this.outputRules.get(agentName), agentName, text, session, write, (a) => this.notify(a));
  }

  /**
   * Records what the tool server answered to a forwarded call: its size, digest and error flag (never the
   * text itself), so an investigator can account for the data that reached the agent.
   */
  recordResult(call: Pick<ToolCall, "agent" | "session" | "tool">, text: string, isError: boolean): void {
    this.write({
      agent: call.agent,
      session: call.session,
      event: "tool_result",
      trace: [{ rule: "result", reason: isError ? `${call.tool} answered with an error` : `${call.tool} answered` }],
      action: { tool: call.tool },
      outcome: isError ? "error" : "ok",
      result: { isError, bytes: Buffer.byteLength(text, "utf8"), hash: sha256Tagged(text) },
    });
  }

  /**
   * Records a refusal decided outside the guard (the gateway's pin check), so that it is audited
   * like every other decision. It can only deny.
   */
  refuse(call: ToolCall, rule: DecisionRule, reason: string): FinalDecision {
    const d: FinalDecision = { outcome: "deny", rule, reason };
    if (this.audit !== null) this.recordDecision(call, this.agents.get(call.agent), undefined, d, undefined);
    return d;
  }

  /** True when `agent` is granted `tool` and does not deny it: what an MCP gateway lists to the agent. */
  isGranted(agent: string, tool: string): boolean {
    const a = this.agents.get(agent);
    return a?.tools.has(tool) === true && !a.denied.has(tool);
  }

  /** The kill switch: from now on every call (of `agent`, or of every agent) is denied. Audited. */
  isolate(reason: string, agent?: string): void {
    this.kill.isolate(reason, agent);
    this.write({ agent: agent ?? "*", session: "", event: "isolation", trace: [{ rule: "isolate", reason }], outcome: "isolated" });
  }

  /**
   * Applies an isolation that is already on record: the guard of a reloaded bundle takes over the
   * isolations in force without writing them a second time (the incident report counts isolations).
   */
  restoreIsolation(reason: string, agent?: string): void {
    this.kill.isolate(reason, agent);
  }

  /** Lifts the kill switch (of `agent`, or every isolation). Audited. */
  release(reason: string, agent?: string): void {
    this.kill.release(agent);
    this.write({ agent: agent ?? "*", session: "", event: "isolation", trace: [{ rule: "release", reason }], outcome: "released" });
  }

  isIsolated(agent?: string): boolean {
    return this.kill.isIsolated(agent);
  }
}

/**
 * The trace of a decision: for the compiled ones (frozen, shared by every call they refuse: a rate
 * limit, an argument outside its constraint, a tool not granted) one constant trace per decision, so a
 * steered agent's stream of refusals costs no quoting; a decision made for one call gets its own.
 */
const compiledTraces = new WeakMap<Decision, TraceStep[]>();
function traceOf(d: Decision): TraceStep[] {
  if (!Object.isFrozen(d)) return [{ rule: d.rule, reason: d.reason }];
  let t = compiledTraces.get(d);
  if (t === undefined) compiledTraces.set(d, (t = constantTrace([{ rule: d.rule, reason: d.reason }])));
  return t;
}

/** The facts of calls without budgets are the same every time: made once per tool (compileTool). */
function callFact(tool: CompiledTool, args: unknown): CallFact {
  if (tool.constantFact !== null) return tool.constantFact;
  const fact: CallFact = { tool: tool.name };
  if (tool.sessionRate > 0) fact.sessionRateKey = tool.rateKey;
  {
    const obj = args !== null && typeof args === "object" ? (args as Record<string, unknown>) : {};
    const amounts: { key: string; amount: number; windowMs: number | null }[] = [];
    for (const b of tool.budgets) {
      const v = Object.hasOwn(obj, b.arg) ? obj[b.arg] : undefined;
      if (typeof v === "number" && Number.isFinite(v)) amounts.push({ key: b.key, amount: v, windowMs: b.windowMs });
    }
    fact.amounts = amounts;
  }
  return fact;
}

export function createGuard(bundle: Bundle, options: GuardOptions): Guard {
  return new Guard(bundle, options);
}

export { severityOf };
