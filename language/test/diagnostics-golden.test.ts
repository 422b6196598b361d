// Every file in examples/invalid/ yields its code at the line marked `// expect: CODE`, no other
// error, and exactly the diagnostics recorded in its .expected file beside it.
import { checkText, parseReviewers, type Diagnostic } from "@charter/language";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden } from "../../test/support/golden.js";
import { INVALID, TODAY } from "../../test/support/paths.js";

const files = readdirSync(INVALID).filter((f) => f.endsWith(".charter")).sort();

function render(d: Diagnostic): string {
  const r = d.range;
  return `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1} ${d.severity} ${d.code} ${d.message}`;
}

describe("examples/invalid", () => {
  it("holds one file per code of the spec", async () => {
    const { ALL_CODES } = await import("@charter/language");
    const covered = new Set(files.map((f) => f.slice(0, 6)));
    expect(ALL_CODES.filter((c) => !covered.has(c))).toEqual([]);
  });

  for (const name of files) {
    it(name, () => {
      const path = join(INVALID, name);
      const text = readFileSync(path, "utf8");
      const code = name.slice(0, 6);
      const reviewersPath = path.replace(/\.charter$/, ".reviewers");
      const reviewers = existsSync(reviewersPath) ? parseReviewers(readFileSync(reviewersPath, "utf8")).reviewers : undefined;
      const result = checkText(text, { today: TODAY, ...(reviewers ? { reviewers } : {}) });

      const marker = text.split("\n").findIndex((l) => l.includes(`// expect: ${code}`));
      expect(marker, `${name} has a '// expect: ${code}' line`).toBeGreaterThanOrEqual(0);
      const hits = result.diagnostics.filter((d) => d.code === code);
      expect(hits.length, `${name} yields ${code}`).toBeGreaterThan(0);
      expect(hits.map((d) => d.range.start.line)).toContain(marker + 1);

      const otherErrors = result.diagnostics.filter((d) => d.severity === "error" && d.code !== code);
      expect(otherErrors.map(render)).toEqual([]);

      expectGolden(path.replace(/\.charter$/, ".expected"), result.diagnostics.map(render).join("\n") + "\n");
    });
  }
});
