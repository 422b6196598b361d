// Shared state for one process: the same interface as Redis, kept in memory (`state: { memory: {} }`).
import { MemoryRateStore, type SharedRateStore } from "../rate/rate-store.js";
import type {
  MonitorCounts,
  MonitorObservation,
  MonitorStore,
  ApprovalStore,
  ApprovalTransition,
  IsolationState,
  KillSwitch,
  StateHealth,
  StateStore,
  StoredApproval,
} from "./state-store.js";

function copyState(s: IsolationState, released: Map<string, string>): IsolationState {
  return { ...(s.all !== undefined ? { all: s.all } : {}), agents: new Map(s.agents), released: new Map(released) };
}

class MemoryKillSwitch implements KillSwitch {
  private state: IsolationState = { agents: new Map() };
  private readonly released = new Map<string, string>();
  private readonly listeners = new Set<(s: IsolationState) => void>();

  async isolate(i: { agent?: string; reason: string }): Promise<void> {
    if (i.agent === undefined) this.state.all ??= i.reason;
    else if (!this.state.agents.has(i.agent)) this.state.agents.set(i.agent, i.reason);
    this.emit();
  }

  async release(agent?: string, reason = "released"): Promise<void> {
    if (agent === undefined) this.state = { agents: new Map() };
    else this.state.agents.delete(agent);
    this.released.set(agent ?? "*", reason);
    this.emit();
  }

  async current(): Promise<IsolationState> {
    return copyState(this.state, this.released);
  }

  watch(onChange: (s: IsolationState) => void): () => void {
    this.listeners.add(onChange);
    onChange(copyState(this.state, this.released));
    return () => this.listeners.delete(onChange);
  }

  private emit(): void {
    for (const l of this.listeners) l(copyState(this.state, this.released));
  }
}

class MemoryApprovals implements ApprovalStore {
  private readonly items = new Map<string, StoredApproval>();
  private readonly listeners = new Set<(a: StoredApproval) => void>();
  private readonly putListeners = new Set<(a: StoredApproval) => void>();

  async put(a: StoredApproval): Promise<void> {
    this.items.set(a.id, { ...a });
    for (const l of this.putListeners) l({ ...a });
  }
  async get(id: string): Promise<StoredApproval | undefined> {
    const a = this.items.get(id);
    return a && { ...a };
  }
  async pending(): Promise<StoredApproval[]> {
    return [...this.items.values()].filter((a) => a.status === "pending").map((a) => ({ ...a }));
  }
  async transition(
    id: string,
    status: Exclude<StoredApproval["status"], "pending">,
    by?: string,
    comment?: string,
    at?: number,
  ): Promise<ApprovalTransition> {
    const a = this.items.get(id);
    if (!a) return { ok: false, reason: "unknown" };
    if (a.status !== "pending") return { ok: false, reason: "not_pending", approval: { ...a } };
    a.status = status;
    if (by !== undefined) a.decided_by = by;
    if (comment !== undefined) a.comment = comment;
    if (at !== undefined) a.decided_at = new Date(at).toISOString();
    for (const l of this.listeners) l({ ...a });
    return { ok: true, approval: { ...a } };
  }
  watch(onTransition: (a: StoredApproval) => void, onPut?: (a: StoredApproval) => void): () => void {
    this.listeners.add(onTransition);
    if (onPut) this.putListeners.add(onPut);
    return () => {
      this.listeners.delete(onTransition);
      if (onPut) this.putListeners.delete(onPut);
    };
  }
}

/** Sessions remembered; the oldest is forgotten beyond this (Redis bounds them by TTL instead). */
const MAX_MONITOR_SESSIONS = 10_000;

class MemoryMonitor implements MonitorStore {
  private readonly windows = new MemoryRateStore();
  private readonly sessions = new Map<string, { volume: number; tools: string[] }>();

  async observe(o: MonitorObservation): Promise<MonitorCounts> {
    const rateOk = o.rate === undefined || this.windows.hit(o.agent + "\u0000" + o.tool, o.now, o.rate.windowMs, o.rate.limit);
    if (o.volume === undefined && o.recent === undefined) return { rateOk, volume: 0, recent: [] };
    const key = o.agent + "\u0000" + o.session;
    let s = this.sessions.get(key);
    if (s === undefined) {
      if (this.sessions.size >= MAX_MONITOR_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
      this.sessions.set(key, (s = { volume: 0, tools: [] }));
    }
    if (o.volume !== undefined) s.volume += o.volume;
    if (o.recent !== undefined) {
      s.tools.push(o.tool);
      if (s.tools.length > o.recent) s.tools.splice(0, s.tools.length - o.recent);
    }
    return { rateOk, volume: o.volume === undefined ? 0 : s.volume, recent: o.recent === undefined ? [] : s.tools.slice() };
  }
}

export class MemoryStateStore implements StateStore {
  readonly kind = "memory" as const;
  private readonly store = new MemoryRateStore();
  readonly rates: SharedRateStore = { hit: (k, now, w, l) => Promise.resolve(this.store.hit(k, now, w, l)) };
  readonly killSwitch = new MemoryKillSwitch();
  readonly approvals = new MemoryApprovals();
  readonly monitor: MonitorStore = new MemoryMonitor();

  onHealth(_listener: (h: StateHealth) => void): () => void {
    return () => undefined; // memory never becomes unreachable
  }

  async close(): Promise<void> {}
}
