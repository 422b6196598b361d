// The audit hot path's shortcuts (memoised quoting, constant traces, memoised pseudonyms, the sorted-keys
// fast path) must give byte for byte what the plain serializer and an uncached HMAC give.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditLog, MemoryAuditSink, canonicalJson, redactArgs, serializeUnsealed, verifyAuditLog } from "../src/audit/index.js";
import { constantTrace } from "../src/audit/record.js";
import type { AuditEntry } from "../src/audit/index.js";

describe("audit hot path", () => {
  it("a constant trace serialises exactly as the same trace built per record", () => {
    const steps = [{ rule: "granted", reason: 'a "quoted" reason\u2028 with \\ and \ud800' }];
    const frozen = constantTrace(steps);
    expect(Object.isFrozen(frozen) && Object.isFrozen(frozen[0])).toBe(true);
    const rec = {
      seq: 3,
      ts: "2026-01-01T00:00:00.000Z",
      agent: "a",
      session: "s",
      event: "decision" as const,
      trace: frozen,
      outcome: "allow",
      prev: "p",
    };
    expect(serializeUnsealed(rec)).toBe(serializeUnsealed({ ...rec, trace: steps.map((t) => ({ ...t })) }));
    expect(serializeUnsealed(rec)).toBe(canonicalJson(rec, "hash"));
  });

  it("stays canonical past the quoting memo's bound, and the chain verifies", () => {
    const sink = new MemoryAuditSink();
    const log = new AuditLog(sink, { clock: () => 0 });
    for (let i = 0; i < 5000; i++) {
      const entry: AuditEntry = {
        agent: `agent-${i}`,
        session: "s",
        event: "decision",
        trace: [{ rule: `r${i % 7}`, reason: `why "${i}"` }],
        action: { tool: `t${i}`, args: { z: i, a: [i], m: { y: 1, b: 2 } } },
        outcome: "allow",
      };
      const r = log.write(entry);
      expect(sink.lines[i]).toBe(canonicalJson(r, "hash").slice(0, -1) + `,"hash":"${r.hash}"}\n`);
    }
    expect(verifyAuditLog(sink.text())).toMatchObject({ ok: true, records: 5000 });
  });

  it("orders keys as Array.prototype.sort does, whatever their order and number", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), { maxLength: 24 }),
        (keys) => {
          const obj: Record<string, number> = {};
          keys.forEach((k, i) => {
            obj[k] = i;
          });
          const expected =
            "{" +
            Object.keys(obj)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${obj[k]}`)
              .join(",") +
            "}";
          expect(canonicalJson(obj)).toBe(expected);
        },
      ),
    );
  });

  it("memoised pseudonyms depend on the key, even a key changed in place, and on the mode", () => {
    const bytes = new Uint8Array(32).fill(1);
    const key = { key: bytes };
    const first = redactArgs({ to: "bob@company.com" }, "hash", key) as { to: string };
    expect(redactArgs({ to: "bob@company.com" }, "hash", key)).toEqual(first);
    bytes[0] = 2;
    const changed = redactArgs({ to: "bob@company.com" }, "hash", key) as { to: string };
    expect(changed.to).not.toBe(first.to);
    expect(redactArgs({ to: "bob@company.com" }, "hash", { key: new Uint8Array(32).fill(1) })).toEqual(first);
    expect(redactArgs({ to: "bob@company.com" }, "redact", key)).toEqual({ to: "[REDACTED:email]" });
    expect(redactArgs({ to: "bob@company.com" }, "hash", { key: "other" })).not.toEqual(first);
  });
});

describe("the audit log's canonical JSON and the language core's", () => {
  it("agree on every JSON value", async () => {
    const core = await import("@charter/language");
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(v)).toBe(core.canonicalJson(v));
      }),
      { numRuns: 500 },
    );
  });
});

describe("approval ids from the random pool", () => {
  it("are distinct, well-formed and keep drawing past the pool's 256 ids", async () => {
    const { newApprovalId } = await import("../src/approval/approval-id.js");
    const ids = Array.from({ length: 2000 }, () => newApprovalId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^apr_[A-Za-z0-9_-]{22}$/);
  });
});
