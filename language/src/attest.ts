// Review attestations: an ed25519 signature by a named reviewer over the policy's name, its
// semantic digest, the reviewer and the date. Keys travel as one line, `ed25519:<base64>` of the
// raw 32-byte public key, so an allowed-reviewers file reads like git's allowed_signers.

import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { canonicalJson } from "./digest.js";

export interface ReviewClaim {
  policy: string;
  digest: string;
  by: string;
  on: string;
  /** how long the review stays valid; signed too, or an author could stretch an expired review */
  cadenceMs?: number;
}

/** 90 days: the review cadence when a policy does not state its own (spec §3). */
export const DEFAULT_REVIEW_CADENCE_MS = 90 * 86_400_000;

/** The exact bytes a reviewer signs: one field a line, in a fixed order, with a domain prefix. */
export function reviewPayload(c: ReviewClaim): Buffer {
  const cadence = c.cadenceMs ?? DEFAULT_REVIEW_CADENCE_MS;
  return Buffer.from(`charter-review/1\npolicy ${c.policy}\ndigest ${c.digest}\nby ${c.by}\non ${c.on}\ncadence ${cadence}ms\n`, "utf8");
}

// DER prefix of an ed25519 SubjectPublicKeyInfo; the raw key follows it.
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function encodePublicKey(key: KeyObject): string {
  const der = key.export({ format: "der", type: "spki" });
  return "ed25519:" + der.subarray(SPKI_PREFIX.length).toString("base64");
}

export function decodePublicKey(text: string): KeyObject | undefined {
  const m = /^ed25519:([A-Za-z0-9+/]{43}=)$/.exec(text.trim());
  if (!m) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(m[1]!, "base64")]), format: "der", type: "spki" });
  } catch {
    return undefined;
  }
}

export function generateKeys(): { privatePem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), publicKey: encodePublicKey(publicKey) };
}

export function loadPrivateKey(pem: string): KeyObject | undefined {
  try {
    const key = createPrivateKey(pem);
    return key.asymmetricKeyType === "ed25519" ? key : undefined;
  } catch {
    return undefined;
  }
}

export function publicKeyOf(privateKey: KeyObject): string {
  return encodePublicKey(createPublicKey(privateKey));
}

export function signBytes(data: Buffer, privateKey: KeyObject): string {
  return "ed25519:" + sign(null, data, privateKey).toString("base64");
}

export function verifyBytes(data: Buffer, signature: string, publicKey: string): boolean {
  const key = decodePublicKey(publicKey);
  const m = /^ed25519:([A-Za-z0-9+/]+={0,2})$/.exec(signature.trim());
  if (!key || !m) return false;
  const sig = Buffer.from(m[1]!, "base64");
  if (sig.length !== 64) return false;
  try {
    return verify(null, data, key, sig);
  } catch {
    return false;
  }
}

/** Parses an allowed-reviewers file: `NAME KEY` a line, `#` comments and blank lines ignored. */
export function parseReviewers(text: string): {
  reviewers: { name: string; publicKey: string }[];
  errors: { line: number; message: string }[];
} {
  const reviewers: { name: string; publicKey: string }[] = [];
  const errors: { line: number; message: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m || !decodePublicKey(m[2]!)) {
      errors.push({
        line: i + 1,
        message: "expected `NAME ed25519:<base64 public key>` (the contents of a KEY.pub written by `charter keygen`)",
      });
      return;
    }
    reviewers.push({ name: m[1]!, publicKey: m[2]! });
  });
  return { reviewers, errors };
}

/** What a bundle signature covers: the canonical JSON of the bundle without its signature. */
export function bundleSigningPayload(bundle: { signature?: unknown }): Buffer {
  const { signature: _s, ...rest } = bundle;
  return Buffer.from(canonicalJson(rest), "utf8");
}

export function signBundle<B extends { signature?: unknown }>(
  bundle: B,
  privateKey: KeyObject,
): B & { signature: { alg: "ed25519"; publicKey: string; value: string } } {
  const { signature: _s, ...rest } = bundle;
  return {
    ...(rest as B),
    signature: { alg: "ed25519", publicKey: publicKeyOf(privateKey), value: signBytes(bundleSigningPayload(rest), privateKey) },
  };
}
