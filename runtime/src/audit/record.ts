// The audit record and its seal. A record's hash is SHA-256 over the canonical JSON of every field except
// `hash`; `prev` links it to the record before and `seq` numbers it from 1, so an edit, deletion, insertion
// or reordering breaks a link that verifyAuditLog can name. The serializer here is the hot path.
import { hash as oneShotHash } from "node:crypto";
import { canonicalJson, quoteJson } from "./canonical-json.js";

export type AuditEvent =
  | "decision"
  | "approval"
  | "ingest_refused"
  | "output_filtered"
  | "alert"
  | "isolation"
  /** Written by the file sink after a crash left a torn tail; `torn` fingerprints the bytes it skipped. */
  | "recovered";

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
  torn?: TornTail;
  prev: string;
  hash: string;
}

/** What a caller supplies; the log fills in the chain fields. */
export type AuditEntry = Omit<AuditRecord, "seq" | "ts" | "prev" | "hash">;

export const GENESIS_HASH = "sha256:" + "0".repeat(64);

export function sha256Tagged(text: string): string {
  return "sha256:" + oneShotHash("sha256", text, "hex");
}

function str(v: unknown): string {
  return typeof v === "string" ? quoteJson(v) : canonicalJson(v);
}

/**
 * Canonical JSON of the record without `hash`, written field by field in sorted key order. It must equal
 * canonicalJson(record, "hash") for every well-typed record (a property test holds it to that); fields
 * outside the declared shape are not recorded.
 */
export function serializeUnsealed(r: Omit<AuditRecord, "hash">): string {
  let s = "{";
  if (r.action !== undefined) {
    const a = r.action;
    s += '"action":{' + (a.args === undefined ? "" : '"args":' + canonicalJson(a.args) + ",");
    s += '"tool":' + str(a.tool) + "},";
  }
  s += '"agent":' + str(r.agent);
  if (r.approver !== undefined) s += ',"approver":' + str(r.approver);
  s += ',"event":' + str(r.event);
  if (r.guardrail !== undefined) s += ',"guardrail":' + canonicalJson(r.guardrail);
  if (r.inputHash !== undefined) s += ',"inputHash":' + str(r.inputHash);
  s += ',"outcome":' + str(r.outcome);
  if (r.outputHash !== undefined) s += ',"outputHash":' + str(r.outputHash);
  s += ',"prev":' + str(r.prev) + ',"seq":' + str(r.seq) + ',"session":' + str(r.session);
  if (r.torn !== undefined) s += ',"torn":' + canonicalJson(r.torn);
  s += ',"trace":[';
  const trace = r.trace;
  for (let i = 0; i < trace.length; i++) {
    const t = trace[i]!;
    s += (i > 0 ? ',{"reason":' : '{"reason":') + str(t.reason) + ',"rule":' + str(t.rule) + "}";
  }
  return s + '],"ts":' + str(r.ts) + "}";
}

/**
 * Encodes records into one reusable buffer: the unsealed canonical JSON is written (UTF-8) once, hashed in
 * place, and its closing brace replaced by `,"hash":"…"}\n`, giving the line's bytes without a second
 * encoding. The line is not itself canonical (hash comes last); verify re-canonicalises.
 */
export class LineEncoder {
  private buf = Buffer.allocUnsafe(64 * 1024);

  /** Returns the hash and the line bytes; the bytes are valid until the next call. */
  seal(unsealed: string): { hash: string; line: Buffer } {
    let n = this.buf.write(unsealed, 0, "utf8");
    if (n > this.buf.length - HASH_SUFFIX_BYTES) {
      this.buf = Buffer.allocUnsafe(Buffer.byteLength(unsealed, "utf8") * 2 + HASH_SUFFIX_BYTES);
      n = this.buf.write(unsealed, 0, "utf8");
    }
    const hash = "sha256:" + oneShotHash("sha256", this.buf.subarray(0, n), "hex");
    const end = n - 1 + this.buf.write(',"hash":"' + hash + '"}\n', n - 1, "latin1");
    return { hash, line: this.buf.subarray(0, end) };
  }
}

/** `,"hash":"sha256:<64 hex>"}\n` plus slack. */
const HASH_SUFFIX_BYTES = 96;

/** The line as a string, for sinks and tests that want text (same bytes as LineEncoder produces). */
export function sealLine(unsealed: string, hash: string): string {
  return unsealed.slice(0, -1) + ',"hash":"' + hash + '"}\n';
}
