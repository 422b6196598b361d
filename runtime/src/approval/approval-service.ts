// The approval service: the pending-request book behind three doors. The guard asks through `approver`
// (in process), a remote stdio gateway through `POST /api/agent/approvals` (agent token, long-lived
// NDJSON answer), and people decide through the JSON API (approver token) or the inbox (session cookie).
// Whatever the door, a request ends once, in the book; a decision counts only from a member of one of the
// tool's `approvers` groups, and every refusal to count one is audited.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AuditLog } from "../audit/audit-log.js";
import { redactArgs, type PiiKey } from "../audit/pii-args.js";
import type { Guard } from "../guard/guard.js";
import { approvalArgsDigest, newApprovalId } from "./approval-id.js";
import { bearerToken, type ApproverDirectory, type Principal } from "./approver-directory.js";
import { BodyError, readJsonObject, sendError, sendJson } from "./http-io.js";
import { createInbox } from "./inbox.js";
import type { ApprovalStore } from "../state/state-store.js";
import { createSharedApprovals, type SharedApprovals, type SharedDecideResult } from "./shared-approvals.js";
import {
  mayDecide,
  PendingApprovals,
  type ApprovalRequestRecord,
  type Decider,
  type OpenRequest,
  type RequestStatus,
} from "./pending-approvals.js";
import type { ApprovalTimers, Approver, ApproverAnswer, Tier } from "./request-approval.js";
import { notifyWebhook, type WebhookOptions } from "./webhook.js";

/** The kill switch the admin endpoints pull; by default the guard's. */
export interface KillSwitch {
  isolate(reason: string, agent?: string): void | Promise<void>;
  release(reason: string, agent?: string): void | Promise<void>;
  isIsolated(agent?: string): boolean;
}

export interface ApprovalServiceOptions {
  directory: ApproverDirectory;
  /** Where every transition and every refused decision is recorded (`null`: nowhere, for tests only). */
  audit: AuditLog | null;
  clock?: () => number;
  timers?: ApprovalTimers;
  /** The base URL people reach this service at (links in notifications, the Origin the inbox accepts). */
  publicUrl?: string;
  /** Incoming-webhook URL notified of every new request. */
  webhook?: string | WebhookOptions;
  /** The guard (or a getter of the current one, when bundles are reloaded): its bundle describes tools for the inbox and the agent endpoint. */
  guard?: Guard | (() => Guard);
  /** Defaults to `guard`. */
  killSwitch?: KillSwitch;
  /** The key PII in arguments is hashed with, as in the audit log. */
  piiKey?: PiiKey;
  /** Failures that must not change a decision (webhook delivery), in words. Default: stderr. */
  onError?: (message: string) => void;
  /** Keep-alive lines on the agent endpoint's open answer (default 10 000 ms). */
  heartbeatMs?: number;
  /** Lifetime of an inbox login (default 8 h). */
  sessionTtlMs?: number;
  /** Most requests one agent may have pending through the agent endpoint (default 100; beyond: 429). */
  maxPendingPerAgent?: number;
  /**
   * Pending requests shared by replicas (`state: { redis: … }`, state/redis-state.ts): a request asked
   * through one replica is listed and decided through any (shared-approvals.ts). In this process only when absent.
   */
  shared?: ApprovalStore;
  /** How often the shared requests are re-read, the fallback for a lost notification (default 500 ms). */
  sharedPollMs?: number;
}

export interface ApprovalService {
  /** For `createGuard({ approver })`. */
  approver: Approver;
  /** Serves the approval routes; resolves false (and touches nothing) for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Withdraws the pending requests of one session (its MCP session ended). Returns how many. */
  withdrawSession(agent: string, session: string, reason?: string): number;
  /** Withdraws every pending request of `agent` (e.g. it was isolated). */
  withdrawAgent(agent: string, reason: string): number;
  /** Withdraws every pending request (shutdown). */
  withdrawAll(reason: string): number;
  pending(): readonly ApprovalRequestRecord[];
  get(id: string): ApprovalRequestRecord | undefined;
  /** Requests opened (`pending`) and ended, by status: for /metrics. */
  outcomeCounts(): Readonly<Record<RequestStatus, number>>;
  /** Waits for webhook deliveries under way (shutdown, tests). */
  drain(): Promise<void>;
  /** Withdraws everything and stops accepting new requests. */
  close(reason?: string): Promise<void>;
  readonly book: PendingApprovals;
}

const FALLBACK_WAIT_MS = 15 * 60_000;

export function createApprovalService(options: ApprovalServiceOptions): ApprovalService {
  const clock = options.clock ?? Date.now;
  const directory = options.directory;
  const currentGuard = (): Guard | undefined => (typeof options.guard === "function" ? options.guard() : options.guard);
  const killSwitch: KillSwitch | undefined =
    options.killSwitch ??
    (options.guard === undefined
      ? undefined
      : {
          isolate: (r, a) => currentGuard()!.isolate(r, a),
          release: (r, a) => currentGuard()!.release(r, a),
          isIsolated: (a) => currentGuard()!.isIsolated(a),
        });
  const onError = options.onError ?? ((m: string) => process.stderr.write(`charter approvals: ${m}\n`));
  let shared: SharedApprovals | undefined;
  const book = new PendingApprovals({
    audit: options.audit,
    clock,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(killSwitch ? { isIsolated: (agent: string) => killSwitch.isIsolated(agent) } : {}),
    ...(options.shared ? { onEnd: (r: ApprovalRequestRecord) => shared?.ended(r) } : {}),
  });
  if (options.shared)
    shared = createSharedApprovals({
      book,
      store: options.shared,
      clock,
      ...(killSwitch ? { isIsolated: (agent: string) => killSwitch.isIsolated(agent) } : {}),
      ...(options.sharedPollMs !== undefined ? { pollMs: options.sharedPollMs } : {}),
    });
  /** What approvers see: this replica's book, and the other replicas' requests with shared state. */
  const view = shared?.view ?? book;
  const lookup = (id: string): ApprovalRequestRecord | undefined => shared?.get(id) ?? book.get(id);
  const webhook: WebhookOptions | undefined = typeof options.webhook === "string" ? { url: options.webhook } : options.webhook;
  const publicUrl = options.publicUrl?.replace(/\/+$/, "");
  const deliveries = new Set<Promise<void>>();
  let closed: string | undefined;

  /** Opens a request in the book, notifies, and refuses it at once when nobody may decide it. */
  function open(
    input: OpenRequest,
    inboxBase: string | undefined,
  ): { request: ApprovalRequestRecord; settled: Promise<ApprovalRequestRecord> } {
    const opened = book.openRequest(input);
    shared?.publish(opened.request);
    if (closed !== undefined) {
      book.withdraw(input.id, closed);
    } else if (directory.approversFor(input.groups).length === 0) {
      book.refuseUndecidable(input.id, `no configured approver is in ${input.groups.join(", ") || "any group"}`);
    } else if (webhook !== undefined && opened.request.status === "pending") {
      const base = publicUrl ?? inboxBase;
      const d = notifyWebhook(webhook, opened.request, `${base ?? ""}/inbox`, onError);
      deliveries.add(d);
      void d.finally(() => deliveries.delete(d));
    }
    return opened;
  }

  const approver: Approver = (req, context) => {
    const requestedAt = req.requestedAt ?? clock();
    const { request, settled } = open(
      {
        id: req.id ?? newApprovalId(),
        agent: req.agent,
        session: req.session ?? "",
        tool: req.tool,
        args: req.args,
        argsDigest: req.argsDigest ?? approvalArgsDigest(req.args),
        shownArgs: req.shownArgs ?? req.args,
        ...(req.reasoning !== undefined ? { reasoning: req.reasoning } : {}),
        tier: req.tier,
        groups: req.groups ?? [],
        ...(req.why !== undefined ? { why: req.why } : {}),
        reversal: req.reversal ?? null,
        requestedAt,
        expiresAt: req.expiresAt ?? requestedAt + FALLBACK_WAIT_MS,
      },
      undefined,
    );
    const signal = context?.signal;
    if (signal !== undefined) {
      const onAbort = (): void => {
        if (signal.reason === "expired") book.expire(request.id);
        else book.withdraw(request.id, "the client cancelled the call or went away");
      };
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener("abort", onAbort, { once: true });
        void settled.then(() => signal.removeEventListener("abort", onAbort));
      }
    }
    return settled.then(answerOfRequest);
  };

  const inbox = createInbox({
    book: view,
    directory,
    clock,
    guard: currentGuard,
    ...(publicUrl ? { publicUrl } : {}),
    sessionTtlMs: options.sessionTtlMs ?? 8 * 3600_000,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    if (path === "/inbox" || path.startsWith("/inbox/")) return inbox.handle(req, res, path);
    if (!path.startsWith("/api/approvals") && !path.startsWith("/api/admin/") && path !== "/api/agent/approvals") return false;
    try {
      const principal = directory.authenticate(bearerToken(req.headers.authorization));
      if (path === "/api/agent/approvals") {
        if (req.method !== "POST") return methodNotAllowed(res, "POST");
        if (principal?.kind !== "agent") return unauthorized(res, "an agent's bearer token is required");
        await agentRequest(principal.agent, req, res);
        return true;
      }
      if (path.startsWith("/api/admin/")) {
        if (req.method !== "POST") return methodNotAllowed(res, "POST");
        if (principal?.kind !== "admin") return unauthorized(res, "the admin's bearer token is required");
        await adminRequest(path, req, res);
        return true;
      }
      if (principal?.kind !== "approver") return unauthorized(res, "an approver's bearer token is required");
      const decider = principal.approver;
      if (path === "/api/approvals" || path === "/api/approvals/") {
        if (req.method !== "GET") return methodNotAllowed(res, "GET");
        sendJson(res, 200, { approvals: view.pending(decider).map(describeRequest) });
        return true;
      }
      const m = /^\/api\/approvals\/([A-Za-z0-9_-]{1,64})$/.exec(path);
      if (m === null) {
        sendError(res, 404, `no such route: ${path}`);
        return true;
      }
      const id = m[1]!;
      if (req.method === "GET") {
        const r = lookup(id);
        if (r === undefined || !mayDecide(decider, r.groups)) sendError(res, 404, `no approval request ${id} you may see`);
        else sendJson(res, 200, { ...describeRequest(r), status: r.status, ...(r.approver ? { approver: r.approver } : {}) });
        return true;
      }
      if (req.method !== "POST") return methodNotAllowed(res, "GET, POST");
      const body = await readJsonObject(req);
      const decision = body.decision;
      if (decision !== "approve" && decision !== "reject") {
        sendError(res, 400, 'decision must be "approve" or "reject"');
        return true;
      }
      if (body.comment !== undefined && typeof body.comment !== "string") {
        sendError(res, 400, "comment must be a string");
        return true;
      }
      if (body.args_digest !== undefined && typeof body.args_digest !== "string") {
        sendError(res, 400, "args_digest must be a string");
        return true;
      }
      const result = await decide(id, decider, decision, body.comment as string | undefined, body.args_digest as string | undefined);
      sendJson(res, result.status, result.body);
      return true;
    } catch (e) {
      if (e instanceof BodyError) {
        sendError(res, e.status, e.message);
        return true;
      }
      throw e;
    }
  }

  function decide(
    id: string,
    decider: Decider,
    decision: "approve" | "reject",
    comment: string | undefined,
    argsDigest: string | undefined,
  ): { status: number; body: unknown } | Promise<{ status: number; body: unknown }> {
    const text = comment?.slice(0, 2000);
    // with shared state the decision must first win the shared compare-and-set (whichever replica asked)
    if (shared !== undefined) return shared.decide(id, decider, decision, text, argsDigest).then((r) => answerOf(id, r));
    return answerOf(id, book.decide(id, decider, decision, text, argsDigest));
  }
  function answerOf(id: string, r: SharedDecideResult): { status: number; body: unknown } {
    if (r.ok) return { status: 200, body: { id, status: r.request.status } };
    if (r.code === "unavailable") return { status: 503, body: { id, error: r.message } };
    if (r.code === "not_found") return { status: 404, body: { error: r.message } };
    if (r.code === "forbidden") return { status: 403, body: { error: r.message } };
    return { status: 409, body: { id, status: r.request.status, error: r.message } };
  }
  inbox.setDecide(decide);

  async function adminRequest(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonObject(req);
    const agent = body.agent;
    if (agent !== undefined && (typeof agent !== "string" || agent === ""))
      return sendError(res, 400, "agent must be a non-empty string (omit it to act on every agent)");
    if (killSwitch === undefined) return sendError(res, 503, "this service has no kill switch (no guard was given)");
    const reason = body.reason;
    if (path === "/api/admin/isolate") {
      if (typeof reason !== "string" || reason.trim() === "")
        return sendError(res, 400, 'isolate needs a "reason" (it goes into the audit log and every refusal)');
      await killSwitch.isolate(reason, agent as string | undefined);
      const withdrawn =
        agent === undefined
          ? withdrawAll(`the runtime was isolated: ${reason}`)
          : withdrawAgent(agent as string, `${agent as string} was isolated: ${reason}`);
      return sendJson(res, 200, { isolated: agent ?? "*", reason, withdrawn });
    }
    if (path === "/api/admin/release") {
      if (reason !== undefined && typeof reason !== "string") return sendError(res, 400, "reason must be a string");
      await killSwitch.release((reason as string | undefined) ?? "released by the admin", agent as string | undefined);
      return sendJson(res, 200, { released: agent ?? "*" });
    }
    sendError(res, 404, `no such route: ${path}`);
  }

  /** `POST /api/agent/approvals`: a remote gateway's request; the answer stays open until it ends. */
  async function agentRequest(agent: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonObject(req);
    const { session, tool, reasoning } = body;
    if (typeof session !== "string" || typeof tool !== "string")
      return sendError(res, 400, 'the body needs "session" and "tool" strings (and "args")');
    if (reasoning !== undefined && typeof reasoning !== "string") return sendError(res, 400, "reasoning must be a string");
    const guard = currentGuard();
    if (guard === undefined) return sendError(res, 503, "this service has no policy to check remote requests against");
    const agentPolicy = Object.hasOwn(guard.bundle.agents, agent) ? guard.bundle.agents[agent]! : undefined;
    const t = agentPolicy && Object.hasOwn(agentPolicy.tools, tool) ? agentPolicy.tools[tool]! : undefined;
    if (agentPolicy === undefined || t === undefined)
      return sendError(res, 403, `${agent} is not granted ${tool} by the policy this service enforces`);
    if (t.tier !== "high" && t.approval === null) return sendError(res, 422, `${tool} does not need approval under this service's policy`);
    const limit = options.maxPendingPerAgent ?? 100;
    if (book.pending().filter((r) => r.agent === agent).length >= limit)
      return sendError(res, 429, `${agent} already has ${limit} requests waiting for approval`);
    // Groups and deadline come from this service's policy, never from the request.
    const groups = t.approval?.approvers ?? [];
    const policyMs = t.approval?.timeoutMs ?? FALLBACK_WAIT_MS;
    const asked = typeof body.timeout_ms === "number" && body.timeout_ms > 0 ? body.timeout_ms : policyMs;
    const id =
      typeof body.id === "string" && /^apr_[A-Za-z0-9_-]{22}$/.test(body.id) && book.get(body.id) === undefined ? body.id : newApprovalId();
    const requestedAt = clock();
    const { request, settled } = open(
      {
        id,
        agent,
        session,
        tool,
        args: body.args,
        argsDigest: approvalArgsDigest(body.args),
        shownArgs: body.args === undefined ? undefined : redactArgs(body.args, agentPolicy.audit.pii, options.piiKey),
        ...(reasoning !== undefined ? { reasoning } : {}),
        tier: t.tier as Tier,
        groups,
        why: `${tool} is tier ${t.tier}${t.approval ? ` and needs approval by ${groups.join(" or ")}` : " and needs human approval"}`,
        reversal: t.reversal,
        requestedAt,
        expiresAt: requestedAt + Math.min(asked, policyMs),
      },
      originOf(req),
    );
    if (killSwitch?.isIsolated(agent)) book.withdraw(id, `${agent} is isolated`);
    res.writeHead(200, { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" });
    const line = (v: unknown): void => void res.write(JSON.stringify(v) + "\n");
    line({ id, status: "pending", expires_at: iso(request.expiresAt), approvers: groups });
    const beat = setInterval(() => line({ id, status: "pending" }), options.heartbeatMs ?? 10_000);
    res.on("close", () => {
      clearInterval(beat);
      if (!res.writableFinished) book.withdraw(id, "the gateway that asked went away");
    });
    const ended = await settled;
    clearInterval(beat);
    if (res.destroyed) return;
    res.end(
      JSON.stringify({
        id,
        status: ended.status,
        args_digest: ended.argsDigest,
        ...(ended.approver ? { approver: ended.approver } : {}),
        ...(ended.comment ? { comment: ended.comment } : {}),
        ...(ended.endReason ? { reason: ended.endReason } : {}),
      }) + "\n",
    );
  }

  function withdrawSession(agent: string, session: string, reason = "the session ended"): number {
    return book.withdrawWhere((r) => r.agent === agent && r.session === session, reason);
  }
  function withdrawAgent(agent: string, reason: string): number {
    return book.withdrawWhere((r) => r.agent === agent, reason);
  }
  function withdrawAll(reason: string): number {
    return book.withdrawWhere(() => true, reason);
  }

  return {
    approver,
    handle,
    withdrawSession,
    withdrawAgent,
    withdrawAll,
    pending: () => book.pending(),
    get: (id) => book.get(id),
    outcomeCounts: () => book.outcomeCounts(),
    drain: async () => {
      await Promise.all([...deliveries]);
    },
    close: async (reason = "the gateway is shutting down") => {
      closed = reason;
      withdrawAll(reason);
      await Promise.all([...deliveries]);
      await shared?.close();
    },
    book,
  };
}

function answerOfRequest(r: ApprovalRequestRecord): ApproverAnswer {
  if (r.status === "approved")
    return {
      approved: true,
      approver: r.approver!,
      status: "approved",
      argsDigest: r.argsDigest,
      ...(r.decidedAt !== undefined ? { decidedAt: r.decidedAt } : {}),
      ...(r.comment ? { note: r.comment } : {}),
    };
  if (r.status === "rejected")
    return { approved: false, approver: r.approver!, status: "rejected", ...(r.comment ? { note: r.comment } : {}) };
  return {
    approved: false,
    approver: "",
    status: r.status as "expired" | "withdrawn" | "no_approver",
    ...(r.endReason ? { note: r.endReason } : {}),
  };
}

/** A request as the API shows it: the audited form of the arguments, never the raw ones. */
export function describeRequest(r: ApprovalRequestRecord): Record<string, unknown> {
  return {
    id: r.id,
    agent: r.agent,
    session: r.session,
    tool: r.tool,
    args: r.shownArgs ?? null,
    args_digest: r.argsDigest,
    reasoning: r.reasoning ?? null,
    tier: r.tier,
    requested_at: iso(r.requestedAt),
    expires_at: iso(r.expiresAt),
    approvers: [...r.groups],
    why: r.why ?? null,
    reversal: r.reversal ?? null,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function originOf(req: IncomingMessage): string | undefined {
  const host = req.headers.host;
  return host ? `http://${host}` : undefined;
}

function unauthorized(res: ServerResponse, message: string): true {
  sendError(res, 401, message, { "www-authenticate": 'Bearer realm="charter"' });
  return true;
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  sendError(res, 405, `method not allowed (allowed: ${allow})`, { allow });
  return true;
}

export type { Principal };
