// The kill switch survives Redis losing its data (DEPLOYMENT.md §5): FLUSHALL on a real, private
// redis-server (a restart without persistence does the same) lifts no isolation. The replicas write
// back the isolations they know of, audited once; only an explicit release lifts one, on every replica
// within 1 s, audited with the release's reason.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { checkText } from "@charter/language";
import { AuditLog, MemoryAuditSink, RedisStateStore, bindGuardToState, createGuard, guardOptionsFor } from "../src/index.js";
import type { Guard } from "../src/index.js";
import { freePort } from "../../test/support/free-port.js";
import { startRedis } from "../../test/support/setup-redis.js";

const redisServer = inject("redisServer");
const checked = checkText(
  `policy p { version 1 owner "o" }
agent clerk { kind conversational tool work { scope read tier low rate 100000 per 1m } }
agent other { kind conversational tool work { scope read tier low rate 100000 per 1m } }`,
);
if (!checked.bundle) throw new Error(JSON.stringify(checked.diagnostics));
const bundle = checked.bundle;

let server: ChildProcess;
let dir: string;
let url: string;
let port: number;
let admin: Redis;

beforeAll(async () => {
  // a Redis of this file's own: FLUSHALL must not touch the other tests' keys
  dir = mkdtempSync(join(tmpdir(), "charter-redis-flush-"));
  port = await freePort();
  server = await startRedis(redisServer, port, dir);
  url = `redis://127.0.0.1:${port}`;
  admin = new Redis(url);
});
afterAll(async () => {
  admin.disconnect();
  const gone = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  await gone;
  rmSync(dir, { recursive: true, force: true });
});

interface Replica {
  state: RedisStateStore;
  guard: Guard;
  sink: MemoryAuditSink;
}

async function replica(prefix: string): Promise<Replica> {
  const state = await RedisStateStore.open(url, { prefix });
  const sink = new MemoryAuditSink();
  const audit = new AuditLog(sink);
  const guard = createGuard(bundle, { audit, ...guardOptionsFor(state) });
  bindGuardToState(guard, state, { audit });
  return { state, guard, sink };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(ok: () => boolean, ms: number): Promise<number> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms`);
    await sleep(10);
  }
  return Date.now() - t0;
}

/** Holds for `ms`: checked every 50 ms, with a real decision. */
async function holds(replicas: Replica[], agent: string, ms: number): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    for (const r of replicas) {
      expect(r.guard.isIsolated(agent)).toBe(true);
      expect((await r.guard.authorize({ agent, session: "s", tool: "work" })).rule).toBe("isolated");
    }
    await sleep(50);
  }
}

const records = (r: Replica, outcome: string, agent?: string) =>
  r.sink.records.filter(
    (x) => (x.event === "isolation" || x.event === "state") && x.outcome === outcome && (agent === undefined || x.agent === agent),
  );

describe("the kill switch when Redis loses its data", () => {
  it("FLUSHALL lifts no isolation on either replica; an explicit release lifts it on both within 1 s", async () => {
    const a = await replica("one:");
    const b = await replica("one:");
    await a.state.killSwitch.isolate({ agent: "clerk", reason: "INC-2" });
    await until(() => a.guard.isIsolated("clerk") && b.guard.isIsolated("clerk"), 1000);

    expect(await admin.flushall()).toBe("OK");
    await holds([a, b], "clerk", 2500);
    // written back into Redis, once, and audited once by the replica that wrote it
    expect(await admin.hget("one:iso:agents", "clerk")).toMatch(/:INC-2$/);
    expect([...records(a, "reasserted", "clerk"), ...records(b, "reasserted", "clerk")]).toHaveLength(1);
    expect([...records(a, "released"), ...records(b, "released")]).toEqual([]);
    expect(await a.guard.authorize({ agent: "other", session: "s", tool: "work" })).toMatchObject({ outcome: "allow" });

    // a third replica started after the loss learns the isolation from the written-back key
    const c = await replica("one:");
    await until(() => c.guard.isIsolated("clerk"), 1000);

    const t0 = Date.now();
    await b.state.killSwitch.release("clerk", "INC-2 closed");
    await until(() => !a.guard.isIsolated("clerk") && !b.guard.isIsolated("clerk") && !c.guard.isIsolated("clerk"), 1000);
    expect(Date.now() - t0).toBeLessThan(1000);
    for (const r of [a, b, c]) {
      expect((await r.guard.authorize({ agent: "clerk", session: "s", tool: "work" })).outcome).toBe("allow");
      const released = records(r, "released", "clerk");
      expect(released).toHaveLength(1);
      expect(released[0]!.trace[0]!.reason).toBe("INC-2 closed (released through the shared state)");
    }
    // the released isolation stays released after another loss, and a new isolation holds again
    await admin.flushall();
    await sleep(600);
    for (const r of [a, b, c]) expect(r.guard.isIsolated("clerk")).toBe(false);
    await a.state.killSwitch.isolate({ agent: "clerk", reason: "INC-3" });
    await until(() => [a, b, c].every((r) => r.guard.isIsolated("clerk")), 1000);
    for (const r of [a, b, c]) await r.state.close();
  });

  it("the isolation of every agent survives a loss too, and the release of every isolation lifts it and the agents'", async () => {
    const a = await replica("two:");
    const b = await replica("two:");
    await a.state.killSwitch.isolate({ reason: "INC-4: stop everything" });
    await b.state.killSwitch.isolate({ agent: "other", reason: "INC-5" });
    await until(() => [a, b].every((r) => r.guard.isIsolated() && r.guard.isIsolated("other")), 1000);
    await admin.flushall();
    await holds([a, b], "clerk", 2100);
    expect(await admin.get("two:iso:all")).toMatch(/:INC-4: stop everything$/);
    expect(await admin.hget("two:iso:agents", "other")).toMatch(/:INC-5$/);
    expect([...records(a, "released"), ...records(b, "released")]).toEqual([]);

    await a.state.killSwitch.release(undefined, "all clear");
    await until(() => [a, b].every((r) => !r.guard.isIsolated("clerk") && !r.guard.isIsolated("other")), 1000);
    await admin.flushall();
    await sleep(600);
    for (const r of [a, b]) {
      expect((await r.guard.authorize({ agent: "other", session: "s", tool: "work" })).outcome).toBe("allow");
      expect(records(r, "released", "*")[0]!.trace[0]!.reason).toBe("all clear (released through the shared state)");
    }
    for (const r of [a, b]) await r.state.close();
  });

  it("a Redis restarted without persistence: the isolations are back in it, and one made during the outage reaches the other replica", async () => {
    const a = await replica("three:");
    const b = await replica("three:");
    await a.state.killSwitch.isolate({ agent: "clerk", reason: "INC-6" });
    await until(() => a.guard.isIsolated("clerk") && b.guard.isIsolated("clerk"), 1000);
    const gone = new Promise((r) => server.once("exit", r));
    server.kill("SIGKILL");
    await gone;
    // while Redis is away the isolation is refused by the store but holds on the replica that asked
    await expect(b.state.killSwitch.isolate({ agent: "other", reason: "INC-7" })).rejects.toThrow();
    b.guard.isolate("INC-7", "other");
    server = await startRedis(redisServer, port, dir);
    // the new, empty server gets both isolations back, and replica a learns the one made during the outage
    await until(() => a.guard.isIsolated("other"), 5000);
    expect(await admin.hget("three:iso:agents", "clerk")).toMatch(/:INC-6$/);
    expect(await admin.hget("three:iso:agents", "other")).toMatch(/:INC-7$/);
    await holds([a, b], "clerk", 1000);
    expect([...records(a, "released"), ...records(b, "released")]).toEqual([]);
    for (const r of [a, b]) await r.state.close();
  });
});

describe("pending approvals when Redis loses its data", () => {
  it("the replica holding a request writes it back, so it can still be decided through another replica, once", async () => {
    const one = await RedisStateStore.open(url, { prefix: "appr:" });
    const two = await RedisStateStore.open(url, { prefix: "appr:" });
    const heard: string[] = [];
    one.approvals.watch((a) => heard.push(`${a.id}:${a.status}:${a.decided_by}`));
    await sleep(100); // the subscription is in place
    const now = Date.now();
    await one.approvals.put({
      id: "req-9",
      agent: "clerk",
      tool: "pay",
      args: { amount: 5 },
      requested_at: new Date(now).toISOString(),
      expires_at: new Date(now + 300_000).toISOString(),
      approvers: ["leads"],
      status: "pending",
    });
    await admin.flushall();
    expect(await two.approvals.pending()).toEqual([]);
    expect(await two.approvals.transition("req-9", "approved", "alice")).toEqual({ ok: false, reason: "unknown" });
    // the holder's next poll of the pending requests puts it back
    expect((await one.approvals.pending()).map((a) => `${a.id}:${a.status}`)).toEqual(["req-9:pending"]);
    expect((await two.approvals.pending()).map((a) => a.id)).toEqual(["req-9"]);
    expect(await two.approvals.transition("req-9", "approved", "alice")).toMatchObject({ ok: true });
    await until(() => heard.includes("req-9:approved:alice"), 1000);
    // decided: never written back as pending again, even after another loss
    expect(await one.approvals.pending()).toEqual([]);
    await admin.flushall();
    expect(await one.approvals.pending()).toEqual([]);
    await one.close();
    await two.close();
  });
});
