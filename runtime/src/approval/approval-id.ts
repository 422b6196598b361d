// Ids and argument digests of approval requests. An id is 128 random bits (unguessable: it names a request
// in URLs an approver clicks); the digest binds an approval to the exact arguments it was given for.
import { canonicalJson } from "@charter/language";
import { hash, randomFillSync } from "node:crypto";

/**
 * Random bytes drawn 4 KiB at a time and handed out 16 a request, as crypto.randomUUID does: one call
 * into the CSPRNG per 256 ids instead of one per id (the approval path runs once per approval).
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let poolAt = POOL_BYTES;

export function newApprovalId(): string {
  if (poolAt + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const id = "apr_" + pool.toString("base64url", poolAt, poolAt + 16);
  poolAt += 16;
  return id;
}

/** "sha256:…" of the canonical JSON of the arguments (absent arguments digest as `null`). */
export function approvalArgsDigest(args: unknown): string {
  return "sha256:" + hash("sha256", canonicalJson(args === undefined ? null : args), "hex");
}
