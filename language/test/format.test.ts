// The canonical layout, as golden files: test/fixtures/format/NAME.charter formats to
// NAME.formatted.charter, which is itself a fixed point.
import { formatText, lowerPolicy, parse } from "@charter/language";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expectGolden } from "../../test/support/golden.js";
import { ROOT } from "../../test/support/paths.js";

const dir = join(ROOT, "test/fixtures/format");
const inputs = readdirSync(dir).filter((f) => f.endsWith(".charter") && !f.endsWith(".formatted.charter"));

describe("fmt", () => {
  for (const name of inputs) {
    it(`${name} formats to its golden layout`, () => {
      const text = readFileSync(join(dir, name), "utf8");
      const out = formatText(text);
      if (!out.ok) throw new Error(out.reason);
      expectGolden(join(dir, name.replace(/\.charter$/, ".formatted.charter")), out.text);
      expect(formatText(out.text)).toEqual(out);
      expect(lowerPolicy(parse(out.text).file).digest).toBe(lowerPolicy(parse(text).file).digest);
    });
  }

  it("keeps a CRLF file in CRLF, with the same layout", () => {
    const text = readFileSync(join(dir, "messy.charter"), "utf8");
    const crlf = formatText(text.replace(/\n/g, "\r\n"));
    const lf = formatText(text);
    if (!crlf.ok || !lf.ok) throw new Error("not formatted");
    expect(crlf.text).toBe(lf.text.replace(/\n/g, "\r\n"));
    expect(formatText(crlf.text)).toEqual(crlf);
  });

  it("leaves an empty file empty", () => {
    expect(formatText("")).toEqual({ ok: true, text: "" });
    expect(formatText("\n\n  \n")).toEqual({ ok: true, text: "" });
  });

  it("refuses text with syntax errors instead of guessing", () => {
    const out = formatText("agent a { tool t { scope read = } }");
    expect(out).toEqual({ ok: false, reason: 'syntax error at 1:31: unexpected character "="' });
  });
});
