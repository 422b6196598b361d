// Loading a compiled bundle: the runtime's only way in. A bundle is accepted only when it matches the one
// zod schema (shared with the compiler), has the format this runtime understands, carries the semantic
// digest of its own content and, when a public key is configured, a valid ed25519 signature by that key.
import { readFileSync } from "node:fs";
import { BUNDLE_FORMAT, BundleSchema, bundleSigningPayload, decodePublicKey, semanticDigest, verifyBytes, type Bundle } from "@charter/language";

export type BundleLoadError =
  | { kind: "io"; message: string; path: string }
  | { kind: "json"; message: string; path?: string }
  | { kind: "format"; message: string; found: unknown }
  | { kind: "schema"; message: string; issuePath: (string | number)[] }
  | { kind: "digest"; message: string; declared: string; actual: string }
  | { kind: "signature_missing"; message: string }
  | { kind: "signature_invalid"; message: string }
  | { kind: "bad_public_key"; message: string };

export type BundleLoad = { ok: true; bundle: Bundle } | { ok: false; error: BundleLoadError };

export interface LoadBundleOptions {
  /** `ed25519:<base64>` (a KEY.pub from `charter keygen`): the bundle must be signed by this key. */
  publicKey?: string;
}

/** Loads a bundle from a file path, from its JSON text (anything starting with `{`) or from a parsed object. */
export function loadBundle(source: string | object, options: LoadBundleOptions = {}): BundleLoad {
  let value: unknown = source;
  let path: string | undefined;
  if (typeof source === "string") {
    let text = source;
    if (!source.trimStart().startsWith("{")) {
      path = source;
      try {
        text = readFileSync(source, "utf8");
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        return fail({ kind: "io", path: source, message: `cannot read bundle ${source}: ${code}` });
      }
    }
    try {
      value = JSON.parse(text);
    } catch (e) {
      return fail({ kind: "json", ...(path ? { path } : {}), message: `${path ?? "bundle"} is not JSON: ${(e as Error).message}` });
    }
  }
  return validateBundle(value, options);
}

/** The checks of loadBundle on an already parsed value. */
export function validateBundle(value: unknown, options: LoadBundleOptions = {}): BundleLoad {
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
      return fail({ kind: "bad_public_key", message: "the configured public key is not `ed25519:<base64 of 32 bytes>` (the contents of a KEY.pub)" });
    }
    if (!bundle.signature) {
      return fail({ kind: "signature_missing", message: "the bundle is not signed, but a public key is configured: build it with `charter build --sign KEY`" });
    }
    if (!verifyBytes(bundleSigningPayload(bundle), bundle.signature.value, options.publicKey)) {
      return fail({ kind: "signature_invalid", message: "the bundle's signature does not verify with the configured public key: it was altered or signed by another key" });
    }
  }
  return { ok: true, bundle };
}

function fail(error: BundleLoadError): BundleLoad {
  return { ok: false, error };
}
