import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runTestText } from "../src/index.js";
import { MINI, root } from "../../test/support/runtime-fixtures.js";

describe("charter test runner", () => {
  for (const name of ["procurement.charter", "customer-support.charter", "data-analysis.charter", "pipeline.charter"]) {
    it(`every expectation of examples/${name} holds`, async () => {
      const run = await runTestText(readFileSync(join(root, "examples", name), "utf8"), name);
      expect(run.ok).toBe(true);
      if (run.ok) {
        expect(run.results.length).toBeGreaterThan(0);
        expect(run.results.filter((r) => !r.passed)).toEqual([]);
      }
    });
  }

  it("reports a failing expectation with its position, the actual decision and the reason", async () => {
    const text =
      MINI +
      `\ntest "wrong on purpose" {\n  expect helper call lookup { id: "A1" } => allow\n  expect helper call lookup { id: "TOOLONG" } => allow\n  expect helper call refund { amount: 1 } => allow\n}\n`;
    const run = await runTestText(text, "mini.charter");
    expect(run.ok).toBe(true);
    if (!run.ok) return;
    expect([run.passed, run.failed]).toEqual([1, 2]);
    const lines = text.split("\n");
    const failing = run.results.filter((r) => !r.passed);
    expect(failing[0]).toMatchObject({
      expected: "allow",
      actual: "deny",
      rule: "args",
      line: lines.findIndex((l) => l.includes("TOOLONG")) + 1,
      column: 3,
    });
    expect(failing[1]).toMatchObject({ expected: "allow", actual: "approval" });
  });

  it("refuses to run the tests of a file with errors", async () => {
    const run = await runTestText(MINI.replace("tier low rate 3 per 1m", "rate 3 per 1m"), "bad.charter");
    expect(run.ok).toBe(false);
    if (!run.ok) expect(run.errors.map((d) => d.code)).toContain("CH3001");
  });
});
