// A damaged checkpoint sidecar through the real binaries: `charter gateway --checkpoint-key` writes the
// log, `charter audit verify --checkpoint-pub` reads it. A sidecar torn by a crash is continued on a new
// line and reported; a torn, garbage or empty sidecar nobody accounted for fails verify with its line and
// a hint; a cut log whose sidecar was damaged too is refused by the writer, never resumed.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { charter, procurementGatewayArgs } from "../../test/support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "charter-sidecar-cli-"));
const bundle = join(dir, "procurement.bundle.json");
const key = join(dir, "ck");
const log = join(dir, "audit.jsonl");
const sidecar = log + ".checkpoints";

/** One run of the gateway: the agent goes away at once, the log is closed with its closing checkpoint. */
const gateway = (audit = log) => charter(procurementGatewayArgs(bundle, audit, ["--checkpoint-key", key]));
const verify = (...extra: string[]) => charter(["audit", "verify", log, "--checkpoint-pub", key + ".pub", ...extra]);
const cutBytes = (path: string, n: number) => truncateSync(path, statSync(path).size - n);

beforeAll(() => {
  expect(charter(["build", "examples/procurement.charter", "-o", bundle]).status).toBe(0);
  expect(charter(["keygen", "--out", key]).status).toBe(0);
  for (let i = 0; i < 3; i++) expect(gateway().status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a checkpoint sidecar torn by a crash", () => {
  it("verify names the torn line and fails until a writer accounts for it", () => {
    copyFileSync(sidecar, join(dir, "intact.checkpoints"));
    cutBytes(sidecar, 20);
    const r = verify();
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot be vouched for by its checkpoint sidecar: .*audit\.jsonl\.checkpoints line 3 is a torn line/);
    expect(r.stderr).toMatch(/verify with an intact copy of the sidecar/);
  });

  it("a restarted writer starts a new line and fingerprints the torn one; verify then passes and says so", () => {
    expect(gateway().status).toBe(0);
    expect(readFileSync(sidecar, "utf8")).not.toMatch(/[^}\n]\{"seq"/);
    const r = verify();
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      /chain intact, \d+ records; \d+ signed checkpoints, closed; checkpoint sidecar damaged by a crash at line 3 \(fingerprinted at line 4\)/,
    );
    expect(r.status).toBe(0);
  });
});

describe("a sidecar that cannot vouch for the log", () => {
  it("--checkpoints naming a garbage or an empty file fails, naming the file and line", () => {
    const garbage = join(dir, "garbage.checkpoints");
    writeFileSync(garbage, "this is not a sidecar\n");
    let r = verify("--checkpoints", garbage);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${garbage} line 1 is not a checkpoint`);
    const empty = join(dir, "empty.checkpoints");
    writeFileSync(empty, "");
    r = verify("--checkpoints", empty);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/empty\.checkpoints holds no checkpoint, but the log holds \d+ signed ones/);
    r = verify("--checkpoints", join(dir, "missing.checkpoints"));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")[0]).toMatch(/cannot read checkpoints .*missing\.checkpoints: no such file/);
  });

  it("no sidecar beside a signed log: verify passes and notes what it cannot see", () => {
    const lone = join(dir, "lone.jsonl");
    copyFileSync(log, lone);
    const r = charter(["audit", "verify", lone, "--checkpoint-pub", key + ".pub"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      `note: no checkpoint sidecar beside ${lone} (${lone}.checkpoints): a log cut back to an earlier closing checkpoint cannot be detected; pass a copy with --checkpoints FILE\n`,
    );
    expect(charter(["audit", "verify", lone, "--checkpoint-pub", key + ".pub", "--checkpoints", sidecar]).stderr).toBe("");
  });

  it("a cut log whose sidecar was torn too: the gateway refuses to resume it, in one line", () => {
    const cut = join(dir, "cut.jsonl");
    const lines = readFileSync(log, "utf8").split("\n").slice(0, -1);
    // the last run's closing checkpoint (and its record) removed, the sidecar's copy of it torn
    writeFileSync(cut, lines.slice(0, -1).join("\n") + "\n");
    copyFileSync(sidecar, cut + ".checkpoints");
    cutBytes(cut + ".checkpoints", 20);
    const r = gateway(cut);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/cut\.jsonl\.checkpoints line \d+ is a torn line .*may have signed records since cut from the log/);
    expect(readFileSync(cut, "utf8").split("\n").slice(0, -1)).toHaveLength(lines.length - 1);
  });
});
