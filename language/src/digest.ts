// Canonical JSON and the semantic digest (spec §4): SHA-256 of the canonical JSON of the compiled
// bundle without its review block, its signature and the digest itself. Comments and layout never
// reach the bundle, so they cannot change the digest; any change of meaning does.

import { createHash } from "node:crypto";
import type { Bundle } from "./bundle.js";

/** JSON with object keys sorted at every level and no insignificant whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(obj[k])).join(",") + "}";
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

export function semanticDigest(bundle: Omit<Bundle, "digest"> & { digest?: string }): string {
  return "sha256:" + sha256Hex(canonicalJson(semanticContent(bundle)));
}
