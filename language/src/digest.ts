// Canonical JSON and the semantic digest (spec §4): SHA-256 of the canonical JSON of the compiled
// bundle without its review block, its signature and the digest itself. Comments and layout never
// reach the bundle, so they cannot change the digest; any change of meaning does.

import { createHash } from "node:crypto";
import type { Bundle } from "./bundle.js";

/**
 * JSON with object keys sorted (by UTF-16 code unit, as RFC 8785) at every level and no
 * insignificant whitespace. The language server computes a digest on every keystroke, so this
 * builds one string without intermediate arrays.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      return "null";
  }
  if (value === null) return "null";
  if (Array.isArray(value)) {
    let s = "[";
    for (let i = 0; i < value.length; i++) s += (i ? "," : "") + canonicalJson(value[i]);
    return s + "]";
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let s = "{";
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === "function") continue;
    s += (s.length > 1 ? "," : "") + JSON.stringify(k) + ":" + canonicalJson(v);
  }
  return s + "}";
}

/** Canonical JSON, indented for people: what `charter build` writes (sorted keys, stable bytes). */
export function canonicalJsonPretty(value: unknown): string {
  // written directly (the same bytes as JSON.stringify(sorted, null, 2)): `charter build` and the
  // editor's bundle command print whole bundles, and a sorted copy first doubled the work
  try {
    return pretty(value, "") + "\n";
  } catch (e) {
    if (e !== HAS_TO_JSON) throw e;
    return JSON.stringify(sortKeys(value), null, 2) + "\n";
  }
}

/** Thrown by `pretty` at an object with its own idea of its JSON (a Date): JSON.stringify knows. */
const HAS_TO_JSON = Symbol("toJSON");

/** JSON.stringify's text for what it drops from objects and writes as null in arrays. */
const absent = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";

/**
 * The order JSON.stringify writes a key-sorted copy in: a JavaScript object lists its array-index
 * keys ("0", "7") first, in numeric order, then the others in sorted order. Object.keys already
 * gives the index keys first and in order; the rest are sorted.
 */
function prettyKeyOrder(obj: object): string[] {
  const keys = Object.keys(obj);
  let i = 0;
  while (i < keys.length && isArrayIndex(keys[i]!)) i++;
  if (i === 0) return keys.sort();
  return i === keys.length ? keys : [...keys.slice(0, i), ...keys.slice(i).sort()];
}

function isArrayIndex(k: string): boolean {
  const n = Number(k);
  return n >= 0 && n < 4294967295 && Number.isInteger(n) && String(n) === k;
}

function pretty(value: unknown, indent: string): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      break;
    default:
      return JSON.stringify(value) ?? "null";
  }
  if (value === null) return "null";
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") throw HAS_TO_JSON;
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (!value.length) return "[]";
    let s = "[";
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      s += (i ? ",\n" : "\n") + inner + (absent(v) ? "null" : pretty(v, inner));
    }
    return s + "\n" + indent + "]";
  }
  const obj = value as Record<string, unknown>;
  let s = "";
  for (const k of prettyKeyOrder(obj)) {
    const v = obj[k];
    if (absent(v)) continue;
    s += (s ? ",\n" : "\n") + inner + JSON.stringify(k) + ": " + pretty(v, inner);
  }
  return s ? "{" + s + "\n" + indent + "}" : "{}";
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(sortKeys);
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) out[k] = sortKeys(obj[k]);
  return out;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The part of a bundle that carries meaning: everything but review, signature and digest. */
export function semanticContent(bundle: Omit<Bundle, "digest"> & { digest?: string }): unknown {
  const { digest: _digest, signature: _signature, ...rest } = bundle;
  return { ...rest, policy: { ...rest.policy, review: null } };
}

/**
 * `known`: canonical JSON of parts of the bundle already serialised (agents lowered before, see
 * compile.ts). The canonical JSON is hashed as it is written, piece by piece, never built as one
 * string: the editor digests the whole policy on every keystroke. Pieces end between tokens, so
 * the UTF-8 bytes hashed are those of the whole text.
 */
export function semanticDigest(bundle: Omit<Bundle, "digest"> & { digest?: string }, known?: ReadonlyMap<object, string>): string {
  const hash = createHash("sha256");
  let buf = "";
  const flush = () => {
    if (buf) hash.update(buf);
    buf = "";
  };
  const write = (value: unknown): void => {
    if (value === null || typeof value !== "object") {
      buf += canonicalJson(value);
      return;
    }
    const given = known?.get(value);
    if (given !== undefined) {
      flush();
      hash.update(given);
      return;
    }
    if (buf.length > 1 << 16) flush();
    if (Array.isArray(value)) {
      buf += "[";
      for (let i = 0; i < value.length; i++) {
        if (i) buf += ",";
        write(value[i]);
      }
      buf += "]";
      return;
    }
    const obj = value as Record<string, unknown>;
    let first = true;
    buf += "{";
    for (const k of Object.keys(obj).sort()) {
      const v = obj[k];
      if (v === undefined || typeof v === "function") continue;
      buf += (first ? "" : ",") + JSON.stringify(k) + ":";
      first = false;
      write(v);
    }
    buf += "}";
  };
  write(semanticContent(bundle));
  flush();
  return "sha256:" + hash.digest("hex");
}
