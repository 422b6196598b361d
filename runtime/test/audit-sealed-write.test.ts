// The log seals a record by hashing its canonical JSON as a string and lets the sink encode the line
// into its own buffer; the file sink instead encodes the JSON once and hashes those bytes (appendUnsealed,
// first in a tee). Whatever the records hold (any Unicode, escapes, nesting), every sink must store
// exactly the line the reference serializer gives, sealed by the SHA-256 of exactly those bytes, and a
// sink that only takes bytes must get the same bytes. Allowed calls waiting together share one write,
// and none of them resolves before its record is in the file.
import fc from "fast-check";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  type AuditLog,
  MemoryAuditSink,
  canonicalJson,
  openFileAuditLog,
  verifyAuditLog,
  type AuditEntry,
  type AuditRecord,
  type AuditSink,
} from "../src/audit/index.js";

const tmp = mkdtempSync(join(tmpdir(), "charter-sealed-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A sink with only the byte interface, as third-party sinks written before appendSealed have. */
class BytesSink implements AuditSink {
  readonly chunks: Buffer[] = [];
  append(_record: AuditRecord, line: Uint8Array): void {
    this.chunks.push(Buffer.from(line));
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

const anyString = fc.string({
  unit: fc.oneof(
    fc.constant("😀"),
    fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  ),
});
const entryArb: fc.Arbitrary<AuditEntry> = fc.record(
  {
    agent: anyString,
    session: anyString,
    event: fc.constantFrom("decision", "alert", "approval", "tool_result"),
    trace: fc.array(fc.record({ rule: anyString, reason: anyString }), { maxLength: 3 }),
    outcome: fc.oneof(fc.constantFrom("allow", "deny", "approved"), anyString),
    action: fc.record({ tool: anyString, args: fc.jsonValue({ maxDepth: 4 }) }, { requiredKeys: ["tool"] }),
    approver: anyString,
    detail: fc.dictionary(anyString, fc.jsonValue({ maxDepth: 3 })),
    enforced: fc.boolean(),
  },
  { requiredKeys: ["agent", "session", "event", "trace", "outcome"] },
);

/** What the line of `r` must be: the reference canonical JSON, then the hash it seals. */
function expectedLine(r: AuditRecord): string {
  const unsealed = canonicalJson(r, "hash");
  expect(r.hash).toBe("sha256:" + createHash("sha256").update(Buffer.from(unsealed, "utf8")).digest("hex"));
  return unsealed.slice(0, -1) + `,"hash":"${r.hash}"}\n`;
}

describe("sealed writes", () => {
  it("file, memory and byte-only sinks store the reference line of every record", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 25 }), async (entries) => {
        const path = join(tmp, `p${run++}.jsonl`);
        const memory = new MemoryAuditSink();
        const bytes = new BytesSink();
        const opened = openFileAuditLog(path, { clock: () => 1_700_000_000_000, also: [memory, bytes] });
        if (!opened.ok) throw new Error(opened.error.message);
        const records = entries.map((e) => opened.log.write(e));
        await opened.log.close();
        const expected = records.map(expectedLine).join("");
        expect(readFileSync(path, "utf8")).toBe(expected);
        expect(memory.text()).toBe(expected);
        expect(Buffer.concat(bytes.chunks).toString("utf8")).toBe(expected);
        expect(verifyAuditLog(expected)).toMatchObject({ ok: true, records: entries.length });
        rmSync(path, { force: true });
        // the file sink on its own (no tee in front of it) writes and seals the same bytes
        const alone = openFileAuditLog(path, { clock: () => 1_700_000_000_000 });
        if (!alone.ok) throw new Error(alone.error.message);
        const again = entries.map((e) => alone.log.write(e));
        await alone.log.close();
        expect(again.map((r) => r.hash)).toEqual(records.map((r) => r.hash));
        expect(readFileSync(path, "utf8")).toBe(expected);
        rmSync(path, { force: true });
      }),
      { numRuns: 60 },
    );
  });

  it("a record larger than the batch buffer is written whole", async () => {
    const path = join(tmp, "big.jsonl");
    const opened = openFileAuditLog(path);
    if (!opened.ok) throw new Error(opened.error.message);
    const big = "é😀x".repeat(200_000); // ~1.8 MB of UTF-8, more than the 256 KiB batch
    const r1 = opened.log.write({
      agent: "a",
      session: "s",
      event: "decision",
      trace: [],
      outcome: "allow",
      action: { tool: "t", args: { big } },
    });
    const r2 = opened.log.write({ agent: "a", session: "s", event: "decision", trace: [], outcome: "deny" });
    await opened.log.durable();
    await opened.log.close();
    expect(readFileSync(path, "utf8")).toBe(expectedLine(r1) + expectedLine(r2));
  });

  it("256 allowed calls in one tick share one write, and each resolves only once its record is in the file", async () => {
    const path = join(tmp, "round.jsonl");
    const opened = openFileAuditLog(path);
    if (!opened.ok) throw new Error(opened.error.message);
    const log: AuditLog = opened.log;
    const waits: Promise<number>[] = [];
    const rounds = new Set<Promise<void>>();
    for (let i = 0; i < 256; i++) {
      const r = log.write({ agent: "a", session: "s", event: "decision", trace: [], outcome: "allow", action: { tool: "t", args: { i } } });
      const w = log.durable();
      expect(w).toBeDefined();
      rounds.add(w!);
      // at resolution, the file must already hold this record's line
      waits.push(w!.then(() => readFileSync(path, "utf8").indexOf(`"hash":"${r.hash}"`)));
    }
    expect(rounds.size).toBe(1); // one promise, one write for all of them
    const positions = await Promise.all(waits);
    expect(positions.every((p) => p > 0)).toBe(true);
    // nothing left to wait for once everything is written
    expect(log.durable()).toBeUndefined();
    await log.close();
    expect(verifyAuditLog(readFileSync(path, "utf8"))).toMatchObject({ ok: true, records: 256 });
  });
});
