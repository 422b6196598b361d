// String literals end at their first unescaped quote: a literal that ends in an escaped backslash
// ("C:\\") is closed and valid, one whose last quote is escaped ("say \") is open.
import { describe, expect, it } from "vitest";
import { checkText } from "../src/index.js";

const withOwner = (literal: string) => `policy p { version 1 owner ${literal} }\n`;

describe("string literals", () => {
  it("accepts a literal that ends in an escaped backslash and decodes it", () => {
    const r = checkText(withOwner(String.raw`"C:\\"`));
    expect(r.diagnostics.filter((d) => d.code === "CH0003" || d.code === "CH0001")).toEqual([]);
    expect(r.bundle?.policy.owner).toBe("C:\\");
  });

  it("accepts an even run of backslashes before the closing quote, and refuses an odd one as unclosed", () => {
    expect(checkText(withOwner(String.raw`"a\\\\"`)).bundle?.policy.owner).toBe("a\\\\");
    const open = checkText(withOwner(String.raw`"say \"`));
    expect(open.diagnostics.some((d) => d.code === "CH0001")).toBe(true);
  });
});
