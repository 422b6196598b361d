// Shared state (DEPLOYMENT.md §5): what several `charter serve` replicas must agree on — rate windows, the
// kill switch and pending approvals — behind one interface, kept in memory for a single process or in
// Redis for many. Every operation that a decision depends on rejects when the store cannot be reached,
// and the guard denies (fail closed); `health` reports outages and recoveries so they are audited.

export interface Isolation {
  /** undefined: every agent. */
  agent?: string;
  reason: string;
}

export interface IsolationState {
  all?: string;
  agents: Map<string, string>;
}

export type ApprovalStatus = "pending" | "approved" | "rejected" | "expired" | "withdrawn";

export interface StoredApproval {
  id: string;
  agent: string;
  tool: string;
  args?: unknown;
  reasoning?: string;
  tier?: string;
  requested_at: string;
  expires_at: string;
  approvers: string[];
  status: ApprovalStatus;
  /** Who decided, for approved/rejected. */
  decided_by?: string;
  comment?: string;
}

export type ApprovalTransition =
  | { ok: true; approval: StoredApproval }
  | { ok: false; reason: "unknown" | "not_pending"; approval?: StoredApproval };

export interface StateHealth {
  ok: boolean;
  message: string;
}

export interface KillSwitch {
  isolate(isolation: Isolation): Promise<void>;
  release(agent?: string): Promise<void>;
  /** The isolations in force now. */
  current(): Promise<IsolationState>;
  /**
   * Called on every change (from any replica), and with the full state at least every `pollMs` — the
   * polling fallback for a lost pub/sub message. Returns the function that stops watching.
   */
  watch(onChange: (state: IsolationState) => void): () => void;
}

export interface ApprovalStore {
  put(approval: StoredApproval): Promise<void>;
  get(id: string): Promise<StoredApproval | undefined>;
  /** Pending requests, oldest first. */
  pending(): Promise<StoredApproval[]>;
  /** Atomic: only a pending request changes, exactly once, whichever replica asks. */
  transition(id: string, status: Exclude<ApprovalStatus, "pending">, by?: string, comment?: string): Promise<ApprovalTransition>;
  /** Told of every transition made through any replica. */
  watch(onTransition: (approval: StoredApproval) => void): () => void;
}

export interface StateStore {
  readonly kind: "memory" | "redis";
  readonly rates: import("../rate/rate-store.js").SharedRateStore;
  readonly killSwitch: KillSwitch;
  readonly approvals: ApprovalStore;
  /** Called when the store becomes unreachable and when it is back. */
  onHealth(listener: (health: StateHealth) => void): () => void;
  close(): Promise<void>;
}
