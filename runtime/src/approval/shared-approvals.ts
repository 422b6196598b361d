// Pending approvals shared by replicas (DEPLOYMENT.md §5: "a pending approval can be decided through any
// replica"). The replica whose agent waits keeps the request in its own book (the open call, its deadline)
// and copies it into the shared state; every replica lists the others' pending requests from a mirror that
// pub/sub and a poll (every 500 ms) keep current. A decision counts only once the shared state's atomic
// compare-and-set took it — whichever replica it came through, only one answer wins — and the owner ends
// its request as the shared state says within the poll interval. At the deadline the owner asks the shared
// state to end the request as expired, and it ends as the shared state answers: an approval another replica
// took just before the deadline (and told its approver about) still lets the call run. Withdrawals are
// decided by the owner locally first (the call can only not run) and then written to the shared state.
// Redis unreachable: no decision is recorded, so nothing is granted (503, audited); the owner's copies and
// ends are written again once it is back.
import type { ApprovalStore, ApprovalTransition, StoredApproval } from "../state/state-store.js";
import type { ApprovalView } from "./inbox.js";
import { mayDecide, type ApprovalRequestRecord, type DecideResult, type Decider, type PendingApprovals } from "./pending-approvals.js";
import type { Tier } from "./request-approval.js";

export type SharedDecideResult = DecideResult | { ok: false; code: "unavailable"; message: string };

export interface SharedApprovals {
  /** The book's pending requests and the other replicas'. */
  readonly view: ApprovalView;
  /** A request known here: this replica's, or another's as last mirrored. */
  get(id: string): ApprovalRequestRecord | undefined;
  /** Copies a request just opened in the book into the shared state. */
  publish(request: ApprovalRequestRecord): void;
  /** For PendingApprovals' onEnd: writes this replica's expiries and withdrawals to the shared state. */
  ended(request: ApprovalRequestRecord): void;
  decide(id: string, decider: Decider, decision: "approve" | "reject", comment?: string, argsDigest?: string): Promise<SharedDecideResult>;
  close(): Promise<void>;
}

const MIRROR_HISTORY = 200;

/** When the shared state took the request's end, if it says. */
function decidedAtOf(a: StoredApproval): number | undefined {
  if (a.decided_at === undefined) return undefined;
  const t = Date.parse(a.decided_at);
  return Number.isFinite(t) ? t : undefined;
}

export function storedOf(r: ApprovalRequestRecord): StoredApproval {
  return {
    id: r.id,
    agent: r.agent,
    session: r.session,
    tool: r.tool,
    args: r.shownArgs,
    args_digest: r.argsDigest,
    ...(r.reasoning !== undefined ? { reasoning: r.reasoning } : {}),
    tier: r.tier,
    requested_at: new Date(r.requestedAt).toISOString(),
    expires_at: new Date(r.expiresAt).toISOString(),
    approvers: [...r.groups],
    ...(r.why !== undefined ? { why: r.why } : {}),
    reversal: r.reversal ?? null,
    status: r.status === "no_approver" ? "withdrawn" : r.status,
  };
}

/** Another replica's request as this one shows it: its audited arguments only (the exact ones stay there). */
function recordOf(a: StoredApproval): ApprovalRequestRecord {
  return {
    id: a.id,
    agent: a.agent,
    session: a.session ?? "",
    tool: a.tool,
    args: undefined,
    argsDigest: a.args_digest ?? "",
    shownArgs: a.args,
    ...(a.reasoning !== undefined ? { reasoning: a.reasoning } : {}),
    tier: (a.tier ?? "high") as Tier,
    groups: [...a.approvers],
    ...(a.why !== undefined ? { why: a.why } : {}),
    reversal: a.reversal ?? null,
    requestedAt: Date.parse(a.requested_at),
    expiresAt: Date.parse(a.expires_at),
    status: a.status,
    ...(a.decided_by !== undefined ? { approver: a.decided_by } : {}),
    ...(a.comment !== undefined ? { comment: a.comment } : {}),
  };
}

export function createSharedApprovals(options: {
  book: PendingApprovals;
  store: ApprovalStore;
  clock: () => number;
  isIsolated?: (agent: string) => boolean;
  /** Poll interval, the fallback for a lost pub/sub message (default 500 ms). */
  pollMs?: number;
}): SharedApprovals {
  const { book, store, clock } = options;
  /** Other replicas' pending requests, and the last ones that ended (for 409 versus 404). */
  const mirror = new Map<string, ApprovalRequestRecord>();
  const mirrorEnded = new Map<string, ApprovalRequestRecord>();
  /** This replica's requests the shared state has not taken yet (a copy or an end), retried by the poll. */
  const unpublished = new Set<string>();
  /** This replica's requests handed to the shared state (until they end). */
  const published = new Set<string>();
  const unsynced = new Map<string, ApprovalRequestRecord>();
  /** Ids being ended because the shared state says so: not written back. */
  const applying = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => undefined);
    return p;
  };

  function endMirrored(r: ApprovalRequestRecord, a: StoredApproval): void {
    mirror.delete(r.id);
    r.status = a.status;
    if (a.decided_by !== undefined) r.approver = a.decided_by;
    if (a.comment !== undefined) r.comment = a.comment;
    r.decidedAt = clock();
    mirrorEnded.set(r.id, r);
    if (mirrorEnded.size > MIRROR_HISTORY) mirrorEnded.delete(mirrorEnded.keys().next().value!);
  }

  /** What the shared state says about one request, applied here. */
  function apply(a: StoredApproval): void {
    const local = book.get(a.id);
    if (local !== undefined) {
      if (local.status === "pending" && a.status !== "pending") {
        applying.add(a.id);
        try {
          book.endAsShared(a.id, a.status, a.decided_by, a.comment, decidedAtOf(a));
        } finally {
          applying.delete(a.id);
        }
      }
      return;
    }
    const known = mirror.get(a.id);
    if (a.status === "pending") {
      if (known === undefined && !mirrorEnded.has(a.id)) mirror.set(a.id, recordOf(a));
    } else if (known !== undefined) endMirrored(known, a);
  }

  const stopWatch = store.watch(apply, apply);

  // The deadline of a shared request is the shared state's to settle: first transition wins.
  book.useArbiter({
    deadlinePassed(r: ApprovalRequestRecord): void {
      if (!published.has(r.id) || unpublished.has(r.id)) {
        book.expireNow(r.id); // the others never saw it
        return;
      }
      void track(store.transition(r.id, "expired", undefined, undefined, clock())).then(
        (t) => {
          if (t.ok) {
            published.delete(r.id);
            applying.add(r.id);
            try {
              book.expireNow(r.id);
            } finally {
              applying.delete(r.id);
            }
          } else if (t.approval !== undefined && t.approval.status !== "pending") apply(t.approval);
          else book.expireNow(r.id); // the shared state lost it: it ends here, and ended() writes it back
        },
        () => book.expireNow(r.id), // unreachable: the call can only not run; ended() queues the write
      );
    },
  });

  async function poll(): Promise<void> {
    // an isolation made through another replica withdraws this one's waiting requests of that agent
    if (options.isIsolated)
      for (const r of book.pending())
        if (options.isIsolated(r.agent)) book.withdraw(r.id, `${r.agent} was isolated while the request waited`);
    for (const id of unpublished) {
      const r = book.get(id);
      if (r === undefined || r.status !== "pending") unpublished.delete(id);
      else {
        await store.put(storedOf(r));
        unpublished.delete(id);
      }
    }
    for (const [id, r] of unsynced) {
      const t = await store.transition(id, r.status as Exclude<StoredApproval["status"], "pending">, r.approver, r.endReason, r.decidedAt);
      unsynced.delete(id);
      if (!t.ok && t.approval && t.approval.status !== r.status) noteLate(r, t.approval);
    }
    const pending = await store.pending();
    const ids = new Set<string>();
    for (const a of pending) {
      ids.add(a.id);
      apply(a);
    }
    for (const r of book.pending()) {
      if (ids.has(r.id) || unpublished.has(r.id)) continue;
      const a = await store.get(r.id); // it ended elsewhere (or the shared state lost it: then it stays ours)
      if (a !== undefined) apply(a);
    }
    for (const [id, r] of mirror) {
      if (ids.has(id)) continue;
      const a = await store.get(id);
      if (a === undefined) endMirrored(r, { ...storedOf(r), status: "expired" });
      else apply(a);
    }
  }
  let polling = false;
  const timer = setInterval(() => {
    if (polling || closed) return;
    polling = true;
    void track(poll())
      .catch(() => undefined) // unreachable: tried again at the next tick
      .finally(() => (polling = false));
  }, options.pollMs ?? 500);
  timer.unref?.();

  /** This replica ended a request one way and the shared state had already taken another answer. */
  function noteLate(r: ApprovalRequestRecord, a: StoredApproval): void {
    book.note(
      r,
      "conflict",
      `request ${r.id} ended here as ${r.status}, but the shared state had it ${a.status}${a.decided_by ? ` by ${a.decided_by}` : ""}: the call did not run`,
      a.decided_by,
    );
  }

  function publish(r: ApprovalRequestRecord): void {
    if (r.status !== "pending") return;
    published.add(r.id);
    void track(store.put(storedOf(r))).catch(() => {
      unpublished.add(r.id);
      book.note(
        r,
        "unavailable",
        `request ${r.id} could not be shared with the other replicas (the shared state is unreachable): no approval can be granted until it is back`,
      );
    });
  }

  function ended(r: ApprovalRequestRecord): void {
    if (r.status === "pending" || !published.delete(r.id) || applying.has(r.id)) return;
    if (r.status === "approved" || r.status === "rejected") return; // decide wrote it first
    if (unpublished.delete(r.id)) return; // the others never saw it
    const status = r.status === "no_approver" ? "withdrawn" : r.status;
    void track(store.transition(r.id, status, undefined, r.endReason, r.decidedAt)).then(
      (t) => {
        if (!t.ok && t.approval && t.approval.status !== status) noteLate(r, t.approval);
      },
      () => unsynced.set(r.id, r),
    );
  }

  const unavailable = (r: ApprovalRequestRecord | undefined, id: string, decider: Decider, e: unknown): SharedDecideResult => {
    const message = `the shared state is unreachable (${(e as Error).message}): the decision was not recorded and grants nothing; try again when it is back`;
    if (r !== undefined)
      book.note(r, "unavailable", `${decider.name}'s decision on request ${id} was not recorded: ${message}`, decider.name);
    return { ok: false, code: "unavailable", message };
  };

  /** The shared state had already ended the request another way: apply its end here and say so. */
  function lost(id: string, t: Extract<ApprovalTransition, { ok: false }>, request: ApprovalRequestRecord): SharedDecideResult {
    if (t.approval) apply(t.approval);
    return {
      ok: false,
      code: "not_pending",
      message: `request ${id} is no longer pending: it was ${t.approval?.status ?? "lost"}`,
      request,
    };
  }

  async function decide(
    id: string,
    decider: Decider,
    decision: "approve" | "reject",
    comment?: string,
    argsDigest?: string,
  ): Promise<SharedDecideResult> {
    const status = decision === "approve" ? "approved" : "rejected";
    const local = book.get(id);
    if (local !== undefined) {
      const checked = book.check(id, decider, decision, argsDigest);
      if (!checked.ok) return checked;
      if (unpublished.has(id)) return unavailable(local, id, decider, new Error("the request is not shared yet"));
      let t: Awaited<ReturnType<ApprovalStore["transition"]>>;
      try {
        t = await store.transition(id, status, decider.name, comment, clock());
      } catch (e) {
        return unavailable(local, id, decider, e);
      }
      if (!t.ok) return lost(id, t, book.get(id) ?? local);
      applying.add(id);
      try {
        // the shared state took it: end it here the same way (endAsShared withdraws an isolated agent's)
        if (!book.endAsShared(id, status, decider.name, comment, decidedAtOf(t.approval)) && book.get(id)?.status !== status)
          noteLate(local, t.approval);
      } finally {
        applying.delete(id);
      }
      return { ok: true, request: book.get(id) ?? local };
    }

    let r = mirror.get(id) ?? mirrorEnded.get(id);
    if (r === undefined) {
      try {
        const a = await store.get(id);
        if (a !== undefined) {
          r = recordOf(a);
          if (a.status === "pending") mirror.set(id, r);
        }
      } catch (e) {
        return unavailable(undefined, id, decider, e);
      }
    }
    if (r === undefined) return { ok: false, code: "not_found", message: `no approval request ${id}` };
    if (!mayDecide(decider, r.groups)) {
      book.note(
        r,
        "forbidden",
        `${decider.name} tried to ${decision} request ${id} but is in none of ${r.groups.join(", ")}`,
        decider.name,
      );
      return {
        ok: false,
        code: "forbidden",
        message: `${decider.name} is in none of the groups that approve ${r.tool} (${r.groups.join(", ")})`,
        request: r,
      };
    }
    if (r.status !== "pending")
      return { ok: false, code: "not_pending", message: `request ${id} is no longer pending: it was ${r.status}`, request: r };
    if (clock() >= r.expiresAt)
      return { ok: false, code: "not_pending", message: `request ${id} is no longer pending: it expired`, request: r };
    if (argsDigest !== undefined && argsDigest !== r.argsDigest)
      return {
        ok: false,
        code: "args_changed",
        message: `request ${id} is for other arguments than the ones you were shown: reload and look again`,
        request: r,
      };
    if (decision === "approve" && options.isIsolated?.(r.agent))
      return { ok: false, code: "not_pending", message: `request ${id} is no longer pending: ${r.agent} is isolated`, request: r };
    let t: Awaited<ReturnType<ApprovalStore["transition"]>>;
    try {
      t = await store.transition(id, status, decider.name, comment, clock());
    } catch (e) {
      return unavailable(r, id, decider, e);
    }
    if (!t.ok) return lost(id, t, r);
    endMirrored(r, t.approval);
    book.note(
      r,
      status,
      `request ${id} ${status} by ${decider.name} through this replica${comment ? `: ${comment}` : ""} (the call waits on the replica that asked)`,
      decider.name,
    );
    return { ok: true, request: r };
  }

  const view: ApprovalView = {
    pending(decider?: Decider): ApprovalRequestRecord[] {
      const now = clock();
      const out = book.pending(decider);
      for (const r of mirror.values()) if (r.expiresAt > now && (decider === undefined || mayDecide(decider, r.groups))) out.push(r);
      return out.sort((a, b) => a.requestedAt - b.requestedAt);
    },
    history(decider?: Decider, limit = 50): ApprovalRequestRecord[] {
      const out = book.history(decider, limit);
      for (const r of mirrorEnded.values()) if (decider === undefined || mayDecide(decider, r.groups)) out.push(r);
      return out.sort((a, b) => (b.decidedAt ?? b.requestedAt) - (a.decidedAt ?? a.requestedAt)).slice(0, limit);
    },
  };

  return {
    view,
    get: (id) => book.get(id) ?? mirror.get(id) ?? mirrorEnded.get(id),
    publish,
    ended,
    decide,
    close: async () => {
      closed = true;
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
      stopWatch();
    },
  };
}
