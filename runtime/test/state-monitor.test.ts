// The live monitor's counters in the shared state (DEPLOYMENT.md §5, "monitoring sees one session's calls
// together"), on a real Redis (test/support/setup-redis.ts): two guards, each with its own connection as two
// replicas have, count one tool's window and one session's volume together; the shared counters give the
// same alerts as the in-process ones; a monitor whose Redis is away denies (fail closed) and recovers.
import { afterAll, describe, expect, inject, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { checkText } from "@charter/language";
import {
  AuditLog,
  MemoryAuditSink,
  MemoryStateStore,
  RedisStateStore,
  createGuard,
  parseBaseline,
  type Baseline,
  type MonitorAlert,
  type MonitorStore,
} from "../src/index.js";
import { freePort } from "../../test/support/free-port.js";
import { startRedis } from "../../test/support/setup-redis.js";

const url = inject("redisUrl");
const redisServer = inject("redisServer");

const POLICY = `policy monitored {
  version 1
  owner "sec"
}
source docs { trust low threshold 0.5 }
defaults {
  monitor {
    tool_rate      > 2.0x baseline within 1m  => block
    data_volume    > 2.0x baseline per session => alert medium
    novel_sequence >= 0.5                      => alert low
    output pii                                 => redact
  }
  audit { retention 365d pii hash }
}
agent m {
  kind conversational
  reads docs
  tool probe { scope read tier low rate 1000000 per 1s }
  tool fetch { scope read tier low rate 1000000 per 1s }
  tool odd   { scope read tier low rate 1000000 per 1s }
}
`;
const checked = checkText(POLICY);
if (!checked.bundle || checked.diagnostics.some((d) => d.severity === "error")) throw new Error(JSON.stringify(checked.diagnostics));
const bundle = checked.bundle;

// probe: 120 calls an hour, so tool_rate (2.0x) admits 4 a minute; fetch 2; a session may move 2 × 50 units; the usual
// sequence is probe → fetch → probe …
const parsed = parseBaseline({
  format: "charter-baseline/1",
  ngram: 2,
  observedMs: 3_600_000,
  records: 400,
  agents: {
    m: {
      tools: { probe: { calls: 120, perHour: 120 }, fetch: { calls: 60, perHour: 60 }, odd: { calls: 1, perHour: 1 } },
      sessions: { count: 40, meanVolume: 50, maxVolume: 150 },
      sequences: [
        ["^", "probe"],
        ["probe", "fetch"],
        ["fetch", "probe"],
      ],
    },
  },
});
if (!parsed.ok) throw new Error(parsed.error.message);
const baseline: Baseline = parsed.baseline;

const opened: RedisStateStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

async function redis(prefix: string, at = url): Promise<RedisStateStore> {
  const s = await RedisStateStore.open(at, { prefix });
  opened.push(s);
  return s;
}

function replica(monitor: MonitorStore | undefined, clock: () => number) {
  const sink = new MemoryAuditSink();
  const alerts: MonitorAlert[] = [];
  const guard = createGuard(bundle, {
    audit: new AuditLog(sink),
    baseline,
    clock,
    alerts: (a) => alerts.push(a),
    ...(monitor ? { sharedMonitor: monitor } : {}),
  });
  return { guard, sink, alerts };
}

describe("the monitor's counters in the shared state", () => {
  it("two replicas on one Redis count one tool's window together: tool_rate blocks the 5th call in total", async () => {
    const prefix = `t-${randomUUID()}:`;
    const now = Date.now();
    const [a, b] = [replica((await redis(prefix)).monitor, () => now), replica((await redis(prefix)).monitor, () => now)];
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      const d = await (i % 2 === 0 ? a : b).guard.authorize({ agent: "m", session: `s${i}`, tool: "probe", args: {} });
      outcomes.push(d.outcome === "deny" ? `deny:${d.rule}` : d.outcome);
    }
    expect(outcomes).toEqual(["allow", "allow", "allow", "allow", "deny:monitor", "deny:monitor"]);
    // the replica that saw the 5th call audited the block
    expect(a.sink.records.filter((r) => r.event === "alert" && r.outcome === "blocked")).toHaveLength(1);
    expect(b.sink.records.filter((r) => r.event === "alert" && r.outcome === "blocked")).toHaveLength(1);

    // the control: in process, each replica admits 4 on its own
    const [c, d] = [replica(undefined, () => now), replica(undefined, () => now)];
    let allowed = 0;
    for (let i = 0; i < 6; i++)
      if ((await (i % 2 === 0 ? c : d).guard.authorize({ agent: "m", session: `s${i}`, tool: "probe", args: {} })).outcome === "allow")
        allowed++;
    expect(allowed).toBe(6);
  });

  it("concurrent calls through two replicas: the window admits exactly its limit", async () => {
    const prefix = `t-${randomUUID()}:`;
    const now = Date.now();
    const [a, b] = [replica((await redis(prefix)).monitor, () => now), replica((await redis(prefix)).monitor, () => now)];
    const ds = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).guard.authorize({ agent: "m", session: "x", tool: "probe", args: {} })),
    );
    expect(ds.filter((d) => d.outcome === "allow")).toHaveLength(4);
    expect(ds.filter((d) => d.outcome === "deny" && d.rule === "monitor")).toHaveLength(16);
  });

  it("one session spread over two replicas: data_volume alerts once, when the two together cross the baseline", async () => {
    const prefix = `t-${randomUUID()}:`;
    let now = Date.now();
    const [a, b] = [replica((await redis(prefix)).monitor, () => now), replica((await redis(prefix)).monitor, () => now)];
    const args = { q: "x".repeat(40) }; // 41 units a call; the session's limit is 100
    for (let i = 0; i < 5; i++) {
      now += 40_000; // fetch (2 a minute) stays inside its rate
      expect((await (i % 2 === 0 ? a : b).guard.authorize({ agent: "m", session: "shared", tool: "fetch", args })).outcome).toBe("allow");
    }
    const volume = [...a.alerts, ...b.alerts].filter((x) => x.kind === "data_volume");
    expect(volume).toHaveLength(1);
    expect(volume[0]).toMatchObject({ session: "shared", observed: 123, threshold: 100 });
    expect(a.alerts.filter((x) => x.kind === "data_volume")).toHaveLength(1); // the third call, through a
    // another session starts from nothing
    now += 40_000;
    expect((await b.guard.authorize({ agent: "m", session: "other", tool: "fetch", args })).outcome).toBe("allow");
    expect([...a.alerts, ...b.alerts].filter((x) => x.kind === "data_volume")).toHaveLength(1);
  });

  it("novel_sequence follows the session's calls across replicas", async () => {
    const prefix = `t-${randomUUID()}:`;
    let now = Date.now();
    const [a, b] = [replica((await redis(prefix)).monitor, () => now), replica((await redis(prefix)).monitor, () => now)];
    // probe → fetch → probe is the baseline's; odd → odd after it is not
    const tools = ["probe", "fetch", "probe", "odd", "odd"];
    for (let i = 0; i < tools.length; i++) {
      now += 60_000;
      await (i % 2 === 0 ? a : b).guard.authorize({ agent: "m", session: "seq", tool: tools[i]!, args: {} });
    }
    const novel = [...a.alerts, ...b.alerts].filter((x) => x.kind === "novel_sequence").map((x) => [x.tool, x.observed]);
    // after odd: 1 of 4 grams unseen (0.25, quiet); after the second odd: 2 of 4 (0.5, alert)
    expect(novel).toEqual([["odd", 0.5]]);
  });

  it("the shared counters (memory or Redis) give the same alerts as the guard's own, call for call", async () => {
    const calls: [string, string, unknown][] = [];
    const tools = ["probe", "fetch", "odd", "probe", "probe", "probe", "probe", "probe", "fetch", "odd", "odd", "fetch", "probe"];
    for (let i = 0; i < 40; i++) calls.push([`s${i % 3}`, tools[i % tools.length]!, { n: i, text: "y".repeat(i % 7) }]);
    const run = async (monitor: MonitorStore | undefined) => {
      let now = 1_700_000_000_000;
      const r = replica(monitor, () => now);
      const out: string[] = [];
      for (const [session, tool, args] of calls) {
        now += 7_000;
        const d = await r.guard.authorize({ agent: "m", session, tool, args });
        out.push(`${d.outcome}:${d.rule}`);
      }
      return { out, alerts: r.alerts.map((x) => `${x.kind}:${x.session}:${x.tool}:${x.observed ?? ""}:${x.threshold ?? ""}`) };
    };
    const own = await run(undefined);
    expect(own.alerts.length).toBeGreaterThan(3);
    expect(await run(new MemoryStateStore().monitor)).toEqual(own);
    expect(await run((await redis(`t-${randomUUID()}:`)).monitor)).toEqual(own);
  });

  it("Redis unreachable: a monitored call is denied (fail closed) and audited; when Redis is back, calls run again", async () => {
    const port = await freePort();
    const rdir = mkdtempSync(join(tmpdir(), "charter-redis-monitor-"));
    let server = await startRedis(redisServer, port, rdir);
    try {
      const state = await redis(`t-${randomUUID()}:`, `redis://127.0.0.1:${port}`);
      let now = Date.now();
      const r = replica(state.monitor, () => now);
      expect((await r.guard.authorize({ agent: "m", session: "o", tool: "fetch", args: {} })).outcome).toBe("allow");
      const gone = new Promise((res) => server.once("exit", res));
      server.kill("SIGKILL");
      await gone;
      now += 20_000;
      const denied = await r.guard.authorize({ agent: "m", session: "o", tool: "fetch", args: {} });
      expect(denied).toMatchObject({ outcome: "deny", rule: "state_unavailable" });
      expect(r.sink.records.some((x) => x.event === "decision" && x.outcome === "deny" && x.trace[0]!.rule === "state_unavailable")).toBe(
        true,
      );
      server = await startRedis(redisServer, port, rdir);
      const t0 = Date.now();
      let d = denied;
      while (d.outcome !== "allow" && Date.now() - t0 < 5000) {
        await new Promise((res) => setTimeout(res, 50));
        now += 20_000;
        d = await r.guard.authorize({ agent: "m", session: "o", tool: "fetch", args: {} });
      }
      expect(d.outcome).toBe("allow");
    } finally {
      server.kill("SIGKILL");
      rmSync(rdir, { recursive: true, force: true });
    }
  });
});
