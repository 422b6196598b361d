// The behavioural baseline: what a supervised period's audit log says is normal for each agent — every
// tool's call rate, the data volume of a session and the tool-call n-grams seen. `charter baseline build`
// writes it; the guard compares live traffic against it (monitor rules tool_rate, data_volume, novel_sequence).
// Agent and tool names are data from a log or a file: the records keyed by them have no prototype, so a
// name such as `constructor` or `__proto__` is only ever an own key (look agents up with baselineAgent).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { explainFileError } from "../io-errors.js";

export const BASELINE_FORMAT = "charter-baseline/1";
/** Calls before a session's first call are padded with this name, so a session's opening is a sequence too. */
export const SEQUENCE_START = "^";

const BaselineSchema = z
  .object({
    format: z.literal(BASELINE_FORMAT),
    ngram: z.number().int().min(2).max(8),
    observedMs: z.number().positive(),
    records: z.number().int().nonnegative(),
    agents: z.record(
      z.string(),
      z
        .object({
          tools: z.record(z.string(), z.object({ calls: z.number().int().nonnegative(), perHour: z.number().nonnegative() }).strict()),
          sessions: z
            .object({ count: z.number().int().nonnegative(), meanVolume: z.number().nonnegative(), maxVolume: z.number().nonnegative() })
            .strict(),
          sequences: z.array(z.array(z.string())),
        })
        .strict(),
    ),
  })
  .strict();

export type Baseline = z.infer<typeof BaselineSchema>;
export type BaselineAgent = Baseline["agents"][string];

/** Own-key lookup of an agent's baseline: `constructor` is an agent name here, never Object's function. */
export function baselineAgent(baseline: Baseline | undefined, agent: string): BaselineAgent | undefined {
  return baseline !== undefined && Object.hasOwn(baseline.agents, agent) ? baseline.agents[agent] : undefined;
}

/** True when `v` has the shape of a baseline entry (own tools, sessions and sequences), not some inherited value. */
export function isBaselineAgent(v: unknown): v is BaselineAgent {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Partial<Record<keyof BaselineAgent, unknown>>;
  return (
    Object.hasOwn(o, "tools") &&
    typeof o.tools === "object" &&
    o.tools !== null &&
    Object.hasOwn(o, "sessions") &&
    typeof o.sessions === "object" &&
    o.sessions !== null &&
    Object.hasOwn(o, "sequences") &&
    Array.isArray(o.sequences)
  );
}

/** A record with no prototype, holding the own enumerable entries of `from`. */
function nullPrototype<T>(from: Record<string, T> = {}): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const k of Object.keys(from)) out[k] = from[k]!;
  return out;
}

export type BaselineError = { kind: "io" | "json" | "schema" | "empty"; message: string; line?: number };
export type BaselineResult = { ok: true; baseline: Baseline } | { ok: false; error: BaselineError };

const MAX_DEPTH = 32;

/**
 * The data volume of a value: characters of its strings and keys, 8 per number or boolean. It is what
 * `data_volume` adds up per session, so it must be cheap: one walk, no serialisation.
 */
export function dataVolume(v: unknown, depth = 0): number {
  switch (typeof v) {
    case "string":
      return v.length;
    case "number":
    case "boolean":
    case "bigint":
      return 8;
    case "object": {
      if (v === null || depth >= MAX_DEPTH) return 0;
      let n = 0;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) n += dataVolume(v[i], depth + 1);
        return n;
      }
      const obj = v as Record<string, unknown>;
      for (const k in obj) n += k.length + dataVolume(obj[k], depth + 1);
      return n;
    }
    default:
      return 0;
  }
}

interface LoggedCall {
  agent: string;
  session: string;
  tool: string;
  args: unknown;
  ms: number;
}

/**
 * Learns a baseline from an audit log's text (JSONL). A call counts when it was carried out: a decision
 * record with outcome `allow`, or an approval record with outcome `approved`. The caller should verify the
 * log's chain first: learning "normal" from a tampered log would bless the tampering.
 */
export function buildBaseline(auditText: string, options: { ngram?: number } = {}): BaselineResult {
  const n = options.ngram ?? 3;
  const calls: LoggedCall[] = [];
  let first = Infinity;
  let last = -Infinity;
  let records = 0;
  const lines = auditText.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return { ok: false, error: { kind: "json", line: i + 1, message: `line ${i + 1} is not JSON` } };
    }
    records++;
    const ms = typeof r.ts === "string" ? Date.parse(r.ts) : NaN;
    if (Number.isFinite(ms)) {
      if (ms < first) first = ms;
      if (ms > last) last = ms;
    }
    const action = r.action as { tool?: unknown; args?: unknown } | undefined;
    const carried = (r.event === "decision" && r.outcome === "allow") || (r.event === "approval" && r.outcome === "approved");
    if (!carried || typeof r.agent !== "string" || typeof action?.tool !== "string") continue;
    calls.push({
      agent: r.agent,
      session: typeof r.session === "string" ? r.session : "",
      tool: action.tool,
      args: action.args,
      ms: Number.isFinite(ms) ? ms : 0,
    });
  }
  if (calls.length === 0) return { ok: false, error: { kind: "empty", message: "the log holds no carried-out tool calls to learn from" } };
  const observedMs = Math.max(60_000, last - first);
  const agents: Baseline["agents"] = nullPrototype();
  const sessionsOf = new Map<string, Map<string, { volume: number; tools: string[] }>>();
  for (const c of calls) {
    const a = (agents[c.agent] ??= { tools: nullPrototype(), sessions: { count: 0, meanVolume: 0, maxVolume: 0 }, sequences: [] });
    const t = (a.tools[c.tool] ??= { calls: 0, perHour: 0 });
    t.calls++;
    let sessions = sessionsOf.get(c.agent);
    if (!sessions) sessionsOf.set(c.agent, (sessions = new Map()));
    let s = sessions.get(c.session);
    if (!s) sessions.set(c.session, (s = { volume: 0, tools: [] }));
    s.volume += dataVolume(c.args);
    s.tools.push(c.tool);
  }
  for (const [agent, sessions] of sessionsOf) {
    const a = agents[agent]!;
    for (const t of Object.values(a.tools)) t.perHour = round((t.calls / observedMs) * 3_600_000);
    let total = 0;
    let max = 0;
    const grams = new Map<string, string[]>();
    for (const s of sessions.values()) {
      total += s.volume;
      if (s.volume > max) max = s.volume;
      const padded = [...Array<string>(n - 1).fill(SEQUENCE_START), ...s.tools];
      for (let i = 0; i + n <= padded.length; i++) {
        const gram = padded.slice(i, i + n);
        grams.set(gram.join("\u0000"), gram);
      }
    }
    a.sessions = { count: sessions.size, meanVolume: round(total / sessions.size), maxVolume: max };
    a.sequences = [...grams.keys()].sort().map((k) => grams.get(k)!);
  }
  return { ok: true, baseline: { format: BASELINE_FORMAT, ngram: n, observedMs, records, agents } };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function parseBaseline(value: unknown): BaselineResult {
  const parsed = BaselineSchema.safeParse(value);
  if (parsed.success) {
    // zod builds records as plain objects; rebuild them without a prototype (see baselineAgent).
    const agents: Baseline["agents"] = nullPrototype();
    for (const [name, a] of Object.entries(parsed.data.agents)) agents[name] = { ...a, tools: nullPrototype(a.tools) };
    return { ok: true, baseline: { ...parsed.data, agents } };
  }
  const issue = parsed.error.issues[0]!;
  return {
    ok: false,
    error: { kind: "schema", message: `not a Charter baseline at ${issue.path.join(".") || "(root)"}: ${issue.message}` },
  };
}

export function loadBaseline(path: string): BaselineResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return {
      ok: false,
      error: { kind: "io", message: `cannot read baseline ${path}: ${explainFileError(e, path)}` },
    };
  }
  try {
    return parseBaseline(JSON.parse(text));
  } catch (e) {
    return { ok: false, error: { kind: "json", message: `${path} is not JSON: ${(e as Error).message}` } };
  }
}
