// @charter/language and @charter/runtime as a user gets them: `npm pack` (which builds dist/ with
// JavaScript and declarations), installed from the tarballs into a fresh project outside the
// repository, offline, then imported from plain Node 20 and from TypeScript. The project loads a
// compiled bundle and has the runtime decide one call allowed and one refused.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const work = mkdtempSync(join(tmpdir(), "charter-pack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type LockEntry = {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [k: string]: unknown;
};

/**
 * The app's package-lock.json: our two tarballs, and every package they need exactly as the
 * repository's lock pins it (resolved URL and integrity), so that `npm ci --offline` takes them from
 * the cache `npm ci` filled and asks no registry.
 */
function appLock(tarballs: { name: string; filename: string; integrity: string }[]): unknown {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const workspace: Record<string, string> = { "@charter/language": "language", "@charter/runtime": "runtime" };
  const packages: Record<string, LockEntry> = {
    "": { name: "app", dependencies: Object.fromEntries(tarballs.map((t) => [t.name, `file:${join(work, t.filename)}`])) },
  };
  // where npm finds `name` for the package at `from`: its own node_modules, then each parent's
  const resolve = (name: string, from: string): string | undefined => {
    for (let at = from; ; ) {
      const path = `${at ? at + "/" : ""}node_modules/${name}`;
      if (lock.packages[path]) return path;
      if (!at) return undefined;
      const i = at.lastIndexOf("/node_modules/");
      at = i >= 0 ? at.slice(0, i) : "";
    }
  };
  const place = (path: string) => path.replace(/^(language|runtime)\//, (_m, w: string) => `node_modules/@charter/${w}/`);
  const queue: string[] = [];
  for (const t of tarballs) {
    const ws = workspace[t.name]!;
    const entry = lock.packages[ws]!;
    packages[`node_modules/${t.name}`] = {
      version: entry.version,
      resolved: `file:${join(work, t.filename)}`,
      integrity: t.integrity,
      dependencies: entry.dependencies,
      ...(entry.license ? { license: entry.license } : {}),
    };
    queue.push(ws);
  }
  const seen = new Set<string>();
  while (queue.length) {
    const from = queue.shift()!;
    const entry = lock.packages[from]!;
    const optionalPeer = (n: string) => entry.peerDependenciesMeta?.[n]?.optional;
    const needs = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}).filter((n) => !optionalPeer(n)),
    ];
    for (const name of needs) {
      if (workspace[name]) continue; // our other tarball
      const path = resolve(name, from);
      if (!path || seen.has(path)) continue;
      seen.add(path);
      const { dev: _d, devOptional: _o, peer: _p, ...rest } = lock.packages[path]!;
      packages[place(path)] = rest;
      queue.push(path);
    }
  }
  return { name: "app", lockfileVersion: 3, requires: true, packages };
}

const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });

describe("the published packages", () => {
  test("install from their tarballs into a new project and run in plain Node", { timeout: 300_000 }, () => {
    const packed = JSON.parse(npm(["pack", "-w", "language", "-w", "runtime", "--pack-destination", work, "--json"], ROOT)) as {
      name: string;
      filename: string;
      integrity: string;
      files: { path: string }[];
    }[];
    expect(packed.map((p) => p.name).sort()).toEqual(["@charter/language", "@charter/runtime"]);
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      expect(files).toContain("dist/index.js");
      expect(files).toContain("dist/index.d.ts");
      expect(files.filter((f) => f.startsWith("src/"))).toEqual([]);
    }
    // a file the runtime reads at import time travels too
    expect(packed.find((p) => p.name === "@charter/runtime")!.files.map((f) => f.path)).toContain("dist/detector/weights.json");

    const app = join(work, "app");
    mkdirSync(app);
    const lock = appLock(packed) as { packages: Record<string, LockEntry> };
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "app", private: true, type: "module", dependencies: lock.packages[""]!.dependencies }),
    );
    writeFileSync(join(app, "package-lock.json"), JSON.stringify(lock, null, 2));
    // offline: the tarballs, and their dependencies from the npm cache `npm ci` filled
    npm(["ci", "--offline"], app);

    const bundle = join(app, "support.bundle.json");
    execFileSync(
      process.execPath,
      [join(ROOT, "cli/bin/charter.js"), "build", join(ROOT, "examples/customer-support.charter"), "-o", bundle],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );

    const script = `
      import { loadBundle, createGuard } from "@charter/runtime";
      import { checkText } from "@charter/language";
      const loaded = loadBundle(${JSON.stringify(bundle)});
      if (!loaded.ok) throw new Error(loaded.error.message);
      const guard = createGuard(loaded.bundle, { audit: null });
      const call = (tool, args) => guard.authorize({ agent: "support-assistant", session: "s1", tool, args });
      const allowed = await call("lookupOrder", { orderId: "A-1001" });
      const refused = await call("dropDatabase", {});
      const checked = checkText("policy p { version 1 owner \\"t\\" }");
      console.log(JSON.stringify({ allowed: allowed.outcome, refused: refused.outcome, reason: refused.reason, digest: checked.bundle.digest.slice(0, 7) }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: app, encoding: "utf8" }));
    expect(out).toMatchObject({ allowed: "allow", refused: "deny", digest: "sha256:" });
    expect(out.reason).toContain("dropDatabase");

    // the declarations resolve for a TypeScript user with Node's own module resolution
    writeFileSync(
      join(app, "use.ts"),
      `import { loadBundle, createGuard, type ToolCall } from "@charter/runtime";\nimport { checkText } from "@charter/language";\nconst call: ToolCall = { agent: "a", session: "s", tool: "t" };\nconst loaded = loadBundle("b.json");\nif (loaded.ok) void createGuard(loaded.bundle, { audit: null }).authorize(call);\nexport const errors: number = checkText("").errors;\n`,
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["use.ts"],
      }),
    );
    const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin/tsc");
    execFileSync(process.execPath, [tsc, "-p", join(app, "tsconfig.json")], { cwd: app, encoding: "utf8" });
    expect(readFileSync(join(app, "node_modules/@charter/runtime/package.json"), "utf8")).toContain('"import": "./dist/index.js"');
  });
});
