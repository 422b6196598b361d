// @charter/server: the Charter language server. `charter lsp` and the VS Code extension's bundled
// entry (standalone.ts) both start it with startServer.

export { DEFAULT_DEBOUNCE_MS, startServer, type InitializationOptions, type ServerOptions } from "./server.js";
export { BUNDLE_COMMAND, type BundleAnswer } from "./features/editing.js";
