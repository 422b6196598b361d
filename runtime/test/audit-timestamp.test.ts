// The log formats its records' timestamps itself (audit/timestamp.ts) instead of calling toISOString for
// each: the string must be toISOString's for every time, day boundaries, leap days and the edges of the
// four-digit years included, and what the fast path does not handle must still behave as toISOString.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoUtc } from "../src/audit/timestamp.js";
import { AuditLog, MemoryAuditSink, canonicalJson, verifyAuditLog } from "../src/audit/index.js";

const YEAR_10000 = 253_402_300_800_000;

describe("record timestamps", () => {
  it("are toISOString's, at the edges", () => {
    const edges = [
      0,
      1,
      999,
      1000,
      59_999,
      60_000,
      3_599_999,
      3_600_000,
      86_399_999,
      86_400_000,
      86_400_001,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2000, 2, 1),
      Date.UTC(2100, 1, 28, 12),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      YEAR_10000 - 1,
      YEAR_10000,
      YEAR_10000 + 1,
      8.64e15,
      -1,
      -86_400_000,
      -8.64e15,
      1.5,
      1e12 + 0.25,
    ];
    for (const ms of edges) expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
  });

  it("are toISOString's for any time a Date holds, in any order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8.64e15, max: 8.64e15 }), { minLength: 1, maxLength: 50 }), (times) => {
        for (const ms of times) expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: YEAR_10000 - 1 }), (ms) => {
        expect(isoUtc(ms)).toBe(new Date(ms).toISOString());
        expect(isoUtc(ms + 1)).toBe(new Date(ms + 1).toISOString()); // mostly the same day, cached
      }),
      { numRuns: 20_000 },
    );
  });

  it("throw as toISOString does for a time that is none", () => {
    for (const bad of [Number.NaN, 8.64e15 + 1, Number.POSITIVE_INFINITY]) {
      expect(() => new Date(bad).toISOString()).toThrow(RangeError);
      expect(() => isoUtc(bad)).toThrow(RangeError);
    }
  });

  it("are what the log writes, with a clock that moves on every record", () => {
    let now = Date.UTC(2026, 0, 1) - 5_000;
    const sink = new MemoryAuditSink();
    const log = new AuditLog(sink, { clock: () => (now += 7_777) });
    for (let i = 0; i < 500; i++) {
      const r = log.write({ agent: "a", session: "s", event: "decision", trace: [], outcome: "allow" });
      expect(r.ts).toBe(new Date(now).toISOString());
      expect(sink.lines[i]).toBe(canonicalJson(r, "hash").slice(0, -1) + `,"hash":"${r.hash}"}\n`);
    }
    expect(verifyAuditLog(sink.text())).toMatchObject({ ok: true, records: 500 });
  });
});
