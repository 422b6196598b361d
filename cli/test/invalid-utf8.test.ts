// The CLI reads policy files as bytes and lets the language core decode them: a file that is not
// UTF-8 is an error with its line and column in check, build, diff and fmt, never silently mangled.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { charter } from "../../test/support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "charter-utf8-"));
const bad = join(dir, "latin1.charter");
writeFileSync(bad, Buffer.concat([Buffer.from('policy p {\n  owner "caf'), Buffer.from([0xe9]), Buffer.from('"\n}\n')]));

describe("a policy file that is not UTF-8", () => {
  it("check: CH0001 at the first bad byte, exit 1", () => {
    const r = charter(["check", "--format", "json", bad]);
    expect(r.status).toBe(1);
    const d = JSON.parse(r.stdout).files[0].diagnostics.find((x: { message: string }) => x.message.includes("not valid UTF-8"));
    expect(d).toMatchObject({ code: "CH0001", severity: "error", range: { start: { line: 1, character: 12 } } });
  });
  it("build refuses it, fmt does not rewrite it", () => {
    const b = charter(["build", bad, "-o", join(dir, "out.json")]);
    expect(b.status).toBe(1);
    expect(b.stderr).toContain("not valid UTF-8");
    const f = charter(["fmt", bad]);
    expect(f.status).toBe(1);
    expect(f.stderr).toContain("invalid UTF-8 at 2:13");
  });
});
