// Entry of the server bundled into the VS Code extension (dist/server.js): the client starts it
// with --node-ipc. The diagnostics' docs pages are shipped in the extension's docs/ folder.

import { dirname, join } from "node:path";
import { startServer } from "./server.js";

startServer({ docsRoot: join(dirname(process.argv[1] ?? "."), "..") });
