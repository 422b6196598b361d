// The audit record and its seal. A record's hash is SHA-256 over the canonical JSON of every field except
// `hash`; `prev` links it to the record before and `seq` numbers it from 1, so an edit, deletion, insertion
// or reordering breaks a link that verifyAuditLog can name. The serializer here is the hot path.
import { hash as oneShotHash } from "node:crypto";
import { canonicalJson, quoteJson } from "./canonical-json.js";

export type AuditEvent =
  | "decision"
  | "approval"
  | "ingest_refused"
  /** `on_injection redact`: the text was admitted with its offending passages replaced by a marker. */
  | "ingest_redacted"
  | "output_filtered"
  | "alert"
  | "isolation"
  /**
   * Written when a log is reopened after its writer died: after a torn tail (`torn` fingerprints the bytes
   * skipped) or, with checkpoints, after a writer that never wrote its closing checkpoint.
   */
  | "recovered"
  /** An ed25519 signature over the chain head (the record before it); see checkpoint.ts. */
  | "checkpoint"
  /** What the tool server answered to a forwarded call (size, digest, error flag), written by gateways. */
  | "tool_result"
  /** Open for extension (approval requests and transitions, authentication failures, state outages…). */
  | (string & {});

/** Open for extension; these are the outcomes the runtime writes today. */
export type AuditOutcome =
  | "allow"
  | "deny"
  | "approved"
  | "rejected"
  | "timeout"
  | "refused"
  | "redacted"
  | "blocked"
  | "alerted"
  | "isolated"
  | "recovered"
  | (string & {});

export interface TraceStep {
  rule: string;
  reason: string;
}

export interface AuditAction {
  tool: string;
  /** Already passed through redactArgs according to the policy's `audit { pii … }`. */
  args?: unknown;
}

export interface GuardrailEvent {
  kind: string;
  action?: string;
  severity?: string;
  source?: string;
  score?: number;
  detail?: string;
}

export interface TornTail {
  /** Length of the skipped text (UTF-16 code units of its UTF-8 decoding, terminator included). */
  length: number;
  /** "sha256:…" of that text; verify recomputes it. */
  hash: string;
}

/** A signed claim that record `seq` of this chain has hash `hash` (see checkpoint.ts). */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  /** Written at close: nothing follows in this writer's life. */
  final: boolean;
  /** "ed25519:…" public key of the signer. */
  key: string;
  /** "ed25519:…" signature over checkpointPayload(seq, hash, final). */
  sig: string;
}

/** What the tool server answered: enough to account for data volume and errors without keeping the data. */
export interface ToolResultSummary {
  isError: boolean;
  /** UTF-8 bytes of the text the tool returned. */
  bytes: number;
  /** "sha256:…" of that text. */
  hash: string;
}

export interface AuditRecord {
  seq: number;
  ts: string;
  agent: string;
  session: string;
  event: AuditEvent;
  inputHash?: string;
  trace: TraceStep[];
  action?: AuditAction;
  outcome: AuditOutcome;
  outputHash?: string;
  guardrail?: GuardrailEvent[];
  approver?: string;
  /** `mode monitor`: false when the decision was recorded but not applied (the call was let through). */
  enforced?: boolean;
  /** Semantic digest of the bundle that decided ("sha256:…"). */
  bundle?: string;
  checkpoint?: AuditCheckpoint;
  /** Event-specific facts: approval request id, withdrawal cause, domains contacted, reversal playbook… */
  detail?: Record<string, unknown>;
  result?: ToolResultSummary;
  torn?: TornTail;
  prev: string;
  hash: string;
}

/** What a caller supplies; the log fills in the chain fields. */
export type AuditEntry = Omit<AuditRecord, "seq" | "ts" | "prev" | "hash">;

export const GENESIS_HASH = "sha256:" + "0".repeat(64);

/** "sha256:" and the hex SHA-256 of the text's UTF-8 bytes (node:crypto encodes the string natively). */
export function sha256Tagged(text: string): string {
  return "sha256:" + oneShotHash("sha256", text, "hex");
}

/**
 * The hex SHA-256 of these bytes: "sha256:" and it is sha256Tagged of the text whose UTF-8 bytes they are,
 * so a sink that has encoded a record seals the bytes it holds.
 */
export function sha256Hex(utf8: Uint8Array): string {
  return oneShotHash("sha256", utf8, "hex");
}

function str(v: unknown): string {
  return typeof v === "string" ? quoteJson(v) : canonicalJson(v);
}

/**
 * The JSON of a field whose values recur record after record (agent and tool names, bundle digests,
 * events, outcomes, approvers, sessions), memoised with the field's key in front (`,"agent":"a"`): a Map
 * hit costs a fraction of quoteJson's scan, allocates nothing, and gives the record's string fewer pieces
 * to flatten when it is hashed. Bounded: dropped when full, and long values are quoted every time.
 * Compiled trace reasons come as constant traces instead.
 */
class RecurringField {
  private readonly memo = new Map<string, string>();
  constructor(
    private readonly prefix: string,
    private readonly suffix = "",
  ) {}

  json(v: unknown): string {
    if (typeof v !== "string") return this.prefix + canonicalJson(v) + this.suffix;
    let q = this.memo.get(v);
    if (q === undefined) {
      q = this.prefix + quoteJson(v) + this.suffix;
      if (v.length <= RECURRING_MAX_LENGTH) {
        if (this.memo.size >= RECURRING_MAX_ENTRIES) this.memo.clear();
        this.memo.set(v, q);
      }
    }
    return q;
  }
}
const RECURRING_MAX_ENTRIES = 4096;
const RECURRING_MAX_LENGTH = 256;

const toolField = new RecurringField('"tool":', "},");
const agentField = new RecurringField('"agent":');
const approverField = new RecurringField(',"approver":');
const bundleField = new RecurringField(',"bundle":');
const eventField = new RecurringField(',"event":');
const outcomeField = new RecurringField(',"outcome":');
const sessionField = new RecurringField(',"session":');
/** Trace rules: a small vocabulary. */
const ruleField = new RecurringField(',"rule":', "}");

/** JSON of a record number: the decimal digits for the usual safe integer, canonicalJson otherwise. */
function seqJson(seq: unknown): string {
  return Number.isSafeInteger(seq) ? "" + (seq as number) : str(seq);
}

/**
 * Canonical JSON of the record without `hash`, written field by field in sorted key order. It must equal
 * canonicalJson(record, "hash") for every well-typed record (a property test holds it to that); fields
 * outside the declared shape are not recorded.
 */
export function serializeUnsealed(r: Omit<AuditRecord, "hash">): string {
  return serializeWithPrev(r, str(r.prev));
}

/**
 * serializeUnsealed with `prev` already quoted: the log knows its chain head is a hash it wrote itself.
 * `tsJson`, when given, is `,"ts":` and the quoted `r.ts` and the closing brace, which the log makes once
 * a millisecond from a timestamp it formatted itself.
 */
export function serializeWithPrev(r: Omit<AuditRecord, "hash">, prevJson: string, tsJson?: string): string {
  return serializeBeforePrev(r) + prevJson + serializeAfterPrev(r, tsJson);
}

/**
 * The record's canonical JSON up to and including `,"prev":`. With serializeAfterPrev it lets a sink that
 * seals off the writing thread (off-thread-sealer.ts) encode a record before the hash of the one before it
 * is known: the fields sort so that `prev` falls between these two parts, and its value has a fixed length.
 */
export function serializeBeforePrev(r: Omit<AuditRecord, "hash">): string {
  let s = "{";
  if (r.action !== undefined) {
    const a = r.action;
    s += a.args === undefined ? '"action":{' : '"action":{"args":' + canonicalJson(a.args) + ",";
    s += toolField.json(a.tool);
  }
  s += agentField.json(r.agent);
  if (r.approver !== undefined) s += approverField.json(r.approver);
  if (r.bundle !== undefined) s += bundleField.json(r.bundle);
  if (r.checkpoint !== undefined) s += ',"checkpoint":' + canonicalJson(r.checkpoint);
  if (r.detail !== undefined) s += ',"detail":' + canonicalJson(r.detail);
  if (r.enforced !== undefined) s += ',"enforced":' + (r.enforced === true ? "true" : r.enforced === false ? "false" : str(r.enforced));
  s += eventField.json(r.event);
  if (r.guardrail !== undefined) s += ',"guardrail":' + canonicalJson(r.guardrail);
  if (r.inputHash !== undefined) s += ',"inputHash":' + str(r.inputHash);
  s += outcomeField.json(r.outcome);
  if (r.outputHash !== undefined) s += ',"outputHash":' + str(r.outputHash);
  return s + ',"prev":';
}

/** The record's canonical JSON after the value of `prev`, to its closing brace (see serializeBeforePrev). */
export function serializeAfterPrev(r: Omit<AuditRecord, "hash">, tsJson?: string): string {
  let s = r.result !== undefined ? ',"result":' + canonicalJson(r.result) : "";
  s += ',"seq":' + seqJson(r.seq) + sessionField.json(r.session);
  if (r.torn !== undefined) s += ',"torn":' + canonicalJson(r.torn);
  return s + traceJson(r.trace) + (tsJson ?? tsFieldJson(r.ts));
}

/** `,"trace":…` of the traces made by constantTrace, by identity: they are frozen, so it cannot go stale. */
const constantTraceJson = new WeakMap<readonly TraceStep[], string>();

/**
 * Freezes a trace that many records will share (the compiled allow and approval traces) and computes its
 * JSON once: the serializer then appends one string instead of quoting and joining its parts per record.
 */
export function constantTrace(steps: readonly TraceStep[]): TraceStep[] {
  const frozen = Object.freeze(steps.map((t) => Object.freeze({ rule: t.rule, reason: t.reason })));
  constantTraceJson.set(frozen, traceJson(frozen));
  return frozen as TraceStep[];
}

/** `,"trace":[…]`, the trace's field in the record. */
function traceJson(trace: readonly TraceStep[]): string {
  const known = constantTraceJson.get(trace);
  if (known !== undefined) return known;
  let s = ',"trace":[';
  for (let i = 0; i < trace.length; i++) {
    const t = trace[i]!;
    // a reason outside a constant trace is mostly this record's own (a request id, a value): memoising
    // it would only evict the strings that do recur
    s += (i > 0 ? ',{"reason":' : '{"reason":') + str(t.reason) + ruleField.json(t.rule);
  }
  return s + "]";
}

/** `,"ts":"…"}`, the record's last field: the timestamp changes once a millisecond at most, so the last one is usually the answer. */
let lastTs = "";
let lastTsJson = ',"ts":""}';
function tsFieldJson(ts: unknown): string {
  if (typeof ts !== "string") return ',"ts":' + str(ts) + "}";
  if (ts !== lastTs) {
    lastTsJson = ',"ts":' + str(ts) + "}";
    lastTs = ts;
  }
  return lastTsJson;
}

/**
 * The record's JSONL line: its unsealed canonical JSON with `,"hash":"…"` before the closing brace. The
 * line is not itself canonical (hash comes last); verify re-canonicalises. Its UTF-8 bytes are what a
 * sink stores; the hash was computed over the UTF-8 bytes of `unsealed`.
 */
export function sealLine(unsealed: string, hash: string): string {
  return unsealed.slice(0, -1) + ',"hash":"' + hash + '"}\n';
}
