// The Action runs from its committed bundle, so that bundle must be what the sources build to now:
// a fresh esbuild build (same options as scripts/build.mjs) must give the committed bytes.

import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

describe("github-action/dist", () => {
  it("is exactly what a fresh build of github-action/src produces (run npm run build and commit dist/)", async () => {
    const { buildAction } = await import(pathToFileURL(join(ROOT, "github-action/build.mjs")).href);
    const dir = mkdtempSync(join(tmpdir(), "charter-dist-"));
    try {
      const fresh = join(dir, "index.js");
      await buildAction(fresh);
      const committed = readFileSync(join(ROOT, "github-action/dist/index.js"), "utf8");
      const built = readFileSync(fresh, "utf8");
      // compare lengths first so that a stale bundle fails with a short message, not a 2 MB diff
      expect(committed.length).toBe(built.length);
      expect(committed === built).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is what action.yml runs, on a Node runtime GitHub offers, with the documented inputs and outputs", () => {
    const yml = readFileSync(join(ROOT, "github-action/action.yml"), "utf8");
    expect(yml).toMatch(/^runs:\n  using: node24\n  main: dist\/index\.js\n/m);
    for (const input of ["paths", "require-review", "reviewers", "base-ref", "fail-on-escalation-without-review", "sarif", "bundle-dir", "github-token"]) {
      expect(yml).toMatch(new RegExp(`^  ${input}:\\n    description: `, "m"));
    }
    for (const output of ["errors", "escalations", "bundles", "sarif"]) expect(yml).toMatch(new RegExp(`^  ${output}:\\n    description: `, "m"));
  });
});
