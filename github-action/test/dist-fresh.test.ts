// The Action runs from its committed bundle, so that bundle must be what the sources build to now:
// a fresh esbuild build (same options as scripts/build.mjs) must give the committed bytes.

import { existsSync, readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

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
    expect(yml).toMatch(/^runs:\n {2}using: node24\n {2}main: dist\/index\.js\n/m);
    for (const input of [
      "paths",
      "require-review",
      "reviewers",
      "base-ref",
      "fail-on-escalation-without-review",
      "sarif",
      "bundle-dir",
      "github-token",
    ]) {
      expect(yml).toMatch(new RegExp(`^  ${input}:\\n    description: `, "m"));
    }
    for (const output of ["errors", "escalations", "bundles", "sarif"])
      expect(yml).toMatch(new RegExp(`^  ${output}:\\n    description: `, "m"));
  });

  it("runs in this repository's own workflow with inputs the Action accepts", () => {
    // escalation review needs a reviewers file (the Action refuses the setup otherwise), so the
    // workflow must either have one or turn both kinds of review off
    const wf = readFileSync(join(ROOT, ".github/workflows/charter.yml"), "utf8");
    const input = (name: string) => new RegExp(`^\\s+${name}: (\\S+)`, "m").exec(wf)?.[1] ?? "true";
    const reviewers = /^\s+reviewers: (\S+)/m.exec(wf)?.[1] ?? ".charter/reviewers";
    const needsList = input("require-review") !== "false" || input("fail-on-escalation-without-review") !== "false";
    if (needsList) expect(existsSync(join(ROOT, reviewers)), `${reviewers} must exist for .github/workflows/charter.yml`).toBe(true);
  });
});
