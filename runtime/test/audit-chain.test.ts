import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  AuditLog,
  GENESIS_HASH,
  MemoryAuditSink,
  TeeAuditSink,
  canonicalJson,
  quoteJson,
  describeAuditVerification,
  serializeUnsealed,
  verifyAuditLog,
} from "../src/audit/index.js";
import type { AuditEntry, AuditRecord } from "../src/audit/index.js";

const arbEntry: fc.Arbitrary<AuditEntry> = fc.record(
  {
    agent: fc.string(),
    session: fc.string(),
    event: fc.constantFrom("decision", "approval", "ingest_refused", "output_filtered", "alert", "isolation"),
    inputHash: fc.string(),
    trace: fc.array(fc.record({ rule: fc.string(), reason: fc.string({ unit: "binary" }) }), { maxLength: 3 }),
    action: fc.record({ tool: fc.string(), args: fc.jsonValue() }, { requiredKeys: ["tool"] }),
    outcome: fc.constantFrom("allow", "deny", "approved", "rejected", "timeout"),
    outputHash: fc.string(),
    guardrail: fc.array(fc.record({ kind: fc.string(), severity: fc.constantFrom("low", "high"), score: fc.double({ noNaN: true }) }), {
      maxLength: 2,
    }),
    approver: fc.string(),
  },
  { requiredKeys: ["agent", "session", "event", "trace", "outcome"] },
) as fc.Arbitrary<AuditEntry>;

function logOf(entries: AuditEntry[]): { text: string; lines: string[]; records: AuditRecord[] } {
  const sink = new MemoryAuditSink();
  let t = Date.UTC(2026, 0, 1);
  const log = new AuditLog(sink, { clock: () => (t += 7) });
  for (const e of entries) log.write(e);
  return { text: sink.text(), lines: sink.lines.map((l) => l.slice(0, -1)), records: sink.records };
}

const simple = (i: number): AuditEntry => ({
  agent: "procurement-assistant-v2",
  session: "s1",
  event: "decision",
  trace: [{ rule: "grant", reason: `call ${i}` }],
  action: { tool: "readInvoice", args: { n: i } },
  outcome: i % 3 === 0 ? "deny" : "allow",
});

/** The first line (1-based) where two logs differ, or the length of the shorter plus one. */
function firstDifferentLine(a: string[], b: string[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i + 1;
}

const join = (lines: string[]) => lines.map((l) => l + "\n").join("");

describe("record serialisation", () => {
  it("the hand-written serializer is canonical JSON of the record", () => {
    fc.assert(
      fc.property(arbEntry, fc.nat(), fc.string(), (entry, seq, prev) => {
        const rec = { ...entry, seq, ts: "2026-01-01T00:00:00.000Z", prev };
        expect(serializeUnsealed(rec)).toBe(canonicalJson(rec, "hash"));
      }),
    );
  });

  it("canonical JSON survives a parse round trip", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = canonicalJson(v);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
    );
  });

  it("quotes strings exactly as JSON.stringify, lone surrogates included", () => {
    const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    fc.assert(
      fc.property(fc.string({ unit }), (s) => {
        expect(quoteJson(s)).toBe(JSON.stringify(s));
      }),
    );
  });

  it("sorts keys and drops undefined like JSON.stringify", () => {
    expect(canonicalJson({ b: 1, a: [undefined, 2n, NaN], c: undefined })).toBe('{"a":[null,"2",null],"b":1}');
  });
});

describe("verifyAuditLog", () => {
  it("accepts a fresh log, numbered from 1 and linked to genesis", () => {
    const { text, records } = logOf(Array.from({ length: 5 }, (_, i) => simple(i)));
    expect(records[0]!.seq).toBe(1);
    expect(records[0]!.prev).toBe(GENESIS_HASH);
    expect(records[1]!.prev).toBe(records[0]!.hash);
    const result = verifyAuditLog(text);
    expect(result).toMatchObject({ ok: true, records: 5, head: { seq: 5, hash: records[4]!.hash } });
    expect(describeAuditVerification(result, "a.jsonl")).toBe("a.jsonl: chain intact, 5 records");
  });

  it("accepts an empty log", () => {
    expect(verifyAuditLog("")).toMatchObject({ ok: true, records: 0 });
  });

  it("records arbitrary entries that verify", () => {
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 6 }), (entries) => {
        expect(verifyAuditLog(logOf(entries).text)).toMatchObject({ ok: true, records: entries.length });
      }),
      { numRuns: 50 },
    );
  });

  it("reports an edited field at its line", () => {
    const { lines } = logOf(Array.from({ length: 4 }, (_, i) => simple(i)));
    lines[2] = lines[2]!.replace('"outcome":"allow"', '"outcome":"deny"');
    const r = verifyAuditLog(join(lines));
    expect(r).toMatchObject({ ok: false, line: 3, seq: 3, kind: "hash" });
    expect(describeAuditVerification(r, "a.jsonl")).toMatch(/^a\.jsonl: chain broken at line 3 \(seq 3\): .*edited/);
  });

  it("reports a rewritten-and-rehashed record at the next link", () => {
    const { lines, records } = logOf(Array.from({ length: 4 }, (_, i) => simple(i)));
    const forged = { ...records[1]!, outcome: "allow" as const, trace: [{ rule: "grant", reason: "forged" }] };
    const sink = new MemoryAuditSink();
    new AuditLog(sink, { resume: { seq: 1, hash: forged.prev }, clock: () => 0 }).write(forged);
    lines[1] = sink.lines[0]!.slice(0, -1);
    expect(verifyAuditLog(join(lines))).toMatchObject({ ok: false, line: 3, kind: "prev" });
  });

  it("cannot see the last record cut off without an anchor, but can with one", () => {
    const { lines, records } = logOf(Array.from({ length: 4 }, (_, i) => simple(i)));
    const cut = join(lines.slice(0, 3));
    expect(verifyAuditLog(cut).ok).toBe(true);
    const anchor = { seq: 4, hash: records[3]!.hash };
    expect(verifyAuditLog(cut, { anchor })).toMatchObject({ ok: false, kind: "truncated", line: 4 });
    expect(verifyAuditLog(join(lines), { anchor }).ok).toBe(true);
    const older = { seq: 2, hash: records[1]!.hash };
    expect(verifyAuditLog(join(lines), { anchor: older }).ok).toBe(true);
  });

  it("detects a torn final line", () => {
    const { text } = logOf(Array.from({ length: 3 }, (_, i) => simple(i)));
    const torn = text.slice(0, text.length - 40);
    expect(verifyAuditLog(torn)).toMatchObject({ ok: false, line: 3, kind: "torn" });
    // Even a complete record is not committed until its newline is written.
    expect(verifyAuditLog(text.slice(0, -1))).toMatchObject({ ok: false, line: 3, kind: "torn" });
  });

  it("refuses a line whose values match its hash but whose bytes were rewritten", () => {
    const { lines } = logOf([simple(0), simple(1)]);
    // A duplicated key: JSON.parse keeps the last value, other readers may show the first.
    const dup = lines[1]!.replace('{"action"', '{"outcome":"deny","action"');
    expect(verifyAuditLog(join([lines[0]!, dup]))).toMatchObject({ ok: false, line: 2, kind: "noncanonical" });
    const pretty = JSON.stringify(JSON.parse(lines[1]!), null, 0).replace('"agent":', '"agent": ');
    expect(verifyAuditLog(join([lines[0]!, pretty]))).toMatchObject({ ok: false, line: 2, kind: "noncanonical" });
  });

  it("sends every record to each sink of a tee, in order", () => {
    const a = new MemoryAuditSink();
    const b = new MemoryAuditSink();
    const log = new AuditLog(new TeeAuditSink([a, b]));
    log.write(simple(0));
    log.write(simple(1));
    expect(a.text()).toBe(b.text());
    expect(verifyAuditLog(b.text())).toMatchObject({ ok: true, records: 2 });
  });

  it("names bad JSON, non-records and blank lines", () => {
    const { lines } = logOf([simple(0), simple(1)]);
    expect(verifyAuditLog(join([lines[0]!, "{oops", lines[1]!]))).toMatchObject({ ok: false, line: 2, kind: "bad_json" });
    expect(verifyAuditLog(join([lines[0]!, "[1]"]))).toMatchObject({ ok: false, line: 2, kind: "malformed" });
    expect(verifyAuditLog(join([lines[0]!, "", lines[1]!]))).toMatchObject({ ok: false, line: 2, kind: "empty_line" });
  });

  // Property: any single tampering is caught, at the first line that differs from the original log.
  const N = 8;
  const base = logOf(Array.from({ length: N }, (_, i) => simple(i))).lines;

  it("catches any single field edit at that line", () => {
    const fields = ["agent", "session", "event", "outcome", "ts", "seq", "prev", "hash"] as const;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: N - 1 }), fc.constantFrom(...fields), fc.string(), (k, field, value) => {
        const rec = JSON.parse(base[k]!) as Record<string, unknown>;
        const next = field === "seq" ? (rec.seq as number) + 1 + value.length : value;
        fc.pre(rec[field] !== next);
        rec[field] = next;
        const lines = base.slice();
        lines[k] = JSON.stringify(rec);
        expect(verifyAuditLog(join(lines))).toMatchObject({ ok: false, line: k + 1 });
      }),
    );
  });

  it("catches any single character change at that line", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: N - 1 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (k, at, ch) => {
        const line = base[k]!;
        const i = at % line.length;
        fc.pre(line[i] !== ch);
        const lines = base.slice();
        lines[k] = line.slice(0, i) + ch + line.slice(i + 1);
        const r = verifyAuditLog(join(lines));
        // A changed character may only be JSON whitespace if it leaves the same record: never the case here,
        // as canonical lines have no whitespace outside strings.
        expect(r).toMatchObject({ ok: false, line: k + 1 });
      }),
    );
  });

  it("catches any deletion of a record but the last, at the first line that moved", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: N - 2 }), (k) => {
        const lines = base.filter((_, i) => i !== k);
        expect(verifyAuditLog(join(lines))).toMatchObject({ ok: false, line: firstDifferentLine(base, lines), kind: "seq" });
      }),
    );
  });

  it("catches any insertion of a copied or altered record at the first line that differs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: N }), fc.integer({ min: 0, max: N - 1 }), fc.boolean(), (at, src, alter) => {
        let inserted = base[src]!;
        if (alter) inserted = inserted.replace('"session":"s1"', '"session":"s2"');
        const lines = [...base.slice(0, at), inserted, ...base.slice(at)];
        expect(verifyAuditLog(join(lines))).toMatchObject({ ok: false, line: firstDifferentLine(base, lines) });
      }),
    );
  });

  it("catches any swap of two records at the earlier one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: N - 1 }), fc.integer({ min: 0, max: N - 1 }), (a, b) => {
        fc.pre(a !== b);
        const lines = base.slice();
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        expect(verifyAuditLog(join(lines))).toMatchObject({ ok: false, line: Math.min(a, b) + 1, kind: "seq" });
      }),
    );
  });
});
