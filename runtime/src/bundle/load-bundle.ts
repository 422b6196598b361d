// Loading a compiled bundle: the runtime's only way in. A bundle is accepted only when it matches the one
// zod schema (shared with the compiler), has the format this runtime understands, is exactly the value that
// was checked (its text is the canonical form `charter build` writes: nothing a parser or zod would drop or
// reinterpret), refers only to sources, agents and interfaces it declares, carries the semantic digest of
// its own content and, when a public key is configured, a valid ed25519 signature by that key.
import { readFileSync } from "node:fs";
import {
  BUNDLE_FORMAT,
  BundleSchema,
  bundleSigningPayload,
  canonicalJson,
  canonicalJsonPretty,
  decodePublicKey,
  semanticDigest,
  verifyBytes,
  type Bundle,
} from "@charter/language";
import { explainFileError } from "../io-errors.js";

export type BundleLoadError =
  | { kind: "io"; message: string; path: string }
  | { kind: "json"; message: string; path?: string }
  | { kind: "format"; message: string; found: unknown }
  | { kind: "schema"; message: string; issuePath: (string | number)[] }
  /** The text is not byte for byte what `charter build` writes, or the object is not plain JSON. */
  | { kind: "not_canonical"; message: string; path?: string; line?: number; issuePath?: (string | number)[] }
  /** A name the bundle uses (a source read, a talks_to target or interface) that it does not declare. */
  | { kind: "reference"; message: string; issuePath: (string | number)[] }
  | { kind: "digest"; message: string; declared: string; actual: string }
  | { kind: "signature_missing"; message: string }
  | { kind: "signature_invalid"; message: string }
  | { kind: "bad_public_key"; message: string };

export type BundleLoad = { ok: true; bundle: Bundle } | { ok: false; error: BundleLoadError };

export interface LoadBundleOptions {
  /** `ed25519:<base64>` (a KEY.pub from `charter keygen`): the bundle must be signed by this key. */
  publicKey?: string;
}

/**
 * Loads a bundle from a file path, from its JSON text (anything starting with `{`) or from a parsed object.
 * Text must be exactly what `charter build` wrote (canonicalJsonPretty); an object must be plain JSON.
 */
export function loadBundle(source: string | object, options: LoadBundleOptions = {}): BundleLoad {
  if (typeof source !== "string") return validateBundle(source, options);
  let text = source;
  let path: string | undefined;
  if (!source.trimStart().startsWith("{")) {
    path = source;
    try {
      text = readFileSync(source, "utf8");
    } catch (e) {
      return fail({ kind: "io", path: source, message: `cannot read bundle ${source}: ${explainFileError(e, source)}` });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail({ kind: "json", ...(path ? { path } : {}), message: `${path ?? "bundle"} is not JSON: ${(e as Error).message}` });
  }
  return validate(value, { text, ...(path !== undefined ? { path } : {}) }, options);
}

/** The checks of loadBundle on an already parsed value, which must be plain JSON. */
export function validateBundle(value: unknown, options: LoadBundleOptions = {}): BundleLoad {
  return validate(value, undefined, options);
}

function validate(value: unknown, source: { text: string; path?: string } | undefined, options: LoadBundleOptions): BundleLoad {
  // The format is checked first so an old or future bundle gets a precise message, not a schema dump.
  const format = typeof value === "object" && value !== null ? (value as { format?: unknown }).format : undefined;
  if (format !== BUNDLE_FORMAT) {
    return fail({
      kind: "format",
      found: format,
      message:
        format === undefined
          ? `not a Charter bundle: it has no "format" field (expected "${BUNDLE_FORMAT}")`
          : `unknown bundle format ${JSON.stringify(format)}: this runtime reads "${BUNDLE_FORMAT}" (rebuild the policy with a matching charter)`,
    });
  }
  const parsed = BundleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const issuePath = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
    const where = issuePath.length ? issuePath.join(".") : "(root)";
    return fail({ kind: "schema", issuePath, message: `the bundle does not match the schema at ${where}: ${issue.message}` });
  }
  const bundle = parsed.data;
  const exact = source !== undefined ? textMismatch(source.text, value, source.path) : objectMismatch(value);
  if (exact) return fail(exact);
  // The signature and digest are checked over what zod returned: it must be all that was given (zod drops
  // a `__proto__` key from a record without a word).
  if (canonicalJson(bundle) !== canonicalJson(value)) {
    return fail({
      kind: "not_canonical",
      ...(source?.path !== undefined ? { path: source.path } : {}),
      message: `${source?.path ?? "the bundle"} holds content the schema drops (such as a "__proto__" key): what would be checked and signed is not what was given`,
    });
  }
  const broken = brokenReference(bundle);
  if (broken) return fail(broken);
  const actual = semanticDigest(bundle);
  if (actual !== bundle.digest) {
    return fail({
      kind: "digest",
      declared: bundle.digest,
      actual,
      message: `the bundle's digest ${bundle.digest} does not match its content (${actual}): it was edited after it was built`,
    });
  }
  if (options.publicKey !== undefined) {
    if (!decodePublicKey(options.publicKey)) {
      return fail({
        kind: "bad_public_key",
        message: "the configured public key is not `ed25519:<base64 of 32 bytes>` (the contents of a KEY.pub)",
      });
    }
    if (!bundle.signature) {
      return fail({
        kind: "signature_missing",
        message: "the bundle is not signed, but a public key is configured: build it with `charter build --sign KEY`",
      });
    }
    if (!verifyBytes(bundleSigningPayload(bundle), bundle.signature.value, options.publicKey)) {
      return fail({
        kind: "signature_invalid",
        message: "the bundle's signature does not verify with the configured public key: it was altered or signed by another key",
      });
    }
  }
  return { ok: true, bundle };
}

/** Why `text` is not exactly the canonical form of `value`, or undefined when it is. */
function textMismatch(text: string, value: unknown, path: string | undefined): BundleLoadError | undefined {
  const canonical = canonicalJsonPretty(value);
  if (text === canonical) return undefined;
  const name = path ?? "the bundle text";
  const where = path !== undefined ? { path } : {};
  const rebuild = "rebuild it with `charter build` and do not re-serialise or edit it";
  if (text.replace(/\r\n/g, "\n") === canonical) {
    return {
      kind: "not_canonical",
      ...where,
      message: `${name} has Windows (CRLF) line endings, not the canonical bytes charter build wrote: keep it byte for byte (e.g. mark it -text in .gitattributes)`,
    };
  }
  const textLines = text.split("\n");
  const canonicalLines = canonical.split("\n");
  let line = 0;
  while (line < textLines.length && textLines[line] === canonicalLines[line]) line++;
  return {
    kind: "not_canonical",
    ...where,
    line: line + 1,
    message: `${name} is not the canonical JSON charter build writes (sorted keys, two-space indent, one final newline); it first differs at line ${line + 1}: ${rebuild}`,
  };
}

/**
 * Why `value` is not plain JSON that survives a canonical JSON round trip unchanged (only null, booleans,
 * finite numbers, strings, dense arrays and plain objects of enumerable data properties, nothing undefined),
 * or undefined when it is. A getter could answer one thing to the checks and another to the guard.
 */
function objectMismatch(value: unknown): BundleLoadError | undefined {
  const where = plainJsonViolation(value, [], 0);
  if (where === undefined) return undefined;
  const at = where.path.length ? where.path.join(".") : "(root)";
  return { kind: "not_canonical", issuePath: where.path, message: `the bundle object is not plain JSON at ${at}: ${where.why}` };
}

function plainJsonViolation(v: unknown, path: (string | number)[], depth: number): { path: (string | number)[]; why: string } | undefined {
  if (depth > 64) return { path, why: "it is nested too deeply" };
  if (v === null || typeof v === "string" || typeof v === "boolean") return undefined;
  if (typeof v === "number") return Number.isFinite(v) ? undefined : { path, why: `${v} is not a JSON number` };
  if (typeof v !== "object") return { path, why: `a ${typeof v} is not JSON` };
  const proto = Object.getPrototypeOf(v) as unknown;
  if (Array.isArray(v)) {
    if (proto !== Array.prototype) return { path, why: "an array with a changed prototype" };
    const keys = Reflect.ownKeys(v);
    if (keys.length !== v.length + 1) return { path, why: "an array with holes or extra properties" };
    for (let i = 0; i < v.length; i++) {
      const d = Object.getOwnPropertyDescriptor(v, i);
      if (!d || !("value" in d)) return { path: [...path, i], why: "an array element that is missing or a getter" };
      const inner = plainJsonViolation(d.value, [...path, i], depth + 1);
      if (inner) return inner;
    }
    return undefined;
  }
  if (proto !== Object.prototype && proto !== null) return { path, why: "an object that is not a plain object" };
  for (const key of Reflect.ownKeys(v)) {
    if (typeof key !== "string") return { path, why: "an object with a symbol key" };
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    if (!d.enumerable || !("value" in d)) return { path: [...path, key], why: "a property that is hidden or a getter" };
    if (d.value === undefined) return { path: [...path, key], why: "undefined is not JSON (leave the key out)" };
    const inner = plainJsonViolation(d.value, [...path, key], depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

/** Names a lookup would resolve through Object.prototype if they were ever used as keys of a plain object. */
const RESERVED_NAME = "__proto__";

/**
 * The first name the bundle uses without declaring it: a source an agent reads, a talks_to target or an
 * interface the target does not expose, or a name that is `__proto__`. The compiler refuses all of these
 * (CH1006 and friends); a bundle that has them was not built by it.
 */
function brokenReference(bundle: Bundle): BundleLoadError | undefined {
  const ref = (issuePath: (string | number)[], message: string): BundleLoadError => ({
    kind: "reference",
    issuePath,
    message: `${message} (at ${issuePath.join(".")})`,
  });
  for (const name of Object.keys(bundle.sources)) {
    if (name === RESERVED_NAME) return ref(["sources", name], `source name "${name}" is reserved`);
  }
  for (const [name, agent] of Object.entries(bundle.agents)) {
    const at = ["agents", name];
    if (name === RESERVED_NAME) return ref(at, `agent name "${name}" is reserved`);
    for (const [i, source] of agent.reads.entries()) {
      if (!Object.hasOwn(bundle.sources, source))
        return ref([...at, "reads", i], `agent ${name} reads source "${source}", which the bundle does not declare`);
    }
    for (const [i, link] of agent.talksTo.entries()) {
      if (!Object.hasOwn(bundle.agents, link.agent))
        return ref([...at, "talksTo", i], `agent ${name} talks to agent "${link.agent}", which the bundle does not declare`);
      if (!bundle.agents[link.agent]!.exposes.includes(link.via)) {
        return ref([...at, "talksTo", i], `agent ${name} talks to ${link.agent} via "${link.via}", which ${link.agent} does not expose`);
      }
    }
    const lists: [string, readonly string[]][] = [
      ["deny", agent.deny],
      ["exposes", agent.exposes],
      ["tools", Object.keys(agent.tools)],
    ];
    for (const [field, names] of lists) {
      const i = names.indexOf(RESERVED_NAME);
      if (i >= 0)
        return ref(
          [...at, field, field === "tools" ? RESERVED_NAME : i],
          `agent ${name} names a tool or interface "${RESERVED_NAME}", which is reserved`,
        );
    }
    for (const [tool, t] of Object.entries(agent.tools)) {
      if (t.args && Object.hasOwn(t.args.properties, RESERVED_NAME))
        return ref(
          [...at, "tools", tool, "args", RESERVED_NAME],
          `tool ${tool} of agent ${name} declares an argument "${RESERVED_NAME}", which is reserved`,
        );
    }
  }
  return undefined;
}

function fail(error: BundleLoadError): BundleLoad {
  return { ok: false, error };
}
