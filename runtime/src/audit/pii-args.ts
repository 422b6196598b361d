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
  // Same value, same key, same mode: same answer. The memo spares the scan and the HMAC (µs each) for the
  // addresses and account numbers that recur call after call; long strings are not kept.
  const memo = s.length <= MEMO_MAX_LENGTH ? memoFor(mode, key) : undefined;
  const known = memo?.get(s);
  if (known !== undefined) return known;
  const out = redactSpans(s, mode, key);
  if (memo !== undefined) {
    if (memo.size >= MEMO_MAX_ENTRIES) memo.clear();
    memo.set(s, out);
  }
  return out;
}

function redactSpans(s: string, mode: "hash" | "redact", key: Uint8Array | string): string {
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

/**
 * Redacted forms of strings already seen, per (mode, key). Bounded: it holds at most MEMO_MAX_ENTRIES values
 * of at most MEMO_MAX_LENGTH characters that the process was handed anyway, and is dropped when full. A key
 * given as bytes is compared by content on every use, so a key changed in place cannot reuse stale pseudonyms.
 */
const MEMO_MAX_ENTRIES = 4096;
const MEMO_MAX_LENGTH = 256;
const MEMO_MAX_KEYS = 16;
interface RedactionMemo {
  bytes: Buffer | undefined;
  values: Map<string, string>;
}
const redactMemo = new Map<Uint8Array | string, RedactionMemo>();
const redactModeMemo = new Map<string, string>();

function memoFor(mode: "hash" | "redact", key: Uint8Array | string): Map<string, string> {
  if (mode === "redact") return redactModeMemo;
  let memo = redactMemo.get(key);
  if (memo === undefined) {
    if (redactMemo.size >= MEMO_MAX_KEYS) redactMemo.clear();
    memo = { bytes: typeof key === "string" ? undefined : Buffer.from(key), values: new Map() };
    redactMemo.set(key, memo);
  } else if (memo.bytes !== undefined && !memo.bytes.equals(key as Uint8Array)) {
    memo.bytes = Buffer.from(key as Uint8Array);
    memo.values.clear();
  }
  return memo.values;
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
