// Live monitoring of one agent's calls against its monitor rules and the baseline: tool_rate (calls in the
// rule's window above multiplier × the baseline's), data_volume (a session's argument volume above
// multiplier × the baseline's mean session), novel_sequence (share of the session's recent tool n-grams
// the baseline never saw) and external_domain (URLs or addresses in arguments outside the allowlist).
// Everything is precompiled; a call with nothing to report allocates nothing.
import type { BundleMonitorRule } from "@charter/language";
import { MemoryRateStore } from "../rate/rate-store.js";
import type { MonitorStore } from "../state/state-store.js";
import { dataVolume, isBaselineAgent, SEQUENCE_START, type BaselineAgent } from "./baseline.js";
import { compileHostScan } from "./external-hosts.js";

export type MonitorKind = "tool_rate" | "data_volume" | "novel_sequence" | "external_domain" | "output_pii" | "output_exfiltration";
export type Severity = "low" | "medium" | "high" | "critical";
type RuleAction = BundleMonitorRule["action"];

export interface MonitorAlert {
  kind: MonitorKind;
  /** What the rule says to do: `block` denies the call (or withholds the output). */
  action: "alert" | "block" | "redact";
  severity: Severity;
  agent: string;
  session: string;
  tool?: string;
  message: string;
  observed?: number;
  threshold?: number;
}

const NO_ARGS: readonly string[] = Object.freeze([]);

/** How many recent n-grams the novelty score looks at. */
export const NOVELTY_WINDOW = 4;
/** Sessions remembered per agent; the oldest is forgotten beyond this. */
const MAX_SESSIONS = 10_000;

interface SessionState {
  volume: number;
  /** The last n-1 tools, oldest first (SEQUENCE_START before the session's first calls). */
  recent: string[];
  /** Bit i set: the i-th most recent n-gram was unseen. */
  novelBits: number;
  grams: number;
}

type Trie = Map<string, Trie>;

export function severityOf(action: RuleAction): Severity {
  return action.kind === "alert" ? action.severity : "high";
}

export class AgentMonitor {
  private readonly externalDomain?: { domains: string[]; action: RuleAction; scan: (text: string) => string | undefined };
  private readonly toolRate?: {
    multiplier: number;
    windowMs: number;
    action: RuleAction;
    limits: Map<string, number>;
    store: MemoryRateStore;
  };
  private readonly dataVolumeRule?: { limit: number; action: RuleAction };
  private readonly novel?: { score: number; action: RuleAction; trie: Trie; n: number };
  private readonly sessions = new Map<string, SessionState>();
  /** True when some rule looks at tool calls at all; the guard skips the monitor otherwise. */
  readonly active: boolean;
  /** True when some rule counts and the counters are shared: the guard must call observeShared. */
  readonly sharesState: boolean;

  constructor(
    readonly agent: string,
    rules: readonly BundleMonitorRule[],
    baselineOfAgent: BaselineAgent | undefined,
    ngram: number,
    /** Counters shared by replicas (`state: { redis: … }`); in process when absent. */
    private readonly shared?: MonitorStore,
  ) {
    // Callers look the agent up by name in a baseline they may have built by hand: a name such as
    // `constructor` must not find Object.prototype's function there, so anything not shaped like a baseline
    // entry counts as no baseline.
    const baseline = isBaselineAgent(baselineOfAgent) ? baselineOfAgent : undefined;
    for (const r of rules) {
      if (r.kind === "external_domain")
        this.externalDomain = { domains: r.domains.slice(), action: r.action, scan: compileHostScan(r.domains) };
      if (!baseline) continue;
      if (r.kind === "tool_rate") {
        const limits = new Map<string, number>();
        for (const [tool, t] of Object.entries(baseline.tools)) {
          // A tool the baseline saw rarely still gets one call per window before it counts as a burst.
          limits.set(tool, Math.max(1, Math.floor(r.multiplier * Math.max(1, (t.perHour * r.windowMs) / 3_600_000))));
        }
        this.toolRate = { multiplier: r.multiplier, windowMs: r.windowMs, action: r.action, limits, store: new MemoryRateStore() };
      } else if (r.kind === "data_volume") {
        this.dataVolumeRule = { limit: r.multiplier * Math.max(1, baseline.sessions.meanVolume), action: r.action };
      } else if (r.kind === "novel_sequence") {
        const trie: Trie = new Map();
        for (const gram of baseline.sequences) {
          let node = trie;
          for (const name of gram) {
            let next = node.get(name);
            if (!next) node.set(name, (next = new Map()));
            node = next;
          }
        }
        this.novel = { score: r.score, action: r.action, trie, n: ngram };
      }
    }
    this.active = !!(this.externalDomain || this.toolRate || this.dataVolumeRule || this.novel);
    this.sharesState = shared !== undefined && !!(this.toolRate || this.dataVolumeRule || this.novel);
  }

  /**
   * Observes one call that passed the policy's own checks. Reports every alert through `emit` and returns
   * the first alert whose rule says `block`, if any.
   */
  observeCall(
    session: string,
    tool: string,
    args: unknown,
    now: number,
    emit: (a: MonitorAlert) => void,
    /** The caller checked that every key names no host (the tool's closed world of plain names). */
    hostFreeKeys = false,
    /** Arguments the caller checked hold only values that name no host (their constraint admits no other). */
    hostFreeArgs: readonly string[] = NO_ARGS,
  ): MonitorAlert | undefined {
    this.emit = emit;
    this.blocking = undefined;
    const raise = this.raise;
    if (this.externalDomain && args !== undefined) {
      const host =
        hostFreeKeys || hostFreeArgs.length > 0 ? this.outsideHostOfArgs(args, hostFreeKeys, hostFreeArgs) : this.outsideHost(args, 0);
      if (host !== undefined) {
        raise(
          this.alert(
            "external_domain",
            this.externalDomain.action,
            session,
            tool,
            `argument of ${tool} points to ${host}, outside [${this.externalDomain.domains.join(", ")}]`,
          ),
        );
      }
    }
    if (this.toolRate) {
      const r = this.toolRate;
      const limit = r.limits.get(tool) ?? 1;
      if (!r.store.hit(tool, now, r.windowMs, limit)) this.rateAlert(session, tool, limit);
    }
    if (this.dataVolumeRule || this.novel) {
      const s = this.session(session);
      if (this.dataVolumeRule && args !== undefined) {
        const before = s.volume;
        s.volume += dataVolume(args);
        this.volumeAlert(session, tool, before, s.volume);
      }
      if (this.novel) this.noveltyAlert(session, tool, this.novelty(s, tool));
    }
    return this.blocking;
  }

  /**
   * observeCall with the counters in a shared store (state/state-store.ts), so that replicas see one
   * session's and one tool's calls together: one atomic store step per call. Rejects when the store
   * cannot be reached (the guard then denies: fail closed). Only for monitors with `shared` set.
   */
  async observeShared(
    session: string,
    tool: string,
    args: unknown,
    now: number,
    emit: (a: MonitorAlert) => void,
    hostFreeKeys = false,
    hostFreeArgs: readonly string[] = NO_ARGS,
  ): Promise<MonitorAlert | undefined> {
    const store = this.shared!;
    const r = this.toolRate;
    const limit = r ? (r.limits.get(tool) ?? 1) : 0;
    const volume = this.dataVolumeRule && args !== undefined ? dataVolume(args) : undefined;
    const counts = await store.observe({
      agent: this.agent,
      session,
      tool,
      now,
      ...(r ? { rate: { windowMs: r.windowMs, limit } } : {}),
      ...(volume !== undefined ? { volume } : {}),
      ...(this.novel ? { recent: this.novel.n - 1 + NOVELTY_WINDOW } : {}),
    });
    // the stateless rule first, as in observeCall, so the alerts come in the same order
    const local = this.externalDomain ? this.observeStateless(session, tool, args, hostFreeKeys, hostFreeArgs) : undefined;
    this.emit = emit;
    this.blocking = undefined;
    if (local) this.raise(local);
    if (r && !counts.rateOk) this.rateAlert(session, tool, limit);
    if (volume !== undefined) this.volumeAlert(session, tool, counts.volume - volume, counts.volume);
    if (this.novel) this.noveltyAlert(session, tool, this.noveltyOfRecent(counts.recent));
    return this.blocking;
  }

  /** The external_domain alert of a call, if any (the rule keeps no state). */
  private observeStateless(
    session: string,
    tool: string,
    args: unknown,
    hostFreeKeys: boolean,
    hostFreeArgs: readonly string[],
  ): MonitorAlert | undefined {
    if (args === undefined) return undefined;
    const host =
      hostFreeKeys || hostFreeArgs.length > 0 ? this.outsideHostOfArgs(args, hostFreeKeys, hostFreeArgs) : this.outsideHost(args, 0);
    if (host === undefined) return undefined;
    const alert = this.alert(
      "external_domain",
      this.externalDomain!.action,
      session,
      tool,
      `argument of ${tool} points to ${host}, outside [${this.externalDomain!.domains.join(", ")}]`,
    );
    return alert;
  }

  private rateAlert(session: string, tool: string, limit: number): void {
    const r = this.toolRate!;
    this.raise({
      ...this.alert(
        "tool_rate",
        r.action,
        session,
        tool,
        `${tool} called more than ${limit} times within ${r.windowMs / 1000}s (${r.multiplier}x its baseline)`,
      ),
      threshold: limit,
    });
  }

  /** data_volume: alert once when the session crosses its limit; with `block`, every call beyond it is blocked. */
  private volumeAlert(session: string, tool: string, before: number, after: number): void {
    const rule = this.dataVolumeRule!;
    const limit = rule.limit;
    if (after > limit && before <= limit) {
      this.raise({
        ...this.alert(
          "data_volume",
          rule.action,
          session,
          tool,
          `session moved ${after} units of argument data, above ${Math.round(limit)} (baseline × multiplier)`,
        ),
        observed: after,
        threshold: limit,
      });
    } else if (after > limit && rule.action.kind === "block") {
      this.raise({
        ...this.alert("data_volume", rule.action, session, tool, `session is over its data volume (${after} > ${Math.round(limit)})`),
        observed: after,
        threshold: limit,
      });
    }
  }

  private noveltyAlert(session: string, tool: string, score: number): void {
    const rule = this.novel!;
    if (score < rule.score) return;
    this.raise({
      ...this.alert(
        "novel_sequence",
        rule.action,
        session,
        tool,
        `recent tool sequence ending in ${tool} has novelty ${score.toFixed(2)} (rule: >= ${rule.score})`,
      ),
      observed: score,
      threshold: rule.score,
    });
  }

  /**
   * The novelty score from the session's last tools (oldest first, this call's last), as `novelty` keeps
   * it incrementally: the unseen share of the last NOVELTY_WINDOW n-grams. A list shorter than its cap
   * holds the whole session, which is then padded with SEQUENCE_START like the baseline's sessions.
   */
  private noveltyOfRecent(recent: readonly string[]): number {
    const n = this.novel!.n;
    const cap = n - 1 + NOVELTY_WINDOW;
    const padded = recent.length < cap ? [...Array<string>(n - 1).fill(SEQUENCE_START), ...recent] : recent;
    const grams = Math.min(NOVELTY_WINDOW, recent.length);
    if (grams === 0) return 0;
    let unseen = 0;
    for (let end = padded.length - grams; end < padded.length; end++) {
      let node: Trie | undefined = this.novel!.trie;
      for (let i = end - n + 1; i < end && node; i++) node = node.get(padded[i]!);
      if (node === undefined || !node.has(padded[end]!)) unseen++;
    }
    return unseen / grams;
  }

  private emit: (a: MonitorAlert) => void = () => {};
  private blocking: MonitorAlert | undefined;
  /** Bound once: the call path must not allocate a closure per call. */
  private readonly raise = (a: MonitorAlert): void => {
    this.emit(a);
    if (a.action === "block" && !this.blocking) this.blocking = a;
  };

  private alert(kind: MonitorKind, action: RuleAction, session: string, tool: string, message: string): MonitorAlert {
    return { kind, action: action.kind, severity: severityOf(action), agent: this.agent, session, tool, message };
  }

  private session(id: string): SessionState {
    let s = this.sessions.get(id);
    if (s) return s;
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const n = this.novel?.n ?? 2;
    s = { volume: 0, recent: Array<string>(n - 1).fill(SEQUENCE_START), novelBits: 0, grams: 0 };
    this.sessions.set(id, s);
    return s;
  }

  /** Shifts `tool` into the session's sequence and returns the unseen share of its last NOVELTY_WINDOW n-grams. */
  private novelty(s: SessionState, tool: string): number {
    let node: Trie | undefined = this.novel!.trie;
    const recent = s.recent;
    for (let i = 0; i < recent.length && node; i++) node = node.get(recent[i]!);
    const seen = node?.has(tool) === true;
    for (let i = 0; i + 1 < recent.length; i++) recent[i] = recent[i + 1]!;
    if (recent.length > 0) recent[recent.length - 1] = tool;
    s.novelBits = ((s.novelBits << 1) | (seen ? 0 : 1)) & ((1 << NOVELTY_WINDOW) - 1);
    if (s.grams < NOVELTY_WINDOW) s.grams++;
    let unseen = 0;
    for (let b = s.novelBits; b !== 0; b >>= 1) unseen += b & 1;
    return unseen / s.grams;
  }

  /** outsideHost of the arguments object, skipping what the caller already knows names no host: the same answer. */
  private outsideHostOfArgs(args: unknown, hostFreeKeys: boolean, hostFreeArgs: readonly string[]): string | undefined {
    if (typeof args !== "object" || args === null || Array.isArray(args)) return this.outsideHost(args, 0);
    const obj = args as Record<string, unknown>;
    const scan = this.externalDomain!.scan;
    for (const k in obj) {
      const h = (hostFreeKeys ? undefined : scan(k)) ?? (hostFreeArgs.includes(k) ? undefined : this.outsideHost(obj[k], 1));
      if (h !== undefined) return h;
    }
    return undefined;
  }

  /** The first host (of a URL or an e-mail address) in the arguments, keys included, that is outside the allowlist. */
  private outsideHost(v: unknown, depth: number): string | undefined {
    if (typeof v === "string") return this.externalDomain!.scan(v);
    if (typeof v !== "object" || v === null || depth > 32) return undefined;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const h = this.outsideHost(v[i], depth + 1);
        if (h !== undefined) return h;
      }
      return undefined;
    }
    const obj = v as Record<string, unknown>;
    for (const k in obj) {
      const h = this.externalDomain!.scan(k) ?? this.outsideHost(obj[k], depth + 1);
      if (h !== undefined) return h;
    }
    return undefined;
  }
}
