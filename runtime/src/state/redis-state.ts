// Shared state in Redis (`state: { redis: URL }`), so replicas act as one (DEPLOYMENT.md §5):
// - monitor counters: one Lua script per observed call (the tool's window, the session's volume and recent
//   tools), so the monitor sees one session's calls together however they are spread;
// - rate windows: one Lua script per hit (trim, count, add), atomic across replicas, so `rate 3 per 1m`
//   admits three calls in total however they are spread; the same sliding window as MemoryRateStore;
// - kill switch: isolations in two keys, announced on a pub/sub channel and also polled (every 250 ms by
//   default), so a replica that missed the message still sees the isolation within a second;
// - approvals: a hash per request whose status changes from pending exactly once (a Lua compare-and-set),
//   with every transition published so the replica holding the agent's open request can answer it.
// Commands are never queued while Redis is away: they reject at once (or after `commandTimeoutMs`), the
// guard denies, and `onHealth` reports the outage and the recovery, which the gateway audits.
import type { Redis } from "ioredis";
import type { SharedRateStore } from "../rate/rate-store.js";
import type {
  ApprovalStore,
  ApprovalTransition,
  MonitorStore,
  IsolationState,
  KillSwitch,
  StateHealth,
  StateStore,
  StoredApproval,
} from "./state-store.js";

const RATE_SCRIPT = `
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  local n = redis.call('INCR', KEYS[2])
  redis.call('ZADD', key, now, ARGV[1] .. ':' .. n)
  redis.call('PEXPIRE', key, window)
  redis.call('PEXPIRE', KEYS[2], window)
  return 1
end
return 0`;

const TRANSITION_SCRIPT = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if status ~= 'pending' then return 1 end
redis.call('HSET', KEYS[1], 'status', ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'decided_by', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'comment', ARGV[3]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'decided_at', ARGV[5]) end
redis.call('ZREM', KEYS[2], ARGV[4])
redis.call('PUBLISH', KEYS[3], ARGV[4])
return 2`;

// One monitor observation (MonitorStore.observe), atomic: the tool's window (the rate script's sliding
// window), the session's volume (INCRBY) and its recent tools (a capped list). Every key expires: the
// window with the window, the session's with `monitorSessionTtlMs` of inactivity.
// KEYS: rate, rate counter, volume, recent. ARGV: now, window, limit (0: none), volume ('': none), tool,
// recent cap (0: none), session TTL.
const MONITOR_SCRIPT = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local ttl = tonumber(ARGV[7])
local ok = 1
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  if redis.call('ZCARD', KEYS[1]) < limit then
    local n = redis.call('INCR', KEYS[2])
    redis.call('ZADD', KEYS[1], now, ARGV[1] .. ':' .. n)
    redis.call('PEXPIRE', KEYS[1], window)
    redis.call('PEXPIRE', KEYS[2], window)
  else
    ok = 0
  end
end
local volume = 0
if ARGV[4] ~= '' then
  volume = redis.call('INCRBY', KEYS[3], ARGV[4])
  redis.call('PEXPIRE', KEYS[3], ttl)
end
local out = {ok, volume}
local cap = tonumber(ARGV[6])
if cap > 0 then
  redis.call('RPUSH', KEYS[4], ARGV[5])
  redis.call('LTRIM', KEYS[4], -cap, -1)
  redis.call('PEXPIRE', KEYS[4], ttl)
  local recent = redis.call('LRANGE', KEYS[4], 0, -1)
  for i = 1, #recent do out[#out + 1] = recent[i] end
end
return out`;

export interface RedisStateOptions {
  /** How long a session's monitor counters outlive its last call (default 24 h). */
  monitorSessionTtlMs?: number;
  /** Key prefix, so several deployments can share one Redis (default "charter:"). */
  prefix?: string;
  /** Kill-switch polling interval, the fallback for a lost pub/sub message (default 250 ms). */
  pollMs?: number;
  /** A command that takes longer fails (closed) (default 1000 ms). */
  commandTimeoutMs?: number;
  /** How long open waits for the first connection before returning a store that fails closed (default 2000 ms). */
  connectTimeoutMs?: number;
}

type Scripted = Redis & {
  charterMonitor(
    rate: string,
    counter: string,
    volume: string,
    recent: string,
    now: number,
    windowMs: number,
    limit: number,
    add: string,
    tool: string,
    cap: number,
    ttlMs: number,
  ): Promise<[number, number, ...string[]]>;
  charterRate(key: string, counter: string, now: number, windowMs: number, limit: number): Promise<number>;
  charterTransition(
    key: string,
    pendingSet: string,
    channel: string,
    status: string,
    by: string,
    comment: string,
    id: string,
    decidedAt: string,
  ): Promise<number>;
};

async function connect(url: string, options: RedisStateOptions): Promise<Scripted> {
  const { Redis } = await import("ioredis"); // loaded only by those who use Redis
  const r = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (times) => Math.min(50 * times, 500),
    lazyConnect: false,
  });
  r.defineCommand("charterRate", { numberOfKeys: 2, lua: RATE_SCRIPT });
  r.defineCommand("charterMonitor", { numberOfKeys: 4, lua: MONITOR_SCRIPT });
  r.defineCommand("charterTransition", { numberOfKeys: 3, lua: TRANSITION_SCRIPT });
  r.on("error", () => undefined); // reported through health; ioredis reconnects by itself
  return r as Scripted;
}

function sameState(a: IsolationState | undefined, b: IsolationState): boolean {
  if (a === undefined || a.all !== b.all || a.agents.size !== b.agents.size) return false;
  for (const [k, v] of a.agents) if (b.agents.get(k) !== v) return false;
  return true;
}

export class RedisStateStore implements StateStore {
  readonly kind = "redis" as const;
  readonly rates: SharedRateStore;
  readonly killSwitch: KillSwitch;
  readonly approvals: ApprovalStore;
  readonly monitor: MonitorStore;
  private healthy: boolean;
  private readonly healthListeners = new Set<(h: StateHealth) => void>();
  private readonly subscribers = new Set<Redis>();
  private readonly timers = new Set<ReturnType<typeof setInterval>>();

  private constructor(
    private readonly redis: Scripted,
    private readonly url: string,
    private readonly options: RedisStateOptions,
  ) {
    const p = options.prefix ?? "charter:";
    const k = {
      rate: (key: string) => `${p}rate:{${key}}`,
      rateN: (key: string) => `${p}rate:{${key}}:n`,
      isoAll: `${p}iso:all`,
      isoAgents: `${p}iso:agents`,
      isoChannel: `${p}iso`,
      approval: (id: string) => `${p}approval:${id}`,
      pending: `${p}approvals:pending`,
      approvalChannel: `${p}approvals`,
      approvalPutChannel: `${p}approvals:new`,
      // one hash tag per agent: the four keys of one observation sit in one slot
      monRate: (agent: string, tool: string) => `${p}mon:{${agent}}:rate:${tool}`,
      monRateN: (agent: string, tool: string) => `${p}mon:{${agent}}:rate:${tool}:n`,
      monVolume: (agent: string, session: string) => `${p}mon:{${agent}}:vol:${session}`,
      monRecent: (agent: string, session: string) => `${p}mon:{${agent}}:seq:${session}`,
    };
    const sessionTtl = Math.max(1000, Math.floor(options.monitorSessionTtlMs ?? 24 * 3_600_000));
    this.monitor = {
      observe: async (o) => {
        const r = await redis.charterMonitor(
          k.monRate(o.agent, o.tool),
          k.monRateN(o.agent, o.tool),
          k.monVolume(o.agent, o.session),
          k.monRecent(o.agent, o.session),
          o.now,
          o.rate?.windowMs ?? 0,
          o.rate ? Math.max(1, Math.floor(o.rate.limit)) : 0,
          o.volume === undefined ? "" : String(Math.round(o.volume)),
          o.tool,
          o.recent ?? 0,
          sessionTtl,
        );
        return { rateOk: r[0] === 1, volume: Number(r[1]), recent: r.slice(2) as string[] };
      },
    };
    this.healthy = redis.status === "ready";
    redis.on("ready", () => this.setHealth(true, `shared state ${this.where} is reachable again`));
    redis.on("close", () => this.setHealth(false, `shared state ${this.where} is unreachable`));

    this.rates = {
      hit: async (key, now, windowMs, limit) =>
        (await redis.charterRate(k.rate(key), k.rateN(key), now, windowMs, Math.floor(limit))) === 1,
    };

    const current = async (): Promise<IsolationState> => {
      const [[e1, all], [e2, agents]] = (await redis.multi().get(k.isoAll).hgetall(k.isoAgents).exec()) as [
        [Error | null, string | null],
        [Error | null, Record<string, string>],
      ];
      if (e1 || e2) throw e1 ?? e2;
      return { ...(all !== null ? { all } : {}), agents: new Map(Object.entries(agents ?? {})) };
    };
    this.killSwitch = {
      isolate: async ({ agent, reason }) => {
        const m = redis.multi();
        if (agent === undefined) m.setnx(k.isoAll, reason);
        else m.hsetnx(k.isoAgents, agent, reason);
        await m.publish(k.isoChannel, "changed").exec();
      },
      release: async (agent) => {
        const m = redis.multi();
        if (agent === undefined) m.del(k.isoAll, k.isoAgents);
        else m.hdel(k.isoAgents, agent);
        await m.publish(k.isoChannel, "changed").exec();
      },
      current,
      watch: (onChange) => {
        let last: IsolationState | undefined;
        let stopped = false;
        const refresh = (): void => {
          current().then(
            (s) => {
              if (!stopped && !sameState(last, s)) {
                last = s;
                onChange(s);
              }
            },
            () => undefined, // unreachable: keep the last known isolations (calls fail closed anyway)
          );
        };
        const unsubscribe = this.subscribe(k.isoChannel, refresh);
        const timer = setInterval(refresh, this.options.pollMs ?? 250);
        timer.unref?.();
        this.timers.add(timer);
        refresh();
        return () => {
          stopped = true;
          clearInterval(timer);
          this.timers.delete(timer);
          unsubscribe();
        };
      },
    };

    const read = async (id: string): Promise<StoredApproval | undefined> => {
      const h = await redis.hgetall(k.approval(id));
      if (!h || h.request === undefined) return undefined;
      const a = JSON.parse(h.request) as StoredApproval;
      a.status = h.status as StoredApproval["status"];
      if (h.decided_by) a.decided_by = h.decided_by;
      if (h.comment) a.comment = h.comment;
      if (h.decided_at) a.decided_at = h.decided_at;
      return a;
    };
    this.approvals = {
      put: async (a) => {
        const ttl = Math.max(60_000, Date.parse(a.expires_at) - Date.now() + 24 * 3_600_000);
        await redis
          .multi()
          .hset(k.approval(a.id), { request: JSON.stringify({ ...a, status: undefined }), status: a.status })
          .pexpire(k.approval(a.id), ttl)
          .zadd(k.pending, Date.parse(a.requested_at), a.id)
          .publish(k.approvalPutChannel, a.id)
          .exec();
      },
      get: read,
      pending: async () => {
        const ids = await redis.zrange(k.pending, 0, -1);
        const all = await Promise.all(ids.map(read));
        return all.filter((a): a is StoredApproval => a !== undefined && a.status === "pending");
      },
      transition: async (id, status, by, comment, at): Promise<ApprovalTransition> => {
        const when = at === undefined ? "" : new Date(at).toISOString();
        const r = await redis.charterTransition(k.approval(id), k.pending, k.approvalChannel, status, by ?? "", comment ?? "", id, when);
        const a = await read(id);
        if (r === 0 || a === undefined) return { ok: false, reason: "unknown" };
        if (r === 1) return { ok: false, reason: "not_pending", approval: a };
        return { ok: true, approval: a };
      },
      watch: (onTransition, onPut) => {
        const stop = this.subscribe(k.approvalChannel, (id) => {
          read(id).then(
            (a) => a && onTransition(a),
            () => undefined,
          );
        });
        const stopPut =
          onPut === undefined
            ? () => undefined
            : this.subscribe(k.approvalPutChannel, (id) => {
                read(id).then(
                  (a) => a && onPut(a),
                  () => undefined,
                );
              });
        return () => {
          stop();
          stopPut();
        };
      },
    };
  }

  private get where(): string {
    return this.url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }

  static async open(url: string, options: RedisStateOptions = {}): Promise<RedisStateStore> {
    const redis = await connect(url, options);
    const store = new RedisStateStore(redis, url, options);
    await new Promise<void>((resolve) => {
      if (redis.status === "ready") return resolve();
      const t = setTimeout(resolve, options.connectTimeoutMs ?? 2000);
      redis.once("ready", () => {
        clearTimeout(t);
        resolve();
      });
    });
    store.healthy = redis.status === "ready";
    return store;
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  /** One subscriber connection per channel watcher: a subscribed connection can issue no other command. */
  private subscribe(channel: string, onMessage: (message: string) => void): () => void {
    const sub = this.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    sub.on("error", () => undefined);
    this.subscribers.add(sub);
    sub.subscribe(channel).catch(() => undefined);
    sub.on("message", (ch: string, message: string) => {
      if (ch === channel) onMessage(message);
    });
    return () => {
      this.subscribers.delete(sub);
      sub.disconnect();
    };
  }

  private setHealth(ok: boolean, message: string): void {
    if (ok === this.healthy) return;
    this.healthy = ok;
    for (const l of this.healthListeners) l({ ok, message });
  }

  onHealth(listener: (h: StateHealth) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.subscribers) s.disconnect();
    this.subscribers.clear();
    this.redis.disconnect();
  }
}
