// Bundles the extension (dist/extension.js) and the language server it starts (dist/server.js,
// the whole language core inside), and copies the diagnostics' docs pages that the server links
// to. The .vsix then needs no node_modules: `vsce package --no-dependencies`.
import { build } from "esbuild";
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const common = { bundle: true, platform: "node", format: "cjs", target: "node20", sourcemap: false, minify: true, logLevel: "warning" };

await build({ ...common, entryPoints: [join(here, "src/extension.ts")], outfile: join(here, "dist/extension.js"), external: ["vscode"] });
await build({ ...common, entryPoints: [join(root, "server/src/standalone.ts")], outfile: join(here, "dist/server.js") });

// copied over in place (not deleted first), so that two builds at once never see a missing page
mkdirSync(join(here, "docs/diagnostics"), { recursive: true });
cpSync(join(root, "docs/diagnostics"), join(here, "docs/diagnostics"), { recursive: true, force: true });
