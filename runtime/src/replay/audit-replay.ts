// `charter replay --audit LOG`: the calls of a recorded audit log decided again by another bundle, one
// session at a time in the log's order, listing the calls whose decision would change. What the log
// cannot give back is said, not guessed: arguments it holds hashed or redacted (PII) are replayed as
// the log holds them, and ingested text is not in the log, so rules on what a session read see nothing.
import type { Bundle } from "@charter/language";
import { createGuard } from "../guard/guard.js";

export interface AuditChange {
  /** the record's `seq` */
  seq: number;
  session: string;
  agent: string;
  tool: string;
  before: "allow" | "deny" | "approval";
  after: "allow" | "deny" | "approval";
  rule: string;
  reason: string;
  /** the log held some of the arguments hashed or redacted, so the replayed call saw those instead */
  argsHashed: boolean;
}

export interface AuditReplay {
  calls: number;
  changes: AuditChange[];
  /** calls replayed with arguments the log holds hashed or redacted */
  hashedCalls: number;
}

export type AuditReplayParse = { ok: true; replay: AuditReplay } | { ok: false; line: number; message: string };

const PSEUDONYM = /\[[a-z][a-z0-9_-]*(?::hmac-sha256:[0-9a-f]{16,64})?\]/;

function holdsPseudonym(v: unknown, depth = 0): boolean {
  if (typeof v === "string") return PSEUDONYM.test(v);
  if (depth > 32 || v === null || typeof v !== "object") return false;
  for (const x of Array.isArray(v) ? v : Object.values(v)) if (holdsPseudonym(x, depth + 1)) return true;
  return false;
}

function outcomeOf(recorded: unknown): "allow" | "deny" | "approval" | undefined {
  if (recorded === "allow" || recorded === "deny") return recorded;
  if (recorded === "approval_required") return "approval";
  return undefined;
}

export function replayAuditLog(bundle: Bundle, text: string): AuditReplayParse {
  const bySession = new Map<
    string,
    { seq: number; agent: string; tool: string; args: unknown; before: "allow" | "deny" | "approval"; ts: number }[]
  >();
  const raw = text.split("\n");
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i]!.trim();
    if (s.length === 0) continue;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(s);
    } catch (e) {
      return { ok: false, line: i + 1, message: `not JSON: ${(e as Error).message}` };
    }
    if (typeof r !== "object" || r === null || typeof r.event !== "string")
      return { ok: false, line: i + 1, message: 'not an audit record (no "event")' };
    if (r.event !== "decision") continue;
    const action = r.action as { tool?: unknown; args?: unknown } | undefined;
    const before = outcomeOf(r.outcome);
    if (typeof r.agent !== "string" || typeof r.session !== "string" || typeof action?.tool !== "string" || before === undefined) {
      return {
        ok: false,
        line: i + 1,
        message: "a decision record needs agent, session, action.tool and an outcome allow, deny or approval_required",
      };
    }
    const ts = typeof r.ts === "string" ? Date.parse(r.ts) : NaN;
    let list = bySession.get(r.session);
    if (list === undefined) bySession.set(r.session, (list = []));
    list.push({
      seq: typeof r.seq === "number" ? r.seq : i + 1,
      agent: r.agent,
      tool: action.tool,
      args: action.args,
      before,
      ts: Number.isFinite(ts) ? ts : 0,
    });
  }
  const changes: AuditChange[] = [];
  let calls = 0;
  let hashedCalls = 0;
  for (const [session, records] of bySession) {
    let now = 0;
    const guard = createGuard(bundle, { audit: null, clock: () => now });
    for (const rec of records) {
      now = Math.max(now, rec.ts);
      calls++;
      const hashed = holdsPseudonym(rec.args);
      if (hashed) hashedCalls++;
      const call = { agent: rec.agent, session, tool: rec.tool, args: rec.args };
      const d = guard.decide(call);
      const after = d.outcome === "needs_approval" ? "approval" : d.outcome;
      if (after === "approval") guard.noteCalled(call);
      if (after !== rec.before)
        changes.push({
          seq: rec.seq,
          session,
          agent: rec.agent,
          tool: rec.tool,
          before: rec.before,
          after,
          rule: d.rule,
          reason: d.reason,
          argsHashed: hashed,
        });
    }
  }
  return { ok: true, replay: { calls, changes, hashedCalls } };
}
