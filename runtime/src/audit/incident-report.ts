// `charter incident report`: what one agent did in a time window, from the audit log alone (plus the bundle
// for tiers and reversal playbooks). Built as data first (buildIncidentReport), then rendered as
// Markdown, JSON or one self-contained HTML file whose chart (inline SVG) shows decisions per minute by
// outcome. The chain's verification is part of the report: an investigator must know whether to trust it.
import type { Bundle } from "@charter/language";
import type { AuditRecord } from "./record.js";
import { toolOf } from "./query.js";

export interface IncidentInput {
  agent: string;
  since: number;
  until?: number;
  /** Every chain read, with its verification in words and whether it held. */
  chains: { name: string; ok: boolean; verification: string; records: AuditRecord[] }[];
  bundle?: Bundle;
  source: string;
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
  };
  timeline: IncidentEntry[];
  refused: (IncidentEntry & { count: number })[];
  approvals: IncidentEntry[];
  guardrails: IncidentEntry[];
  dataVolume: { toolResults: number; bytesReturned: number; argumentBytes: number; note?: string };
  domains: { domain: string; calls: number; tools: string[] }[];
  highTier: HighTierAction[];
  perMinute: { minute: string; counts: Record<string, number> }[];
}

const GUARDRAIL_EVENTS = new Set(["alert", "ingest_refused", "output_filtered", "isolation", "state", "recovered"]);
const URL_RE = /\bhttps?:\/\/([a-z0-9.-]+\.[a-z]{2,})(?::\d+)?/gi;
const EMAIL_RE = /\b[a-z0-9._%+-]+@([a-z0-9.-]+\.[a-z]{2,})\b/gi;
const HOST_RE = /^(?:[a-z0-9-]+\.)+[a-z]{2,}$/i;

function entryOf(r: AuditRecord): IncidentEntry {
  const tool = toolOf(r);
  return {
    time: r.ts,
    seq: r.seq,
    event: r.event,
    ...(tool !== undefined ? { tool } : {}),
    outcome: r.outcome,
    ...(r.trace[0] ? { rule: r.trace[0].rule } : {}),
    reason: r.trace.map((t) => t.reason).join("; "),
    ...(r.approver ? { approver: r.approver } : {}),
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
    for (const m of s.matchAll(URL_RE)) found.add(m[1]!.toLowerCase());
    for (const m of s.matchAll(EMAIL_RE)) found.add(m[1]!.toLowerCase());
    if (HOST_RE.test(s.trim())) found.add(s.trim().toLowerCase());
  }
  return found;
}

/** The approval request a record belongs to: approval records name it in their trace. */
function requestIdOf(r: AuditRecord): string | undefined {
  return r.trace.find((t) => t.rule === "approval.request")?.reason;
}

function isTaken(r: AuditRecord): boolean {
  return (r.event === "decision" && r.outcome === "allow") || (r.event === "approval" && r.outcome === "approved");
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
  const decisions: Record<string, number> = {};
  const refusedBy = new Map<string, IncidentEntry & { count: number }>();
  // one row per approval request: its pending record, the service's answer and the guard's final word
  // are three records of one event, so the row keeps the first time and the last outcome
  const approvalsById = new Map<string, IncidentEntry>();
  const takenRequests = new Set<string>();
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
      if (r.outcome === "deny") {
        const key = `${e.tool}\u0000${e.rule}\u0000${e.reason}`;
        const seen = refusedBy.get(key);
        if (seen) seen.count++;
        else refusedBy.set(key, { ...e, count: 1 });
      }
    }
    const requestId = r.event === "approval" ? (requestIdOf(r) ?? `seq ${r.seq}`) : undefined;
    if (requestId !== undefined) {
      const first = approvalsById.get(requestId);
      const approver = e.approver ?? first?.approver;
      approvalsById.set(requestId, first ? { ...e, time: first.time, seq: first.seq, ...(approver ? { approver } : {}) } : e);
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
    if (isTaken(r) && r.event === "decision") {
      if (r.action?.args !== undefined) argumentBytes += Buffer.byteLength(JSON.stringify(r.action.args), "utf8");
      for (const d of domainsOf(r.action?.args)) {
        const entry = domains.get(d) ?? { calls: 0, tools: new Set<string>() };
        entry.calls++;
        if (e.tool) entry.tools.add(e.tool);
        domains.set(d, entry);
      }
    }
    // an approved request is one action however many records tell of it
    let repeated = false;
    if (requestId !== undefined && isTaken(r)) {
      repeated = takenRequests.has(requestId);
      takenRequests.add(requestId);
    }
    if (isTaken(r) && e.tool !== undefined && !repeated) {
      const declared = tools && Object.hasOwn(tools, e.tool) ? tools[e.tool]! : undefined;
      const recordedTier = typeof r.detail?.tier === "string" ? r.detail.tier : undefined;
      const tier = declared?.tier ?? recordedTier;
      // an approved call is one action: its `approved` record stands for it, not the earlier request
      if (tier === "high" && !(r.event === "decision" && r.outcome !== "allow")) {
        const recorded = typeof r.detail?.reversal === "string" ? r.detail.reversal : undefined;
        const reversal = declared?.reversal ?? recorded ?? null;
        highTier.push({ ...e, tier, reversal, playbookFrom: declared?.reversal ? "bundle" : recorded ? "record" : "none" });
      }
    }
  }
  const approvals = [...approvalsById.values()];
  const refused = [...refusedBy.values()].sort((a, b) => b.count - a.count);
  return {
    agent: input.agent,
    window: { since: new Date(input.since).toISOString(), until: new Date(until).toISOString() },
    source: input.source,
    chains: input.chains.map((c) => ({ name: c.name, ok: c.ok, verification: c.verification })),
    bundles: [...bundles],
    ...(input.bundle ? { bundleGiven: { name: input.bundle.policy.name, digest: input.bundle.digest } } : {}),
    summary: {
      records: mine.length,
      decisions,
      refused: decisions.deny ?? 0,
      approvals: approvals.length,
      alerts,
      isolations,
      ingestRefused,
      outputFiltered,
      sessions: sessions.size,
    },
    timeline: mine.filter((r) => r.event !== "checkpoint").map(entryOf),
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

function mdCell(s: string | number | undefined): string {
  return String(s ?? "")
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ");
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

export function renderIncidentMarkdown(r: IncidentReport): string {
  const s = r.summary;
  let out = `# Incident report: ${r.agent}\n\n`;
  out += `Window: ${r.window.since} to ${r.window.until}  \nSource: ${r.source}  \n`;
  out += `Bundles that decided: ${r.bundles.join(", ") || "none recorded"}${r.bundleGiven ? `  \nBundle given: ${r.bundleGiven.name} (${r.bundleGiven.digest})` : ""}\n\n`;
  out += `## Chain verification\n\n${r.chains.map((c) => `- ${c.ok ? "intact" : "**BROKEN**"}: ${c.verification}`).join("\n") || "- no records"}\n\n`;
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
  out += mdTable(
    ["time", "tool", "outcome", "by", "reason"],
    r.approvals.map((a) => [a.time, a.tool, a.outcome, a.approver ?? "", a.reason]),
  );
  out += `\n## Guardrail and monitoring events\n\n`;
  out += mdTable(
    ["time", "event", "tool", "outcome", "rule", "reason"],
    r.guardrails.map((g) => [g.time, g.event, g.tool, g.outcome, g.rule, g.reason]),
  );
  out += `\n## Data volume\n\n- tool results recorded: ${r.dataVolume.toolResults}, ${r.dataVolume.bytesReturned} bytes returned\n- arguments sent by allowed calls: ${r.dataVolume.argumentBytes} bytes\n${r.dataVolume.note ? `- ${r.dataVolume.note}\n` : ""}`;
  out += `\n## External domains contacted\n\n`;
  out += mdTable(
    ["domain", "calls", "tools"],
    r.domains.map((d) => [d.domain, d.calls, d.tools.join(", ")]),
  );
  out += `\n## Timeline\n\n`;
  out += mdTable(
    ["time", "seq", "event", "tool", "outcome", "why"],
    r.timeline.map((t) => [t.time, t.seq, t.event, t.tool, t.outcome, t.rule ? `${t.rule}: ${t.reason}` : t.reason]),
  );
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
${htmlTable(
  ["time", "tool", "outcome", "by", "reason"],
  r.approvals.map((a) => [a.time, a.tool, a.outcome, a.approver ?? "", a.reason]),
)}
<h2>Guardrail and monitoring events</h2>
${htmlTable(
  ["time", "event", "tool", "outcome", "rule", "reason"],
  r.guardrails.map((g) => [g.time, g.event, g.tool, g.outcome, g.rule, g.reason]),
)}
<h2>Data volume</h2>
<p>Tool results recorded: ${r.dataVolume.toolResults}, ${r.dataVolume.bytesReturned} bytes returned. Arguments sent by allowed calls: ${r.dataVolume.argumentBytes} bytes.${r.dataVolume.note ? ` ${esc(r.dataVolume.note)}.` : ""}</p>
<h2>External domains contacted</h2>
${htmlTable(
  ["domain", "calls", "tools"],
  r.domains.map((d) => [d.domain, d.calls, d.tools.join(", ")]),
)}
<h2>Timeline</h2>
${htmlTable(
  ["time", "seq", "event", "tool", "outcome", "why"],
  r.timeline.map((t) => [t.time, t.seq, t.event, t.tool, t.outcome, t.rule ? `${t.rule}: ${t.reason}` : t.reason]),
)}
</body></html>
`;
}
