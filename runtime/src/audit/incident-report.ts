// `charter incident report`: what one agent did in a time window, from the audit log alone (plus the bundle
// for tiers and reversal playbooks). Built as data first (buildIncidentReport), then rendered as
// Markdown, JSON or one self-contained HTML file whose chart (inline SVG) shows decisions per minute by
// outcome. The chain's verification is part of the report: an investigator must know whether to trust it.
import type { Bundle } from "@charter/language";
import type { AuditRecord } from "./record.js";
import { approvalRequestOf, isApprovalVerdict, toolOf } from "./query.js";

export interface IncidentInput {
  agent: string;
  since: number;
  until?: number;
  /** Every chain read, with its verification in words and whether it held. */
  chains: { name: string; ok: boolean; verification: string; records: AuditRecord[] }[];
  bundle?: Bundle;
  source: string;
  /** What the verification could not check (no checkpoint key): shown with the chains' state. */
  notes?: string[];
}

export interface IncidentEntry {
  time: string;
  seq: number;
  event: string;
  tool?: string;
  outcome: string;
  rule?: string;
  reason: string;
  approver?: string;
  /** The approval request the record belongs to. */
  request?: string;
  /**
   * Set when this entry stands for more than one record: an answered approval is the approver's answer
   * (the approval service's record, `seq`) and the gateway's verdict on the call (`verdict.seq`).
   */
  seqs?: number[];
  /** The gateway's final word on an approved or rejected call (the guard's record of it). */
  verdict?: { seq: number; outcome: string; rule: string; reason: string };
}

/** One approval request: its first record's time, the final outcome, who answered. */
export interface ApprovalRow extends IncidentEntry {
  /** Attempts to answer it by someone not among its approvers (`forbidden`): refused, changed nothing. */
  refusedAttempts?: IncidentEntry[];
}

export interface HighTierAction extends IncidentEntry {
  tier: string;
  reversal: string | null;
  /** Where the playbook came from: the bundle given, the record itself, or nowhere. */
  playbookFrom: "bundle" | "record" | "none";
}

export interface IncidentReport {
  agent: string;
  window: { since: string; until: string };
  source: string;
  chains: { name: string; ok: boolean; verification: string }[];
  /** Limits of the verification, e.g. that truncation cannot be seen without a checkpoint key. */
  notes: string[];
  bundles: string[];
  bundleGiven?: { name: string; digest: string };
  summary: {
    records: number;
    decisions: Record<string, number>;
    refused: number;
    approvals: number;
    alerts: number;
    isolations: number;
    ingestRefused: number;
    outputFiltered: number;
    sessions: number;
    /** Calls refused after an approval request (rejected, timed out, withdrawn, overruled); in `refused` too. */
    approvalsRefused: number;
    /** Answers by someone not among a request's approvers, refused by the approval service. */
    approvalAttemptsRefused: number;
  };
  /** What the reader must know before trusting the report's silence: no such agent, another bundle, … */
  warnings: string[];
  timeline: IncidentEntry[];
  refused: (IncidentEntry & { count: number })[];
  approvals: ApprovalRow[];
  guardrails: IncidentEntry[];
  dataVolume: { toolResults: number; bytesReturned: number; argumentBytes: number; note?: string };
  domains: { domain: string; calls: number; tools: string[] }[];
  highTier: HighTierAction[];
  perMinute: { minute: string; counts: Record<string, number> }[];
}

const GUARDRAIL_EVENTS = new Set(["alert", "ingest_refused", "output_filtered", "isolation", "state", "recovered"]);
// A URL's candidate text, read by WHATWG URL like a browser or fetch would: IP hosts (v4 in any spelling,
// v6 in brackets) are destinations as much as names are, and a parser of our own would disagree on some.
const URL_RE = /\b(?:https?|wss?|ftp):\/\/[^\s"'<>`]+/gi;
const EMAIL_RE = /\b[a-z0-9._%+-]+@([a-z0-9.-]+\.[a-z]{2,})\b/gi;
const HOST_RE = /^(?:[a-z0-9-]+\.)+[a-z]{2,}$/i;

function entryOf(r: AuditRecord): IncidentEntry {
  const tool = toolOf(r);
  const request = approvalRequestOf(r);
  // the request id is a trace step of its own: it goes to `request`, not into the reason
  const steps = (r.trace ?? []).filter((t) => t.rule !== "approval.request");
  return {
    time: r.ts,
    seq: r.seq,
    event: r.event,
    ...(tool !== undefined ? { tool } : {}),
    outcome: r.outcome,
    ...(steps[0] ? { rule: steps[0].rule } : {}),
    reason: steps.map((t) => t.reason).join("; "),
    ...(r.approver ? { approver: r.approver } : {}),
    ...(request !== undefined ? { request } : {}),
  };
}

function stringsIn(v: unknown, out: string[], depth = 0): void {
  if (depth > 16) return;
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out, depth + 1);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) stringsIn(x, out, depth + 1);
}

function domainsOf(args: unknown): Set<string> {
  const strings: string[] = [];
  stringsIn(args, strings);
  const found = new Set<string>();
  for (const s of strings) {
    for (const m of s.matchAll(URL_RE)) {
      const host = hostOf(m[0]);
      if (host !== undefined) found.add(host);
    }
    for (const m of s.matchAll(EMAIL_RE)) found.add(m[1]!.toLowerCase());
    if (HOST_RE.test(s.trim())) found.add(s.trim().toLowerCase());
  }
  return found;
}

function hostOf(text: string): string | undefined {
  try {
    // prose around a URL ("see https://x.example/a).") is not part of it
    return new URL(text.replace(/[.,;:!?)\]}]+$/, "")).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** The approval service's answers that end a request (its `pending` and `forbidden` records do not). */
const ANSWERS = new Set(["approved", "rejected", "timeout", "expired", "withdrawn", "no_approver"]);

/**
 * Every record of one approval request. A request that was answered is told twice: the approval
 * service records the approver's answer (`approval.approved`, `approval.rejected`, …) and the guard
 * then records its verdict on the call (rule `approval`, or `isolated` / `audit_failure` when it
 * overruled an approval). The report shows the two as one fact; the verdict decides what happened.
 */
interface ApprovalRequestRecords {
  id: string;
  first: AuditRecord;
  answer?: AuditRecord;
  verdict?: AuditRecord;
  forbidden: AuditRecord[];
}

function groupApprovals(records: readonly AuditRecord[]): Map<string, ApprovalRequestRecords> {
  const byId = new Map<string, ApprovalRequestRecords>();
  for (const r of records) {
    if (r.event !== "approval") continue;
    // a log from before request ids: each approval record is a request of its own
    const id = approvalRequestOf(r) ?? `seq ${r.seq}`;
    const g = byId.get(id) ?? { id, first: r, forbidden: [] };
    byId.set(id, g);
    if (isApprovalVerdict(r)) g.verdict = r;
    else if (r.outcome === "forbidden") g.forbidden.push(r);
    else if (ANSWERS.has(r.outcome)) g.answer = r;
  }
  return byId;
}

/** The one timeline entry for an answer and its verdict: the answer's time, both facts in words. */
function answeredEntry(answer: AuditRecord, verdict: AuditRecord): IncidentEntry {
  const a = entryOf(answer);
  const v = entryOf(verdict);
  // the verdict's reason is said only when it adds to the answer: an overruled approval, a timeout
  const then =
    verdict.outcome === "approved"
      ? `the gateway let the call run (seq ${verdict.seq})`
      : answer.outcome === "approved"
        ? `the gateway refused the call anyway (seq ${verdict.seq}, ${v.rule}: ${v.reason})`
        : verdict.outcome !== answer.outcome
          ? `the gateway refused the call (seq ${verdict.seq}, ${verdict.outcome}: ${v.reason})`
          : `the gateway refused the call (seq ${verdict.seq})`;
  return {
    ...a,
    outcome: verdict.outcome,
    reason: `${a.reason}; ${then}`,
    ...((a.approver ?? v.approver) ? { approver: (a.approver ?? v.approver)! } : {}),
    seqs: [answer.seq, verdict.seq],
    verdict: { seq: verdict.seq, outcome: verdict.outcome, rule: v.rule ?? "", reason: v.reason },
  };
}

function approvalRowOf(g: ApprovalRequestRecords): ApprovalRow {
  const last = g.verdict ?? g.answer;
  const e = last ? entryOf(last) : entryOf(g.first);
  const approver = g.verdict?.approver ?? g.answer?.approver;
  const row: ApprovalRow = {
    ...e,
    time: g.first.ts,
    seq: g.first.seq,
    outcome: last ? last.outcome : "pending",
    ...(approver ? { approver } : {}),
  };
  if (g.forbidden.length > 0) row.refusedAttempts = g.forbidden.map(entryOf);
  return row;
}

/** Who else is in the window, for the warning when the agent asked for is not. */
function agentsIn(records: readonly AuditRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) {
    if (r.event === "checkpoint" || r.agent === "*") continue;
    counts.set(r.agent, (counts.get(r.agent) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([agent, n]) => `${agent} (${n} record${n === 1 ? "" : "s"})`)
    .join(", ");
}

function warningsOf(
  input: IncidentInput,
  inWindow: readonly AuditRecord[],
  mine: readonly AuditRecord[],
  bundles: Set<string>,
  until: number,
): string[] {
  const warnings: string[] = [];
  const window = `between ${new Date(input.since).toISOString()} and ${new Date(until).toISOString()}`;
  if (!mine.some((r) => r.agent === input.agent)) {
    const others = agentsIn(inWindow);
    const everywhere = input.chains.flatMap((c) => c.records).filter((r) => r.agent === input.agent);
    let w = `no record of agent '${input.agent}' ${window}`;
    w += others ? `; agents with records in this window: ${others}` : "; no agent has records in this window";
    if (everywhere.length > 0)
      w += `; '${input.agent}' has ${everywhere.length} record(s) outside it (${everywhere[0]!.ts} to ${everywhere.at(-1)!.ts}): widen --since/--until`;
    warnings.push(w);
  }
  if (input.bundle && bundles.size > 0 && !bundles.has(input.bundle.digest))
    warnings.push(
      `the bundle given (${input.bundle.digest}) is not one that decided in this window (${[...bundles].join(", ")}): its tiers and reversal playbooks may not be the ones in force`,
    );
  return warnings;
}

export function buildIncidentReport(input: IncidentInput): IncidentReport {
  const until = input.until ?? Date.now();
  const inWindow = (r: AuditRecord): boolean => {
    const t = Date.parse(r.ts);
    return t >= input.since && t <= until;
  };
  const all = input.chains.flatMap((c) => c.records).filter(inWindow);
  all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.seq - b.seq));
  // the agent's own records, and isolations of everyone ("*")
  const mine = all.filter((r) => r.agent === input.agent || (r.event === "isolation" && r.agent === "*"));
  const requests = groupApprovals(mine);
  const groupOf = (r: AuditRecord): ApprovalRequestRecords | undefined =>
    r.event === "approval" ? requests.get(approvalRequestOf(r) ?? `seq ${r.seq}`) : undefined;
  // an answered request is one timeline entry, where its first record of the two stands
  const merged = new Map<AuditRecord, IncidentEntry | null>();
  for (const g of requests.values()) {
    if (!g.answer || !g.verdict) continue;
    const entry = answeredEntry(g.answer, g.verdict);
    const [host, hidden] = g.answer.seq <= g.verdict.seq ? [g.answer, g.verdict] : [g.verdict, g.answer];
    merged.set(host, entry);
    merged.set(hidden, null);
  }
  const decisions: Record<string, number> = {};
  const refusedBy = new Map<string, IncidentEntry & { count: number }>();
  const refuse = (e: IncidentEntry): void => {
    const key = `${e.tool}\u0000${e.rule}\u0000${e.reason}`;
    const seen = refusedBy.get(key);
    if (seen) seen.count++;
    else refusedBy.set(key, { ...e, count: 1 });
  };
  let approvalsRefused = 0;
  const guardrails: IncidentEntry[] = [];
  const highTier: HighTierAction[] = [];
  const domains = new Map<string, { calls: number; tools: Set<string> }>();
  const sessions = new Set<string>();
  const bundles = new Set<string>();
  const perMinute = new Map<string, Record<string, number>>();
  let toolResults = 0;
  let bytesReturned = 0;
  let argumentBytes = 0;
  let alerts = 0;
  let isolations = 0;
  let ingestRefused = 0;
  let outputFiltered = 0;
  const tools = input.bundle && Object.hasOwn(input.bundle.agents, input.agent) ? input.bundle.agents[input.agent]!.tools : undefined;

  for (const r of mine) {
    if (r.session) sessions.add(r.session);
    if (r.bundle) bundles.add(r.bundle);
    const e = entryOf(r);
    if (r.event === "decision") {
      decisions[r.outcome] = (decisions[r.outcome] ?? 0) + 1;
      const minute = r.ts.slice(0, 16);
      const m = perMinute.get(minute) ?? {};
      m[r.outcome] = (m[r.outcome] ?? 0) + 1;
      perMinute.set(minute, m);
      if (r.outcome === "deny") refuse(e);
    }
    const group = groupOf(r);
    // what decided the request: the gateway's verdict, or the answer when the verdict is not in the window
    const deciding = group ? (group.verdict ?? group.answer) : undefined;
    if (group && r === deciding && r.outcome !== "approved") {
      // a call refused after asking: a refusal like any other, with the approver's reason
      const v = group.verdict ? entryOf(group.verdict) : e;
      refuse({ ...v, time: (group.answer ?? r).ts, seq: (group.answer ?? r).seq });
      approvalsRefused++;
    }
    if (GUARDRAIL_EVENTS.has(r.event)) guardrails.push(e);
    if (r.event === "alert") alerts++;
    if (r.event === "isolation") isolations++;
    if (r.event === "ingest_refused") ingestRefused++;
    if (r.event === "output_filtered") outputFiltered++;
    if (r.event === "tool_result" && r.result) {
      toolResults++;
      bytesReturned += r.result.bytes;
    }
    // a call that ran: an allowed decision, or an approved request (once, however many records tell of it)
    const taken = (r.event === "decision" && r.outcome === "allow") || (group !== undefined && r === deciding && r.outcome === "approved");
    if (!taken) continue;
    if (r.action?.args !== undefined) argumentBytes += Buffer.byteLength(JSON.stringify(r.action.args), "utf8");
    for (const d of domainsOf(r.action?.args)) {
      const entry = domains.get(d) ?? { calls: 0, tools: new Set<string>() };
      entry.calls++;
      if (e.tool) entry.tools.add(e.tool);
      domains.set(d, entry);
    }
    if (e.tool === undefined) continue;
    const declared = tools && Object.hasOwn(tools, e.tool) ? tools[e.tool]! : undefined;
    const recordedTier = typeof r.detail?.tier === "string" ? r.detail.tier : undefined;
    const tier = declared?.tier ?? recordedTier;
    if (tier === "high") {
      const recorded = typeof r.detail?.reversal === "string" ? r.detail.reversal : undefined;
      const reversal = declared?.reversal ?? recorded ?? null;
      // an approved call is listed where the approver's answer stands, as in the timeline
      const shown = group?.answer && group.verdict ? answeredEntry(group.answer, group.verdict) : e;
      highTier.push({ ...shown, tier, reversal, playbookFrom: declared?.reversal ? "bundle" : recorded ? "record" : "none" });
    }
  }
  const approvals = [...requests.values()].map(approvalRowOf);
  const approvalAttemptsRefused = approvals.reduce((n, a) => n + (a.refusedAttempts?.length ?? 0), 0);
  const refused = [...refusedBy.values()].sort((a, b) => b.count - a.count);
  const timeline: IncidentEntry[] = [];
  for (const r of mine) {
    if (r.event === "checkpoint") continue;
    const m = merged.get(r);
    if (m === null) continue;
    timeline.push(m ?? entryOf(r));
  }
  return {
    agent: input.agent,
    window: { since: new Date(input.since).toISOString(), until: new Date(until).toISOString() },
    source: input.source,
    chains: input.chains.map((c) => ({ name: c.name, ok: c.ok, verification: c.verification })),
    notes: input.notes ?? [],
    bundles: [...bundles],
    ...(input.bundle ? { bundleGiven: { name: input.bundle.policy.name, digest: input.bundle.digest } } : {}),
    summary: {
      records: mine.length,
      decisions,
      refused: (decisions.deny ?? 0) + approvalsRefused,
      approvals: approvals.length,
      alerts,
      isolations,
      ingestRefused,
      outputFiltered,
      sessions: sessions.size,
      approvalsRefused,
      approvalAttemptsRefused,
    },
    warnings: warningsOf(input, all, mine, bundles, until),
    timeline,
    refused,
    approvals,
    guardrails,
    dataVolume: {
      toolResults,
      bytesReturned,
      argumentBytes,
      ...(toolResults === 0 ? { note: "no tool_result records in this window: the bytes the tools returned are unknown" } : {}),
    },
    domains: [...domains]
      .map(([domain, d]) => ({ domain, calls: d.calls, tools: [...d.tools].sort() }))
      .sort((a, b) => b.calls - a.calls || a.domain.localeCompare(b.domain)),
    highTier,
    perMinute: [...perMinute].sort(([a], [b]) => (a < b ? -1 : 1)).map(([minute, counts]) => ({ minute, counts })),
  };
}

// ------------------------------------------------------------------ rendering

const NO_TIERS =
  "The log does not hold the tools' tiers: pass --bundle B.json (the bundle that decided) to list the high-tier actions and their reversal playbooks.";

// Tool names, arguments, reasons and agent names come from the log, and so partly from the agent: in the
// report they must stay text. HTML-significant characters, backticks (code spans), brackets (links) and
// backslashes (which could undo an escape) become character references; a pipe would end a table cell.
const MD_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "`": "&#96;",
  "\\": "&#92;",
  "[": "&#91;",
  "]": "&#93;",
};

function mdText(s: string | number | undefined): string {
  return String(s ?? "")
    .replace(/[&<>`\\[\]]/g, (c) => MD_ESCAPES[c]!)
    .replace(/\r\n?|\n/g, " ");
}

function mdCell(s: string | number | undefined): string {
  return mdText(s).replace(/\|/g, "\\|");
}

function mdTable(head: string[], rows: (string | number | undefined)[][]): string {
  if (rows.length === 0) return "_none_\n";
  return (
    `| ${head.join(" | ")} |\n| ${head.map(() => "---").join(" | ")} |\n` +
    rows.map((r) => `| ${r.map(mdCell).join(" | ")} |`).join("\n") +
    "\n"
  );
}

/** The summary table's one row, the same in the Markdown and the HTML report. */
const SUMMARY_HEADER = [
  "records",
  "decisions",
  "refused",
  "approvals",
  "alerts",
  "isolations",
  "ingest refused",
  "output filtered",
  "sessions",
];

function summaryRow(s: IncidentReport["summary"]): (string | number)[] {
  const decisions = Object.entries(s.decisions)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  return [s.records, decisions, s.refused, s.approvals, s.alerts, s.isolations, s.ingestRefused, s.outputFiltered, s.sessions];
}

const APPROVALS_HEADER = ["time", "tool", "outcome", "by", "reason"];

/** One row per request, each followed by the refused attempts of people who may not answer it. */
function approvalRows(r: IncidentReport): (string | number | undefined)[][] {
  return r.approvals.flatMap((a) => [
    [a.time, a.tool, a.outcome, a.approver ?? "", a.reason],
    ...(a.refusedAttempts ?? []).map((t) => [t.time, t.tool, "attempt refused (forbidden)", t.approver ?? "", t.reason]),
  ]);
}

const TIMELINE_HEADER = ["time", "seq", "event", "tool", "outcome", "why"];

function timelineRows(r: IncidentReport): (string | number | undefined)[][] {
  return r.timeline.map((t) => {
    const why = t.rule ? `${t.rule}: ${t.reason}` : t.reason;
    const request = t.request && !why.includes(t.request) ? ` (request ${t.request})` : "";
    return [t.time, t.seqs ? t.seqs.join(" + ") : t.seq, t.event, t.tool, t.outcome, why + request];
  });
}

export function renderIncidentMarkdown(r: IncidentReport): string {
  const s = r.summary;
  let out = `# Incident report: ${mdText(r.agent)}\n\n`;
  out += `Window: ${r.window.since} to ${r.window.until}  \nSource: ${mdText(r.source)}  \n`;
  out += `Bundles that decided: ${mdText(r.bundles.join(", ")) || "none recorded"}${r.bundleGiven ? `  \nBundle given: ${mdText(r.bundleGiven.name)} (${mdText(r.bundleGiven.digest)})` : ""}\n\n`;
  for (const w of r.warnings ?? []) out += `> **Warning:** ${mdText(w)}\n\n`;
  out += `## Chain verification\n\n${r.chains.map((c) => `- ${c.ok ? "intact" : "**BROKEN**"}: ${mdText(c.verification)}`).join("\n") || "- no records"}\n\n`;
  for (const n of r.notes ?? []) out += `> **Note:** ${mdText(n)}\n\n`;
  out += `## Summary\n\n`;
  out += mdTable(SUMMARY_HEADER, [summaryRow(s)]);
  out += `\n## High-tier actions taken, with their reversal playbooks\n\n`;
  if (!r.bundleGiven && r.highTier.length === 0) out += `${NO_TIERS}\n\n`;
  out += mdTable(
    ["time", "seq", "tool", "approver", "reversal playbook"],
    r.highTier.map((h) => [
      h.time,
      h.seq,
      h.tool,
      h.approver ?? "",
      h.reversal ?? (h.playbookFrom === "none" ? "NONE RECORDED: pass --bundle to look it up" : ""),
    ]),
  );
  out += `\n## Refused calls and why\n\n`;
  out += mdTable(
    ["tool", "rule", "reason", "count", "first seen"],
    r.refused.map((x) => [x.tool, x.rule, x.reason, x.count, x.time]),
  );
  out += `\n## Approvals\n\n`;
  out += mdTable(APPROVALS_HEADER, approvalRows(r));
  out += `\n## Guardrail and monitoring events\n\n`;
  out += mdTable(
    ["time", "event", "tool", "outcome", "rule", "reason"],
    r.guardrails.map((g) => [g.time, g.event, g.tool, g.outcome, g.rule, g.reason]),
  );
  out += `\n## Data volume\n\n- tool results recorded: ${r.dataVolume.toolResults}, ${r.dataVolume.bytesReturned} bytes returned\n- arguments sent by allowed and approved calls: ${r.dataVolume.argumentBytes} bytes\n${r.dataVolume.note ? `- ${mdText(r.dataVolume.note)}\n` : ""}`;
  out += `\n## External domains contacted\n\n`;
  out += mdTable(
    ["domain", "calls", "tools"],
    r.domains.map((d) => [d.domain, d.calls, d.tools.join(", ")]),
  );
  out += `\n## Timeline\n\n`;
  out += mdTable(TIMELINE_HEADER, timelineRows(r));
  return out;
}

function esc(s: string | number | undefined): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const COLORS: Record<string, string> = { allow: "#2e7d32", deny: "#c62828", approval_required: "#f9a825" };
const FALLBACK = ["#1565c0", "#6a1b9a", "#00838f", "#4e342e"];

/** Stacked bars, one per minute, one colour per outcome; plain SVG, no script. */
export function decisionsChartSvg(r: IncidentReport): string {
  const outcomes = [...new Set(r.perMinute.flatMap((m) => Object.keys(m.counts)))].sort();
  const color = (o: string, i: number): string => COLORS[o] ?? FALLBACK[i % FALLBACK.length]!;
  const W = 720;
  const H = 220;
  const pad = { l: 40, r: 10, t: 10, b: 40 };
  const n = Math.max(1, r.perMinute.length);
  const max = Math.max(1, ...r.perMinute.map((m) => Object.values(m.counts).reduce((a, b) => a + b, 0)));
  const bw = (W - pad.l - pad.r) / n;
  let bars = "";
  r.perMinute.forEach((m, i) => {
    let y = H - pad.b;
    outcomes.forEach((o, k) => {
      const c = m.counts[o] ?? 0;
      if (c === 0) return;
      const h = ((H - pad.t - pad.b) * c) / max;
      y -= h;
      bars += `<rect x="${(pad.l + i * bw + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${color(o, k)}"><title>${esc(m.minute)} ${esc(o)}: ${c}</title></rect>`;
    });
  });
  const labels = r.perMinute.length
    ? `<text x="${pad.l}" y="${H - pad.b + 16}" font-size="11">${esc(r.perMinute[0]!.minute.replace("T", " "))}</text><text x="${W - pad.r}" y="${H - pad.b + 16}" font-size="11" text-anchor="end">${esc(r.perMinute.at(-1)!.minute.replace("T", " "))}</text>`
    : `<text x="${W / 2}" y="${H / 2}" text-anchor="middle">no decisions in this window</text>`;
  const legend = outcomes
    .map(
      (o, k) =>
        `<rect x="${pad.l + k * 150}" y="${H - 14}" width="10" height="10" fill="${color(o, k)}"/><text x="${pad.l + k * 150 + 14}" y="${H - 5}" font-size="11">${esc(o)}</text>`,
    )
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="decisions per minute by outcome">` +
    `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="#888"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="#888"/>` +
    `<text x="${pad.l - 4}" y="${pad.t + 10}" font-size="11" text-anchor="end">${max}</text><text x="${pad.l - 4}" y="${H - pad.b}" font-size="11" text-anchor="end">0</text>` +
    bars +
    labels +
    legend +
    `</svg>`
  );
}

function htmlTable(head: string[], rows: (string | number | undefined)[][]): string {
  if (rows.length === 0) return "<p><em>none</em></p>";
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
}

/** One file, nothing fetched: inline CSS and SVG, no script. */
export function renderIncidentHtml(r: IncidentReport): string {
  const s = r.summary;
  const broken = r.chains.some((c) => !c.ok);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Incident report: ${esc(r.agent)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}.bad{color:#b71c1c;font-weight:bold}.ok{color:#1b5e20}.meta{color:#555}
</style></head><body>
<h1>Incident report: ${esc(r.agent)}</h1>
<p class="meta">Window ${esc(r.window.since)} to ${esc(r.window.until)} · source ${esc(r.source)} · bundles ${esc(r.bundles.join(", ") || "none recorded")}</p>
<h2>Chain verification</h2>
<ul>${r.chains.map((c) => `<li class="${c.ok ? "ok" : "bad"}">${c.ok ? "intact" : "BROKEN"}: ${esc(c.verification)}</li>`).join("") || "<li>no records</li>"}</ul>
${broken ? `<p class="bad">The chain is broken: records after the break may have been altered.</p>` : ""}
${(r.notes ?? []).map((n) => `<p class="meta">Note: ${esc(n)}</p>`).join("\n")}
${(r.warnings ?? []).map((w) => `<p class="bad">Warning: ${esc(w)}</p>`).join("\n")}
<h2>Summary</h2>
${htmlTable(SUMMARY_HEADER, [summaryRow(s)])}
<h2>Decisions per minute by outcome</h2>
${decisionsChartSvg(r)}
<h2>High-tier actions taken, with their reversal playbooks</h2>
${!r.bundleGiven && r.highTier.length === 0 ? `<p><em>${esc(NO_TIERS)}</em></p>` : ""}
${htmlTable(
  ["time", "seq", "tool", "approver", "reversal playbook"],
  r.highTier.map((h) => [h.time, h.seq, h.tool, h.approver ?? "", h.reversal ?? "NONE RECORDED: pass --bundle to look it up"]),
)}
<h2>Refused calls and why</h2>
${htmlTable(
  ["tool", "rule", "reason", "count", "first seen"],
  r.refused.map((x) => [x.tool, x.rule, x.reason, x.count, x.time]),
)}
<h2>Approvals</h2>
${htmlTable(APPROVALS_HEADER, approvalRows(r))}
<h2>Guardrail and monitoring events</h2>
${htmlTable(
  ["time", "event", "tool", "outcome", "rule", "reason"],
  r.guardrails.map((g) => [g.time, g.event, g.tool, g.outcome, g.rule, g.reason]),
)}
<h2>Data volume</h2>
<p>Tool results recorded: ${r.dataVolume.toolResults}, ${r.dataVolume.bytesReturned} bytes returned. Arguments sent by allowed and approved calls: ${r.dataVolume.argumentBytes} bytes.${r.dataVolume.note ? ` ${esc(r.dataVolume.note)}.` : ""}</p>
<h2>External domains contacted</h2>
${htmlTable(
  ["domain", "calls", "tools"],
  r.domains.map((d) => [d.domain, d.calls, d.tools.join(", ")]),
)}
<h2>Timeline</h2>
${htmlTable(TIMELINE_HEADER, timelineRows(r))}
</body></html>
`;
}
