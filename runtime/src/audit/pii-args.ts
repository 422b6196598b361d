// PII in tool arguments before they reach the audit log, per the policy's `audit { pii hash|redact|raw }`.
// "hash" replaces each detected value with a keyed hash (HMAC-SHA-256 under a secret per-log key), so
// equal values stay linkable within one log but a low-entropy value (a phone number) cannot be brute-forced
// from the log alone; "redact" replaces it with its kind; "raw" keeps arguments as they are.
import { createHmac, randomBytes } from "node:crypto";
import { findSensitive, mayHoldSensitive } from "../output/sensitive-data.js";

export type PiiMode = "hash" | "redact" | "raw";

export interface PiiKey {
  /** Secret, kept outside the log. Without it a random key is made per process: hashes then link only within a run. */
  key: Uint8Array | string;
}

let processKey: Buffer | undefined;

function keyOf(key: PiiKey | undefined): Uint8Array | string {
  if (key) return key.key;
  processKey ??= randomBytes(32);
  return processKey;
}

const MAX_DEPTH = 32;

/** `[email:hmac-sha256:<32 hex>]`: 128 bits of the HMAC is plenty to link equal values. */
function pseudonym(kind: string, value: string, key: Uint8Array | string): string {
  const mac = createHmac("sha256", key).update(kind).update("\0").update(value).digest("hex");
  return `[${kind}:hmac-sha256:${mac.slice(0, 32)}]`;
}

function redactString(s: string, mode: "hash" | "redact", key: Uint8Array | string): string {
  if (!mayHoldSensitive(s)) return s;
  const spans = findSensitive(s);
  if (spans.length === 0) return s;
  let out = "";
  let cursor = 0;
  for (const span of spans) {
    const value = s.slice(span.start, span.end);
    out += s.slice(cursor, span.start) + (mode === "redact" ? `[REDACTED:${span.kind}]` : pseudonym(span.kind, value, key));
    cursor = span.end;
  }
  return out + s.slice(cursor);
}

function walk(v: unknown, mode: "hash" | "redact", key: Uint8Array | string, depth: number): unknown {
  if (typeof v === "string") return redactString(v, mode, key);
  if (typeof v === "number" || typeof v === "bigint") {
    // A card or phone number sent as a JSON number is still that number.
    if (typeof v === "number" && !Number.isSafeInteger(v)) return v;
    const s = v.toString();
    if (s.length < 8) return v;
    const r = redactString(s, mode, key);
    return r === s ? v : r;
  }
  if (v === null || typeof v !== "object") return v;
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const r = walk(v[i], mode, key, depth + 1);
      if (r !== v[i]) (copy ??= v.slice())[i] = r;
    }
    return copy ?? v;
  }
  let copy: Record<string, unknown> | undefined;
  const obj = v as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    const r = walk(obj[k], mode, key, depth + 1);
    if (r !== obj[k]) (copy ??= { ...obj })[k] = r;
  }
  return copy ?? v;
}

/**
 * Returns the arguments with detected PII and credentials hashed or redacted. Object keys are kept as
 * they are; unchanged subtrees are returned by reference (no copy when nothing is found).
 */
export function redactArgs(args: unknown, mode: PiiMode, key?: PiiKey): unknown {
  if (mode === "raw") return args;
  return walk(args, mode, keyOf(key), 0);
}
