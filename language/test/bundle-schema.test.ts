// The JSON Schema published for users (language/schema/bundle.schema.json) is generated from the
// one zod schema and must not drift from it; the compiled examples validate against both.
import { bundleJsonSchema, BundleSchema, checkText } from "@charter/language";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden } from "../../test/support/golden.js";
import { EXAMPLES, ROOT } from "../../test/support/paths.js";

describe("bundle schema", () => {
  it("the committed JSON Schema is the one generated from zod", () => {
    expectGolden(join(ROOT, "language/schema/bundle.schema.json"), JSON.stringify(bundleJsonSchema(), null, 2) + "\n");
  });

  it("refuses what the runtime must never load", () => {
    const bundle = checkText(readFileSync(join(EXAMPLES, "procurement.charter"), "utf8")).bundle;
    expect(BundleSchema.safeParse(bundle).success).toBe(true);
    expect(BundleSchema.safeParse({ ...bundle, format: "charter-bundle/2" }).success).toBe(false);
    expect(BundleSchema.safeParse({ ...bundle, extra: 1 }).success).toBe(false);
    const agent = bundle.agents["procurement-assistant-v2"]!;
    const noRate = {
      ...bundle,
      agents: { x: { ...agent, tools: { t: { ...agent.tools["readPurchaseOrders"]!, rate: { count: 0, windowMs: 0 } } } } },
    };
    expect(BundleSchema.safeParse(noRate).success).toBe(false);
  });
});
