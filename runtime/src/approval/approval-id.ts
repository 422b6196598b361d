// Ids and argument digests of approval requests. An id is 128 random bits (unguessable: it names a request
// in URLs an approver clicks); the digest binds an approval to the exact arguments it was given for.
import { canonicalJson, sha256Hex } from "@charter/language";
import { randomBytes } from "node:crypto";

export function newApprovalId(): string {
  return "apr_" + randomBytes(16).toString("base64url");
}

/** "sha256:…" of the canonical JSON of the arguments (absent arguments digest as `null`). */
export function approvalArgsDigest(args: unknown): string {
  return "sha256:" + sha256Hex(canonicalJson(args === undefined ? null : args));
}
