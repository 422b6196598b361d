// Every machine-applicable fix does what it says: applying it removes its diagnostic and adds no
// new error. Run over every file in examples/invalid/.
import { checkText, type Diagnostic } from "@charter/language";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INVALID, TODAY } from "../../test/support/paths.js";

function apply(text: string, d: Diagnostic): string {
  const edits = [...d.fix!.edits].sort((a, b) => b.span.start - a.span.start);
  let out = text;
  for (const e of edits) out = out.slice(0, e.span.start) + e.newText + out.slice(e.span.end);
  return out;
}

const cases: { file: string; code: string; title: string }[] = [];
for (const file of readdirSync(INVALID)
  .filter((f) => f.endsWith(".charter"))
  .sort()) {
  const text = readFileSync(join(INVALID, file), "utf8");
  for (const d of checkText(text, { today: TODAY }).diagnostics)
    if (d.fix && d.code !== "CH8001") cases.push({ file, code: d.code, title: d.fix.title });
}

describe("quick fixes", () => {
  it("exist for the codes the issue names", () => {
    const codes = new Set(cases.map((c) => c.code));
    for (const code of ["CH3001", "CH3002", "CH3004", "CH2001", "CH2007", "CH3005", "CH8002"]) expect(codes, code).toContain(code);
  });

  it.each(cases)("$file: '$title' removes $code and adds no error", ({ file, code, title }) => {
    const text = readFileSync(join(INVALID, file), "utf8");
    const before = checkText(text, { today: TODAY });
    const d = before.diagnostics.find((x) => x.code === code && x.fix?.title === title)!;
    const after = checkText(apply(text, d), { today: TODAY });
    const count = (r: typeof before, c: string) => r.diagnostics.filter((x) => x.code === c).length;
    expect(count(after, code)).toBe(count(before, code) - 1);
    const newErrors = after.diagnostics.filter(
      (x) => x.severity === "error" && x.code !== code && !before.diagnostics.some((b) => b.code === x.code),
    );
    expect(newErrors.map((x) => `${x.code} ${x.message}`)).toEqual([]);
  });
});
