// Signed checkpoints (DEPLOYMENT.md §4): with the public key, verify detects every tampering a hash chain
// alone cannot — a missing tail, a truncated or emptied file, a rewrite with a recomputed chain, a cut
// laundered as a crash recovery — besides edits, deletions, insertions and reordering.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  appendFileSync,
  truncateSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeys, loadPrivateKey } from "@charter/language";
import {
  AuditLog,
  CheckpointSigner,
  MemoryAuditSink,
  checkpointsPath,
  openFileAuditLog,
  parseAuditRecords,
  parseCheckpoints,
  verifyAuditLog,
  type AuditEntry,
  type AuditRecord,
} from "../src/index.js";

const keys = generateKeys();
const signer = new CheckpointSigner(loadPrivateKey(keys.privatePem)!);
const pub = keys.publicKey;
const other = generateKeys().publicKey;

const entry = (i: number): AuditEntry => ({
  agent: "a",
  session: "s",
  event: "decision",
  trace: [{ rule: "granted", reason: "ok" }],
  action: { tool: "work", args: { id: i } },
  outcome: i % 5 === 0 ? "deny" : "allow",
});

let dir: string;
let log: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-cp-"));
  log = join(dir, "audit.jsonl");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function writeSigned(n: number, from = 0): Promise<void> {
  const opened = openFileAuditLog(log, { checkpointSigner: signer });
  if (!opened.ok) throw new Error(opened.error.message);
  for (let i = from; i < from + n; i++) opened.log.write(entry(i));
  await opened.log.close();
}

const sidecar = () => parseCheckpoints(readFileSync(checkpointsPath(log), "utf8")).checkpoints;
const lines = (text: string) => text.split("\n").slice(0, -1);
const join1 = (ls: string[]) => (ls.length ? ls.join("\n") + "\n" : "");
const verifyKeyed = (text: string, withSidecar = true) =>
  verifyAuditLog(text, { checkpointPub: pub, ...(withSidecar ? { sidecar: sidecar() } : {}) });

/** Recomputes a valid chain over edited records, as an attacker without the key can. */
function rechain(records: AuditRecord[]): string {
  const sink = new MemoryAuditSink();
  let ts = "";
  const out = new AuditLog(sink, { clock: () => Date.parse(ts), closeAtExit: false });
  for (const r of records) {
    ts = r.ts;
    const { seq: _s, ts: _t, prev: _p, hash: _h, ...rest } = r;
    out.write(rest as AuditEntry);
  }
  return sink.text();
}

describe("checkpoints", () => {
  it("are written every 1,000 records and at close, and an untouched log verifies with the key", async () => {
    await writeSigned(2500);
    const text = readFileSync(log, "utf8");
    const cps = parseAuditRecords(text).filter((r) => r.event === "checkpoint");
    expect(cps.map((r) => r.checkpoint!.seq)).toEqual([1000, 2001, 2502]);
    expect(cps.at(-1)!.checkpoint!.final).toBe(true);
    expect(sidecar()).toHaveLength(3);
    expect(verifyKeyed(text)).toMatchObject({ ok: true, records: 2503, signed: { checkpoints: 3, sidecar: 3, crashes: [] } });
    expect(verifyKeyed(text, false)).toMatchObject({ ok: true });
    // a reopened and closed log stays verifiable
    await writeSigned(10, 2500);
    expect(verifyKeyed(readFileSync(log, "utf8"))).toMatchObject({ ok: true, signed: { checkpoints: 4 } });
  });

  it("are written at least every 10 s even when few records come", async () => {
    const opened = openFileAuditLog(log, { checkpointSigner: signer, checkpointEveryMs: 50 });
    if (!opened.ok) throw new Error(opened.error.message);
    opened.log.write(entry(1));
    await new Promise((r) => setTimeout(r, 200));
    expect(parseAuditRecords(readFileSync(log, "utf8")).filter((r) => r.event === "checkpoint")).toHaveLength(1);
    await opened.log.close();
  });

  describe("with the key, verify detects", () => {
    let text: string;
    beforeEach(async () => {
      await writeSigned(2500);
      text = readFileSync(log, "utf8");
    });

    it("an edited record", () => {
      expect(verifyKeyed(text.replace('"id":1234}', '"id":4321}'))).toMatchObject({ ok: false, kind: "hash" });
    });
    it("a deleted record", () => {
      const ls = lines(text);
      ls.splice(700, 1);
      expect(verifyKeyed(join1(ls))).toMatchObject({ ok: false, kind: "seq" });
    });
    it("an inserted record", () => {
      const ls = lines(text);
      ls.splice(700, 0, ls[500]!);
      expect(verifyKeyed(join1(ls))).toMatchObject({ ok: false, kind: "seq" });
    });
    it("reordered records", () => {
      const ls = lines(text);
      [ls[10], ls[11]] = [ls[11]!, ls[10]!];
      expect(verifyKeyed(join1(ls))).toMatchObject({ ok: false });
    });
    it("a missing tail after the last checkpoint's record (closing checkpoint gone)", () => {
      const ls = lines(text);
      expect(verifyKeyed(join1(ls.slice(0, -1)), false)).toMatchObject({ ok: false, kind: "unsigned_tail" });
      expect(verifyKeyed(join1(ls.slice(0, -1)))).toMatchObject({ ok: false, kind: "unsigned_tail" });
      expect(verifyKeyed(join1(ls.slice(0, -200)))).toMatchObject({ ok: false, kind: "truncated" });
    });
    it("a log cut right after an earlier checkpoint", () => {
      const ls = lines(text).slice(0, 2002); // ends with the second (non-final) checkpoint
      expect(JSON.parse(ls.at(-1)!).event).toBe("checkpoint");
      expect(verifyKeyed(join1(ls), false)).toMatchObject({ ok: false, kind: "unsigned_tail" });
      expect(verifyKeyed(join1(ls))).toMatchObject({ ok: false, kind: "truncated" });
    });
    it("a truncated file (cut mid-line)", () => {
      expect(verifyKeyed(text.slice(0, Math.floor(text.length / 2)))).toMatchObject({ ok: false });
    });
    it("an emptied file", () => {
      expect(verifyKeyed("", false)).toMatchObject({ ok: false, kind: "no_checkpoint" });
      expect(verifyKeyed("")).toMatchObject({ ok: false, kind: "truncated" });
    });
    it("a rewrite with a recomputed chain, checkpoints kept or dropped", () => {
      const records = parseAuditRecords(text);
      const edited = records.map((r) => (r.seq === 1234 ? { ...r, outcome: "deny" } : r));
      const kept = rechain(edited);
      expect(verifyAuditLog(kept)).toMatchObject({ ok: true }); // the chain alone is fooled
      expect(verifyKeyed(kept, false)).toMatchObject({ ok: false, kind: "checkpoint_signature" });
      const dropped = rechain(edited.filter((r) => r.event !== "checkpoint"));
      expect(verifyAuditLog(dropped)).toMatchObject({ ok: true });
      expect(verifyKeyed(dropped, false)).toMatchObject({ ok: false, kind: "no_checkpoint" });
      expect(verifyKeyed(dropped)).toMatchObject({ ok: false });
      // keep the first checkpoint (its prefix is untouched), rewrite and shorten what follows
      const shortened = rechain(records.filter((r) => r.seq <= 1100 || (r.seq > 1200 && r.event !== "checkpoint")));
      expect(verifyKeyed(shortened, false)).toMatchObject({ ok: false, kind: "unsigned_tail" });
    });
    it("a checkpoint signed by another key", () => {
      expect(verifyAuditLog(text, { checkpointPub: other })).toMatchObject({ ok: false, kind: "checkpoint_signature" });
    });
  });

  it("without the key a cut log still verifies: that is what the CLI warns about", async () => {
    await writeSigned(1500);
    const ls = lines(readFileSync(log, "utf8"));
    expect(verifyAuditLog(join1(ls.slice(0, 300)))).toMatchObject({ ok: true, records: 300 });
  });

  it("a cut mid-line followed by a restart is not laundered as a crash recovery", async () => {
    await writeSigned(2500);
    const shipped = join(dir, "shipped.checkpoints");
    copyFileSync(checkpointsPath(log), shipped); // what the operator shipped off the host
    const text = readFileSync(log, "utf8");
    const cut = text.indexOf('"id":1500}') - 20; // mid-line, well before the last checkpoints
    truncateSync(log, Buffer.byteLength(text.slice(0, cut)));
    // the restarted writer refuses: its sidecar signs records the log no longer has
    const refused = openFileAuditLog(log, { checkpointSigner: signer });
    expect(refused).toMatchObject({ ok: false, error: { kind: "checkpoint_ahead" } });
    // the attacker removes the sidecar too and restarts; the chain and even the key's checkpoints look fine…
    unlinkSync(checkpointsPath(log));
    await writeSigned(1000, 5000);
    const laundered = readFileSync(log, "utf8");
    expect(verifyAuditLog(laundered)).toMatchObject({ ok: true });
    // …but not against the checkpoints shipped before the attack
    const result = verifyAuditLog(laundered, { checkpointPub: pub, sidecar: parseCheckpoints(readFileSync(shipped, "utf8")).checkpoints });
    expect(result).toMatchObject({ ok: false, kind: "checkpoint_mismatch" });
  });

  it("a real crash recovery verifies and is reported", async () => {
    // a writer dies without closing: simulated by cutting the closing checkpoint and tearing a line
    await writeSigned(1500);
    const ls = lines(readFileSync(log, "utf8"));
    writeFileSync(log, join1(ls.slice(0, -1)) + ls.at(-1)!.slice(0, 40));
    // the sidecar's closing checkpoint went with it (the dead writer never wrote one)
    const side = lines(readFileSync(checkpointsPath(log), "utf8"));
    writeFileSync(checkpointsPath(log), join1(side.slice(0, -1)));
    const opened = openFileAuditLog(log, { checkpointSigner: signer });
    if (!opened.ok) throw new Error(opened.error.message);
    expect(opened.recovered?.trace.map((t) => t.rule)).toEqual(["audit.torn_tail", "audit.unclean_close"]);
    opened.log.write(entry(9999));
    await opened.log.close();
    const result = verifyKeyed(readFileSync(log, "utf8"));
    expect(result).toMatchObject({ ok: true, recoveries: [{ seq: 1502 }] });
    if (result.ok) expect(result.signed!.crashes).toHaveLength(1);
    expect(existsSync(log + ".lock")).toBe(false);
  });

  it("every record names the bundle digest when the log knows it", () => {
    const sink = new MemoryAuditSink();
    const l = new AuditLog(sink, { bundle: "sha256:" + "ab".repeat(32), closeAtExit: false });
    l.write(entry(1));
    expect(sink.records[0]!.bundle).toBe("sha256:" + "ab".repeat(32));
    expect(verifyAuditLog(sink.text())).toMatchObject({ ok: true });
    appendFileSync(log, sink.text());
  });
});
