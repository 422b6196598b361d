// Every diagnostic code has its documentation page (the CLI's help line and the language
// server link to it), with the sections a reader relies on.
import { ALL_CODES, CODES } from "@charter/language";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../test/support/paths.js";

describe("docs/diagnostics", () => {
  for (const code of ALL_CODES) {
    it(`${code} has a page`, () => {
      const path = join(ROOT, "docs/diagnostics", `${code}.md`);
      expect(existsSync(path), `docs/diagnostics/${code}.md is missing`).toBe(true);
      const page = readFileSync(path, "utf8");
      expect(page.startsWith(`# ${code}: ${CODES[code].title}`)).toBe(true);
      for (const section of ["## Avoid", "## Prefer", "## Why it matters", "## Control enforced"]) expect(page).toContain(section);
    });
  }

  it("the index lists every code", () => {
    const index = readFileSync(join(ROOT, "docs/diagnostics/README.md"), "utf8");
    for (const code of ALL_CODES) expect(index).toContain(`${code}.md`);
  });
});
