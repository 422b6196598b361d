// `npm run bench`: every benchmark of the repository, one after the other, each printing its
// figures side by side with its peer. bench/*.bench.ts are bundled with esbuild and run in Node.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);
const out = join(root, "dist/bench");
mkdirSync(out, { recursive: true });
const banner = { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" };

let failed = false;
const run = (file, args = []) => {
  const r = spawnSync(process.execPath, [file, ...args], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) failed = true;
};

for (const f of readdirSync(join(root, "bench"))
  .filter((f) => f.endsWith(".bench.ts"))
  .sort()) {
  const name = f.replace(/\.bench\.ts$/, "");
  if (only.length && !only.includes(name)) continue;
  const outfile = join(out, `${name}.mjs`);
  await build({
    entryPoints: [join(root, "bench", f)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    banner,
    logLevel: "warning",
    external: ["@cedar-policy/cedar-wasm"],
  });
  run(outfile);
}
// benchmarks that are scripts of their own
for (const f of readdirSync(join(root, "scripts"))
  .filter((f) => /^bench-.*\.mjs$/.test(f))
  .sort()) {
  const name = f.replace(/^bench-|\.mjs$/g, "");
  if (only.length && !only.includes(name)) continue;
  if (existsSync(join(root, "scripts", f))) run(join(root, "scripts", f));
}
process.exit(failed ? 1 : 0);
