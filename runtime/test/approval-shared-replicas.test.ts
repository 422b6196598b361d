// Two `charter serve` replicas (the real binary, two processes) on one real Redis (test/support/
// setup-redis.ts), DEPLOYMENT.md §2/§5: a call waiting for approval on one replica is listed and decided
// through the other, and the waiting call runs (or is refused) within about a second; a request is decided
// exactly once; every decision is audited with the approver; Redis away means no approval is granted
// (503, audited) and approvals work again once it is back. Also the monitor: a tool_rate rule counts the
// calls of both replicas together. Real MCP SDK clients over Streamable HTTP, the notes tool server.
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

const POLICY = `policy shared_approvals {
  version 1
  owner "gateway"
}

defaults {
  monitor {
    tool_rate   > 2.0x baseline within 1m => block
    data_volume > 1000.0x baseline per session => alert medium
    output pii                          => redact
  }
  audit { retention 365d pii hash }
}

source api { trust medium threshold 0.70 }

agent librarian {
  kind conversational
  reads api
  tool lookup { scope read tier low rate 100000 per 1m }
  tool approve_me {
    scope write tier high rate 1000 per 1m
    approval { approvers ["leads"] timeout 1m }
    reversal "undo the change in the notes"
  }
}

agent clerk {
  kind conversational
  reads api
  tool lookup { scope read tier low rate 100000 per 1m }
  tool approve_me {
    scope write tier high rate 1000 per 1m
    approval { approvers ["leads"] timeout 3s }
    reversal "undo the change in the notes"
  }
}
`;

// lookup: 120 an hour, so the monitor's tool_rate (2.0x) admits 4 a minute (in total, on every replica)
const BASELINE = {
  format: "charter-baseline/1",
  ngram: 2,
  observedMs: 3_600_000,
  records: 1000,
  agents: Object.fromEntries(
    ["librarian", "clerk"].map((agent) => [
      agent,
      {
        tools: { lookup: { calls: 120, perHour: 120 }, approve_me: { calls: 60_000, perHour: 60_000 } },
        sessions: { count: 10, meanVolume: 1000, maxVolume: 2000 },
        sequences: [],
      },
    ]),
  ),
};

const dir = mkdtempSync(join(tmpdir(), "charter-approval-shared-"));
const librarian = newToken();
const clerk = newToken();
const alice = newToken();
const bob = newToken();
const admin = newToken();
const redisUrl = `${inject("redisUrl")}/${1 + Math.floor(Math.random() * 15)}`;
let notes: { url: string; calls: string[]; close(): Promise<void> };
const replicas: Replica[] = [];
const clients: Client[] = [];

type Replica = ServeProcess;

interface Shown {
  id: string;
  agent: string;
  tool: string;
  args: unknown;
  args_digest: string;
  approvers: string[];
  expires_at: string;
}

const text = (r: unknown) => ((r as { content?: { text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("\n");

function config(name: string, redis: string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `listen: 127.0.0.1:0
bundle: shared.bundle.json
baseline: baseline.json
audit: { file: ${name}.audit.jsonl }
state: { redis: "${redis}" }
agents:
  librarian: { token_sha256: "${librarian.sha256}", upstreams: [notes], source: api }
  clerk: { token_sha256: "${clerk.sha256}", upstreams: [notes], source: api }
upstreams:
  notes: { url: "${notes.url}" }
approvers:
  alice: { token_sha256: "${alice.sha256}", groups: [leads] }
  bob: { token_sha256: "${bob.sha256}", groups: [leads] }
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
  const client = await connectAgent(r.url, token, "shared-approvals-test");
  clients.push(client);
  return client;
}

const records = auditRecords;

/** The approval book's transition records of one request (the guard adds its own record of the outcome). */
const approvalRecords = (r: Replica, id: string) =>
  records(r.audit).filter(
    (x) =>
      x.event === "approval" &&
      JSON.stringify(x.trace).includes(id) &&
      (x.trace as { rule: string }[])[0]!.rule === `approval.${x.outcome as string}`,
  );

async function listed(r: Replica, token = alice.token): Promise<Shown[]> {
  const res = await fetch(r.url + "/api/approvals", { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { approvals: Shown[] }).approvals;
}

/** Waits until `r` lists a request of `agent` (other replicas' requests reach its list within a second). */
async function waitListed(r: Replica, agent: string): Promise<{ shown: Shown; ms: number }> {
  const t0 = Date.now();
  while (Date.now() - t0 < 5000) {
    const found = (await listed(r)).find((a) => a.agent === agent);
    if (found) return { shown: found, ms: Date.now() - t0 };
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error(`no pending request of ${agent} listed on ${r.url}`);
}

function decide(r: Replica, id: string, decision: "approve" | "reject", token = alice.token, comment?: string) {
  return fetch(`${r.url}/api/approvals/${id}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ decision, ...(comment ? { comment } : {}) }),
  });
}

async function flushDb(url: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const r = new Redis(url);
  await r.flushdb();
  r.disconnect();
}

beforeAll(async () => {
  writeFileSync(join(dir, "shared.charter"), POLICY);
  writeFileSync(join(dir, "baseline.json"), JSON.stringify(BASELINE));
  const built = charter(["build", join(dir, "shared.charter"), "-o", join(dir, "shared.bundle.json")]);
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

describe("approvals and monitoring shared by two charter serve replicas on one Redis", () => {
  let a: Replica;
  let b: Replica;

  it("a call waiting on replica a is listed and approved through replica b, runs once within a second, and is decided once", async () => {
    [a, b] = await Promise.all([start("a"), start("b")]);
    const ca = await connect(a, librarian.token);
    const before = notes.calls.filter((c) => c === "approve_me").length;
    const waiting = ca.callTool({ name: "approve_me", arguments: { change: "rename the glossary" } });
    const { shown, ms } = await waitListed(b, "librarian");
    expect(ms).toBeLessThan(1500);
    expect(shown).toMatchObject({ agent: "librarian", tool: "approve_me", approvers: ["leads"] });
    expect(JSON.stringify(shown.args)).toContain("rename the glossary");
    // the owner lists it too
    expect((await listed(a)).map((x) => x.id)).toContain(shown.id);

    const t0 = Date.now();
    const res = await decide(b, shown.id, "approve", alice.token, "looks right");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toEqual({ id: shown.id, status: "approved" });
    const result = await waiting;
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(result.isError).not.toBe(true);
    expect(text(result)).toContain("applied rename the glossary");
    expect(notes.calls.filter((c) => c === "approve_me").length - before).toBe(1);

    // decided exactly once: a second answer through either replica is refused
    const again = await decide(a, shown.id, "reject", bob.token);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ id: shown.id, status: "approved" });
    expect((await decide(b, shown.id, "approve", bob.token)).status).toBe(409);
    expect((await listed(a)).map((x) => x.id)).not.toContain(shown.id);
    const tl = Date.now();
    while ((await listed(b)).some((x) => x.id === shown.id) && Date.now() - tl < 2000) await new Promise((r) => setTimeout(r, 25));
    expect((await listed(b)).map((x) => x.id)).not.toContain(shown.id);

    // audited with who decided, on the replica whose call ran and on the one that took the decision
    await new Promise((r) => setTimeout(r, 300));
    const onA = approvalRecords(a, shown.id);
    expect(onA.filter((x) => x.outcome === "approved")).toHaveLength(1);
    expect(onA.find((x) => x.outcome === "approved")).toMatchObject({ approver: "alice", agent: "librarian" });
    const onB = approvalRecords(b, shown.id);
    expect(onB.filter((x) => x.outcome === "approved")).toHaveLength(1);
    expect(onB.find((x) => x.outcome === "approved")).toMatchObject({ approver: "alice" });
    expect(onA.some((x) => x.outcome === "rejected") || onB.some((x) => x.outcome === "rejected")).toBe(false);
  });

  it("two approvers answering at once through the two replicas: exactly one answer counts", async () => {
    const cb = await connect(b, librarian.token);
    const waiting = cb.callTool({ name: "approve_me", arguments: { change: "race" } });
    const { shown } = await waitListed(a, "librarian");
    const [x, y] = await Promise.all([decide(a, shown.id, "reject", alice.token), decide(b, shown.id, "approve", bob.token)]);
    const statuses = [x.status, y.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = x.status === 200 ? "rejected" : "approved";
    const result = await waiting;
    expect(result.isError === true).toBe(winner === "rejected");
    await new Promise((r) => setTimeout(r, 300));
    const ended = approvalRecords(b, shown.id).filter((r) => r.outcome === "approved" || r.outcome === "rejected");
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ outcome: winner, approver: winner === "rejected" ? "alice" : "bob" });
  });

  it("rejected through the other replica: the waiting call is refused within a second and never runs", async () => {
    const cb = await connect(b, librarian.token);
    const before = notes.calls.filter((c) => c === "approve_me").length;
    const waiting = cb.callTool({ name: "approve_me", arguments: { change: "drop everything" } });
    const { shown } = await waitListed(a, "librarian");
    const t0 = Date.now();
    expect((await decide(a, shown.id, "reject", bob.token, "no")).status).toBe(200);
    const result = await waiting;
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/reject/i);
    expect(notes.calls.filter((c) => c === "approve_me").length).toBe(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(approvalRecords(b, shown.id).find((x) => x.outcome === "rejected")).toMatchObject({ approver: "bob" });
  });

  it("a request nobody decides expires on its replica, and the other replica then refuses to approve it", async () => {
    const ca = await connect(a, clerk.token);
    const before = notes.calls.filter((c) => c === "approve_me").length;
    const waiting = ca.callTool({ name: "approve_me", arguments: { change: "late" } });
    const { shown } = await waitListed(b, "clerk");
    const result = await waiting; // timeout 3s
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/no answer within 3s/);
    const late = await decide(b, shown.id, "approve");
    expect(late.status).toBe(409);
    expect(notes.calls.filter((c) => c === "approve_me").length).toBe(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(approvalRecords(a, shown.id).some((x) => x.outcome === "expired")).toBe(true);
    expect(approvalRecords(a, shown.id).some((x) => x.outcome === "approved")).toBe(false);
  });

  it("an isolation posted to one replica withdraws the agent's request waiting on the other within a second", async () => {
    const cb = await connect(b, clerk.token);
    const before = notes.calls.filter((c) => c === "approve_me").length;
    const waiting = cb.callTool({ name: "approve_me", arguments: { change: "while isolated" } });
    const { shown } = await waitListed(a, "clerk");
    const t0 = Date.now();
    const posted = await fetch(a.url + "/api/admin/isolate", {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ agent: "clerk", reason: "incident 12" }),
    });
    expect(posted.status).toBe(200);
    const result = await waiting;
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(result.isError).toBe(true);
    expect((await decide(a, shown.id, "approve")).status).toBe(409);
    expect(notes.calls.filter((c) => c === "approve_me").length).toBe(before);
    await new Promise((r) => setTimeout(r, 300));
    expect(approvalRecords(b, shown.id).some((x) => x.outcome === "withdrawn")).toBe(true);
    const released = await fetch(b.url + "/api/admin/release", {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ agent: "clerk" }),
    });
    expect(released.status).toBe(200);
  });

  it("the monitor's tool_rate counts both replicas' calls together: 4 a minute in total, then blocked", async () => {
    const ca = await connect(a, librarian.token);
    const cb = await connect(b, librarian.token);
    const results: { replica: string; ok: boolean; text: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const [name, c] = i % 2 === 0 ? ["a", ca] : ["b", cb];
      const r = await c.callTool({ name: "lookup", arguments: { word: `m${i}` } });
      results.push({ replica: name as string, ok: r.isError !== true, text: text(r) });
    }
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(new Set(results.filter((r) => r.ok).map((r) => r.replica))).toEqual(new Set(["a", "b"]));
    for (const r of results.filter((x) => !x.ok)) expect(r.text).toMatch(/monitor.*tool_rate/i);
    await new Promise((r) => setTimeout(r, 300));
    const blocked = [...records(a.audit), ...records(b.audit)].filter(
      (r) => r.event === "alert" && r.outcome === "blocked" && JSON.stringify(r.trace).includes("tool_rate"),
    );
    expect(blocked).toHaveLength(4);
  });

  it("Redis away: a decision is refused (503, audited) and grants nothing; once Redis is back, approvals work again", async () => {
    const port = await freePort();
    const redisDir = mkdtempSync(join(dir, "redis-"));
    let redis = await startRedis(inject("redisServer"), port, redisDir);
    const [c, d] = await Promise.all([start("c", `redis://127.0.0.1:${port}`), start("d", `redis://127.0.0.1:${port}`)]);
    try {
      const cc = await connect(c, clerk.token);
      const before = notes.calls.filter((x) => x === "approve_me").length;
      const waiting = cc.callTool({ name: "approve_me", arguments: { change: "during the outage" } });
      const { shown } = await waitListed(d, "clerk");
      const down = new Promise((r) => redis.once("exit", r));
      redis.kill("SIGKILL");
      await down;
      await new Promise((r) => setTimeout(r, 100));
      // neither the other replica nor the owner can grant it while the shared state is away
      const viaD = await decide(d, shown.id, "approve");
      expect(viaD.status).toBe(503);
      expect(((await viaD.json()) as { error: string }).error).toMatch(/unreachable/);
      const viaC = await decide(c, shown.id, "approve");
      expect(viaC.status).toBe(503);
      const result = await waiting; // expires (3s): refused, never run
      expect(result.isError).toBe(true);
      expect(notes.calls.filter((x) => x === "approve_me").length).toBe(before);
      await new Promise((r) => setTimeout(r, 300));
      expect(approvalRecords(c, shown.id).some((x) => x.outcome === "unavailable" && x.approver === "alice")).toBe(true);
      expect(approvalRecords(d, shown.id).some((x) => x.outcome === "unavailable")).toBe(true);
      expect(approvalRecords(c, shown.id).some((x) => x.outcome === "approved")).toBe(false);

      redis = await startRedis(inject("redisServer"), port, redisDir);
      // recovered: calls are admitted again, and a new request is approved through the other replica
      const t0 = Date.now();
      let up = false;
      while (!up && Date.now() - t0 < 5000) {
        up = (await cc.callTool({ name: "lookup", arguments: { word: "back" } })).isError !== true;
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up).toBe(true);
      const again = cc.callTool({ name: "approve_me", arguments: { change: "after the outage" } });
      const next = await waitListed(d, "clerk");
      expect((await decide(d, next.shown.id, "approve")).status).toBe(200);
      expect(text(await again)).toContain("applied after the outage");
    } finally {
      await stop(c);
      await stop(d);
      redis.kill("SIGKILL");
    }
  });
});
