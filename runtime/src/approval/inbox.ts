// The approvers' inbox: server-rendered HTML, one small same-origin script and one stylesheet, no build
// step and nothing from third parties. A token login starts a session held in an HttpOnly SameSite=Strict
// cookie; every state-changing form carries the session's CSRF token and must come from our own Origin.
// The page shows what an approver needs side by side: the call as audited, the agent's reasoning (marked
// as the agent's words, not ours), and what the policy says about the tool.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Guard } from "../guard/guard.js";
import type { ApproverDirectory } from "./approver-directory.js";
import { BodyError, readBody } from "./http-io.js";
import { INBOX_CSS, INBOX_ICON, INBOX_JS } from "./inbox-assets.js";
import type { ApprovalRequestRecord, Decider, PendingApprovals } from "./pending-approvals.js";

/** What the inbox lists: this replica's book, and with shared state the other replicas' requests too. */
export type ApprovalView = Pick<PendingApprovals, "pending" | "history">;

export interface InboxOptions {
  book: ApprovalView;
  directory: ApproverDirectory;
  clock: () => number;
  guard: () => Guard | undefined;
  publicUrl?: string;
  sessionTtlMs: number;
}

type DecideFn = (
  id: string,
  decider: Decider,
  decision: "approve" | "reject",
  comment: string | undefined,
  argsDigest: string | undefined,
) => { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

interface InboxSession {
  approver: Decider;
  csrf: string;
  expiresAt: number;
  flash?: { kind: "ok" | "error"; text: string };
}

const COOKIE = "charter_inbox";
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const MAX_SESSIONS = 10_000;

export function createInbox(options: InboxOptions) {
  const sessions = new Map<string, InboxSession>();
  let decide: DecideFn | undefined;
  const secure = options.publicUrl?.startsWith("https://") ?? false;
  const allowedOrigin = options.publicUrl ? new URL(options.publicUrl).origin : undefined;

  function sessionOf(req: IncomingMessage): { id: string; session: InboxSession } | undefined {
    const id = cookieValue(req.headers.cookie, COOKIE);
    if (id === undefined) return undefined;
    const session = sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= options.clock()) {
      sessions.delete(id);
      return undefined;
    }
    return { id, session };
  }

  /** Same-origin check for a state-changing request: the Origin (or Referer) must be ours. */
  function sameOrigin(req: IncomingMessage): boolean {
    const expected = allowedOrigin ?? (req.headers.host ? `http://${req.headers.host}` : undefined);
    if (expected === undefined) return false;
    const origin = req.headers.origin;
    if (typeof origin === "string") return origin === expected;
    const referer = req.headers.referer;
    if (typeof referer === "string") {
      try {
        return new URL(referer).origin === expected;
      } catch {
        return false;
      }
    }
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    try {
      if (path === "/inbox/inbox.css" && req.method === "GET") return asset(res, "text/css; charset=utf-8", INBOX_CSS);
      if (path === "/inbox/inbox.js" && req.method === "GET") return asset(res, "text/javascript; charset=utf-8", INBOX_JS);
      if (path === "/inbox/favicon.svg" && req.method === "GET") return asset(res, "image/svg+xml", INBOX_ICON);
      if (path === "/inbox" || path === "/inbox/") {
        if (req.method !== "GET" && req.method !== "HEAD") return page(res, 405, loginPage("Use the form to sign in."));
        const s = sessionOf(req);
        if (s === undefined) return page(res, 200, loginPage());
        const flash = s.session.flash;
        delete s.session.flash;
        return page(res, 200, inboxPage(s.session, flash));
      }
      if (req.method !== "POST") return page(res, 405, loginPage("That address takes a form submission."));
      if (!sameOrigin(req)) return page(res, 403, loginPage("Refused: the form was not sent from this inbox (cross-site request)."));
      const form = new URLSearchParams(await readBody(req, 16 * 1024));
      if (path === "/inbox/login") {
        const principal = options.directory.authenticate(form.get("token")?.trim() || undefined);
        if (principal?.kind !== "approver") return page(res, 401, loginPage("That token does not belong to an approver."));
        if (sessions.size >= MAX_SESSIONS) pruneSessions();
        const id = randomBytes(32).toString("base64url");
        sessions.set(id, {
          approver: principal.approver,
          csrf: randomBytes(32).toString("base64url"),
          expiresAt: options.clock() + options.sessionTtlMs,
        });
        return redirect(
          res,
          `${COOKIE}=${id}; Path=/inbox; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(options.sessionTtlMs / 1000)}${secure ? "; Secure" : ""}`,
        );
      }
      const s = sessionOf(req);
      if (s === undefined) return page(res, 401, loginPage("Your session has ended: sign in again."));
      if (!tokenMatches(form.get("csrf"), s.session.csrf))
        return page(res, 403, loginPage("Refused: the form's CSRF token is missing or stale. Reload the inbox."));
      if (path === "/inbox/logout") {
        sessions.delete(s.id);
        return redirect(res, `${COOKIE}=; Path=/inbox; HttpOnly; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`);
      }
      if (path === "/inbox/decide") {
        const id = form.get("id") ?? "";
        const decision = form.get("decision");
        if (decide === undefined || (decision !== "approve" && decision !== "reject")) {
          s.session.flash = { kind: "error", text: "Choose approve or reject." };
          return redirect(res);
        }
        const comment = form.get("comment")?.trim() || undefined;
        const r = await decide(id, s.session.approver, decision, comment, form.get("args_digest") ?? undefined);
        const body = r.body as { status?: string; error?: string };
        s.session.flash =
          r.status === 200
            ? {
                kind: "ok",
                text:
                  body.status === "approved"
                    ? `Approved ${id}: the call runs now, once, with the arguments shown.`
                    : `Rejected ${id}: the call will not run.`,
              }
            : { kind: "error", text: `Not recorded (HTTP ${r.status}): ${body.error ?? "refused"}` };
        return redirect(res);
      }
      return page(res, 404, loginPage("No such page."));
    } catch (e) {
      if (e instanceof BodyError) return page(res, e.status, loginPage(e.message));
      throw e;
    }
  }

  function pruneSessions(): void {
    const now = options.clock();
    for (const [id, s] of sessions) if (s.expiresAt <= now) sessions.delete(id);
    while (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
  }

  function inboxPage(session: InboxSession, flash: InboxSession["flash"]): string {
    const now = options.clock();
    const me = session.approver;
    const pending = options.book.pending(me);
    const history = options.book.history(me, 20);
    const cards = pending.map((r) => requestCard(r, session.csrf, now)).join("\n");
    return layout(
      "Approvals",
      `<header class="top">
  <div class="brand"><span class="mark" aria-hidden="true">◆</span> Charter <span class="sub">approvals</span></div>
  <div class="who">Signed in as <strong>${esc(me.name)}</strong> <span class="groups">${me.groups.map((g) => `<span class="chip">${esc(g)}</span>`).join(" ")}</span>
    <form method="post" action="/inbox/logout" class="inline"><input type="hidden" name="csrf" value="${esc(session.csrf)}"><button class="link" type="submit">Sign out</button></form></div>
</header>
<main data-server-now="${now}">
${flash ? `<p class="flash ${flash.kind}" role="status">${esc(flash.text)}</p>` : ""}
<section aria-labelledby="pending-h">
  <h1 id="pending-h">Waiting for you <span class="count${pending.length === 0 ? " zero" : ""}">${pending.length}</span></h1>
  ${pending.length === 0 ? `<p class="empty">Nothing is waiting for your groups. New requests appear here (the page refreshes itself).</p>` : cards}
</section>
<section aria-labelledby="history-h" class="history">
  <h2 id="history-h">Recent decisions</h2>
  ${history.length === 0 ? `<p class="empty">No decisions yet.</p>` : historyTable(history)}
</section>
</main>`,
    );
  }

  function requestCard(r: ApprovalRequestRecord, csrf: string, now: number): string {
    const policy = policyFacts(r);
    const left = r.expiresAt - now;
    return `<article class="request tier-${esc(r.tier)}" id="${esc(r.id)}" data-expires="${r.expiresAt}">
  <header>
    <h3><span class="agent">${esc(r.agent)}</span> wants to run <code class="tool">${esc(r.tool)}</code></h3>
    <span class="tier-badge">tier ${esc(r.tier)}</span>
    <span class="left" data-left>${esc(formatLeft(left))} left</span>
  </header>
  <div class="meta">session <code>${esc(r.session || "—")}</code> · requested ${esc(time(r.requestedAt))} · expires ${esc(time(r.expiresAt))} · <span class="rid">${esc(r.id)}</span></div>
  <div class="columns">
    <div class="col">
      <h4>Arguments <span class="hint">as the audit log records them</span></h4>
      <pre class="args">${esc(JSON.stringify(r.shownArgs ?? null, null, 2))}</pre>
      <h4>The agent's reasoning <span class="hint">its own words: untrusted, may be steered</span></h4>
      ${r.reasoning ? `<blockquote class="reasoning">${esc(r.reasoning)}</blockquote>` : `<p class="none">The agent gave no reasoning.</p>`}
    </div>
    <div class="col policy">
      <h4>What the policy says</h4>
      <dl>
        <dt>Why approval</dt><dd>${esc(r.why ?? `${r.tool} is tier ${r.tier}`)}</dd>
        <dt>Approvers</dt><dd>${r.groups.map((g) => `<span class="chip">${esc(g)}</span>`).join(" ")}</dd>
        ${policy}
        <dt>Reversal playbook</dt><dd>${r.reversal ? `<code>${esc(r.reversal)}</code>` : `<span class="warn">none: this action may not be reversible</span>`}</dd>
      </dl>
    </div>
  </div>
  <form method="post" action="/inbox/decide" class="decide">
    <input type="hidden" name="csrf" value="${esc(csrf)}">
    <input type="hidden" name="id" value="${esc(r.id)}">
    <input type="hidden" name="args_digest" value="${esc(r.argsDigest)}">
    <label for="c-${esc(r.id)}">Comment <span class="hint">(recorded in the audit log)</span></label>
    <textarea id="c-${esc(r.id)}" name="comment" rows="2" maxlength="2000" placeholder="Why you decide this way"></textarea>
    <div class="buttons">
      <button type="submit" name="decision" value="approve" class="approve">Approve</button>
      <button type="submit" name="decision" value="reject" class="reject">Reject</button>
      <span class="hint">Approving runs <code>${esc(r.tool)}</code> once, with exactly the arguments shown; nothing runs after the deadline.</span>
    </div>
  </form>
</article>`;
  }

  function policyFacts(r: ApprovalRequestRecord): string {
    const guard = options.guard();
    const agent = guard && Object.hasOwn(guard.bundle.agents, r.agent) ? guard.bundle.agents[r.agent] : undefined;
    const t = agent && Object.hasOwn(agent.tools, r.tool) ? agent.tools[r.tool] : undefined;
    if (t === undefined) return "";
    const rate = `${t.rate.count} per ${formatDuration(t.rate.windowMs)}`;
    const timeout = t.approval
      ? `<dt>Waits at most</dt><dd>${esc(formatDuration(t.approval.timeoutMs))}, then the call is refused</dd>`
      : "";
    return `<dt>Scope</dt><dd>${esc(t.scope)}</dd><dt>Rate</dt><dd>${esc(rate)}</dd>${timeout}`;
  }

  return {
    handle,
    setDecide(fn: DecideFn) {
      decide = fn;
    },
  };
}

function historyTable(rows: ApprovalRequestRecord[]): string {
  const body = rows
    .map(
      (
        r,
      ) => `<tr class="st-${esc(r.status)}"><td>${esc(time(r.decidedAt ?? r.requestedAt))}</td><td>${esc(r.agent)}</td><td><code>${esc(r.tool)}</code></td>
<td><span class="status">${esc(r.status)}</span></td><td>${esc(r.approver ?? "—")}</td><td>${esc(r.comment ?? r.endReason ?? "")}</td></tr>`,
    )
    .join("\n");
  return `<div class="table-wrap"><table><thead><tr><th>When</th><th>Agent</th><th>Tool</th><th>Outcome</th><th>By</th><th>Comment or reason</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

function loginPage(message?: string): string {
  return layout(
    "Sign in",
    `<main class="login">
  <div class="brand"><span class="mark" aria-hidden="true">◆</span> Charter <span class="sub">approvals</span></div>
  <h1>Sign in to decide</h1>
  ${message ? `<p class="flash error" role="alert">${esc(message)}</p>` : ""}
  <form method="post" action="/inbox/login">
    <label for="token">Approver token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required>
    <button type="submit" class="approve">Sign in</button>
  </form>
  <p class="hint">Your token was given to you with your approver entry (<code>charter token</code>). It is checked against the SHA-256 the gateway's config holds.</p>
</main>`,
  );
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${esc(title)} · Charter</title><link rel="icon" href="/inbox/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/inbox/inbox.css"><script src="/inbox/inbox.js" defer></script></head>
<body>${body}</body></html>`;
}

function page(res: ServerResponse, status: number, html: string): true {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": CSP,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
  });
  res.end(html);
  return true;
}

function asset(res: ServerResponse, type: string, text: string): true {
  res.writeHead(200, { "content-type": type, "cache-control": "no-cache", "x-content-type-options": "nosniff" });
  res.end(text);
  return true;
}

function redirect(res: ServerResponse, cookie?: string): true {
  res.writeHead(303, { location: "/inbox", "cache-control": "no-store", ...(cookie ? { "set-cookie": cookie } : {}) });
  res.end();
  return true;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c === '"' ? "&quot;" : "&#39;"));
}

function time(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, " UTC");
}

export function formatLeft(ms: number): string {
  if (ms <= 0) return "no time";
  const s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h ${m}m` : m > 0 ? `${m}m ${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

function formatDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
    [1000, "s"],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms / 1000}s`;
}
