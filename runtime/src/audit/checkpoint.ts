// Signed checkpoints. A hash chain shows edits, deletions, insertions and reordering, but not a log cut
// short or rewritten with a recomputed chain: anyone can recompute SHA-256. A checkpoint is a record whose
// ed25519 signature covers the chain head before it (seq and hash), so only the key holder can vouch for a
// head. The writer signs at least every 1,000 records or 10 s and at close (`final`); a copy of every
// checkpoint also goes to a sidecar file (LOG.checkpoints) so a log cut before its last checkpoints, or cut
// and then resumed by a restarted writer ("laundered" as a crash recovery), still contradicts a signature.
import { readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { decodePublicKey, loadPrivateKey, publicKeyOf, signBytes, verifyBytes } from "@charter/language";
import { sha256Tagged, type AuditCheckpoint } from "./record.js";
import { explainFileError } from "../io-errors.js";

export const CHECKPOINT_EVERY_RECORDS = 1000;
export const CHECKPOINT_EVERY_MS = 10_000;

/** The bytes a checkpoint signs: a domain tag, so no other Charter signature can be replayed as one. */
export function checkpointPayload(seq: number, hash: string, final: boolean): Buffer {
  return Buffer.from(`charter-audit-checkpoint/v1\n${seq}\n${hash}\n${final ? "final" : "open"}\n`, "utf8");
}

export class CheckpointSigner {
  readonly publicKey: string;

  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = publicKeyOf(privateKey);
  }

  sign(seq: number, hash: string, final: boolean): AuditCheckpoint {
    return { seq, hash, final, key: this.publicKey, sig: signBytes(checkpointPayload(seq, hash, final), this.privateKey) };
  }
}

export function verifyCheckpoint(cp: AuditCheckpoint, publicKey: string): boolean {
  return (
    typeof cp.seq === "number" &&
    typeof cp.hash === "string" &&
    typeof cp.final === "boolean" &&
    typeof cp.sig === "string" &&
    verifyBytes(checkpointPayload(cp.seq, cp.hash, cp.final), cp.sig, publicKey)
  );
}

export type KeyLoad<T> = { ok: true; key: T } | { ok: false; message: string };

/** A private key file from `charter keygen` (PEM). */
export function loadCheckpointKey(path: string): KeyLoad<CheckpointSigner> {
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (e) {
    return { ok: false, message: `cannot read checkpoint key ${path}: ${explainFileError(e, path)}` };
  }
  const key = loadPrivateKey(pem);
  if (!key) return { ok: false, message: `${path} is not an ed25519 private key in PEM form (create one with charter keygen --out KEY)` };
  return { ok: true, key: new CheckpointSigner(key) };
}

/** `ed25519:…` itself, or a KEY.pub file holding it. */
export function loadCheckpointPublicKey(textOrPath: string): KeyLoad<string> {
  const direct = textOrPath.trim();
  if (decodePublicKey(direct)) return { ok: true, key: direct };
  let text: string;
  try {
    text = readFileSync(textOrPath, "utf8").trim();
  } catch (e) {
    return { ok: false, message: `cannot read public key ${textOrPath}: ${explainFileError(e, textOrPath)}` };
  }
  if (!decodePublicKey(text))
    return {
      ok: false,
      message: `${textOrPath} does not hold an ed25519 public key (one line, ed25519:…, as charter keygen writes KEY.pub)`,
    };
  return { ok: true, key: text };
}

/** A checkpoint as one sidecar line (without its line ending), its keys in the order the signer gives them. */
export function checkpointLine(cp: AuditCheckpoint): string {
  return JSON.stringify({ seq: cp.seq, hash: cp.hash, final: cp.final, key: cp.key, sig: cp.sig });
}

/** The sidecar file of a file log. */
export function checkpointsPath(logPath: string): string {
  return logPath + ".checkpoints";
}

/** A sidecar line that holds no checkpoint: edited, garbage, or (last, without a line ending) torn. */
export interface DamagedCheckpointLine {
  line: number;
  /** What is wrong, in words. */
  reason: string;
  /** The line's text, without a line ending: a writer fingerprints it, verify matches the fingerprint. */
  text: string;
}

/**
 * What a writer records of a damaged sidecar line it continues after (open-file-log.ts) and verify
 * matches it against (checkpoint-audit.ts): the line's number, length and hash.
 */
export function damagedLineFingerprint(d: DamagedCheckpointLine): { line: number; length: number; hash: string } {
  return { line: d.line, length: d.text.length, hash: sha256Tagged(d.text) };
}

/** A parsed sidecar: its checkpoints with their lines, and every line that is not one. */
export interface CheckpointSidecar {
  /** The file's name, for messages. */
  name: string;
  checkpoints: AuditCheckpoint[];
  /** The line of each checkpoint. */
  lines: number[];
  damaged: DamagedCheckpointLine[];
  /** False when the text's last line has no line ending: the next write must start a new line. */
  endsWithNewline: boolean;
}

/**
 * Parses a sidecar: one checkpoint JSON a line. Nothing is skipped silently: a line that is not a
 * checkpoint (a torn last write included) is listed in `damaged`, and the caller decides what it means.
 */
export function parseCheckpoints(text: string, name = "the sidecar"): CheckpointSidecar {
  const checkpoints: AuditCheckpoint[] = [];
  const lines: number[] = [];
  const damaged: DamagedCheckpointLine[] = [];
  const endsWithNewline = text === "" || text.endsWith("\n");
  const all = text.split("\n");
  if (endsWithNewline) all.pop();
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    const cp = checkpointOf(line);
    if (cp !== undefined && cp !== NOT_JSON) {
      checkpoints.push(cp);
      lines.push(i + 1);
      continue;
    }
    const last = i === all.length - 1 && !endsWithNewline;
    const reason =
      line === ""
        ? "an empty line"
        : last && cp === NOT_JSON
          ? "a torn line (no line ending, and not a whole checkpoint): a write cut short, or the file cut"
          : "not a checkpoint (one JSON object with seq, hash, final, key and sig a line)";
    damaged.push({ line: i + 1, reason, text: line });
  }
  return { name, checkpoints, lines, damaged, endsWithNewline };
}

const NOT_JSON = Symbol("not JSON");

/** The checkpoint on a line; undefined for JSON that is none, NOT_JSON for a line that is no JSON at all. */
function checkpointOf(line: string): AuditCheckpoint | typeof NOT_JSON | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return NOT_JSON;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const cp = v as Record<string, unknown>;
  return Number.isSafeInteger(cp.seq) &&
    typeof cp.hash === "string" &&
    typeof cp.final === "boolean" &&
    typeof cp.key === "string" &&
    typeof cp.sig === "string"
    ? (cp as unknown as AuditCheckpoint)
    : undefined;
}
