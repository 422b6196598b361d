// Editor services over the language core (import "@charter/language/ide"): completion, hover, navigation,
// rename, outline, folding, semantic tokens and code lens. Pure functions of text and its checked form, with
// no LSP types: the server (server/) maps them to the protocol. Explicit on purpose; cursor analysis and the
// per-feature helpers stay internal, and language/test/public-api.test.ts pins this list.

// The symbol index every navigation feature reads (definitions, references, spans).
export { indexSymbols, spansOf, type Occurrence, type PolicySymbol, type SymbolIndex, type SymbolKind } from "./symbols.js";
// Completion and hover at a cursor.
export { complete, type CompletionInput, type CompletionItem, type CompletionKind, type CompletionResult } from "./completion.js";
export { hoverAt, type HoverInput, type HoverResult } from "./hover.js";
// Rename.
export { prepareRename, rename, type PrepareRenameResult, type RenameResult } from "./rename.js";
// Document structure: outline and folding.
export { foldingSpans, outline, type FoldingSpan, type OutlineKind, type OutlineSymbol } from "./outline.js";
// Semantic tokens and their legend.
export { classifyTokens, TOKEN_MODIFIERS, TOKEN_TYPES, type ClassifiedToken, type TokenType } from "./tokens.js";
// Code lenses (review status, approvals) above blocks.
export { codeLenses, type Lens } from "./lens.js";
// Minimal line edits between two texts (formatting as edits).
export { lineEdits, type LineEdit } from "./textdiff.js";
