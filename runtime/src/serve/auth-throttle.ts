// Audit records of refused authentication, bounded: a flood of requests without a valid token must not fill
// the audit log (or the disk under it). In every window the first `individual` refusals are recorded one by
// one; the rest are counted by address and reason and recorded as one summary when the window ends (and
// when the gateway closes), so nothing goes unrecorded — it is only aggregated.

export interface RefusalSummary {
  /** refusals counted but not recorded one by one, in the window that ended */
  count: number;
  /** "ADDRESS: REASON" → count, the largest first (at most `maxKeys`, the rest under "other") */
  by: [string, number][];
  windowMs: number;
}

export interface AuthThrottleOptions {
  individual?: number;
  windowMs?: number;
  maxKeys?: number;
  record: (reason: string) => void;
  summarize: (summary: RefusalSummary) => void;
}

export class AuthRefusalThrottle {
  private readonly individual: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;
  private readonly counts = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: AuthThrottleOptions) {
    this.individual = options.individual ?? 20;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 100;
  }

  refused(address: string, reason: string, detail: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.flush();
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (++this.inWindow <= this.individual) {
      this.options.record(detail);
      return;
    }
    this.suppressed++;
    let key = `${address}: ${reason}`;
    if (!this.counts.has(key) && this.counts.size >= this.maxKeys) key = "other";
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), Math.max(1, this.windowStart + this.windowMs - now));
      this.timer.unref?.();
    }
  }

  /** Records the summary of what was counted so far (at the window's end, and on close). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.suppressed === 0) return;
    const by = [...this.counts].sort((a, b) => b[1] - a[1]);
    const summary: RefusalSummary = { count: this.suppressed, by, windowMs: this.windowMs };
    this.suppressed = 0;
    this.counts.clear();
    this.options.summarize(summary);
  }
}
