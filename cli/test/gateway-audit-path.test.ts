// `charter gateway --audit PATH` where PATH cannot be a log: one line saying what is wrong and what to do,
// never the system's bare EISDIR, and no lock file left beside a directory.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { charter, procurementGatewayArgs } from "../../test/support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "charter-gateway-audit-"));
const bundle = join(dir, "procurement.bundle.json");
const gateway = (audit: string) => charter(procurementGatewayArgs(bundle, audit, [], ["true"]));

beforeAll(() => {
  expect(charter(["build", "examples/procurement.charter", "-o", bundle]).status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("charter gateway --audit", () => {
  it("a directory: exit 2, one line with the hint to name a file inside it", () => {
    const logs = join(dir, "logs");
    mkdirSync(logs);
    const r = gateway(logs);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      `charter: cannot use audit log ${logs}: ${logs} is a directory; name the log file inside it (e.g. ${join(logs, "charter-audit.jsonl")})`,
    ]);
    expect(r.stderr).not.toContain("EISDIR");
    expect(existsSync(`${logs}.lock`)).toBe(false);
  });
});
