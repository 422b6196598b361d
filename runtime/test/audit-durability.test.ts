// DEPLOYMENT.md §4 durability and single writer, against a real child process: a call the child acted on
// (printed after authorize resolved) always has its record on disk, whether the child dies by SIGKILL or
// stops on SIGTERM; a second writer on the same file is refused; a lock left by a killed writer is stale.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { generateKeys } from "@charter/language";
import { checkpointsPath, openFileAuditLog, parseAuditRecords, parseCheckpoints, verifyAuditLog } from "../src/index.js";

let dir: string;
let script: string;
let key: string;
let pub: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-durability-"));
  script = join(dir, "audit-writer.mjs");
  buildSync({
    entryPoints: [join(import.meta.dirname, "fixtures/audit-writer.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: script,
    logLevel: "silent",
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  writeFileSync(join(dir, "audit-policy.charter"), readFileSync(join(import.meta.dirname, "fixtures/audit-policy.charter")));
  const k = generateKeys();
  key = join(dir, "checkpoint.key");
  writeFileSync(key, k.privatePem, { mode: 0o600 });
  pub = k.publicKey;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  child: ChildProcess;
  acted: Set<number>;
  /** Resolves once `n` calls were acted on. */
  actedAtLeast(n: number): Promise<void>;
  ready: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(log: string, mode: string, withKey = false): Run {
  const child = spawn(process.execPath, [script, log, mode, ...(withKey ? [key] : [])], { stdio: ["ignore", "pipe", "inherit"] });
  const acted = new Set<number>();
  let buffered = "";
  let firstLine: ((l: string) => void) | undefined;
  const ready = new Promise<string>((r) => (firstLine = r));
  const watchers: { n: number; resolve: () => void }[] = [];
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (firstLine) {
        firstLine(line);
        firstLine = undefined;
      }
      const m = /^acted (\d+)$/.exec(line);
      if (m) acted.add(Number(m[1]));
    }
    for (const w of watchers.splice(0)) acted.size >= w.n ? w.resolve() : watchers.push(w);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("exit", (code, signal) => r({ code, signal })),
  );
  return {
    child,
    acted,
    ready,
    exited,
    actedAtLeast: (n) => new Promise<void>((resolve) => (acted.size >= n ? resolve() : watchers.push({ n, resolve }))),
  };
}

function recordedIds(log: string): Set<number> {
  const ids = new Set<number>();
  for (const r of parseAuditRecords(readFileSync(log, "utf8"))) {
    if (r.event === "decision" && r.outcome === "allow") ids.add((r.action!.args as { id: number }).id);
  }
  return ids;
}

describe.each([
  ["sealed by the deciding thread", ""],
  ["sealed off-thread (charter serve)", "+offthread"],
])("the record of a call that ran survives the death of the process, %s", (_, variant) => {
  it("SIGKILL under load: every acted call has its allow record; the chain verifies", async () => {
    const log = join(dir, `kill${variant}.jsonl`);
    const r = run(log, "load" + variant);
    expect(await r.ready).toBe("ready");
    await r.actedAtLeast(2000);
    r.child.kill("SIGKILL");
    expect((await r.exited).signal).toBe("SIGKILL");
    const onDisk = recordedIds(log);
    const missing = [...r.acted].filter((id) => !onDisk.has(id));
    expect(r.acted.size).toBeGreaterThanOrEqual(2000);
    expect(missing).toEqual([]);
    // the kill may tear the last line only if it hit a write mid-way; whole lines always chain
    const text = readFileSync(log, "utf8");
    const whole = text.slice(0, text.lastIndexOf("\n") + 1);
    expect(verifyAuditLog(whole)).toMatchObject({ ok: true });
  });

  it("exactly 100 allowed decisions then SIGKILL: all 100 are on disk", async () => {
    const log = join(dir, `hundred${variant}.jsonl`);
    const r = run(log, "load" + variant);
    await r.ready;
    await r.actedAtLeast(100);
    r.child.kill("SIGKILL");
    await r.exited;
    const onDisk = recordedIds(log);
    expect([...r.acted].filter((id) => !onDisk.has(id))).toEqual([]);
    expect(onDisk.size).toBeGreaterThanOrEqual(100);
  });

  it("SIGTERM under load: everything flushed, the closing checkpoint signed, the chain verifies with the key", async () => {
    const log = join(dir, `term${variant}.jsonl`);
    const r = run(log, "load" + variant, true);
    await r.ready;
    await r.actedAtLeast(1500);
    r.child.kill("SIGTERM");
    expect((await r.exited).signal).toBe("SIGTERM");
    const onDisk = recordedIds(log);
    expect([...r.acted].filter((id) => !onDisk.has(id))).toEqual([]);
    const result = verifyAuditLog(readFileSync(log, "utf8"), {
      checkpointPub: pub,
      sidecar: parseCheckpoints(readFileSync(checkpointsPath(log), "utf8")).checkpoints,
    });
    expect(result).toMatchObject({ ok: true });
    // denied calls were recorded too (SIGTERM flushes the batch they sat in)
    expect(parseAuditRecords(readFileSync(log, "utf8")).some((x) => x.outcome === "deny")).toBe(true);
    expect(existsSync(log + ".lock")).toBe(false);
  });

  it("fsync: true (group commit) keeps the same guarantee", async () => {
    const log = join(dir, `fsync${variant}.jsonl`);
    const r = run(log, "fsync" + variant);
    await r.ready;
    await r.actedAtLeast(300);
    r.child.kill("SIGKILL");
    await r.exited;
    const onDisk = recordedIds(log);
    expect([...r.acted].filter((id) => !onDisk.has(id))).toEqual([]);
  });

  it("process.exit right after 5,000 unawaited decisions: every record is written, the chain verifies", async () => {
    const log = join(dir, `exit${variant}.jsonl`);
    const r = run(log, "exit" + variant);
    await r.ready;
    expect((await r.exited).code).toBe(0);
    const records = parseAuditRecords(readFileSync(log, "utf8"));
    expect(records.filter((x) => x.event === "decision")).toHaveLength(5000);
    expect(verifyAuditLog(readFileSync(log, "utf8"))).toMatchObject({ ok: true, records: 5000 });
  });
});

describe("one writer per chain", () => {
  it("a second process opening the same log is refused with a clear error", async () => {
    const log = join(dir, "two.jsonl");
    const first = run(log, "hold");
    expect(await first.ready).toBe("ready");
    const second = run(log, "open-once");
    const line = await second.ready;
    expect((await second.exited).code).toBe(3);
    const error = JSON.parse(line).error;
    expect(error.kind).toBe("locked");
    expect(error.message).toContain(`already being written by process ${first.child.pid}`);
    expect(error.message).toContain("one writer per chain");
    // in this process too
    const here = openFileAuditLog(log);
    expect(here).toMatchObject({ ok: false, error: { kind: "locked" } });
    first.child.kill("SIGKILL");
    await first.exited;
    // the killed writer's lock is stale now: the next writer takes over and continues the chain
    const third = run(log, "open-once");
    expect(await third.ready).toBe("ready");
    expect((await third.exited).code).toBe(0);
    expect(verifyAuditLog(readFileSync(log, "utf8"))).toMatchObject({ ok: true });
  });

  it("the same process cannot open one log twice, and can reopen it after close", async () => {
    const log = join(dir, "twice.jsonl");
    const a = openFileAuditLog(log);
    if (!a.ok) throw new Error(a.error.message);
    expect(openFileAuditLog(log)).toMatchObject({
      ok: false,
      error: { kind: "locked", message: expect.stringContaining("this process already") },
    });
    await a.log.close();
    const b = openFileAuditLog(log);
    expect(b.ok).toBe(true);
    if (b.ok) await b.log.close();
  });
});
