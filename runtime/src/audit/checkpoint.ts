// Signed checkpoints. A hash chain shows edits, deletions, insertions and reordering, but not a log cut
// short or rewritten with a recomputed chain: anyone can recompute SHA-256. A checkpoint is a record whose
// ed25519 signature covers the chain head before it (seq and hash), so only the key holder can vouch for a
// head. The writer signs at least every 1,000 records or 10 s and at close (`final`); a copy of every
// checkpoint also goes to a sidecar file (LOG.checkpoints) so a log cut before its last checkpoints, or cut
// and then resumed by a restarted writer ("laundered" as a crash recovery), still contradicts a signature.
import { readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import { decodePublicKey, loadPrivateKey, publicKeyOf, signBytes, verifyBytes } from "@charter/language";
import type { AuditCheckpoint } from "./record.js";
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

/** The sidecar file of a file log. */
export function checkpointsPath(logPath: string): string {
  return logPath + ".checkpoints";
}

/** Parses a sidecar: one checkpoint JSON a line; a torn last line (crash) is ignored. */
export function parseCheckpoints(text: string): { checkpoints: AuditCheckpoint[]; bad: number[] } {
  const checkpoints: AuditCheckpoint[] = [];
  const bad: number[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    try {
      const cp = JSON.parse(line) as AuditCheckpoint;
      if (typeof cp === "object" && cp !== null && typeof cp.seq === "number" && typeof cp.hash === "string") checkpoints.push(cp);
      else bad.push(i + 1);
    } catch {
      if (i < lines.length - 1) bad.push(i + 1);
    }
  }
  return { checkpoints, bad };
}
