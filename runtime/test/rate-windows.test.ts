import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MemoryRateStore, rateKey } from "../src/rate/index.js";

/** The obvious model: keep every allowed hit, count those still inside the window. */
class ReferenceStore {
  private readonly hits = new Map<string, number[]>();
  hit(key: string, now: number, windowMs: number, limit: number): boolean {
    const all = this.hits.get(key) ?? [];
    this.hits.set(key, all);
    if (all.filter((t) => now - t < windowMs).length >= limit) return false;
    all.push(now);
    return true;
  }
}

describe("MemoryRateStore", () => {
  it("allows `limit` hits per window and frees a slot as the oldest leaves it", () => {
    const s = new MemoryRateStore();
    const k = rateKey("agent", "tool");
    expect([0, 10, 20].map((t) => s.hit(k, t, 100, 3))).toEqual([true, true, true]);
    expect(s.hit(k, 99, 100, 3)).toBe(false);
    expect(s.hit(k, 100, 100, 3)).toBe(true); // the hit at 0 left the window
    expect(s.hit(k, 105, 100, 3)).toBe(false);
    expect(s.hit(k, 110, 100, 3)).toBe(true);
  });

  it("keeps keys apart and refuses everything for a limit below 1", () => {
    const s = new MemoryRateStore();
    expect(s.hit("a", 0, 1000, 1)).toBe(true);
    expect(s.hit("a", 1, 1000, 1)).toBe(false);
    expect(s.hit("b", 1, 1000, 1)).toBe(true);
    expect(s.hit("c", 1, 1000, 0)).toBe(false);
    expect(s.hit("c", 1, 1000, NaN)).toBe(false);
  });

  it("sweeps idle keys", () => {
    const s = new MemoryRateStore();
    s.hit("a", 0, 100, 5);
    s.hit("b", 90, 100, 5);
    s.sweep(150, 100);
    expect(s.size).toBe(1);
  });

  it("agrees with the reference model", () => {
    const step = fc.record({ key: fc.constantFrom("a", "b", "c"), dt: fc.integer({ min: 0, max: 40 }) });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(step, { maxLength: 200 }),
        (limit, windowMs, steps) => {
          const store = new MemoryRateStore();
          const model = new ReferenceStore();
          let now = 1_000;
          for (const { key, dt } of steps) {
            now += dt;
            expect(store.hit(key, now, windowMs, limit)).toBe(model.hit(key, now, windowMs, limit));
          }
        },
      ),
    );
  });

  it("agrees with the reference model across a limit change", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 5 })), { maxLength: 100 }), (steps) => {
        const store = new MemoryRateStore();
        const model = new ReferenceStore();
        let now = 0;
        for (const [dt, limit] of steps) {
          now += dt;
          expect(store.hit("k", now, 100, limit)).toBe(model.hit("k", now, 100, limit));
        }
      }),
    );
  });
});
