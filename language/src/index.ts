// Public surface of the Charter language core. Pure: no file system, no network, no LSP.
//
// Every name is exported on purpose (like Cedar's facade crate): what the CLI, the runtime, the language
// server, the GitHub Action and applications use. The lexer, the raw syntax tree, the shape schema's
// builders and the checker's helpers stay internal; language/test/public-api.test.ts pins this list, so a
// change to it is deliberate. Editor services are in "@charter/language/ide".

// Checking and compiling a policy: text (or bytes) in, diagnostics and a bundle out.
export {
  checkBytes,
  checkParsed,
  checkText,
  MAX_POLICY_LENGTH,
  type AllowedReviewer,
  type CheckOptions,
  type CheckResult,
} from "./checker/index.js";
export { decodePolicyBytes, type DecodedPolicy } from "./encoding.js";
// The typed syntax tree a check returns (types only) and the parser and lowering that produce and consume it.
export type * as ast from "./ast.js";
export { parse, type ParseResult } from "./parser.js";
export { lowerPolicy } from "./compile.js";
// The normal form `path under` compares, shared with the runtime so both sides normalise alike.
export { normalisePosixPath } from "./paths.js";

// Diagnostics: the stable codes, their documentation pages, and offset ↔ line/column conversion.
export {
  ALL_CODES,
  CODES,
  DOCS_BASE_URL,
  docsPath,
  docsUrl,
  LineIndex,
  REVIEW_CODES,
  type Code,
  type Diagnostic,
  type Fix,
  type Position,
  type Range,
  type Related,
  type Severity,
  type TextEdit,
} from "./diagnostics.js";

// The compiled bundle: its zod schema, JSON Schema and types (the contract the runtime loads).
export {
  BUNDLE_FORMAT,
  BundleSchema,
  bundleJsonSchema,
  type Bundle,
  type BundleAgent,
  type BundleArgs,
  type BundleAudit,
  type BundleBudget,
  type BundleCondition,
  type BundleConstraint,
  type BundleFlowRule,
  type BundleMonitorRule,
  type BundleSandbox,
  type BundleTool,
} from "./bundle.js";

// Canonical JSON and digests (what signatures and `semantic_digest` are computed over).
export { canonicalJson, canonicalJsonPretty, semanticDigest, sha256Hex } from "./digest.js";

// Keys, signatures and reviews: Ed25519 keys, signed bundles, review attestations and allowed reviewers.
export {
  bundleSigningPayload,
  decodePublicKey,
  DEFAULT_REVIEW_CADENCE_MS,
  encodePublicKey,
  generateKeys,
  loadPrivateKey,
  parseReviewers,
  publicKeyOf,
  reviewPayload,
  signBundle,
  signBytes,
  verifyBytes,
  type ReviewClaim,
} from "./attest.js";
export { applyEdits, DEFAULT_CADENCE, reviewEdits, type ReviewEdit, type ReviewRecord } from "./review-edit.js";

// Formatting and semantic diffs between two versions of a policy (`charter fmt`, `charter diff`, the Action).
export { formatText, type FormatResult } from "./format.js";
export { countChanges, describeConstraint, diffPolicies, type Aspect, type Change, type ChangeKind } from "./diff.js";

// The vocabulary (block keywords and constraint shapes), for tools that must agree with the grammar.
export { CONSTRAINTS, SCHEMA, type BlockKind, type KeywordInfo, type Shape } from "./schema.js";
