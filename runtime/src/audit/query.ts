// Reading a log back: records from JSONL text, filters for `charter audit query` and `charter incident
// report`, and time arguments ("1h" ago or an ISO instant). Verification comes first, always: a reader
// is told when the chain it is reading is broken.
import type { AuditRecord } from "./record.js";

export interface AuditFilter {
  agent?: string;
  tool?: string;
  /** Matches the outcome, or "approval" for anything about approvals (see matchesOutcome). */
  outcomes?: string[];
  session?: string;
  event?: string;
  /** Milliseconds since the epoch, inclusive. */
  since?: number;
  until?: number;
}

/** Every line that parses as a JSON object, in order; a line that does not is skipped (verify names it). */
export function parseAuditRecords(text: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  let pos = 0;
  while (pos < text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl === -1) nl = text.length;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    if (line === "") continue;
    try {
      const r = JSON.parse(line) as AuditRecord;
      if (typeof r === "object" && r !== null && typeof r.seq === "number") out.push(r);
    } catch {
      // a torn or edited line; the chain verification reports it
    }
  }
  return out;
}

/** The tool a record is about: the call's, or the one an event names in its detail. */
export function toolOf(r: AuditRecord): string | undefined {
  return r.action?.tool ?? (typeof r.detail?.tool === "string" ? r.detail.tool : undefined);
}

const APPROVAL_OUTCOMES = new Set([
  "approval_required",
  "approved",
  "rejected",
  "timeout",
  "expired",
  "withdrawn",
  "pending",
  "no_approver",
]);

/** The approval request a record belongs to: approval records name it in their trace. */
export function approvalRequestOf(r: AuditRecord): string | undefined {
  return r.trace?.find((t) => t.rule === "approval.request")?.reason;
}

/**
 * Whether an approval record is the gateway's final word on the call (written by the guard once the
 * answer came: rule `approval`, or `isolated` / `audit_failure` when an approval was overruled), as
 * opposed to the approval service's own records of the request (rules `approval.pending`,
 * `approval.approved`, `approval.rejected`, `approval.forbidden`, …). A request that was answered has
 * both: the approver's answer, then the gateway's verdict on the call.
 */
export function isApprovalVerdict(r: AuditRecord): boolean {
  const rule = r.trace?.[0]?.rule;
  return r.event === "approval" && rule !== undefined && !rule.startsWith("approval.");
}

/** A call the gateway refused after asking for approval (rejected, timed out, withdrawn, overruled, …). */
export function isRefusedApproval(r: AuditRecord): boolean {
  return isApprovalVerdict(r) && r.outcome !== "approved";
}

function matchesOutcome(r: AuditRecord, wanted: string): boolean {
  if (r.outcome === wanted) return true;
  if (wanted === "approval") return r.event === "approval" || APPROVAL_OUTCOMES.has(r.outcome);
  // "deny" is every refusal: denied decisions, refused or blocked content, and calls refused after an
  // approval request (the gateway's verdict record only, so a rejected call is listed once, not twice)
  if (wanted === "deny") return r.outcome === "refused" || r.outcome === "blocked" || isRefusedApproval(r);
  return false;
}

export function filterAuditRecords(records: readonly AuditRecord[], f: AuditFilter): AuditRecord[] {
  return records.filter((r) => {
    if (f.agent !== undefined && r.agent !== f.agent) return false;
    if (f.session !== undefined && r.session !== f.session) return false;
    if (f.event !== undefined && r.event !== f.event) return false;
    if (f.tool !== undefined && toolOf(r) !== f.tool) return false;
    if (f.outcomes !== undefined && f.outcomes.length > 0 && !f.outcomes.some((o) => matchesOutcome(r, o))) return false;
    if (f.since !== undefined || f.until !== undefined) {
      const t = Date.parse(r.ts);
      if (f.since !== undefined && !(t >= f.since)) return false;
      if (f.until !== undefined && !(t <= f.until)) return false;
    }
    return true;
  });
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "15m", "1h", "7d" before `now`, or an ISO 8601 instant. */
export function parseTimeArg(text: string, now = Date.now()): { ok: true; ms: number } | { ok: false; message: string } {
  const rel = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (rel) return { ok: true, ms: now - Number(rel[1]) * UNIT_MS[rel[2]!]! };
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return { ok: true, ms };
  }
  return { ok: false, message: `'${text}' is neither a duration before now (30s, 15m, 1h, 7d) nor an ISO time (2026-12-01T09:00:00Z)` };
}
