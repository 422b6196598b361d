// The public surface of @charter/language, pinned: every name its entry points export, values and types.
// The lexer, the raw syntax tree, the schema builders and the checker's helpers are internal (tests inside
// the package import them relatively); adding or removing a public name means editing this list too.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { declaredSurface, loadedValues, type Surface } from "../../test/support/public-surface.js";

const SRC = join(import.meta.dirname, "../src");

/** The golden public surface, per entry point. Change it only with the entry point, on purpose. */
const GOLDEN: Record<string, Surface> = {
  ".": {
    values: [
      "ALL_CODES",
      "BUNDLE_FORMAT",
      "BundleSchema",
      "CODES",
      "CONSTRAINTS",
      "DEFAULT_CADENCE",
      "DEFAULT_REVIEW_CADENCE_MS",
      "DOCS_BASE_URL",
      "LineIndex",
      "MAX_POLICY_LENGTH",
      "REVIEW_CODES",
      "SCHEMA",
      "applyEdits",
      "bundleJsonSchema",
      "bundleSigningPayload",
      "canonicalJson",
      "canonicalJsonPretty",
      "checkBytes",
      "checkParsed",
      "checkText",
      "countChanges",
      "decodePolicyBytes",
      "decodePublicKey",
      "describeConstraint",
      "diffPolicies",
      "docsPath",
      "docsUrl",
      "encodePublicKey",
      "formatText",
      "generateKeys",
      "loadPrivateKey",
      "lowerPolicy",
      "normalisePosixPath",
      "parse",
      "parseReviewers",
      "publicKeyOf",
      "reviewEdits",
      "reviewPayload",
      "semanticDigest",
      "sha256Hex",
      "signBundle",
      "signBytes",
      "verifyBytes",
    ],
    types: [
      "AllowedReviewer",
      "Aspect",
      "BlockKind",
      "Bundle",
      "BundleAgent",
      "BundleArgs",
      "BundleAudit",
      "BundleBudget",
      "BundleCondition",
      "BundleConstraint",
      "BundleFlowRule",
      "BundleMonitorRule",
      "BundleSandbox",
      "BundleTool",
      "Change",
      "ChangeKind",
      "CheckOptions",
      "CheckResult",
      "Code",
      "DecodedPolicy",
      "Diagnostic",
      "Fix",
      "FormatResult",
      "KeywordInfo",
      "ParseResult",
      "Position",
      "Range",
      "Related",
      "ReviewClaim",
      "ReviewEdit",
      "ReviewRecord",
      "Severity",
      "Shape",
      "TextEdit",
      "ast",
    ],
  },
  "./ide": {
    values: [
      "TOKEN_MODIFIERS",
      "TOKEN_TYPES",
      "classifyTokens",
      "codeLenses",
      "complete",
      "foldingSpans",
      "hoverAt",
      "indexSymbols",
      "lineEdits",
      "outline",
      "prepareRename",
      "rename",
      "spansOf",
    ],
    types: [
      "ClassifiedToken",
      "CompletionInput",
      "CompletionItem",
      "CompletionKind",
      "CompletionResult",
      "FoldingSpan",
      "HoverInput",
      "HoverResult",
      "Lens",
      "LineEdit",
      "Occurrence",
      "OutlineKind",
      "OutlineSymbol",
      "PolicySymbol",
      "PrepareRenameResult",
      "RenameResult",
      "SymbolIndex",
      "SymbolKind",
      "TokenType",
    ],
  },
};

const ENTRIES: Record<string, { file: string; load: () => Promise<Record<string, unknown>> }> = {
  ".": { file: join(SRC, "index.ts"), load: () => import("@charter/language") },
  "./ide": { file: join(SRC, "ide/index.ts"), load: () => import("@charter/language/ide") },
};

describe("the public surface of @charter/language", () => {
  for (const [entry, { file, load }] of Object.entries(ENTRIES)) {
    it(`"${entry}" declares exactly the golden names`, () => {
      expect(declaredSurface(file)).toEqual(GOLDEN[entry]);
    });

    it(`"${entry}" exports exactly the golden values when loaded`, async () => {
      expect(loadedValues(await load())).toEqual(GOLDEN[entry]!.values);
    });
  }
});
