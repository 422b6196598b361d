// Offline verification of an audit log's hash chain: reports the first line where the chain breaks
// (edited, deleted, inserted, reordered, torn or unparsable record). A torn line is accepted only when the
// next line is a `recovered` record that fingerprints exactly its text; each such recovery is reported.
import { canonicalJson, quoteJson } from "./canonical-json.js";
import { GENESIS_HASH, sha256Tagged } from "./record.js";
import type { ChainHead } from "./audit-log.js";
import type { CheckpointSidecar } from "./checkpoint.js";
import type { AuditCheckpoint } from "./record.js";
import { CheckpointAudit } from "./checkpoint-audit.js";

export type AuditBreakKind =
  | "torn" // the last line has no line ending: a write was cut short
  | "empty_line"
  | "bad_json"
  | "malformed" // JSON, but not a record (no seq, prev or hash)
  | "hash" // the record's content does not match its hash: edited
  | "noncanonical" // right hash, but not byte for byte what the writer wrote (reformatted, duplicate keys)
  | "seq" // a record is missing, duplicated or out of order
  | "prev" // the record does not link to the one before it
  | "truncated" // the log ends before the anchor (or a signed checkpoint) says it reached
  | "checkpoint_signature" // a checkpoint does not verify with the key: rewritten, or signed by another key
  | "checkpoint_mismatch" // a signed checkpoint covers another record than the log holds: rewritten or laundered
  | "no_checkpoint" // with a key, no checkpoint at all: emptied, cut before its first, or rewritten without the key
  | "unsigned_tail" // with a key, the log does not end with its closing checkpoint
  | "sidecar_damaged"; // with a key, the sidecar has a line that is no checkpoint and no writer fingerprinted, or it is empty

export interface AuditRecovery {
  /** The torn line that was skipped. */
  line: number;
  /** Line of the `recovered` record that acknowledges it. */
  recoveredAt: number;
  seq: number;
}

/** A sidecar line that holds no checkpoint, fingerprinted by the writer that found it after a crash. */
export interface SidecarRepair {
  /** Line of the sidecar. */
  line: number;
  /** Line of the log's `recovered` record that fingerprints it. */
  recoveredAt: number;
}

/** A writer that died (no closing checkpoint) before a restarted one wrote a `recovered` record. */
export interface AuditCrash {
  /** Line of the `recovered` record. */
  line: number;
  /** Records between the last checkpoint and the crash, vouched for by no signature of the dead writer. */
  unsigned: number;
}

export type AuditVerification =
  | {
      ok: true;
      records: number;
      head: ChainHead;
      recoveries: AuditRecovery[];
      /** Set when a checkpoint key was given. */
      signed?: {
        checkpoints: number;
        sidecar: number;
        crashes: AuditCrash[];
        sidecarRepairs: SidecarRepair[];
        /** Lines of `recovered` records whose writer found the sidecar gone although the log held checkpoints. */
        sidecarMissing: number[];
      };
    }
  | { ok: false; line: number; seq?: number; kind: AuditBreakKind; reason: string };

export interface VerifyOptions {
  /**
   * A chain head kept outside the log (a remote sink, a signed note). A hash chain alone cannot tell that
   * records were cut from its end; with an anchor, verify checks that record `seq` still has `hash`.
   */
  anchor?: ChainHead;
  /** "ed25519:…": require checkpoints signed by this key, a closing one last. */
  checkpointPub?: string;
  /**
   * The sidecar (LOG.checkpoints, parseCheckpoints), each of whose checkpoints must match the log; every
   * other line must be one a writer fingerprinted. A bare list of checkpoints is a sidecar without damage.
   */
  sidecar?: AuditCheckpoint[] | CheckpointSidecar;
}

interface SealedRecord {
  seq: number;
  prev: string;
  hash: string;
  record: Record<string, unknown>;
}

export type LineBreak = { ok: false; seq?: number; kind: AuditBreakKind; reason: string };
type LineCheck = ({ ok: true } & SealedRecord) | LineBreak;

/** The record on a line, if it is one sealed in the writer's exact form; its links are not checked here. */
function parseSealed(line: string): LineCheck {
  if (line === "" || line === "\r") return { ok: false, kind: "empty_line", reason: "empty line inside the log" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { ok: false, kind: "bad_json", reason: "the line is not valid JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, kind: "malformed", reason: "the line is not a JSON object" };
  }
  const rec = parsed as Record<string, unknown>;
  const seq = typeof rec.seq === "number" ? rec.seq : undefined;
  if (seq === undefined || typeof rec.hash !== "string" || typeof rec.prev !== "string") {
    return { ok: false, seq, kind: "malformed", reason: "the record lacks seq, prev or hash" };
  }
  const unsealed = canonicalJson(rec, "hash");
  if (sha256Tagged(unsealed) !== rec.hash) {
    return { ok: false, seq, kind: "hash", reason: "the record's content does not match its hash: it was edited" };
  }
  // Byte-exact: a duplicate key or a reformatting could show other readers something the hash never saw.
  if (line !== unsealed.slice(0, -1) + ',"hash":' + quoteJson(rec.hash) + "}") {
    return {
      ok: false,
      seq,
      kind: "noncanonical",
      reason: "the line was rewritten (reformatted, or a key duplicated) although its values match the hash",
    };
  }
  return { ok: true, seq, prev: rec.prev, hash: rec.hash, record: rec };
}

function checkLine(line: string, expectedSeq: number, prev: string): LineCheck {
  const sealed = parseSealed(line);
  if (!sealed.ok) return sealed;
  const seq = sealed.seq;
  if (seq !== expectedSeq) {
    const why =
      seq > expectedSeq
        ? `record ${expectedSeq} is missing (deleted, or records were reordered)`
        : "a record was inserted, duplicated or moved here";
    return { ok: false, seq, kind: "seq", reason: `expected seq ${expectedSeq} but found ${seq}: ${why}` };
  }
  if (sealed.prev !== prev) {
    return {
      ok: false,
      seq,
      kind: "prev",
      reason: "the record does not link to the one before it: that record was rewritten, or this one inserted",
    };
  }
  return sealed;
}

/** A line holding a sealed record in the writer's exact form; used by the file sink to find its chain head. */
export function parseSealedLine(line: string): { seq: number; prev: string; hash: string; record: Record<string, unknown> } | undefined {
  const sealed = parseSealed(line);
  return sealed.ok ? { seq: sealed.seq, prev: sealed.prev, hash: sealed.hash, record: sealed.record } : undefined;
}

/**
 * A broken line is forgiven only when the very next line is a `recovered` record that continues the chain
 * and fingerprints exactly that line (with its line ending): the file sink writes one after a crash.
 */
function findRecovery(
  text: string,
  brokenStart: number,
  brokenEnd: number,
  expectedSeq: number,
  prev: string,
): { end: number; hash: string; record: Record<string, unknown> } | undefined {
  const nl = text.indexOf("\n", brokenEnd);
  if (nl === -1) return undefined;
  const candidate = text.slice(brokenEnd, nl);
  if (!candidate.includes('"event":"recovered"')) return undefined;
  const check = checkLine(candidate, expectedSeq, prev);
  if (!check.ok || check.record.event !== "recovered") return undefined;
  const torn = check.record.torn as { length?: unknown; hash?: unknown } | undefined;
  const skipped = text.slice(brokenStart, brokenEnd);
  if (!torn || torn.length !== skipped.length || torn.hash !== sha256Tagged(skipped)) return undefined;
  return { end: nl + 1, hash: check.hash, record: check.record };
}

export function verifyAuditLog(text: string, options: VerifyOptions = {}): AuditVerification {
  const anchor = options.anchor;
  const signed =
    options.checkpointPub !== undefined
      ? new CheckpointAudit(options.checkpointPub, options.sidecar, options.sidecar !== undefined)
      : undefined;
  const recoveries: AuditRecovery[] = [];
  let prev = GENESIS_HASH;
  let seq = 0;
  let line = 1;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    if (nl === -1) {
      const check = checkLine(text.slice(pos), seq + 1, prev);
      return {
        ok: false,
        line,
        seq: check.seq,
        kind: "torn",
        reason: "the last record has no line ending: a write was cut short (crash or truncation)",
      };
    }
    const check = checkLine(text.slice(pos, nl), seq + 1, prev);
    if (!check.ok) {
      const recovery = findRecovery(text, pos, nl + 1, seq + 1, prev);
      if (!recovery) return { ok: false, line, seq: check.seq, kind: check.kind, reason: check.reason };
      recoveries.push({ line, recoveredAt: line + 1, seq: seq + 1 });
      signed?.see(recovery.record, seq + 1, recovery.hash, line + 1);
      line += 2;
      pos = recovery.end;
      seq++;
      prev = recovery.hash;
    } else {
      signed?.see(check.record, check.seq, check.hash, line);
      seq = check.seq;
      prev = check.hash;
      line++;
      pos = nl + 1;
    }
    if (anchor && seq === anchor.seq && prev !== anchor.hash) {
      return {
        ok: false,
        line: line - 1,
        seq,
        kind: "hash",
        reason: `record ${seq} differs from the anchored head: the chain was rewritten from here or earlier`,
      };
    }
  }
  if (anchor && seq < anchor.seq) {
    return {
      ok: false,
      line,
      kind: "truncated",
      reason: `the log ends at seq ${seq} but the anchor records seq ${anchor.seq}: records were cut from the end`,
    };
  }
  if (signed) {
    const failed = signed.finish(seq, line);
    if (failed)
      return {
        ok: false,
        line: failed.line,
        ...(failed.seq !== undefined ? { seq: failed.seq } : {}),
        kind: failed.kind,
        reason: failed.reason,
      };
    return {
      ok: true,
      records: seq,
      head: { seq, hash: prev },
      recoveries,
      signed: {
        checkpoints: signed.checkpoints,
        sidecar: signed.sidecarCheckpoints,
        crashes: signed.crashes,
        sidecarRepairs: signed.sidecarRepairs,
        sidecarMissing: signed.sidecarMissing,
      },
    };
  }
  return { ok: true, records: seq, head: { seq, hash: prev }, recoveries };
}

/** The one wording of a verification result, used by `charter audit verify`. */
export function describeAuditVerification(result: AuditVerification, path = "audit log"): string {
  if (result.ok) {
    const rec = result.recoveries.length;
    const note =
      rec === 0 ? "" : `; ${rec} crash recover${rec === 1 ? "y" : "ies"} (line ${result.recoveries.map((r) => r.line).join(", ")})`;
    let signedNote = "";
    if (result.signed) {
      const s = result.signed;
      signedNote = `; ${s.checkpoints} signed checkpoint${s.checkpoints === 1 ? "" : "s"}, closed`;
      if (s.crashes.length > 0)
        signedNote += `; writer crash${s.crashes.length === 1 ? "" : "es"} before line ${s.crashes.map((c) => `${c.line} (${c.unsigned} unsigned)`).join(", ")}`;
      if (s.sidecarMissing.length > 0)
        signedNote += `; checkpoint sidecar missing when a writer restarted (line ${s.sidecarMissing.join(", ")}): a cut before it shows only against a copy of the old sidecar`;
      if (s.sidecarRepairs.length > 0)
        signedNote += `; checkpoint sidecar damaged by a crash at line ${s.sidecarRepairs.map((r) => `${r.line} (fingerprinted at line ${r.recoveredAt})`).join(", ")}`;
    }
    return `${path}: chain intact, ${result.records} records${note}${signedNote}`;
  }
  // the log's chain may be whole: what cannot be trusted is the sidecar that should vouch for its end
  if (result.kind === "sidecar_damaged") return `${path}: cannot be vouched for by its checkpoint sidecar: ${result.reason}`;
  const at = result.seq === undefined ? `line ${result.line}` : `line ${result.line} (seq ${result.seq})`;
  return `${path}: chain broken at ${at}: ${result.reason}`;
}
