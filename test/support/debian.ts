// What the tests need from the machine, made present by the test command itself: a command that is
// missing is installed from Debian's packages (apt-get, when we are root and it exists), once per run.
// Each global setup that needs a program (Neovim, Chromium, PostgreSQL, Redis) asks here, so a fresh
// machine needs nothing but `npm ci && npm test`.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The first of `candidates` that is an executable on PATH or an absolute path that exists. */
export function findCommand(candidates: readonly string[]): string | undefined {
  for (const c of candidates) {
    if (c.startsWith("/")) {
      if (existsSync(c)) return c;
      continue;
    }
    const r = spawnSync("sh", ["-c", `command -v ${c}`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

let updated = false;

/**
 * Returns the path of a program, installing `debianPackages` when none of `candidates` exists.
 * Throws with a one-line reason when it cannot (not root, no apt-get, install failed): a test that
 * needs a real component fails loudly rather than skipping.
 */
export function ensureCommand(candidates: readonly string[], debianPackages: readonly string[]): string {
  const found = findCommand(candidates);
  if (found) return found;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot || !findCommand(["apt-get"])) {
    throw new Error(
      `${candidates[0]} is missing and cannot be installed here (needs root and apt-get): install ${debianPackages.join(" ")}`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  if (!updated) {
    execFileSync("apt-get", ["update", "-qq"], { env, stdio: ["ignore", "ignore", "inherit"] });
    updated = true;
  }
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...debianPackages], {
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const installed = findCommand(candidates);
  if (!installed) throw new Error(`installed ${debianPackages.join(" ")} but ${candidates[0]} is still missing`);
  return installed;
}
