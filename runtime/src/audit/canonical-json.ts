// Canonical JSON for hashing: object keys sorted by UTF-16 code units, no whitespace, strings and numbers
// exactly as JSON.stringify writes them (so the output is RFC 8785-compatible for JSON data).
// Invariant: canonicalJson(JSON.parse(canonicalJson(v))) === canonicalJson(v) for every value it accepts.
// Why not the language core's canonicalJson (language/src/digest.ts): this one runs once per audit
// record on untrusted arguments, so it caps depth, handles bigint, can omit the `hash` key without
// copying the record, and quotes plain strings without JSON.stringify. Both agree on JSON data (the
// audit property tests compare them).

const MAX_DEPTH = 64;
/** Characters JSON.stringify escapes (lone surrogates included); strings without them are quoted as they are. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify for a string, about twice as fast for the common string that needs no escaping. */
export function quoteJson(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/**
 * Serialises a JSON-like value canonically. Follows JSON.stringify for non-JSON values (undefined and
 * functions are dropped from objects and become null in arrays; non-finite numbers become null) except that
 * bigints are written as decimal strings and nesting deeper than 64 levels is cut to the string "[too deep]"
 * so a cyclic argument cannot hang the audit path.
 */
export function canonicalJson(value: unknown, omitTopLevelKey?: string): string {
  return write(value, 0, omitTopLevelKey) ?? "null";
}

/**
 * Object.keys in code-unit order (what Array.prototype.sort gives strings). Argument objects are small, so
 * an in-place insertion sort does it without the temporary arrays sort() allocates on every record.
 */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > k) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

function write(value: unknown, depth: number, omitKey?: string): string | undefined {
  switch (typeof value) {
    case "string":
      return quoteJson(value);
    case "number":
      // ToString of a finite number is what JSON.stringify writes (-0 included: both give "0")
      return Number.isFinite(value) ? "" + value : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return JSON.stringify(value.toString());
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  if (value === null) return "null";
  if (depth >= MAX_DEPTH) return '"[too deep]"';
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return write(withJson.toJSON(), depth + 1);
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += write(value[i], depth + 1) ?? "null";
    }
    return out + "]";
  }
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(obj);
  let out = "{";
  let first = true;
  for (const key of keys) {
    if (key === omitKey) continue;
    const v = write(obj[key], depth + 1);
    if (v === undefined) continue;
    out += (first ? "" : ",") + quoteJson(key) + ":" + v;
    first = false;
  }
  return out + "}";
}
