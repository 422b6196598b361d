// A session's history, behind a store interface like the rate windows' (runtime/src/rate): what the
// session was offered to read (each text's trust, and the values in it), which tools it called, and
// running sums for budgets. The decision core reads a snapshot of it; the guard writes to it after a
// decision. The in-memory store answers synchronously; a shared store may return Promises, which only
// `authorize` awaits.
import { extractValues } from "./values.js";

/** Trust levels as ranks: untrusted 0 < low 1 < medium 2 < high 3. */
export type TrustRank = 0 | 1 | 2 | 3;

export const TRUST_RANK: Readonly<Record<string, TrustRank>> = Object.freeze({ untrusted: 0, low: 1, medium: 2, high: 3 });

/** What the decision core reads. Plain data: a store can serialise it, a test can write it by hand. */
export interface SessionSnapshot {
  /** The lowest trust of any text offered to the session; 4 while it has read nothing. */
  minTrust: number;
  /** normalised value → the highest trust of any text it appeared in */
  values: ReadonlyMap<string, number>;
  /** the texts by trust rank, lower-cased and joined (bounded): where values of several words are searched */
  texts: readonly string[];
  /** tools called (allowed, or approved and run) */
  called: ReadonlySet<string>;
  /** tool → calls counted against `rate N per session` */
  calls: ReadonlyMap<string, number>;
  /** budget key → sum so far in this session */
  sums: ReadonlyMap<string, number>;
}

/** One text the session was offered, with its source's trust. */
export interface IngestFact {
  source: string;
  trust: TrustRank;
  text: string;
}

/** One call that ran: the tool, and the amounts it adds to its budgets (key → amount). */
export interface CallFact {
  tool: string;
  /** `rate N per session` counts the call under this key when set */
  sessionRateKey?: string;
  amounts?: readonly { key: string; amount: number; windowMs: number | null }[];
}

type MaybePromise<T> = T | Promise<T>;

export interface SessionStore {
  /** The session's history; an empty one when it has none. */
  snapshot(session: string): MaybePromise<SessionSnapshot>;
  recordIngest(session: string, fact: IngestFact): MaybePromise<void>;
  recordCall(session: string, fact: CallFact, now: number): MaybePromise<void>;
  /** The sum of `key`'s amounts in (now - windowMs, now], over every session (windowed budgets). */
  windowSum(key: string, now: number, windowMs: number): MaybePromise<number>;
}

export const EMPTY_SNAPSHOT: SessionSnapshot = Object.freeze({
  minTrust: 4,
  values: new Map<string, number>(),
  texts: Object.freeze(["", "", "", ""]),
  called: new Set<string>(),
  calls: new Map<string, number>(),
  sums: new Map<string, number>(),
});

/** Characters of text kept per trust rank for multi-word provenance; older text is kept, newer dropped. */
const MAX_TEXT = 1 << 20;

interface History {
  minTrust: number;
  values: Map<string, number>;
  texts: string[];
  called: Set<string>;
  calls: Map<string, number>;
  sums: Map<string, number>;
}

/** Amounts of one windowed budget key in time order; old ones are dropped as the window moves. */
interface AmountWindow {
  times: number[];
  amounts: number[];
  head: number;
  sum: number;
}

/**
 * The in-process store. The snapshot it returns is the live history (no copy): the decision core only
 * reads it, and nothing writes between a snapshot and the decision made from it.
 */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, History>();
  private readonly windows = new Map<string, AmountWindow>();

  /**
   * The history last looked up: the guard asks for a session's snapshot and then records the call it
   * allowed, so the second lookup of the pair is a string compare.
   */
  private lastId: string | undefined;
  private last: History | undefined;

  snapshot(session: string): SessionSnapshot {
    if (session === this.lastId) return this.last!;
    const h = this.sessions.get(session);
    if (h === undefined) return EMPTY_SNAPSHOT;
    this.lastId = session;
    this.last = h;
    return h;
  }

  private history(session: string): History {
    if (session === this.lastId) return this.last!;
    let h = this.sessions.get(session);
    if (h === undefined) {
      h = { minTrust: 4, values: new Map(), texts: ["", "", "", ""], called: new Set(), calls: new Map(), sums: new Map() };
      this.sessions.set(session, h);
    }
    this.lastId = session;
    this.last = h;
    return h;
  }

  recordIngest(session: string, fact: IngestFact): void {
    const h = this.history(session);
    if (fact.trust < h.minTrust) h.minTrust = fact.trust;
    for (const v of extractValues(fact.text)) {
      const seen = h.values.get(v);
      if (seen === undefined || seen < fact.trust) h.values.set(v, fact.trust);
    }
    const kept = h.texts[fact.trust]!;
    if (kept.length < MAX_TEXT) h.texts[fact.trust] = kept + "\n" + fact.text.toLowerCase().slice(0, MAX_TEXT - kept.length);
  }

  recordCall(session: string, fact: CallFact, now: number): void {
    const h = this.history(session);
    h.called.add(fact.tool);
    if (fact.sessionRateKey !== undefined) h.calls.set(fact.sessionRateKey, (h.calls.get(fact.sessionRateKey) ?? 0) + 1);
    if (fact.amounts === undefined) return;
    for (const a of fact.amounts) {
      if (a.windowMs === null) h.sums.set(a.key, (h.sums.get(a.key) ?? 0) + a.amount);
      else {
        let w = this.windows.get(a.key);
        if (w === undefined) this.windows.set(a.key, (w = { times: [], amounts: [], head: 0, sum: 0 }));
        w.times.push(now);
        w.amounts.push(a.amount);
        w.sum += a.amount;
      }
    }
  }

  windowSum(key: string, now: number, windowMs: number): number {
    const w = this.windows.get(key);
    if (w === undefined) return 0;
    while (w.head < w.times.length && now - w.times[w.head]! >= windowMs) {
      w.sum -= w.amounts[w.head]!;
      w.head++;
    }
    if (w.head > 64 && w.head * 2 > w.times.length) {
      w.times = w.times.slice(w.head);
      w.amounts = w.amounts.slice(w.head);
      w.head = 0;
    }
    return w.head === w.times.length ? 0 : w.sum;
  }

  /** Forgets a finished session. */
  forget(session: string): void {
    if (session === this.lastId) this.lastId = this.last = undefined;
    this.sessions.delete(session);
  }

  get size(): number {
    return this.sessions.size;
  }
}
