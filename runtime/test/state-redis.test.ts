// Shared state on a real Redis (test/support/setup-redis.ts), DEPLOYMENT.md §5: two guards in two
// processes enforce one rate limit exactly and both see an isolation within 1 s; an unreachable Redis
// denies (audited) and the replica recovers when it is back; an approval is decided exactly once.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { buildSync } from "esbuild";
import { checkText } from "@charter/language";
import {
  AuditLog,
  MemoryAuditSink,
  RedisStateStore,
  bindGuardToState,
  createGuard,
  guardOptionsFor,
  openStateStore,
} from "../src/index.js";
import { freePort } from "../../test/support/free-port.js";
import { startRedis } from "../../test/support/setup-redis.js";

const url = inject("redisUrl");
const redisServer = inject("redisServer");
const bundle = checkText(readFileSync(join(import.meta.dirname, "fixtures/audit-policy.charter"), "utf8")).bundle;
let dir: string;
let script: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-state-"));
  script = join(dir, "state-replica.mjs");
  buildSync({
    entryPoints: [join(import.meta.dirname, "fixtures/state-replica.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: script,
    logLevel: "silent",
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  writeFileSync(join(dir, "audit-policy.charter"), readFileSync(join(import.meta.dirname, "fixtures/audit-policy.charter")));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function replica(prefix: string, mode: string): { child: ChildProcess; next: () => Promise<Record<string, unknown>> } {
  const child = spawn(process.execPath, [script, url, prefix, mode], { stdio: ["pipe", "pipe", "inherit"] });
  const queue: Record<string, unknown>[] = [];
  const waiting: ((v: Record<string, unknown>) => void)[] = [];
  let buf = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (c: string) => {
    buf += c;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const msg = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      const w = waiting.shift();
      if (w) w(msg);
      else queue.push(msg);
    }
  });
  return { child, next: () => new Promise((r) => (queue.length ? r(queue.shift()!) : waiting.push(r))) };
}

describe("shared state in Redis", () => {
  it("two guards in two processes admit `rate 3 per 1m` three times in total", async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = replica(prefix, "rate");
    const b = replica(prefix, "rate");
    expect(await a.next()).toEqual({ ready: true });
    expect(await b.next()).toEqual({ ready: true });
    a.child.stdin!.write("go\n");
    b.child.stdin!.write("go\n");
    const [ra, rb] = await Promise.all([a.next(), b.next()]);
    const outcomes = [...(ra.outcomes as string[]), ...(rb.outcomes as string[])];
    expect(outcomes.filter((o) => o === "allow")).toHaveLength(3);
    expect([...(ra.rules as string[]), ...(rb.rules as string[])].filter((r) => r === "rate")).toHaveLength(7);
  });

  it("an isolation made through one replica reaches two others, in other processes, within 1 s", async () => {
    const prefix = `t:${randomUUID()}:`;
    const a = replica(prefix, "watch");
    const b = replica(prefix, "watch");
    await a.next();
    await b.next();
    await new Promise((r) => setTimeout(r, 300)); // both are deciding calls now
    const admin = await RedisStateStore.open(url, { prefix });
    const t0 = Date.now();
    await admin.killSwitch.isolate({ agent: "a", reason: "incident 42" });
    const [ia, ib] = await Promise.all([a.next(), b.next()]);
    for (const i of [ia, ib]) {
      expect(i.reason).toContain("incident 42");
      expect((i.isolated as number) - t0).toBeLessThan(1000);
    }
    await admin.close();
  });

  it("the polling fallback alone still delivers an isolation within 1 s", async () => {
    const prefix = `t:${randomUUID()}:`;
    const state = await RedisStateStore.open(url, { prefix });
    const audit = new AuditLog(new MemoryAuditSink());
    const guard = createGuard(bundle, { audit, ...guardOptionsFor(state) });
    bindGuardToState(guard, state, { audit });
    // write the isolation behind the kill switch's back: no pub/sub message is sent
    const { Redis } = await import("ioredis");
    const r = new Redis(url);
    const t0 = Date.now();
    await r.hset(`${prefix}iso:agents`, "a", "set without a message");
    while (!guard.isIsolated("a") && Date.now() - t0 < 2000) await new Promise((res) => setTimeout(res, 10));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await guard.authorize({ agent: "a", session: "s", tool: "work" })).rule).toBe("isolated");
    await state.killSwitch.release("a");
    const t1 = Date.now();
    while (guard.isIsolated("a") && Date.now() - t1 < 2000) await new Promise((res) => setTimeout(res, 10));
    expect((await guard.authorize({ agent: "a", session: "s", tool: "work" })).outcome).toBe("allow");
    r.disconnect();
    await state.close();
  });

  it("Redis unreachable: calls are denied and the outage audited; when it returns, calls run again", async () => {
    const port = await freePort();
    const rdir = mkdtempSync(join(tmpdir(), "charter-redis-outage-"));
    let server = await startRedis(redisServer, port, rdir);
    const opened = await openStateStore({ redis: `redis://127.0.0.1:${port}` });
    if (!opened.ok) throw new Error(opened.message);
    const state = opened.state;
    const sink = new MemoryAuditSink();
    const audit = new AuditLog(sink);
    const guard = createGuard(bundle, { audit, ...guardOptionsFor(state) });
    bindGuardToState(guard, state, { audit });
    expect((await guard.authorize({ agent: "a", session: "s", tool: "work" })).outcome).toBe("allow");
    const gone = new Promise((r) => server.once("exit", r));
    server.kill("SIGKILL");
    await gone;
    const denied = await guard.authorize({ agent: "a", session: "s", tool: "work" });
    expect(denied).toMatchObject({ outcome: "deny", rule: "state_unavailable" });
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.records.some((x) => x.event === "decision" && x.trace[0]!.rule === "state_unavailable")).toBe(true);
    expect(sink.records.some((x) => x.event === "state" && x.outcome === "unavailable")).toBe(true);
    server = await startRedis(redisServer, port, rdir);
    const t0 = Date.now();
    let d = await guard.authorize({ agent: "a", session: "s", tool: "work" });
    while (d.outcome !== "allow" && Date.now() - t0 < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      d = await guard.authorize({ agent: "a", session: "s", tool: "work" });
    }
    expect(d.outcome).toBe("allow");
    expect(sink.records.some((x) => x.event === "state" && x.outcome === "recovered")).toBe(true);
    await state.close();
    server.kill("SIGKILL");
    rmSync(rdir, { recursive: true, force: true });
  });

  it("a pending approval is decided exactly once, through any replica, and every replica hears of it", async () => {
    const prefix = `t:${randomUUID()}:`;
    const one = await RedisStateStore.open(url, { prefix });
    const two = await RedisStateStore.open(url, { prefix });
    const heard = new Promise<string>((r) => two.approvals.watch((a) => r(`${a.id}:${a.status}:${a.decided_by}`)));
    await new Promise((r) => setTimeout(r, 100)); // the subscription is in place
    const now = Date.now();
    await one.approvals.put({
      id: "req-1",
      agent: "a",
      tool: "pay",
      args: { amount: 5 },
      requested_at: new Date(now).toISOString(),
      expires_at: new Date(now + 300_000).toISOString(),
      approvers: ["leads"],
      status: "pending",
    });
    expect((await two.approvals.pending()).map((a) => a.id)).toEqual(["req-1"]);
    const [x, y] = await Promise.all([
      one.approvals.transition("req-1", "approved", "alice"),
      two.approvals.transition("req-1", "rejected", "bob"),
    ]);
    expect([x.ok, y.ok].filter(Boolean)).toHaveLength(1);
    const loser = x.ok ? y : x;
    expect(loser).toMatchObject({ ok: false, reason: "not_pending" });
    expect(await heard).toMatch(/^req-1:(approved:alice|rejected:bob)$/);
    expect(await two.approvals.pending()).toEqual([]);
    expect(await one.approvals.transition("nope", "approved", "alice")).toEqual({ ok: false, reason: "unknown" });
    await one.close();
    await two.close();
  });
});
