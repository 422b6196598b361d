// The pending-request state machine. A request is opened `pending` and ends exactly once, as `approved`,
// `rejected`, `expired`, `withdrawn` or `no_approver`; every later attempt to end it is refused and
// changes nothing. Each end is decided synchronously inside one method call, so two answers racing over
// the network are ordered by the event loop and the first one wins. Every transition is an audit record
// naming the request id (and the approver for `approved`/`rejected`); so is every refused attempt to decide.
import type { AuditLog } from "../audit/audit-log.js";
import { sha256Tagged, type AuditEntry } from "../audit/record.js";
import type { ApprovalStatus, ApprovalTimers, Tier } from "./request-approval.js";

export type RequestStatus = "pending" | ApprovalStatus;

export interface ApprovalRequestRecord {
  readonly id: string;
  readonly agent: string;
  readonly session: string;
  readonly tool: string;
  /** The exact arguments; never shown, never audited: only `shownArgs` leave the process. */
  readonly args: unknown;
  readonly argsDigest: string;
  /** The arguments as the audit log shows them (PII hashed or redacted per the policy). */
  readonly shownArgs: unknown;
  readonly reasoning?: string;
  readonly tier: Tier;
  /** Groups whose members may decide (the tool's `approvers`). */
  readonly groups: readonly string[];
  /** Why the policy asks for approval, in its words. */
  readonly why?: string;
  readonly reversal?: string | null;
  readonly requestedAt: number;
  readonly expiresAt: number;
  status: RequestStatus;
  approver?: string;
  comment?: string;
  decidedAt?: number;
  /** For withdrawn / expired / no_approver: why, in words. */
  endReason?: string;
}

export type OpenRequest = Omit<ApprovalRequestRecord, "status" | "approver" | "comment" | "decidedAt" | "endReason">;

export interface Decider {
  name: string;
  groups: readonly string[];
}

export type DecideResult =
  | { ok: true; request: ApprovalRequestRecord }
  | { ok: false; code: "not_found"; message: string }
  | { ok: false; code: "forbidden" | "not_pending" | "args_changed"; message: string; request: ApprovalRequestRecord };

export interface PendingApprovalsOptions {
  audit: AuditLog | null;
  clock?: () => number;
  timers?: ApprovalTimers;
  /** Asked before an approval counts: an agent isolated while waiting has its request withdrawn instead. */
  isIsolated?: (agent: string) => boolean;
  /** How many ended requests `history()` keeps (default 200). */
  historySize?: number;
  /** Told of every end, after it is recorded (the shared state's copy follows it). */
  onEnd?: (request: ApprovalRequestRecord) => void;
}

const realTimers: ApprovalTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

const MAX_TIMER_MS = 2_147_483_647;

/**
 * Decides how a request ends at its deadline when the book is not the only one that may end it (replicas
 * sharing approvals): told once, it must end the request through `expireNow` or `endAsShared`.
 */
export interface DeadlineArbiter {
  deadlinePassed(request: ApprovalRequestRecord): void;
}

interface Entry {
  request: ApprovalRequestRecord;
  timer: unknown;
  /** The deadline passed and the arbiter was told: no decision is taken here any more. */
  closing?: boolean;
  settle: (r: ApprovalRequestRecord) => void;
  settled: Promise<ApprovalRequestRecord>;
}

export function mayDecide(decider: Decider, groups: readonly string[]): boolean {
  for (const g of decider.groups) if (groups.includes(g)) return true;
  return false;
}

export class PendingApprovals {
  private readonly open = new Map<string, Entry>();
  /** Ended requests, newest last; also answers "is this id known" for 404 versus 409. */
  private readonly ended = new Map<string, ApprovalRequestRecord>();
  private readonly clock: () => number;
  private readonly timers: ApprovalTimers;
  private readonly historySize: number;
  private arbiter: DeadlineArbiter | undefined;
  private readonly counts: Record<RequestStatus, number> = {
    pending: 0,
    approved: 0,
    rejected: 0,
    expired: 0,
    withdrawn: 0,
    no_approver: 0,
  };

  constructor(private readonly options: PendingApprovalsOptions) {
    this.clock = options.clock ?? Date.now;
    this.timers = options.timers ?? realTimers;
    this.historySize = options.historySize ?? 200;
  }

  /**
   * Opens a pending request and starts its deadline. `settled` resolves once, with the request in its
   * end state. A request whose id is already known is refused (programmer error: ids are random).
   */
  openRequest(input: OpenRequest): { request: ApprovalRequestRecord; settled: Promise<ApprovalRequestRecord> } {
    if (this.open.has(input.id) || this.ended.has(input.id)) throw new Error(`approval request ${input.id} exists already`);
    const request: ApprovalRequestRecord = { ...input, groups: [...input.groups], status: "pending" };
    let settle!: (r: ApprovalRequestRecord) => void;
    const settled = new Promise<ApprovalRequestRecord>((resolve) => (settle = resolve));
    const entry: Entry = { request, timer: undefined, settle, settled };
    this.open.set(request.id, entry);
    this.counts.pending++;
    this.record(
      request,
      "pending",
      `${request.tool} waits for approval by ${request.groups.join(" or ") || "nobody"} until ${new Date(request.expiresAt).toISOString()}`,
    );
    const ms = request.expiresAt - this.clock();
    if (ms <= 0) this.expire(request.id);
    else entry.timer = this.timers.setTimeout(() => this.expire(request.id), Math.min(ms, MAX_TIMER_MS));
    return { request, settled };
  }

  get(id: string): ApprovalRequestRecord | undefined {
    return this.open.get(id)?.request ?? this.ended.get(id);
  }

  /** From now on the deadline of a request is settled by `arbiter` (see DeadlineArbiter). */
  useArbiter(arbiter: DeadlineArbiter): void {
    this.arbiter = arbiter;
  }

  /** Resolves when the request has ended (at once when it has already). */
  settled(id: string): Promise<ApprovalRequestRecord> | undefined {
    const e = this.open.get(id);
    if (e) return e.settled;
    const r = this.ended.get(id);
    return r ? Promise.resolve(r) : undefined;
  }

  /** Pending requests, oldest first; only those `decider` may decide when one is given. */
  pending(decider?: Decider): ApprovalRequestRecord[] {
    const out: ApprovalRequestRecord[] = [];
    for (const e of this.open.values())
      if (!e.closing && (decider === undefined || mayDecide(decider, e.request.groups))) out.push(e.request);
    return out;
  }

  /** Ended requests, newest first; only those of `decider`'s groups when one is given. */
  history(decider?: Decider, limit = 50): ApprovalRequestRecord[] {
    const out: ApprovalRequestRecord[] = [];
    const all = [...this.ended.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const r = all[i]!;
      if (decider === undefined || mayDecide(decider, r.groups)) out.push(r);
    }
    return out;
  }

  /** How many requests ended in each status (and how many were opened, as `pending`). */
  outcomeCounts(): Readonly<Record<RequestStatus, number>> {
    return { ...this.counts };
  }

  /**
   * An approver's answer. Counts only from a member of one of the request's groups, only while it is
   * pending and before its deadline, and (when `argsDigest` is given) only for the arguments shown.
   */
  decide(id: string, decider: Decider, decision: "approve" | "reject", comment?: string, argsDigest?: string): DecideResult {
    const checked = this.check(id, decider, decision, argsDigest);
    if (!checked.ok) return checked;
    this.end(this.open.get(id)!, decision === "approve" ? "approved" : "rejected", comment, decider.name);
    return checked;
  }

  /**
   * Whether `decide` would count this answer, without counting it: the refusals are the same (and audited
   * the same), and a request past its deadline or of an isolated agent ends as decide would end it. The
   * shared state asks this before it records a decision for all replicas.
   */
  check(id: string, decider: Decider, decision: "approve" | "reject", argsDigest?: string): DecideResult {
    const entry = this.open.get(id);
    const known = entry?.request ?? this.ended.get(id);
    if (known === undefined) return { ok: false, code: "not_found", message: `no approval request ${id}` };
    if (!mayDecide(decider, known.groups)) {
      this.record(
        known,
        "forbidden",
        `${decider.name} tried to ${decision} request ${id} but is in none of ${known.groups.join(", ")}`,
        decider.name,
      );
      return {
        ok: false,
        code: "forbidden",
        message: `${decider.name} is in none of the groups that approve ${known.tool} (${known.groups.join(", ")})`,
        request: known,
      };
    }
    if (entry === undefined)
      return { ok: false, code: "not_pending", message: `request ${id} is no longer pending: it was ${known.status}`, request: known };
    const request = entry.request;
    // At the deadline the request has expired, whatever the timer's turn in the event loop.
    if (entry.closing || this.clock() >= request.expiresAt) {
      this.expire(id);
      return { ok: false, code: "not_pending", message: `request ${id} is no longer pending: it expired`, request };
    }
    if (argsDigest !== undefined && argsDigest !== request.argsDigest) {
      return {
        ok: false,
        code: "args_changed",
        message: `request ${id} is for other arguments than the ones you were shown: reload and look again`,
        request,
      };
    }
    if (decision === "approve" && this.options.isIsolated?.(request.agent)) {
      this.end(entry, "withdrawn", `${request.agent} was isolated while the request waited`);
      return { ok: false, code: "not_pending", message: `request ${id} is no longer pending: ${request.agent} is isolated`, request };
    }
    return { ok: true, request };
  }

  /**
   * Ends a pending request as another replica ended it (the shared state says so). An approval for an
   * agent isolated meanwhile withdraws the request instead: the call never runs. False when it had ended.
   */
  endAsShared(
    id: string,
    status: Exclude<ApprovalStatus, "no_approver">,
    approver?: string,
    comment?: string,
    decidedAt?: number,
  ): boolean {
    const entry = this.open.get(id);
    if (entry === undefined) return false;
    if (status === "approved" && this.options.isIsolated?.(entry.request.agent)) {
      this.end(entry, "withdrawn", `${entry.request.agent} was isolated while the request waited`);
      return true;
    }
    if (status === "approved" || status === "rejected") this.end(entry, status, comment, approver ?? "?", decidedAt);
    else this.end(entry, status, comment ?? `ended through another replica`, undefined, decidedAt);
    return true;
  }

  /** An audit record about a request, for what happens to it outside this book (another replica's). */
  note(request: ApprovalRequestRecord, outcome: string, reason: string, approver?: string): void {
    this.record(request, outcome, reason, approver);
  }

  /**
   * The deadline passed: the request ends as expired, or, with an arbiter, stops taking decisions here
   * while the arbiter finds out how it ended. False when the request had already ended.
   */
  expire(id: string): boolean {
    const entry = this.open.get(id);
    if (entry === undefined) return false;
    if (this.arbiter === undefined) return this.expireNow(id);
    if (!entry.closing) {
      entry.closing = true;
      this.timers.clearTimeout(entry.timer);
      this.arbiter.deadlinePassed(entry.request);
    }
    return true;
  }

  /** Ends the request as expired at once (the arbiter's verdict, or the deadline without one). */
  expireNow(id: string): boolean {
    const entry = this.open.get(id);
    if (entry === undefined) return false;
    this.end(entry, "expired", `no decision before ${new Date(entry.request.expiresAt).toISOString()}`);
    return true;
  }

  /** The client cancelled or went away, the agent was isolated or the gateway is shutting down. */
  withdraw(id: string, reason: string): boolean {
    const entry = this.open.get(id);
    if (entry === undefined) return false;
    this.end(entry, "withdrawn", reason);
    return true;
  }

  /** Nobody may decide this request (no configured approver is in its groups). */
  refuseUndecidable(id: string, reason: string): boolean {
    const entry = this.open.get(id);
    if (entry === undefined) return false;
    this.end(entry, "no_approver", reason);
    return true;
  }

  /** Withdraws every pending request `match` selects; returns how many. */
  withdrawWhere(match: (r: ApprovalRequestRecord) => boolean, reason: string): number {
    let n = 0;
    for (const entry of [...this.open.values()]) {
      if (match(entry.request) && this.withdraw(entry.request.id, reason)) n++;
    }
    return n;
  }

  private end(entry: Entry, status: ApprovalStatus, text: string | undefined, approver?: string, decidedAt?: number): void {
    const request = entry.request;
    if (request.status !== "pending") return;
    this.open.delete(request.id);
    this.timers.clearTimeout(entry.timer);
    request.status = status;
    request.decidedAt = decidedAt ?? this.clock();
    if (approver !== undefined) {
      request.approver = approver;
      if (text) request.comment = text;
    } else if (text) request.endReason = text;
    this.ended.set(request.id, request);
    if (this.ended.size > this.historySize) this.ended.delete(this.ended.keys().next().value!);
    this.counts[status]++;
    const reason =
      status === "approved" || status === "rejected"
        ? `request ${request.id} ${status} by ${approver}${text ? `: ${text}` : ""}`
        : `request ${request.id} ${status}${text ? `: ${text}` : ""}`;
    this.record(request, status, reason, approver);
    entry.settle(request);
    this.options.onEnd?.(request);
  }

  private record(request: ApprovalRequestRecord, outcome: string, reason: string, approver?: string): void {
    const audit = this.options.audit;
    if (audit === null) return;
    const entry: AuditEntry = {
      agent: request.agent,
      session: request.session,
      event: "approval",
      trace: [
        { rule: `approval.${outcome}`, reason },
        { rule: "approval.request", reason: request.id },
      ],
      action: { tool: request.tool, args: request.shownArgs },
      outcome,
    };
    if (request.reasoning !== undefined) entry.inputHash = sha256Tagged(request.reasoning);
    if (approver !== undefined) entry.approver = approver;
    audit.write(entry);
  }
}
