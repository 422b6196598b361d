// Shared state in Redis (`state: { redis: URL }`), so replicas act as one (DEPLOYMENT.md §5):
// - monitor counters: one Lua script per observed call (the tool's window, the session's volume and recent
//   tools), so the monitor sees one session's calls together however they are spread;
// - rate windows: one Lua script per hit (trim, count, add), atomic across replicas, so `rate 3 per 1m`
//   admits three calls in total however they are spread; the same sliding window as MemoryRateStore;
// - kill switch: isolations in two keys, announced on a pub/sub channel and also polled (every 250 ms by
//   default), so a replica that missed the message still sees the isolation within a second; only an
//   explicit release (a tombstone) lifts one, and replicas write back isolations the store lost;
// - approvals: a hash per request whose status changes from pending exactly once (a Lua compare-and-set),
//   with every transition published so the replica holding the agent's open request can answer it.
// Commands are never queued while Redis is away: they reject at once (or after `commandTimeoutMs`), the
// guard denies, and `onHealth` reports the outage and the recovery, which the gateway audits.
import type { Redis } from "ioredis";
import { redactUrl } from "../io-errors.js";
import type { SharedRateStore } from "../rate/rate-store.js";
import type {
  ApprovalStore,
  Isolation,
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

// A pending request its replica still holds, written back after the store lost it (FLUSHALL, a restart
// without persistence), so it can still be decided. A request the store has (decided or not) is left alone.
// KEYS: the request's hash, the pending set, the put channel. ARGV: request JSON, TTL, score, id.
const REPUT_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'request', ARGV[1], 'status', 'pending')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('PUBLISH', KEYS[3], ARGV[4])
return 1`;

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

// The kill switch (DEPLOYMENT.md §5): an isolation ends only by an explicit release, never because its key
// went missing (FLUSHALL, a Redis restarted without persistence, an eviction). Isolations are stamped
// with the store's clock ("v2:<µs>:<reason>"); a release deletes the isolation and leaves a tombstone,
// `iso:released` FIELD → "<µs>:<reason>" (FIELD: the agent, or "*" for the release of every isolation),
// which lifts every isolation of FIELD stamped up to then. A replica that finds an isolation it knows of
// missing, with no tombstone covering it, writes it back (REASSERT_SCRIPT), so data loss cannot lift a
// kill switch; a lost tombstone only means an isolation holds on until it is released again.
// The stamps come from Redis' TIME but never go backwards: `iso:clock` holds the last one (and a
// re-asserted stamp), so a Redis restarted on a clock behind still stamps releases after the isolations.
const CLOCK_LUA = `
local function tick(clock)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('GET', clock) or '0')
  if now <= last then now = last + 1 end
  local s = string.format('%.0f', now)
  redis.call('SET', clock, s)
  return s
end`;

// KEYS: all, agents, clock, channel. ARGV: 'all'|'agent', agent, reason. Returns the isolation in force
// (an isolation already in force keeps its reason and stamp).
const ISOLATE_SCRIPT = `${CLOCK_LUA}
local existing
if ARGV[1] == 'all' then existing = redis.call('GET', KEYS[1]) else existing = redis.call('HGET', KEYS[2], ARGV[2]) end
if existing then return existing end
local v = 'v2:' .. tick(KEYS[3]) .. ':' .. ARGV[3]
if ARGV[1] == 'all' then redis.call('SET', KEYS[1], v) else redis.call('HSET', KEYS[2], ARGV[2], v) end
redis.call('PUBLISH', KEYS[4], 'changed')
return v`;

// KEYS: all, agents, released, clock, channel. ARGV: 'all'|'agent', agent, reason.
const RELEASE_SCRIPT = `${CLOCK_LUA}
local s = tick(KEYS[4])
if ARGV[1] == 'all' then
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[3], '*', s .. ':' .. ARGV[3])
else
  redis.call('HDEL', KEYS[2], ARGV[2])
  redis.call('HSET', KEYS[3], ARGV[2], s .. ':' .. ARGV[3])
end
redis.call('PUBLISH', KEYS[5], 'changed')
return s`;

// KEYS: all, agents, released, clock, channel. ARGV: 'all'|'agent', agent, value, stamp.
// Returns 0: a release covers it (it stays lifted); 1: it is there; 2: written back.
const REASSERT_SCRIPT = `
local at = tonumber(ARGV[4])
local function covers(field)
  local t = redis.call('HGET', KEYS[3], field)
  if not t then return false end
  local i = string.find(t, ':', 1, true)
  return i ~= nil and tonumber(string.sub(t, 1, i - 1)) >= at
end
if covers('*') or (ARGV[1] ~= 'all' and covers(ARGV[2])) then return 0 end
if ARGV[1] == 'all' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
  redis.call('SET', KEYS[1], ARGV[3])
else
  if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return 1 end
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
end
local last = tonumber(redis.call('GET', KEYS[4]) or '0')
if at > last then redis.call('SET', KEYS[4], ARGV[4]) end
redis.call('PUBLISH', KEYS[5], 'changed')
return 2`;

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
  charterReput(
    key: string,
    pendingSet: string,
    channel: string,
    request: string,
    ttlMs: number,
    score: number,
    id: string,
  ): Promise<number>;
  charterIsolate(all: string, agents: string, clock: string, channel: string, mode: string, agent: string, reason: string): Promise<string>;
  charterRelease(
    all: string,
    agents: string,
    released: string,
    clock: string,
    channel: string,
    mode: string,
    agent: string,
    reason: string,
  ): Promise<string>;
  charterReassert(
    all: string,
    agents: string,
    released: string,
    clock: string,
    channel: string,
    mode: string,
    agent: string,
    value: string,
    stamp: string,
  ): Promise<number>;
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
  r.defineCommand("charterReput", { numberOfKeys: 3, lua: REPUT_SCRIPT });
  r.defineCommand("charterIsolate", { numberOfKeys: 4, lua: ISOLATE_SCRIPT });
  r.defineCommand("charterRelease", { numberOfKeys: 5, lua: RELEASE_SCRIPT });
  r.defineCommand("charterReassert", { numberOfKeys: 5, lua: REASSERT_SCRIPT });
  r.on("error", () => undefined); // reported through health; ioredis reconnects by itself
  return r as Scripted;
}

function sameState(a: IsolationState | undefined, b: IsolationState): boolean {
  if (a === undefined || a.all !== b.all || a.agents.size !== b.agents.size) return false;
  for (const [k, v] of a.agents) if (b.agents.get(k) !== v) return false;
  return true;
}

/** One isolation as the store holds it: "*" for every agent, or the agent's name. */
interface Held {
  reason: string;
  /** The store's stamp (µs); 0 for a value written without one (it yields to any release). */
  at: number;
  value: string;
}

function parseHeld(value: string): Held {
  const m = /^v2:(\d+):/.exec(value);
  return m ? { reason: value.slice(m[0].length), at: Number(m[1]), value } : { reason: value, at: 0, value };
}

function parseTomb(value: string | undefined): { at: number; reason: string } | undefined {
  const i = value?.indexOf(":") ?? -1;
  if (value === undefined || i < 0) return undefined;
  return { at: Number(value.slice(0, i)), reason: value.slice(i + 1) };
}

interface IsoKeys {
  all: string;
  agents: string;
  released: string;
  clock: string;
  channel: string;
}

/**
 * The shared kill switch. Each replica keeps the isolations it knows of (`known`) and compares them with
 * the store at every change message and poll: present in the store means in force; missing means lifted
 * only when a release's tombstone covers it, and otherwise the replica writes it back. Syncs run one at
 * a time, so a slow read never overtakes a newer one.
 */
class RedisKillSwitch implements KillSwitch {
  private readonly known = new Map<string, Held>();
  private readonly watchers = new Set<{ onChange: (s: IsolationState) => void; last?: IsolationState }>();
  private readonly reasserted = new Set<(i: Isolation) => void>();
  private syncing: Promise<IsolationState> | undefined;
  private again = false;
  private stopWatching: (() => void) | undefined;

  constructor(
    private readonly redis: Scripted,
    private readonly subscribe: (channel: string, onMessage: (m: string) => void) => () => void,
    private readonly timers: Set<ReturnType<typeof setInterval>>,
    private readonly pollMs: number,
    private readonly k: IsoKeys,
  ) {}

  async isolate({ agent, reason }: Isolation): Promise<void> {
    const k = this.k;
    let v: string;
    try {
      v = await this.redis.charterIsolate(k.all, k.agents, k.clock, k.channel, agent === undefined ? "all" : "agent", agent ?? "", reason);
    } catch (e) {
      // the store is away: this replica holds the isolation and writes it back when the store returns
      const at = Date.now() * 1000;
      if (!this.known.has(agent ?? "*")) this.known.set(agent ?? "*", { reason, at, value: `v2:${at}:${reason}` });
      throw e;
    }
    this.known.set(agent ?? "*", parseHeld(v));
  }

  async release(agent?: string, reason = "released"): Promise<void> {
    const k = this.k;
    await this.redis.charterRelease(
      k.all,
      k.agents,
      k.released,
      k.clock,
      k.channel,
      agent === undefined ? "all" : "agent",
      agent ?? "",
      reason,
    );
    if (agent === undefined) this.known.clear();
    else this.known.delete(agent);
  }

  current(): Promise<IsolationState> {
    return this.sync();
  }

  watch(onChange: (state: IsolationState) => void): () => void {
    const w: { onChange: (s: IsolationState) => void; last?: IsolationState } = { onChange };
    this.watchers.add(w);
    if (this.stopWatching === undefined) {
      const refresh = (): void => void this.sync().catch(() => undefined); // unreachable: keep what is known
      const unsubscribe = this.subscribe(this.k.channel, refresh);
      const timer = setInterval(refresh, this.pollMs);
      timer.unref?.();
      this.timers.add(timer);
      this.stopWatching = () => {
        clearInterval(timer);
        this.timers.delete(timer);
        unsubscribe();
      };
    }
    void this.sync().catch(() => undefined);
    return () => {
      this.watchers.delete(w);
      if (this.watchers.size === 0) {
        this.stopWatching?.();
        this.stopWatching = undefined;
      }
    };
  }

  onReasserted(listener: (isolation: Isolation) => void): () => void {
    this.reasserted.add(listener);
    return () => this.reasserted.delete(listener);
  }

  private sync(): Promise<IsolationState> {
    if (this.syncing !== undefined) {
      this.again = true;
      return this.syncing;
    }
    const run = async (): Promise<IsolationState> => {
      let s: IsolationState;
      do {
        this.again = false;
        s = await this.syncOnce();
      } while (this.again);
      return s;
    };
    const p = run().finally(() => {
      this.syncing = undefined;
    });
    this.syncing = p;
    return p;
  }

  private async syncOnce(): Promise<IsolationState> {
    const k = this.k;
    const [[e1, all], [e2, agents], [e3, tombs]] = (await this.redis.multi().get(k.all).hgetall(k.agents).hgetall(k.released).exec()) as [
      [Error | null, string | null],
      [Error | null, Record<string, string>],
      [Error | null, Record<string, string>],
    ];
    if (e1 || e2 || e3) throw e1 ?? e2 ?? e3;
    const present = new Map<string, Held>();
    if (all !== null) present.set("*", parseHeld(all));
    for (const [agent, v] of Object.entries(agents ?? {})) present.set(agent, parseHeld(v));
    const tomb = (key: string): number => parseTomb(tombs?.[key])?.at ?? -1;
    const missing: [string, Held][] = [];
    for (const [key, held] of this.known) {
      if (present.has(key)) continue;
      const releasedAt = Math.max(tomb("*"), key === "*" ? -1 : tomb(key));
      if (releasedAt >= held.at) continue; // lifted by an explicit release
      present.set(key, held); // lost by the store, not released: it holds, and is written back
      missing.push([key, held]);
    }
    this.known.clear();
    for (const [key, held] of present) this.known.set(key, held);
    for (const [key, held] of missing) {
      const r = await this.redis.charterReassert(
        k.all,
        k.agents,
        k.released,
        k.clock,
        k.channel,
        key === "*" ? "all" : "agent",
        key === "*" ? "" : key,
        held.value,
        String(held.at),
      );
      if (r === 0)
        this.known.delete(key); // a release came in between
      else if (r === 2) {
        const i: Isolation = { reason: held.reason, ...(key === "*" ? {} : { agent: key }) };
        for (const l of this.reasserted) l(i);
      }
    }
    const released = new Map<string, string>();
    for (const [key, v] of Object.entries(tombs ?? {})) {
      const t = parseTomb(v);
      if (t !== undefined) released.set(key, t.reason);
    }
    const state: IsolationState = { agents: new Map(), released };
    for (const [key, held] of this.known) {
      if (key === "*") state.all = held.reason;
      else state.agents.set(key, held.reason);
    }
    for (const w of this.watchers) {
      if (sameState(w.last, state)) continue;
      w.last = state;
      w.onChange(state);
    }
    return state;
  }
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
    options: RedisStateOptions,
  ) {
    const p = options.prefix ?? "charter:";
    const k = {
      rate: (key: string) => `${p}rate:{${key}}`,
      rateN: (key: string) => `${p}rate:{${key}}:n`,
      isoAll: `${p}iso:all`,
      isoAgents: `${p}iso:agents`,
      isoChannel: `${p}iso`,
      isoReleased: `${p}iso:released`,
      isoClock: `${p}iso:clock`,
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

    this.killSwitch = new RedisKillSwitch(redis, (ch, on) => this.subscribe(ch, on), this.timers, options.pollMs ?? 250, {
      all: k.isoAll,
      agents: k.isoAgents,
      released: k.isoReleased,
      clock: k.isoClock,
      channel: k.isoChannel,
    });

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
    /** Requests put through this store that it has not seen end: written back if the store loses them. */
    const mine = new Map<string, StoredApproval>();
    const ttlOf = (a: StoredApproval): number => Math.max(60_000, Date.parse(a.expires_at) - Date.now() + 24 * 3_600_000);
    const requestJson = (a: StoredApproval): string => JSON.stringify({ ...a, status: undefined });
    this.approvals = {
      put: async (a) => {
        if (a.status === "pending") mine.set(a.id, a);
        await redis
          .multi()
          .hset(k.approval(a.id), { request: requestJson(a), status: a.status })
          .pexpire(k.approval(a.id), ttlOf(a))
          .zadd(k.pending, Date.parse(a.requested_at), a.id)
          .publish(k.approvalPutChannel, a.id)
          .exec();
      },
      get: read,
      pending: async () => {
        const ids = await redis.zrange(k.pending, 0, -1);
        const all = await Promise.all(ids.map(read));
        const listed = new Set(ids);
        for (const [id, a] of mine) {
          if (listed.has(id)) continue;
          if (Date.parse(a.expires_at) <= Date.now()) {
            mine.delete(id);
            continue;
          }
          if (
            (await redis.charterReput(
              k.approval(id),
              k.pending,
              k.approvalPutChannel,
              requestJson(a),
              ttlOf(a),
              Date.parse(a.requested_at),
              id,
            )) === 1
          )
            all.push({ ...a, status: "pending" });
          else if ((await read(id))?.status !== "pending") mine.delete(id); // it ended through another replica
        }
        return all.filter((a): a is StoredApproval => a !== undefined && a.status === "pending");
      },
      transition: async (id, status, by, comment, at): Promise<ApprovalTransition> => {
        const when = at === undefined ? "" : new Date(at).toISOString();
        const r = await redis.charterTransition(k.approval(id), k.pending, k.approvalChannel, status, by ?? "", comment ?? "", id, when);
        // ended (or ended by its replica: expired, withdrawn): not to be written back; an approver's
        // answer to a request the store lost leaves it to be written back and answered again
        if (r !== 0 || (status !== "approved" && status !== "rejected")) mine.delete(id);
        const a = await read(id);
        if (r === 0 || a === undefined) return { ok: false, reason: "unknown" };
        if (r === 1) return { ok: false, reason: "not_pending", approval: a };
        return { ok: true, approval: a };
      },
      watch: (onTransition, onPut) => {
        const stop = this.subscribe(k.approvalChannel, (id) => {
          read(id).then(
            (a) => {
              if (a === undefined) return;
              if (a.status !== "pending") mine.delete(id);
              onTransition(a);
            },
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
    return redactUrl(this.url);
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
