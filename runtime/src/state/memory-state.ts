// Shared state for one process: the same interface as Redis, kept in memory (`state: { memory: {} }`).
import { MemoryRateStore, type SharedRateStore } from "../rate/rate-store.js";
import type {
  ApprovalStore,
  ApprovalTransition,
  IsolationState,
  KillSwitch,
  StateHealth,
  StateStore,
  StoredApproval,
} from "./state-store.js";

function copyState(s: IsolationState): IsolationState {
  return { ...(s.all !== undefined ? { all: s.all } : {}), agents: new Map(s.agents) };
}

class MemoryKillSwitch implements KillSwitch {
  private state: IsolationState = { agents: new Map() };
  private readonly listeners = new Set<(s: IsolationState) => void>();

  async isolate(i: { agent?: string; reason: string }): Promise<void> {
    if (i.agent === undefined) this.state.all ??= i.reason;
    else if (!this.state.agents.has(i.agent)) this.state.agents.set(i.agent, i.reason);
    this.emit();
  }

  async release(agent?: string): Promise<void> {
    if (agent === undefined) this.state = { agents: new Map() };
    else this.state.agents.delete(agent);
    this.emit();
  }

  async current(): Promise<IsolationState> {
    return copyState(this.state);
  }

  watch(onChange: (s: IsolationState) => void): () => void {
    this.listeners.add(onChange);
    onChange(copyState(this.state));
    return () => this.listeners.delete(onChange);
  }

  private emit(): void {
    for (const l of this.listeners) l(copyState(this.state));
  }
}

class MemoryApprovals implements ApprovalStore {
  private readonly items = new Map<string, StoredApproval>();
  private readonly listeners = new Set<(a: StoredApproval) => void>();

  async put(a: StoredApproval): Promise<void> {
    this.items.set(a.id, { ...a });
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
  ): Promise<ApprovalTransition> {
    const a = this.items.get(id);
    if (!a) return { ok: false, reason: "unknown" };
    if (a.status !== "pending") return { ok: false, reason: "not_pending", approval: { ...a } };
    a.status = status;
    if (by !== undefined) a.decided_by = by;
    if (comment !== undefined) a.comment = comment;
    for (const l of this.listeners) l({ ...a });
    return { ok: true, approval: { ...a } };
  }
  watch(onTransition: (a: StoredApproval) => void): () => void {
    this.listeners.add(onTransition);
    return () => this.listeners.delete(onTransition);
  }
}

export class MemoryStateStore implements StateStore {
  readonly kind = "memory" as const;
  private readonly store = new MemoryRateStore();
  readonly rates: SharedRateStore = { hit: (k, now, w, l) => Promise.resolve(this.store.hit(k, now, w, l)) };
  readonly killSwitch = new MemoryKillSwitch();
  readonly approvals = new MemoryApprovals();

  onHealth(_listener: (h: StateHealth) => void): () => void {
    return () => undefined; // memory never becomes unreachable
  }

  async close(): Promise<void> {}
}
