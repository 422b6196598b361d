// Shared state (DEPLOYMENT.md §5): what several `charter serve` replicas must agree on — rate windows, the
// kill switch, pending approvals and the live monitor's counters — behind one interface, kept in memory for a single process or in
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
  /**
   * Why the last explicit release lifted each isolation ("*": the release of every isolation), when the
   * store knows: the binding audits a lifted isolation with it.
   */
  released?: Map<string, string>;
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
  /** The session that asked, the digest of the exact arguments, why and how to reverse (for the inbox). */
  session?: string;
  args_digest?: string;
  why?: string;
  reversal?: string | null;
  /** Who decided, for approved/rejected. */
  decided_by?: string;
  /** When the transition was taken (ISO, by the clock of the replica that took it). */
  decided_at?: string;
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
  /**
   * The only way an isolation ends: an explicit release (of `agent`, or of every isolation), recorded as
   * such in the store. An isolation that merely disappears from the store (data loss) is not released.
   */
  release(agent?: string, reason?: string): Promise<void>;
  /** The isolations in force now. */
  current(): Promise<IsolationState>;
  /**
   * Called on every change (from any replica), and with the full state at least every `pollMs` — the
   * polling fallback for a lost pub/sub message. Returns the function that stops watching.
   */
  watch(onChange: (state: IsolationState) => void): () => void;
  /**
   * Told when this replica found an isolation it knows of missing from the store without a release
   * (the store lost its data) and wrote it back. Returns the function that stops listening.
   */
  onReasserted?(listener: (isolation: Isolation) => void): () => void;
}

export interface ApprovalStore {
  put(approval: StoredApproval): Promise<void>;
  get(id: string): Promise<StoredApproval | undefined>;
  /** Pending requests, oldest first. */
  pending(): Promise<StoredApproval[]>;
  /** Atomic: only a pending request changes, exactly once, whichever replica asks. */
  /** Ends a pending request, atomically: only the first transition of a request is taken. `at`: ms since the epoch. */
  transition(
    id: string,
    status: Exclude<ApprovalStatus, "pending">,
    by?: string,
    comment?: string,
    at?: number,
  ): Promise<ApprovalTransition>;
  /** Told of every transition made through any replica (and, with `onPut`, of every new request). */
  watch(onTransition: (approval: StoredApproval) => void, onPut?: (approval: StoredApproval) => void): () => void;
}

/**
 * One call as the live monitor counts it (monitor rules tool_rate, data_volume, novel_sequence): what to
 * count and what to return, so that every replica compares one session's (and one tool's) activity.
 */
export interface MonitorObservation {
  agent: string;
  session: string;
  tool: string;
  now: number;
  /** tool_rate: the sliding window of this agent's calls of `tool` (admitted iff under the limit). */
  rate?: { windowMs: number; limit: number };
  /** data_volume: what this call adds to the session's volume. */
  volume?: number;
  /** novel_sequence: how many of the session's most recent tools to return, this call's included. */
  recent?: number;
}

export interface MonitorCounts {
  /** tool_rate: the call is within the window's limit (true when no rate was asked). */
  rateOk: boolean;
  /** data_volume: the session's volume after this call (0 when none was asked). */
  volume: number;
  /** novel_sequence: the session's last tools, oldest first, ending with this call's (empty when not asked). */
  recent: string[];
}

/** The monitor's counters, counted atomically (one step per call, whichever replica sees it). */
export interface MonitorStore {
  observe(observation: MonitorObservation): Promise<MonitorCounts>;
}

export interface StateStore {
  readonly kind: "memory" | "redis";
  readonly rates: import("../rate/rate-store.js").SharedRateStore;
  readonly killSwitch: KillSwitch;
  readonly approvals: ApprovalStore;
  readonly monitor: MonitorStore;
  /** Called when the store becomes unreachable and when it is back. */
  onHealth(listener: (health: StateHealth) => void): () => void;
  close(): Promise<void>;
}
