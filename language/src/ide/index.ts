// Editor services over the language core: completion, hover, navigation, rename, outline,
// folding, semantic tokens and code lens. Pure functions of text and its checked form, with no
// LSP types: the server (server/) maps them to the protocol.

export { codeLenses, reviewStatus, type Lens } from "./lens.js";
export { complete, type CompletionInput, type CompletionItem, type CompletionKind, type CompletionResult } from "./completion.js";
export { cursorContext, wordAt, type CursorContext } from "./context.js";
export { hoverAt, needsApproval, type HoverInput, type HoverResult } from "./hover.js";
export { foldingSpans, outline, type FoldingSpan, type OutlineKind, type OutlineSymbol } from "./outline.js";
export { prepareRename, rename, type PrepareRenameResult, type RenameResult } from "./rename.js";
export { indexSymbols, spansOf, type Occurrence, type PolicySymbol, type SymbolIndex, type SymbolKind } from "./symbols.js";
export { lineEdits, type LineEdit } from "./textdiff.js";
export { classifyTokens, TOKEN_MODIFIERS, TOKEN_TYPES, type ClassifiedToken, type TokenType } from "./tokens.js";
