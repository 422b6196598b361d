import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { buildSync } from "esbuild";
import { FileAuditSink, openFileAuditLog, verifyAuditLog } from "../src/audit/index.js";
import type { AuditEntry, AuditLog } from "../src/audit/index.js";

const entry = (i: number): AuditEntry => ({
  agent: "invoice-agent",
  session: "s",
  event: "decision",
  trace: [{ rule: "grant", reason: `call ${i} — ünïcode ✓` }],
  action: { tool: "readInvoice", args: { id: i } },
  outcome: "allow",
});

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-audit-"));
  path = join(dir, "audit.jsonl");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(options = {}): AuditLog {
  const opened = openFileAuditLog(path, options);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.log;
}

async function writeLog(n: number, from = 0): Promise<void> {
  const log = open();
  for (let i = from; i < from + n; i++) log.write(entry(i));
  await log.close();
}

describe("FileAuditSink", () => {
  it("writes to a pipe without a writer lock beside it, and refuses a directory before locking", async () => {
    // FileAuditSink.open tells the three apart with one stat: a pipe has no chain on disk to protect
    const fifo = join(dir, "audit.fifo");
    execFileSync("mkfifo", [fifo]);
    const opened = openFileAuditLog(fifo);
    expect(opened.ok).toBe(true);
    if (opened.ok) {
      opened.log.write(entry(1));
      await opened.log.close();
    }
    expect(existsSync(fifo + ".lock")).toBe(false);
    const refused = FileAuditSink.open(dir);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain("is a directory; name the log file inside it");
    expect(existsSync(dir + ".lock")).toBe(false);
  });
  it("writes a verifiable log and resumes its chain on reopen", async () => {
    await writeLog(3);
    await writeLog(2, 3);
    const text = readFileSync(path, "utf8");
    expect(text.split("\n")).toHaveLength(6);
    expect(verifyAuditLog(text)).toMatchObject({ ok: true, records: 5, recoveries: [] });
  });

  it("batches records of calls that did not run: nothing reaches the file before a batch fills or a flush", async () => {
    const log = open({ batchRecords: 3, flushMs: 60_000 });
    const denied = (i: number): AuditEntry => ({ ...entry(i), outcome: "deny" });
    log.write(denied(0));
    log.write(denied(1));
    expect(readFileSync(path, "utf8")).toBe("");
    log.write(denied(2));
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 3 });
    log.write(denied(3));
    await log.flush();
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 4 });
    await log.close();
  });

  it("flushes after flushMs", async () => {
    const log = open({ batchRecords: 1000, flushMs: 5 });
    log.write(entry(0));
    await new Promise((r) => setTimeout(r, 40));
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 1 });
    await log.close();
  });

  it("a denial recorded after an allowed call's commit is still written within flushMs", async () => {
    const log = open({ batchRecords: 1000, flushMs: 30 });
    const denied = (i: number): AuditEntry => ({ ...entry(i), outcome: "deny" });
    log.write(denied(0)); // arms the flush timer
    log.write(entry(1));
    await log.durable(); // the commit writes both; the timer stays armed
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 2 });
    log.write(denied(2)); // no timer of its own: the one already armed fires sooner than its deadline
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 2 });
    await new Promise((r) => setTimeout(r, 100));
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 3 });
    log.write(denied(3)); // after the timer fired, a new one is armed
    await new Promise((r) => setTimeout(r, 100));
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 4 });
    await log.close();
  });

  it("flushes pending records when the process exits", () => {
    const script = join(dir, "exit.mjs");
    buildSync({
      stdin: {
        contents: `
          import { openFileAuditLog } from ${JSON.stringify(join(process.cwd(), "runtime/src/audit/index.ts"))};
          const o = openFileAuditLog(process.argv[2], { batchRecords: 1000, flushMs: 60000 });
          for (let i = 0; i < 5; i++) o.log.write({ agent: "a", session: "s", event: "decision", trace: [], outcome: "allow" });
          process.exit(0);`,
        resolveDir: process.cwd(),
        loader: "ts",
      },
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: script,
      logLevel: "silent",
    });
    execFileSync(process.execPath, [script, path]);
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 5 });
  });

  it("after a crash tore the last line, writes a recovered record that verify accepts and reports", async () => {
    await writeLog(3);
    appendFileSync(path, '{"action":{"args":{"id":3},"tool":"readInv'); // the crash
    const opened = openFileAuditLog(path);
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.recovered).toMatchObject({ seq: 4, event: "recovered", outcome: "recovered" });
    opened.log.write(entry(99));
    await opened.log.close();
    const text = readFileSync(path, "utf8");
    expect(verifyAuditLog(text)).toMatchObject({ ok: true, records: 5, recoveries: [{ line: 4, recoveredAt: 5, seq: 4 }] });
    // The torn bytes are fingerprinted: changing them afterwards breaks the chain at that line.
    expect(verifyAuditLog(text.replace('"tool":"readInv\n', '"tool":"readIn\n'))).toMatchObject({ ok: false, line: 4 });
  });

  it("recovers a first write torn in an empty file", async () => {
    writeFileSync(path, '{"agent":"a","ev');
    await writeLog(1);
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 2, recoveries: [{ line: 1 }] });
  });

  it("refuses to open on a torn tail when asked to", async () => {
    await writeLog(2);
    appendFileSync(path, '{"trunc');
    const opened = openFileAuditLog(path, { tornTail: "refuse" });
    expect(opened).toMatchObject({ ok: false, error: { kind: "torn_tail" } });
    expect(readFileSync(path, "utf8").endsWith('{"trunc')).toBe(true);
  });

  it("keeps a whole record that lost only its newline", async () => {
    await writeLog(3);
    writeFileSync(path, readFileSync(path, "utf8").slice(0, -1));
    const opened = openFileAuditLog(path);
    expect(opened).toMatchObject({ ok: true, completedLastLine: true });
    if (!opened.ok) return;
    opened.log.write(entry(3));
    await opened.log.close();
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 4, recoveries: [] });
  });

  it("refuses to append after a last line that is complete but not a sealed record", async () => {
    await writeLog(2);
    appendFileSync(path, '{"seq":3,"prev":"x","hash":"sha256:00"}\n');
    expect(openFileAuditLog(path)).toMatchObject({ ok: false, error: { kind: "corrupt_tail" } });
  });

  it("reports an I/O error as a value", () => {
    expect(FileAuditSink.open(join(dir, "missing", "audit.jsonl"))).toMatchObject({ ok: false, error: { kind: "io" } });
  });

  it.runIf(existsSync("/dev/full"))("exposes a failing disk through failure and a rejected flush", async () => {
    const opened = FileAuditSink.open("/dev/full");
    if (!opened.ok) throw new Error(opened.error.message);
    const { AuditLog } = await import("../src/audit/index.js");
    const log = new AuditLog(opened.sink);
    log.write(entry(0));
    expect(log.failure).toBeUndefined();
    await expect(log.flush()).rejects.toThrow(/ENOSPC|no space/i);
    expect(log.failure).toMatchObject({ kind: "write_failed" });
    await expect(log.close()).rejects.toThrow();
  });
});
