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
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
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
