// Sliding-window rate limiting behind a store interface, so a shared store can later back several
// replicas. The in-memory store keeps, per key, a ring of the timestamps of the last `limit` allowed hits:
// a hit is allowed iff the limit-th most recent has left the window. O(1) per hit, no allocation once warm.

export interface RateStore {
  /**
   * Counts a hit on `key` at `now` (ms) if fewer than `limit` hits were allowed in (now - windowMs, now];
   * returns true when allowed. Refused hits are not counted. Time must not run backwards for a key.
   */
  hit(key: string, now: number, windowMs: number, limit: number): boolean;
}

/**
 * The same sliding window kept where several replicas share it (Redis): `hit` counts atomically across
 * them and rejects when the store cannot be reached, which the guard turns into a denial (fail closed).
 */
export interface SharedRateStore {
  hit(key: string, now: number, windowMs: number, limit: number): Promise<boolean>;
}

interface Window {
  /**
   * Allowed-hit timestamps in order. While shorter than the limit it only grows; from then on it is a ring
   * whose oldest entry is at `head`. It keeps the largest limit ever used, so a changed limit stays exact.
   */
  times: number[];
  head: number;
}

export class MemoryRateStore implements RateStore {
  private readonly windows = new Map<string, Window>();

  hit(key: string, now: number, windowMs: number, rawLimit: number): boolean {
    const limit = Math.floor(rawLimit);
    if (!(limit >= 1)) return false;
    const w = this.windows.get(key);
    if (w === undefined) {
      this.windows.set(key, { times: [now], head: 0 });
      return true;
    }
    const times = w.times;
    const n = times.length;
    if (n < limit) {
      // Fewer hits on record than the limit: allowed whatever their times.
      if (w.head !== 0) unroll(w);
      w.times.push(now);
      return true;
    }
    // Allowed iff the limit-th most recent hit has left the window.
    let nth = w.head + n - limit;
    if (nth >= n) nth -= n;
    if (now - times[nth]! < windowMs) return false;
    times[w.head] = now;
    w.head = w.head + 1 === n ? 0 : w.head + 1;
    return true;
  }

  /** Forgets keys with no hit inside `windowMs` as of `now`; call it now and then to bound memory. */
  sweep(now: number, windowMs: number): void {
    for (const [key, w] of this.windows) {
      const n = w.times.length;
      const newest = w.times[(w.head + n - 1) % n]!;
      if (now - newest >= windowMs) this.windows.delete(key);
    }
  }

  get size(): number {
    return this.windows.size;
  }
}

/** A larger limit than ever before: lay the ring out in time order so it can grow again. */
function unroll(w: Window): void {
  w.times = w.times.slice(w.head).concat(w.times.slice(0, w.head));
  w.head = 0;
}

/** The key the authorizer limits on; precompute it per (agent, tool) to keep the hot path allocation-free. */
export function rateKey(agent: string, tool: string): string {
  return agent + "\u0000" + tool;
}
