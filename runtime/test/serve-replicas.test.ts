// Two `charter serve` replicas (the real binary, two processes) behind one real Redis (test/support/
// setup-redis.ts), DEPLOYMENT.md §1/§5: `rate 3 per 1m` admits three calls in total however they are
// spread over the replicas; an isolation posted to one replica's admin API stops calls on the other
// within 1 s; a replica whose Redis goes away denies every call (fail closed) and audits the outage.
// Real MCP SDK clients over Streamable HTTP, in front of the notes tool server (fixtures/serve/notes.mjs).
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { newToken } from "../src/serve/index.js";
import { charter } from "../../test/support/cli.js";
import { freePort } from "../../test/support/free-port.js";
import { startRedis } from "../../test/support/setup-redis.js";
// @ts-expect-error: a plain ESM fixture without types
import { startNotesServer } from "./fixtures/serve/notes.mjs";
import { auditRecords, connectAgent, startServeProcess, stopServeProcess, type ServeProcess } from "../../test/support/serve-process.js";

const POLICY = `policy replicas {
  version 1
  owner "gateway"
}

defaults {
  monitor {
    tool_rate   > 2.0x baseline within 5m   => alert high
    data_volume > 3.0x baseline per session => alert medium
    output pii                          => redact
  }
  audit { retention 365d pii hash }
}

source api { trust medium threshold 0.70 }

agent librarian {
  kind conversational
  reads api
  tool lookup { scope read tier low rate 3 per 1m }
}

agent archivist {
  kind conversational
  reads api
  tool lookup { scope read tier low rate 100000 per 1m }
}
`;

const dir = mkdtempSync(join(tmpdir(), "charter-serve-replicas-"));
const librarian = newToken();
const archivist = newToken();
const admin = newToken();
// a Redis database of its own (keys are per database; the kill switch's channel only says "re-read")
const redisUrl = `${inject("redisUrl")}/${1 + Math.floor(Math.random() * 15)}`;
let notes: { url: string; calls: string[]; close(): Promise<void> };
const replicas: Replica[] = [];
const clients: Client[] = [];

type Replica = ServeProcess;

const text = (r: unknown) => ((r as { content?: { text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("\n");

function config(name: string, redis: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `listen: 127.0.0.1:0
bundle: replicas.bundle.json
audit: { file: ${name}.audit.jsonl }
state: { redis: "${redis}" }
agents:
  librarian: { token_sha256: "${librarian.sha256}", upstreams: [notes], source: api }
  archivist: { token_sha256: "${archivist.sha256}", upstreams: [notes], source: api }
upstreams:
  notes: { url: "${notes.url}" }
admin: { token_sha256: "${admin.sha256}" }
`,
  );
  return path;
}

async function start(name: string, redis = redisUrl): Promise<Replica> {
  const r = await startServeProcess(name, config(name, redis), join(dir, `${name}.audit.jsonl`));
  replicas.push(r);
  return r;
}

const stop = stopServeProcess;

async function connect(r: Replica, token: string): Promise<Client> {
  const client = await connectAgent(r.url, token, "replica-test");
  clients.push(client);
  return client;
}

const records = auditRecords;

const toolOf = (r: Record<string, unknown>) => (r.action as { tool?: string } | undefined)?.tool;

async function flushDb(url: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const r = new Redis(url);
  await r.flushdb();
  r.disconnect();
}

beforeAll(async () => {
  writeFileSync(join(dir, "replicas.charter"), POLICY);
  const built = charter(["build", join(dir, "replicas.charter"), "-o", join(dir, "replicas.bundle.json")]);
  expect(built.status, built.stderr).toBe(0);
  notes = await startNotesServer();
  await flushDb(redisUrl);
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const r of replicas) await stop(r);
  await notes?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("charter serve replicas on one Redis", () => {
  let a: Replica;
  let b: Replica;

  it("admit `rate 3 per 1m` exactly three times in total for calls spread over both", async () => {
    [a, b] = await Promise.all([start("a"), start("b")]);
    const ca = await connect(a, librarian.token);
    const cb = await connect(b, librarian.token);
    const before = notes.calls.length;
    const results: { replica: string; ok: boolean; text: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const [name, c] = i % 2 === 0 ? ["a", ca] : ["b", cb];
      const r = await c.callTool({ name: "lookup", arguments: { word: `w${i}` } });
      results.push({ replica: name as string, ok: r.isError !== true, text: text(r) });
    }
    expect(results.filter((r) => r.ok).length).toBe(3);
    // both replicas served allowed calls, so the window really is shared
    expect(new Set(results.filter((r) => r.ok).map((r) => r.replica))).toEqual(new Set(["a", "b"]));
    for (const r of results.filter((x) => !x.ok)) expect(r.text).toMatch(/Charter refused lookup: .*rate/i);
    expect(notes.calls.length - before).toBe(3);
    // both wrote their own decisions, and the denials name the rate rule
    await new Promise((r) => setTimeout(r, 300));
    const decided = [...records(a.audit), ...records(b.audit)].filter((r) => toolOf(r) === "lookup" && r.agent === "librarian");
    expect(decided.filter((r) => r.outcome === "allow").length).toBe(3);
    expect(decided.filter((r) => r.outcome === "deny").length).toBe(5);
  });

  it("an isolation posted to one replica's admin API stops calls on the other within 1 s, kept across a reload, and a release there lifts it", async () => {
    const cb = await connect(b, archivist.token);
    expect((await cb.callTool({ name: "lookup", arguments: { word: "before" } })).isError).not.toBe(true);
    const api = (r: Replica, path: string, body: unknown) =>
      fetch(r.url + path, {
        method: "POST",
        headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const posted = await api(a, "/api/admin/isolate", { agent: "archivist", reason: "incident 12" });
    expect(posted.status, await posted.clone().text()).toBe(200);
    const t0 = Date.now();
    let refusedAt: number | undefined;
    let last = "";
    while (Date.now() - t0 < 3000) {
      const r = await cb.callTool({ name: "lookup", arguments: { word: "after" } });
      last = text(r);
      if (r.isError === true) {
        refusedAt = Date.now();
        break;
      }
    }
    expect(refusedAt, `still allowed on replica b: ${last}`).toBeDefined();
    expect(refusedAt! - t0).toBeLessThan(1000);
    expect(last).toMatch(/archivist is isolated: incident 12/);
    // the replica that took the request denies from its answer on
    const ca = await connect(a, archivist.token);
    expect(text(await ca.callTool({ name: "lookup", arguments: { word: "x" } }))).toMatch(/isolated: incident 12/);
    // a new bundle (SIGHUP, and the file watch) keeps the isolation on both replicas
    writeFileSync(join(dir, "replicas.charter"), POLICY.replace("rate 100000 per 1m", "rate 99999 per 1m"));
    const rebuilt = charter(["build", join(dir, "replicas.charter"), "-o", join(dir, "replicas.bundle.json")]);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    for (const r of [a, b]) r.child.kill("SIGHUP");
    const t2 = Date.now();
    while (!(a.stderr().includes("bundle reloaded") && b.stderr().includes("bundle reloaded")) && Date.now() - t2 < 5000)
      await new Promise((r) => setTimeout(r, 50));
    expect(a.stderr()).toContain("bundle reloaded");
    expect(b.stderr()).toContain("bundle reloaded");
    for (const c of [ca, cb])
      expect(text(await c.callTool({ name: "lookup", arguments: { word: "reloaded" } }))).toMatch(/isolated: incident 12/);
    // the reload carried the isolation over without recording it again: one record of it per replica
    const isolationRecords = (r: Replica) =>
      records(r.audit).filter((x) => x.event === "isolation" && x.agent === "archivist" && x.outcome === "isolated").length;
    const t3 = Date.now();
    while ((isolationRecords(a) < 1 || isolationRecords(b) < 1) && Date.now() - t3 < 3000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500)); // a second record would have been flushed by now
    expect([isolationRecords(a), isolationRecords(b)]).toEqual([1, 1]);
    // a replica started while the isolation holds denies from its first call
    const d = await start("d");
    expect(text(await (await connect(d, archivist.token)).callTool({ name: "lookup", arguments: { word: "late" } }))).toMatch(
      /isolated: incident 12/,
    );
    await stop(d);
    // released through the other replica: both allow again
    expect((await api(b, "/api/admin/release", { agent: "archivist" })).status).toBe(200);
    const t1 = Date.now();
    let allowed = false;
    while (!allowed && Date.now() - t1 < 3000)
      allowed = (await ca.callTool({ name: "lookup", arguments: { word: "again" } })).isError !== true;
    expect(allowed).toBe(true);
    expect(Date.now() - t1).toBeLessThan(1000);
    expect((await cb.callTool({ name: "lookup", arguments: { word: "again" } })).isError).not.toBe(true);
  });

  it("Redis losing its data (FLUSHDB) lifts no isolation: both replicas keep refusing; the admin's release lifts it on both within 1 s", async () => {
    const ca = await connect(a, archivist.token);
    const cb = await connect(b, archivist.token);
    const api = (r: Replica, path: string, body: unknown) =>
      fetch(r.url + path, {
        method: "POST",
        headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const isolationRecords = (r: Replica, outcome: string) =>
      records(r.audit).filter((x) => (x.event === "isolation" || x.event === "state") && x.agent === "archivist" && x.outcome === outcome);
    const releasedBefore = [a, b].map((r) => isolationRecords(r, "released").length);
    expect((await api(a, "/api/admin/isolate", { agent: "archivist", reason: "INC-2" })).status).toBe(200);
    const refused = async (c: Client) => (await c.callTool({ name: "lookup", arguments: { word: "x" } })).isError === true;
    const t0 = Date.now();
    while (!(await refused(cb)) && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 20));
    expect(Date.now() - t0).toBeLessThan(1000);

    await flushDb(redisUrl);
    const t1 = Date.now();
    while (Date.now() - t1 < 2500) {
      for (const c of [ca, cb])
        expect(text(await c.callTool({ name: "lookup", arguments: { word: "after-flush" } }))).toMatch(/isolated: INC-2/);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([a, b].map((r) => isolationRecords(r, "released").length)).toEqual(releasedBefore);
    expect(isolationRecords(a, "reasserted").length + isolationRecords(b, "reasserted").length).toBe(1);

    expect((await api(b, "/api/admin/release", { agent: "archivist", reason: "INC-2 closed" })).status).toBe(200);
    const t2 = Date.now();
    while ((await refused(ca)) && Date.now() - t2 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(Date.now() - t2).toBeLessThan(1000);
    expect(await refused(cb)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    for (const [i, r] of [a, b].entries()) {
      const released = isolationRecords(r, "released").slice(releasedBefore[i]);
      expect(released).toHaveLength(1);
      expect(JSON.stringify(released[0])).toContain("INC-2 closed");
    }
  });

  it("a replica whose Redis goes away denies every call (fail closed), audits the outage, and recovers", async () => {
    const port = await freePort();
    const redisDir = mkdtempSync(join(dir, "redis-"));
    let redis = await startRedis(inject("redisServer"), port, redisDir);
    const c = await start("c", `redis://127.0.0.1:${port}`);
    const client = await connect(c, archivist.token);
    expect((await client.callTool({ name: "lookup", arguments: { word: "up" } })).isError).not.toBe(true);
    const down = new Promise((r) => redis.once("exit", r));
    redis.kill("SIGKILL");
    await down;
    await new Promise((r) => setTimeout(r, 200));
    const refused = await client.callTool({ name: "lookup", arguments: { word: "down" } });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/Charter refused lookup: .*unreachable.*fail/i);
    redis = await startRedis(inject("redisServer"), port, redisDir);
    const t0 = Date.now();
    let ok = false;
    while (!ok && Date.now() - t0 < 5000) {
      ok = (await client.callTool({ name: "lookup", arguments: { word: "back" } })).isError !== true;
      if (!ok) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ok).toBe(true);
    await stop(c);
    const exited = new Promise((r) => redis.once("exit", r));
    redis.kill("SIGTERM");
    await exited;
    const recs = records(c.audit);
    expect(recs.some((r) => r.event === "state" && r.outcome === "unavailable")).toBe(true);
    expect(recs.some((r) => r.event === "state" && r.outcome === "recovered")).toBe(true);
    expect(recs.some((r) => toolOf(r) === "lookup" && r.outcome === "deny" && JSON.stringify(r).includes("state_unavailable"))).toBe(true);
  });
});
