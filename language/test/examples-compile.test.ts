// The example policies check clean, compile, and compile to exactly the bundles recorded in
// test/golden/bundles (byte for byte: the build is deterministic).
import { canonicalJsonPretty, checkText, BundleSchema } from "@charter/language";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden } from "../../test/support/golden.js";
import { EXAMPLES, ROOT, TODAY } from "../../test/support/paths.js";

const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".charter"))
  .sort();

describe("examples", () => {
  it("there are at least four", () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });
  for (const name of examples) {
    it(`${name} checks clean and compiles to its golden bundle`, () => {
      const text = readFileSync(join(EXAMPLES, name), "utf8");
      const result = checkText(text, { today: TODAY, requireReview: true });
      expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      expect(BundleSchema.safeParse(result.bundle).success).toBe(true);
      expectGolden(join(ROOT, "test/golden/bundles", name.replace(/\.charter$/, ".bundle.json")), canonicalJsonPretty(result.bundle));
    });
  }
});
