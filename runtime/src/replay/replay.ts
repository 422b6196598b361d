// Replay (DEPLOYMENT.md §6): what would this bundle have done with a recorded or synthetic trace? Each
// session is decided by a fresh real guard, one session at a time, its events in order: ingested text is
// admitted or refused, calls are decided, and a call's result (when it was not refused) is ingested as
// the tool's `returns` source, or the fallback source. No approver is asked and nothing is executed: a
// call that needs approval is taken to have been approved, so the trace goes on as it was recorded.
// Keys of a line other than session, agent, ingest, call and result are carried into its event.
import type { Bundle } from "@charter/language";
import { createGuard, type Guard } from "../guard/guard.js";
import type { Detector } from "../detector/types.js";
import { createDetector } from "../detector/detector.js";

export type ReplayOutcome = "allow" | "deny" | "approval" | "admitted" | "redacted" | "refused";

export interface ReplayEvent {
  session: string;
  /** 0-based position of the event in its session */
  index: number;
  /** 1-based line of the trace */
  line: number;
  agent: string;
  kind: "ingest" | "call";
  /** the tool called, or the source ingested */
  tool?: string;
  source?: string;
  outcome: ReplayOutcome;
  rule: string;
  reason: string;
  /** `mode monitor`: the call was let through although the policy says otherwise */
  enforced?: false;
  wouldBe?: "deny" | "approval";
  /** What became of the call's result text: ingested as `source`, or why it was not. */
  result?: { source: string | null; outcome: "admitted" | "redacted" | "refused" | "skipped"; reason: string };
  /** every other key of the trace line, untouched */
  carried: Record<string, unknown>;
}

export interface ReplaySummary {
  sessions: number;
  calls: { allow: number; deny: number; approval: number };
  ingested: { admitted: number; redacted: number; refused: number };
}

export interface ReplayReport {
  events: ReplayEvent[];
  summary: ReplaySummary;
}

export interface TraceLine {
  line: number;
  value: Record<string, unknown>;
}

export type TraceParse = { ok: true; lines: TraceLine[] } | { ok: false; line: number; message: string };

const OWN_KEYS = new Set(["session", "agent", "ingest", "call", "result"]);

/** Parses and checks a JSONL trace; the first bad line is reported with its number and what is wrong. */
export function parseTrace(text: string): TraceParse {
  const lines: TraceLine[] = [];
  const raw = text.split("\n");
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i]!.trim();
    if (s.length === 0) continue;
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch (e) {
      return { ok: false, line: i + 1, message: `not JSON: ${(e as Error).message}` };
    }
    const problem = traceLineProblem(v);
    if (problem !== undefined) return { ok: false, line: i + 1, message: problem };
    lines.push({ line: i + 1, value: v as Record<string, unknown> });
  }
  return { ok: true, lines };
}

function traceLineProblem(v: unknown): string | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "a trace line is a JSON object";
  const o = v as Record<string, unknown>;
  if (typeof o.session !== "string") return `"session" must be a string`;
  if (typeof o.agent !== "string") return `"agent" must be a string`;
  const hasIngest = o.ingest !== undefined;
  const hasCall = o.call !== undefined;
  if (hasIngest === hasCall) return `a line holds either "ingest" or "call"`;
  if (hasIngest) {
    const i = o.ingest as Record<string, unknown>;
    if (typeof i !== "object" || i === null || typeof i.source !== "string" || typeof i.text !== "string")
      return `"ingest" must be {"source": STRING, "text": STRING}`;
    if (o.result !== undefined) return `"result" belongs to a call line`;
  } else {
    const c = o.call as Record<string, unknown>;
    if (typeof c !== "object" || c === null || typeof c.tool !== "string") return `"call" must be {"tool": STRING, "args"?: OBJECT}`;
    if (o.result !== undefined && o.result !== null && typeof o.result !== "string") return `"result" must be a string`;
  }
  return undefined;
}

export interface ReplayOptions {
  /** Source of call results for tools without `returns` (the gateway's configured source). */
  source?: string;
  /** Shared by every session's guard (scoring is the slow part; the detector keeps no state). */
  detector?: Detector;
  /** The replayed clock: the same instant for every session (rate windows are per session's guard). */
  now?: number;
}

/** Replays a parsed trace. Sessions keep the order in which they first appear. */
export function replayTrace(bundle: Bundle, lines: readonly TraceLine[], options: ReplayOptions = {}): ReplayReport {
  const bySession = new Map<string, TraceLine[]>();
  for (const l of lines) {
    const s = l.value.session as string;
    let list = bySession.get(s);
    if (list === undefined) bySession.set(s, (list = []));
    list.push(l);
  }
  const detector = options.detector ?? createDetector();
  const events: ReplayEvent[] = [];
  const summary: ReplaySummary = {
    sessions: bySession.size,
    calls: { allow: 0, deny: 0, approval: 0 },
    ingested: { admitted: 0, redacted: 0, refused: 0 },
  };
  for (const [session, sessionLines] of bySession) {
    let tick = options.now ?? Date.UTC(2026, 0, 1);
    const guard = createGuard(bundle, { audit: null, detector, clock: () => tick });
    sessionLines.forEach((l, index) => {
      tick += 1000;
      const e = replayLine(guard, session, index, l, options);
      if (e.kind === "call") summary.calls[e.outcome as "allow" | "deny" | "approval"]++;
      else summary.ingested[e.outcome as "admitted" | "redacted" | "refused"]++;
      if (e.result !== undefined && e.result.outcome !== "skipped") summary.ingested[e.result.outcome]++;
      events.push(e);
    });
  }
  return { events, summary };
}

function carriedOf(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) if (!OWN_KEYS.has(k)) out[k] = v[k];
  return out;
}

function replayLine(guard: Guard, session: string, index: number, l: TraceLine, options: ReplayOptions): ReplayEvent {
  const v = l.value;
  const agent = v.agent as string;
  const carried = carriedOf(v);
  if (v.ingest !== undefined) {
    const { source, text } = v.ingest as { source: string; text: string };
    const r = guard.ingest(agent, source, text, session);
    return {
      session,
      index,
      line: l.line,
      agent,
      kind: "ingest",
      source,
      outcome: r.ok ? (r.redacted ? "redacted" : "admitted") : "refused",
      rule: r.ok ? (r.redacted ? "ingest.injection_redacted" : "ingest") : `ingest.${r.error.kind}`,
      reason: r.ok
        ? r.redacted
          ? `admitted from ${source} with ${r.redacted} passage(s) redacted`
          : `admitted from ${source}`
        : r.error.message,
      carried,
    };
  }
  const c = v.call as { tool: string; args?: unknown };
  const call = { agent, session, tool: c.tool, args: c.args };
  const d = guard.decide(call);
  const outcome: ReplayOutcome = d.outcome === "needs_approval" ? "approval" : d.outcome;
  const event: ReplayEvent = {
    session,
    index,
    line: l.line,
    agent,
    kind: "call",
    tool: c.tool,
    outcome,
    rule: d.rule,
    reason: d.reason,
    carried,
  };
  if (d.enforced === false) {
    event.enforced = false;
    event.wouldBe = d.wouldBe === "deny" ? "deny" : "approval";
  }
  // an approval is taken as given: the call ran, as the trace recorded
  if (outcome === "approval") guard.noteCalled(call);
  if (typeof v.result === "string") {
    if (outcome === "deny")
      event.result = { source: null, outcome: "skipped", reason: "the call was refused: its result never reached the agent" };
    else {
      const src = guard.resultSource(agent, c.tool, options.source);
      if (src === undefined)
        event.result = { source: null, outcome: "skipped", reason: `${c.tool} names no \`returns\` source and no --source was given` };
      else {
        const r = guard.ingest(agent, src, v.result, session);
        event.result = !r.ok
          ? { source: src, outcome: "refused", reason: r.error.message }
          : r.redacted
            ? { source: src, outcome: "redacted", reason: `admitted from ${src} with ${r.redacted} passage(s) redacted` }
            : { source: src, outcome: "admitted", reason: `admitted from ${src}` };
      }
    }
  }
  return event;
}

/** The JSON form of `charter replay --format json`. */
export function replayJson(report: ReplayReport): unknown {
  return {
    events: report.events.map((e) => {
      const o: Record<string, unknown> = { ...e.carried, session: e.session, index: e.index, agent: e.agent };
      if (e.kind === "call") o.tool = e.tool;
      else o.source = e.source;
      o.outcome = e.outcome;
      o.rule = e.rule;
      o.reason = e.reason;
      if (e.enforced === false) {
        o.enforced = false;
        o.would_be = e.wouldBe;
      }
      if (e.result !== undefined) o.result = e.result;
      return o;
    }),
    summary: report.summary,
  };
}
