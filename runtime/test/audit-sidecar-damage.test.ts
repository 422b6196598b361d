// A checkpoint sidecar (LOG.checkpoints) that is torn, edited or unreadable, met by the writer reopening
// the log (as charter serve opens it: openAuditSink, sealed off-thread) and by verify. A crash while
// copying a checkpoint leaves one torn line: the writer starts a new line and fingerprints it in the log,
// and verify accepts exactly that. Any other damage could hide a cut log, so the writer refuses and verify
// fails, naming the sidecar's line.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeys } from "@charter/language";
import {
  checkpointsPath,
  describeAuditVerification,
  openAuditSink,
  parseAuditRecords,
  parseCheckpoints,
  verifyAuditLog,
  type AuditEntry,
} from "../src/index.js";

const keys = generateKeys();
let dir: string;
let log: string;
let keyFile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-sidecar-"));
  log = join(dir, "audit.jsonl");
  keyFile = join(dir, "ck");
  writeFileSync(keyFile, keys.privatePem, { mode: 0o600 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (i: number): AuditEntry => ({
  agent: "a",
  session: "s",
  event: "decision",
  trace: [{ rule: "granted", reason: "ok" }],
  action: { tool: "work", args: { id: i } },
  outcome: "allow",
});

/** One run of a gateway: open as charter serve does, write, close (closing checkpoint). */
async function run(records: number, checkpoint = false): Promise<void> {
  const opened = await openAuditSink({ file: log, checkpoint_key: keyFile });
  if (!opened.ok) throw new Error(opened.message);
  for (let i = 0; i < records; i++) {
    opened.log.write(entry(i));
    if (checkpoint && i % 5 === 4) opened.log.checkpoint(false);
  }
  await opened.log.close();
}

const sidecarText = () => readFileSync(checkpointsPath(log), "utf8");
const cutBytes = (path: string, n: number) => truncateSync(path, statSync(path).size - n);
const verify = () =>
  verifyAuditLog(readFileSync(log, "utf8"), {
    checkpointPub: keys.publicKey,
    sidecar: parseCheckpoints(sidecarText(), checkpointsPath(log)),
  });

describe("the writer and a torn sidecar tail (a crash while copying a checkpoint)", () => {
  it("starts a new line, fingerprints the torn line in the log, and verify accepts it and says so", async () => {
    await run(12, true);
    cutBytes(checkpointsPath(log), 20);
    const tornLine = sidecarText().split("\n").length;
    await run(1);
    const lines = sidecarText().split("\n").slice(0, -1);
    // the torn line stays a line of its own: nothing was glued onto it
    expect(lines[tornLine - 1]).not.toContain('}{"seq"');
    expect(lines.filter((l) => !l.endsWith("}"))).toHaveLength(1);
    expect(parseCheckpoints(sidecarText()).damaged.map((d) => d.line)).toEqual([tornLine]);
    const recovered = parseAuditRecords(readFileSync(log, "utf8")).find((r) => r.event === "recovered")!;
    expect(recovered.trace[0]!.rule).toBe("audit.checkpoints_damaged");
    expect(recovered.detail).toMatchObject({ checkpointsDamaged: [{ line: tornLine }] });
    const v = verify();
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.signed?.sidecarRepairs).toEqual([{ line: tornLine, recoveredAt: expect.any(Number) }]);
  });
});

describe("the writer and a sidecar removed from beside a log that holds checkpoints", () => {
  it("records the removal in the log, and verify names it", async () => {
    await run(12, true);
    rmSync(checkpointsPath(log));
    await run(1);
    const recovered = parseAuditRecords(readFileSync(log, "utf8")).find((r) => r.event === "recovered")!;
    expect(recovered.trace.map((t) => t.rule)).toEqual(["audit.checkpoints_missing"]);
    const v = verify();
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.signed?.sidecarMissing).toEqual([16]);
    expect(describeAuditVerification(v, "audit.jsonl")).toContain("checkpoint sidecar missing when a writer restarted (line 16)");
  });

  it("records nothing for a log that never had checkpoints", async () => {
    const opened = await openAuditSink({ file: log });
    if (!opened.ok) throw new Error(opened.message);
    opened.log.write(entry(1));
    await opened.log.close();
    await run(1);
    const rules = parseAuditRecords(readFileSync(log, "utf8")).flatMap((r) => r.trace.map((t) => t.rule));
    expect(rules).not.toContain("audit.checkpoints_missing");
  });
});

describe("damage that could hide a cut: the writer refuses, as it refuses a cut log", () => {
  async function cutLogTo(n: number): Promise<void> {
    const text = readFileSync(log, "utf8").split("\n").slice(0, n);
    writeFileSync(log, text.join("\n") + "\n");
  }

  // 12 records with checkpoints signing seq 5 and 11, and a closing one signing 14 (15 lines); the sidecar
  // holds the three. A log cut to 13 lines lost the closing checkpoint, which only the sidecar's line 3 knew.
  it("a log cut after its last checkpoint but one, whose sidecar's last line is torn", async () => {
    await run(12, true);
    await cutLogTo(13);
    cutBytes(checkpointsPath(log), 20);
    const opened = await openAuditSink({ file: log, checkpoint_key: keyFile });
    expect(opened.ok).toBe(false);
    if (!opened.ok)
      expect(opened.message).toMatch(
        /audit\.jsonl\.checkpoints line 3 is a torn line .*, after its last whole checkpoint \(seq 11\), .*may have signed records since cut from the log/,
      );
  });

  it("the same cut, with a sidecar that is garbage, or whose last line was replaced", async () => {
    await run(12, true);
    await cutLogTo(13);
    const [l1, l2] = sidecarText().split("\n");
    for (const damaged of ["garbage\n", "garbage", `${l1}\n${l2}\ngarbage\n`, `${l1}\n${l2}\n{}\n`, `${l1}\n${l2}\n\n`]) {
      writeFileSync(checkpointsPath(log), damaged);
      const opened = await openAuditSink({ file: log, checkpoint_key: keyFile });
      expect(opened.ok, damaged).toBe(false);
      if (!opened.ok)
        expect(opened.message).toMatch(
          /audit\.jsonl\.checkpoints line \d+ is .*this writer does not resume it; keep the log and its sidecar as evidence/,
        );
    }
  });

  it("a torn sidecar line that is not the start of a checkpoint the log holds", async () => {
    await run(12, true);
    writeFileSync(checkpointsPath(log), sidecarText() + '{"seq":9999,"hash":"sha256:00');
    const opened = await openAuditSink({ file: log, checkpoint_key: keyFile });
    expect(opened.ok).toBe(false);
  });

  it("a sidecar that cannot be read", async () => {
    await run(3);
    rmSync(checkpointsPath(log));
    mkdirSync(checkpointsPath(log));
    const opened = await openAuditSink({ file: log, checkpoint_key: keyFile });
    expect(opened.ok).toBe(false);
    if (!opened.ok)
      expect(opened.message).toMatch(/cannot read its checkpoint sidecar .*is a directory.*cannot tell whether records were cut/);
    rmSync(checkpointsPath(log), { recursive: true });
    if (process.getuid?.() !== 0) {
      writeFileSync(checkpointsPath(log), "");
      chmodSync(checkpointsPath(log), 0o000);
      expect((await openAuditSink({ file: log, checkpoint_key: keyFile })).ok).toBe(false);
    }
  });
});

describe("verify and a damaged sidecar", () => {
  it("fails on a torn or garbage line no writer fingerprinted, naming the line, and on an empty sidecar", async () => {
    await run(12, true);
    const original = sidecarText();
    cutBytes(checkpointsPath(log), 20);
    let v = verify();
    expect(v).toMatchObject({ ok: false, kind: "sidecar_damaged" });
    if (!v.ok) expect(v.reason).toMatch(/audit\.jsonl\.checkpoints line 3 is a torn line .*no writer fingerprinted it/);
    writeFileSync(checkpointsPath(log), "not json\n" + original);
    v = verify();
    expect(v).toMatchObject({ ok: false, kind: "sidecar_damaged" });
    if (!v.ok) expect(v.reason).toMatch(/line 1 is not a checkpoint/);
    writeFileSync(checkpointsPath(log), "");
    v = verify();
    expect(v).toMatchObject({ ok: false, kind: "sidecar_damaged" });
    if (!v.ok) expect(v.reason).toMatch(/holds no checkpoint, but the log holds 3 signed ones/);
    writeFileSync(checkpointsPath(log), original);
    expect(verify().ok).toBe(true);
  });
});
