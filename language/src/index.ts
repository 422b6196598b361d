// Public surface of the Charter language core. Pure: no file system, no network, no LSP.

export * as ast from "./ast.js";
export * from "./attest.js";
export * from "./bundle.js";
export { checkText, type CheckResult, type CheckOptions, type AllowedReviewer } from "./checker/index.js";
export { agentsOf, effectiveBlocks, findPolicy, lowerPolicy, namesOf, talksToOf, toolsOf } from "./compile.js";
export * from "./diagnostics.js";
export { canonicalJson, canonicalJsonPretty, semanticDigest, sha256Hex } from "./digest.js";
export { parse, type ParseResult } from "./parser.js";
export { normalisePosixPath, pathIsUnder } from "./paths.js";
export * from "./schema.js";
export { parseSyntax, type SBlock, type SItem, type SList, type SOperand, type SyntaxTree } from "./syntax.js";
export { formatText, type FormatResult } from "./format.js";
export { ACTION_ORDER, ASPECTS, classifyChange, compareConstraints, countChanges, describeConstraint, diffPolicies, FILESYSTEM_ORDER, formatDuration, formatSize, KIND_ORDER, MODE_ORDER, ON_INJECTION_ORDER, PII_ORDER, RULE_OUTCOME_ORDER, SCOPE_ORDER, TIER_ORDER, TRUST_ORDER, type Aspect, type Change, type ChangeKind } from "./diff.js";
export { applyEdits, DEFAULT_CADENCE, reviewEdits, type ReviewEdit, type ReviewRecord } from "./review-edit.js";
