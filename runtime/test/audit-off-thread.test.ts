// Records sealed on a worker thread (off-thread-sealer.ts, what `charter serve` uses for a file log) must
// be the bytes the deciding thread would have written itself, in the same order, with the same
// durability: a call's record is on disk when durable() resolves. The ring is made small here so that
// wrapping, a full ring, a full index and a record larger than the ring all happen.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeys } from "@charter/language";
import {
  checkpointsPath,
  loadCheckpointKey,
  openFileAuditLog,
  parseCheckpoints,
  verifyAuditLog,
  type AuditEntry,
  type AuditLog,
  type FileAuditLogOptions,
} from "../src/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-offthread-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Allowed, denied and approval records; Unicode, escapes, a nested argument, now and then a large one. */
function entry(i: number, big = 0): AuditEntry {
  const allowed = i % 3 !== 2;
  return {
    agent: i % 7 === 0 ? "agent-ü" : "agent",
    session: `s${i % 5}`,
    event: "decision",
    trace: [{ rule: allowed ? "granted" : "denied", reason: `call ${i} "quoted" — ✓ ${"\u2028"}` }],
    action: {
      tool: allowed ? "work" : "nope",
      args: { id: i, note: "x".repeat(big && i % 97 === 0 ? big : i % 40), nested: { prev: "sha256:decoy" } },
    },
    outcome: allowed ? "allow" : "deny",
    ...(i % 11 === 0 ? { detail: { domains: ["example.com"], n: i } } : {}),
  };
}

function open(path: string, options: FileAuditLogOptions): AuditLog {
  let t = Date.UTC(2026, 11, 2, 8, 0, 0);
  const opened = openFileAuditLog(path, { clock: () => (t += 7), ...options });
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.log;
}

async function writeBoth(n: number, sealer: FileAuditLogOptions["sealOffThread"], big = 0): Promise<[string, string]> {
  const inline = join(dir, "inline.jsonl");
  const off = join(dir, "off.jsonl");
  const a = open(inline, {});
  const b = open(off, { sealOffThread: sealer });
  for (let i = 0; i < n; i++) {
    a.write(entry(i, big));
    b.write(entry(i, big));
    // now and then let the microtask commit and the worker run in between
    if (i % 500 === 499) await Promise.all([a.durable(), b.durable()]);
  }
  await a.close();
  await b.close();
  return [readFileSync(inline, "utf8"), readFileSync(off, "utf8")];
}

describe("sealing off-thread writes the same log", () => {
  it("byte for byte, with the default ring", async () => {
    const [inline, off] = await writeBoth(5000, true);
    expect(off).toBe(inline);
    expect(verifyAuditLog(off)).toMatchObject({ ok: true, records: 5000 });
  });

  it("byte for byte through a small ring that wraps, fills and runs out of index slots", async () => {
    const [inline, off] = await writeBoth(20_000, { ringBytes: 64 * 1024, slots: 64 });
    expect(off).toBe(inline);
    expect(verifyAuditLog(off)).toMatchObject({ ok: true, records: 20_000 });
  });

  it("records larger than the ring are sealed by the deciding thread, in order", async () => {
    const [inline, off] = await writeBoth(2000, { ringBytes: 64 * 1024 }, 50_000);
    expect(inline.length).toBeGreaterThan(20 * 50_000); // the large records are really there
    expect(off).toBe(inline);
  });

  it("continues a chain written by the deciding thread, and the next writer continues it", async () => {
    const path = join(dir, "resumed.jsonl");
    const first = open(path, {});
    for (let i = 0; i < 100; i++) first.write(entry(i));
    await first.close();
    const second = open(path, { sealOffThread: true });
    expect(second.head.seq).toBe(100);
    for (let i = 100; i < 300; i++) second.write(entry(i));
    const head = second.head; // waits for the worker: the hash of record 300
    expect(head.seq).toBe(300);
    await second.close();
    const third = open(path, {});
    expect(third.head).toEqual(head);
    await third.close();
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 300 });
  });

  it("signs checkpoints over the hashes the worker computed; verify accepts them with the key", async () => {
    const keys = generateKeys();
    const keyPath = join(dir, "k.pem");
    writeFileSync(keyPath, keys.privatePem, { mode: 0o600 });
    const signer = loadCheckpointKey(keyPath);
    if (!signer.ok) throw new Error(signer.message);
    const path = join(dir, "signed.jsonl");
    const log = open(path, { sealOffThread: { ringBytes: 64 * 1024 }, checkpointSigner: signer.key, checkpointEveryRecords: 250 });
    for (let i = 0; i < 3000; i++) log.write(entry(i));
    await log.close();
    const result = verifyAuditLog(readFileSync(path, "utf8"), {
      checkpointPub: keys.publicKey,
      sidecar: parseCheckpoints(readFileSync(checkpointsPath(path), "utf8")).checkpoints,
    });
    expect(result).toMatchObject({ ok: true, signed: { checkpoints: 13 } });
  });
});

describe("durability when sealed off-thread", () => {
  it.each([
    ["sealed by the deciding thread while the worker is idle", {}],
    ["every record through the worker", { inlineMax: 0 }],
  ])("durable() resolves only once the record is in the file: one call, then 64 at once (%s)", async (_, sealer) => {
    const path = join(dir, "durable.jsonl");
    const log = open(path, { sealOffThread: sealer });
    const lines = () => readFileSync(path, "utf8").split("\n").length - 1;
    log.write(entry(0));
    await log.durable();
    expect(lines()).toBe(1);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 64; i++) log.write(entry(1 + round * 64 + i));
      await log.durable();
      expect(lines()).toBe(1 + (round + 1) * 64);
    }
    await log.close();
  });

  it("a lone call's record that cannot be written (sealed by the deciding thread) rejects durable(), and stays failed", async () => {
    const log = open("/dev/full", { sealOffThread: true });
    log.write(entry(0));
    await expect(log.durable()).rejects.toThrow(/ENOSPC|no space/i);
    expect(log.failure?.kind).toBe("write_failed");
    log.write(entry(1));
    await expect(log.durable()).rejects.toThrow(/ENOSPC|no space/i);
    log.closeSync();
  });

  it("a store that cannot be written reports the failure, and durable() rejects", async () => {
    // /dev/full accepts the open and fails every write with ENOSPC
    const log = open("/dev/full", { sealOffThread: true });
    for (let i = 0; i < 64; i++) log.write(entry(3 * i));
    await expect(log.durable()).rejects.toThrow(/ENOSPC|no space/i);
    expect(log.failure?.kind).toBe("write_failed");
    const t0 = Date.now();
    expect(() => log.closeSync()).not.toThrow();
    expect(Date.now() - t0).toBeLessThan(3000); // a store that fails is not waited for long at close
  });
});
