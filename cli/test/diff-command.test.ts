// `charter diff BASE HEAD` as a user runs it: the spec §6 json shape, text for people with
// escalations first, and the exit codes (0 whatever changed, 1 when a side has errors, 2 on usage/I/O).

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { charter as runCharter } from "../../test/support/cli.js";

const ROOT = join(import.meta.dirname, "../..");
const FIX = join(ROOT, "test/fixtures/diff");

const charter = (...args: string[]) => runCharter(args);

describe("charter diff", () => {
  it("prints the spec's json shape", () => {
    const r = charter("diff", join(FIX, "base.charter"), join(FIX, "rate-per-unit.charter"), "--format", "json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      changes: [
        {
          kind: "escalation",
          agent: "assistant",
          tool: "refund",
          what: "rate raised from 5 per 1d to 5 per 1h (24× the calls per unit of time)",
        },
      ],
    });
  });

  it("always prints all four keys, in order, with null when a change is not about one agent or tool", () => {
    const r = charter("diff", join(FIX, "base.charter"), join(FIX, "owner-changed.charter"), "--format", "json");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      '{"changes":[{"kind":"neutral","agent":null,"tool":null,"what":"owner changed from \\"shop-eng\\" to \\"shop-platform\\""}]}\n',
    );
    const deny = charter("diff", join(FIX, "base.charter"), join(FIX, "deny-removed.charter"), "--format", "json");
    expect(deny.stdout).toBe(
      `{"changes":[{"kind":"escalation","agent":"assistant","tool":"exportData","what":"'exportData' is no longer explicitly denied"}]}\n`,
    );
  });

  it("compares agents, tools, arguments and sources named like Object.prototype's members", () => {
    const agent = charter("diff", join(FIX, "base.charter"), join(FIX, "proto-agent.charter"), "--format", "json");
    expect([agent.status, agent.stderr]).toEqual([0, ""]);
    expect(JSON.parse(agent.stdout).changes.map((c: { agent: string; tool: string | null }) => [c.agent, c.tool])).toEqual([
      ["constructor", null],
      ["constructor", "toString"],
      ["constructor", null],
    ]);
    const tool = charter("diff", join(FIX, "proto-tool.charter"), join(FIX, "base.charter"));
    expect([tool.status, tool.stderr]).toEqual([0, ""]);
    expect(tool.stdout).toContain("reduction   assistant › hasOwnProperty: tool removed\n");
    const source = charter("diff", join(FIX, "base.charter"), join(FIX, "proto-source.charter"));
    expect([source.status, source.stderr]).toEqual([0, ""]);
    expect(source.stdout).toContain("neutral     new source 'toString' (trust low, threshold 0.4)\n");
  });

  it("prints escalations first for people, then a count", () => {
    const r = charter("diff", join(FIX, "rate-per-unit.charter"), join(FIX, "tier-lowered.charter"));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        "escalation  runner › runReport: tier lowered from medium to low",
        "reduction   assistant › refund: rate lowered from 5 per 1h to 5 per 1d (0.04× the calls per unit of time)",
        "",
        "1 escalation, 1 reduction, 0 neutral",
        "",
      ].join("\n"),
    );
  });

  it("says so when only comments and layout changed", () => {
    const r = charter("diff", join(FIX, "base.charter"), join(FIX, "layout-and-comments.charter"));
    expect([r.status, r.stdout]).toEqual([0, "no change in meaning\n"]);
    expect(
      JSON.parse(charter("diff", join(FIX, "base.charter"), join(FIX, "layout-and-comments.charter"), "--format", "json").stdout),
    ).toEqual({ changes: [] });
  });

  it("reports the errors of either side and exits 1 without a diff", () => {
    const r = charter("diff", join(FIX, "base.charter"), join(ROOT, "examples/invalid/CH2002-exclusion-grant.charter"), "--format", "json");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error[CH2002]");
  });

  it("exits 2 on usage and I/O errors", () => {
    expect(charter("diff", join(FIX, "base.charter")).status).toBe(2);
    expect(charter("diff", join(FIX, "base.charter"), join(FIX, "no-such.charter")).status).toBe(2);
    expect(charter("diff", join(FIX, "base.charter"), join(FIX, "base.charter"), "--format", "xml").status).toBe(2);
  });

  it("reads the same bytes whatever the file is called", () => {
    const dir = mkdtempSync(join(tmpdir(), "charter-diff-"));
    const copy = join(dir, "renamed.charter");
    writeFileSync(copy, "// a comment only here\n" + readFileSync(join(FIX, "base.charter"), "utf8"));
    expect(JSON.parse(charter("diff", join(FIX, "base.charter"), copy, "--format", "json").stdout)).toEqual({ changes: [] });
  });
});
