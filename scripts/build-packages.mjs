// Builds the published form of @charter/language and @charter/runtime: plain ES modules and type
// declarations in each package's dist/, so that a Node 20 project can `import` them. The whole src/
// tree is taken as it is found (other files appear there all the time): every .ts file is transpiled
// one to one by esbuild, every other file (weights.json) copied, and tsc emits the declarations.
// Inside the monorepo the `@charter/source` export condition points at src/ instead, so tests, tsc and
// the CLI and Action bundles never depend on this step having run.
import { execFileSync } from "node:child_process";
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** In dependency order: runtime's declarations import language's. */
export const PACKAGES = ["language", "runtime"];

function filesBelow(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin/tsc");

/**
 * The package's JavaScript (fast: what bundlers without the `@charter/source` condition read), and
 * with `declarations` its .d.ts files too (what `npm pack` ships).
 */
export async function buildPackage(name, { declarations = true } = {}) {
  const pkg = join(root, name);
  const src = join(pkg, "src");
  const dist = join(pkg, "dist");
  const all = filesBelow(src);
  const sources = all.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  await build({
    entryPoints: sources,
    outdir: dist,
    outbase: src,
    bundle: false,
    platform: "node",
    format: "esm",
    // import attributes (`with { type: "json" }`) arrived in Node 20.10
    target: "node20.10",
    logLevel: "warning",
  });
  for (const f of all.filter((f) => !f.endsWith(".ts"))) {
    const to = join(dist, relative(src, f));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f, to);
  }
  // a file deleted from src/ must not linger in dist/; files are replaced in place, never the folder
  // removed, since tests bundling from dist/ may run meanwhile
  const expected = new Set(
    all.map((f) => relative(src, f)).flatMap((f) => (f.endsWith(".ts") ? [f.replace(/\.ts$/, ".js"), f.replace(/\.ts$/, ".d.ts")] : [f])),
  );
  for (const f of existsSync(dist) ? filesBelow(dist) : []) if (!expected.has(relative(dist, f))) rmSync(f);
  if (!declarations) return;
  // runtime's declarations read language's
  for (const dep of PACKAGES.slice(0, PACKAGES.indexOf(name))) {
    if (!existsSync(join(root, dep, "dist/index.d.ts"))) await buildPackage(dep);
  }
  // declarations: a throwaway tsconfig (nothing committed), resolving other packages through their
  // published `types`, so that runtime's declarations import @charter/language by name
  const config = join(pkg, "tsconfig.dist.tmp.json");
  writeFileSync(
    config,
    JSON.stringify({
      extends: relative(pkg, join(root, "tsconfig.json")),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        rootDir: "src",
        outDir: "dist",
        customConditions: [],
        types: ["node"],
      },
      include: ["src"],
    }),
  );
  try {
    execFileSync(process.execPath, [tsc, "-p", config], { cwd: pkg, stdio: ["ignore", "inherit", "inherit"] });
  } finally {
    rmSync(config, { force: true });
  }
}

export async function buildPackages(names = PACKAGES, options = {}) {
  for (const name of names) {
    if (!PACKAGES.includes(name)) throw new Error(`unknown package '${name}': one of ${PACKAGES.join(", ")}`);
    await buildPackage(name, options);
  }
}

// `node scripts/build-packages.mjs [language|runtime]…`: the named packages (default both), with declarations
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = process.argv.slice(2);
  await buildPackages(names.length ? names : PACKAGES);
}
