// The approval API over real HTTP (node:http on 127.0.0.1, port 0) in front of a real Guard whose
// approver is the service: a call waits until an approver in the tool's group decides, and runs once,
// with the arguments shown, or not at all.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ApprovalTimers, FinalDecision } from "../src/index.js";
import { TOKENS, api, deploy, until, type Deployment } from "./approval-fixtures.js";

const ARGS = { slug: "release-notes", contact: "jo.bloggs@example.com" };
let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

function publish(dep: Deployment, signal?: AbortSignal): Promise<FinalDecision> {
  return dep.guard.authorize({
    agent: "docs-bot",
    session: "s1",
    tool: "publishPage",
    args: ARGS,
    reasoning: "The 2.4 release shipped; the notes page is ready.",
    ...(signal ? { signal } : {}),
  });
}

async function waiting(dep: Deployment): Promise<string> {
  const r = await until(() => dep.service.pending()[0], "a pending request");
  return r.id;
}

function manualTimers(): ApprovalTimers & { fireAll(): void } {
  const due = new Map<number, () => void>();
  let n = 1;
  return {
    setTimeout: (fn) => {
      due.set(n, fn);
      return n++;
    },
    clearTimeout: (h) => void due.delete(h as number),
    fireAll: () => {
      for (const [h, fn] of [...due]) {
        due.delete(h);
        fn();
      }
    },
  };
}

describe("approval API", () => {
  it("401 without an approver's token", async () => {
    d = await deploy();
    expect((await api(d.url, undefined, "/api/approvals")).status).toBe(401);
    expect((await api(d.url, "not-a-token", "/api/approvals")).status).toBe(401);
    expect((await api(d.url, TOKENS.agent, "/api/approvals")).status).toBe(401);
    const r = await api(d.url, undefined, "/api/approvals/apr_x", { decision: "approve" });
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("a call waits; only a docs lead sees it, with audited arguments, reasoning and the policy's facts; an approval runs it once", async () => {
    d = await deploy();
    let runs = 0;
    const call = publish(d).then((x) => {
      if (x.outcome === "allow") runs++;
      return x;
    });
    const id = await waiting(d);
    const listed = (await (await api(d.url, TOKENS.alice, "/api/approvals")).json()) as { approvals: Record<string, unknown>[] };
    expect(listed.approvals).toHaveLength(1);
    const shown = listed.approvals[0]!;
    expect(shown).toMatchObject({
      id,
      agent: "docs-bot",
      tool: "publishPage",
      tier: "high",
      approvers: ["docs-leads"],
      reasoning: "The 2.4 release shipped; the notes page is ready.",
      reversal: "playbooks/unpublish-page.md",
    });
    expect(Date.parse(shown.expires_at as string) - Date.parse(shown.requested_at as string)).toBe(120_000);
    // as the audit log shows them: the e-mail address is hashed (pii hash), the slug is not
    expect(shown.args).toMatchObject({ slug: "release-notes", contact: expect.stringMatching(/^\[email:hmac-sha256:[0-9a-f]{32}\]$/) });
    expect(JSON.stringify(shown)).not.toContain("jo.bloggs");
    expect(d.sink.records.find((r) => r.event === "decision")!.action!.args).toEqual(shown.args);
    expect(((await (await api(d.url, TOKENS.mallory, "/api/approvals")).json()) as { approvals: unknown[] }).approvals).toEqual([]);

    const ok = await api(d.url, TOKENS.alice, `/api/approvals/${id}`, {
      decision: "approve",
      comment: "notes reviewed",
      args_digest: shown.args_digest,
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ id, status: "approved" });
    const decision = await call;
    expect(decision).toMatchObject({ outcome: "allow", rule: "approval", approver: "alice", approvalId: id });
    expect(runs).toBe(1);
    const again = await api(d.url, TOKENS.bob, `/api/approvals/${id}`, { decision: "approve" });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ id, status: "approved" });
    expect(d.sink.records.filter((r) => r.event === "approval").map((r) => r.outcome)).toEqual(["pending", "approved", "approved"]);
  });

  it("an approver outside the tool's groups is refused (403, audited) and the call does not run", async () => {
    d = await deploy();
    const call = publish(d);
    const id = await waiting(d);
    const r = await api(d.url, TOKENS.mallory, `/api/approvals/${id}`, { decision: "approve" });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toMatch(
      /mallory-not-a-lead is in none of the groups that approve publishPage \(docs-leads\)/,
    );
    expect(d.sink.records.at(-1)).toMatchObject({ event: "approval", outcome: "forbidden", approver: "mallory-not-a-lead" });
    expect(d.service.get(id)!.status).toBe("pending");
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "reject", comment: "not yet" })).status).toBe(200);
    expect(await call).toMatchObject({ outcome: "deny", approval: "rejected", approver: "alice" });
  });

  it("concurrent answers over HTTP: of an approve and a reject sent at once, exactly one counts", async () => {
    d = await deploy();
    for (let round = 0; round < 5; round++) {
      const call = publish(d);
      const id = await until(() => d!.service.pending()[0]?.id, "pending");
      const answers = await Promise.all([
        api(d.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "approve" }),
        api(d.url, TOKENS.bob, `/api/approvals/${id}`, { decision: "reject" }),
        api(d.url, TOKENS.bob, `/api/approvals/${id}`, { decision: "approve" }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
      const winner = (await answers.find((a) => a.status === 200)!.json()) as { status: string };
      const decision = await call;
      expect(decision.outcome === "allow").toBe(winner.status === "approved");
    }
  });

  it("404 for an unknown id, 400 for a bad body, 409 for a stale args digest", async () => {
    d = await deploy();
    void publish(d);
    const id = await waiting(d);
    expect((await api(d.url, TOKENS.alice, "/api/approvals/apr_doesnotexist", { decision: "approve" })).status).toBe(404);
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "yes" })).status).toBe(400);
    const raw = await fetch(`${d.url}/api/approvals/${id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKENS.alice}` },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
    expect(
      (await api(d.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "approve", args_digest: "sha256:" + "0".repeat(64) })).status,
    ).toBe(409);
    expect(d.service.get(id)!.status).toBe("pending");
  });

  it("expiry: the deadline refuses the call, and a late approval is 409", async () => {
    const timers = manualTimers();
    d = await deploy({ guard: { approvalTimers: timers }, service: { timers } });
    const call = publish(d);
    const id = await waiting(d);
    timers.fireAll();
    expect(await call).toMatchObject({ outcome: "deny", approval: "timeout" });
    const late = await api(d.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "approve" });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ status: "expired" });
  });

  it("cancellation: the client's abort withdraws the request, nothing runs, a late approval is 409", async () => {
    d = await deploy();
    const client = new AbortController();
    const call = publish(d, client.signal);
    const id = await waiting(d);
    client.abort();
    expect(await call).toMatchObject({ outcome: "deny", approval: "withdrawn" });
    expect(d.service.get(id)).toMatchObject({ status: "withdrawn" });
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "approve" })).status).toBe(409);
    expect(d.sink.records.filter((r) => r.event === "approval").map((r) => r.outcome)).toEqual(["pending", "withdrawn", "withdrawn"]);
  });

  it("isolation while waiting (admin kill switch): the request is withdrawn, the agent is denied until released", async () => {
    d = await deploy();
    const call = publish(d);
    const id = await waiting(d);
    expect((await api(d.url, TOKENS.alice, "/api/admin/isolate", { agent: "docs-bot", reason: "x" })).status).toBe(401);
    expect((await api(d.url, TOKENS.admin, "/api/admin/isolate", { agent: "docs-bot" })).status).toBe(400);
    const iso = await api(d.url, TOKENS.admin, "/api/admin/isolate", {
      agent: "docs-bot",
      reason: "incident 7: prompt injection suspected",
    });
    expect(iso.status).toBe(200);
    expect(await iso.json()).toEqual({ isolated: "docs-bot", reason: "incident 7: prompt injection suspected", withdrawn: 1 });
    expect(await call).toMatchObject({ outcome: "deny" });
    expect(d.service.get(id)!.status).toBe("withdrawn");
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "approve" })).status).toBe(409);
    expect(await d.guard.authorize({ agent: "docs-bot", session: "s1", tool: "readPage" })).toMatchObject({
      outcome: "deny",
      rule: "isolated",
    });
    expect((await api(d.url, TOKENS.admin, "/api/admin/release", { agent: "docs-bot", reason: "cleared" })).status).toBe(200);
    expect(await d.guard.authorize({ agent: "docs-bot", session: "s1", tool: "readPage" })).toMatchObject({ outcome: "allow" });
    expect(d.sink.records.filter((r) => r.event === "isolation").map((r) => r.outcome)).toEqual(["isolated", "released"]);
  });

  it("isolating every agent withdraws everything; shutdown withdraws what is left", async () => {
    d = await deploy();
    const first = publish(d);
    await waiting(d);
    expect(await (await api(d.url, TOKENS.admin, "/api/admin/isolate", { reason: "all stop" })).json()).toMatchObject({
      isolated: "*",
      withdrawn: 1,
    });
    expect(await first).toMatchObject({ outcome: "deny" });
    await api(d.url, TOKENS.admin, "/api/admin/release", {});
    const second = publish(d);
    const id = await until(() => d!.service.pending()[0]?.id, "second request");
    await d.service.close("the gateway is shutting down");
    expect(await second).toMatchObject({ outcome: "deny", approval: "withdrawn" });
    expect(d.service.get(id)).toMatchObject({ status: "withdrawn", endReason: "the gateway is shutting down" });
    // after close, nothing new is left waiting
    expect(await publish(d)).toMatchObject({ outcome: "deny", approval: "withdrawn" });
  });

  it("no_approver: a tool whose groups nobody is in is refused at once, as its own outcome", async () => {
    d = await deploy();
    const r = await d.guard.authorize({ agent: "docs-bot", session: "s1", tool: "purgeCache" });
    expect(r).toMatchObject({ outcome: "deny", approval: "no_approver" });
    expect(d.sink.records.filter((x) => x.event === "approval").map((x) => x.outcome)).toEqual(["pending", "no_approver", "no_approver"]);
  });
});

describe("webhook notifications", () => {
  let hook: Server | undefined;
  afterEach(async () => {
    hook?.closeAllConnections();
    await new Promise((r) => (hook ? hook.close(r) : r(undefined)));
    hook = undefined;
  });

  async function listen(onRequest: (req: IncomingMessage, body: string) => number | undefined): Promise<string> {
    hook = createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      const status = onRequest(req, body);
      if (status !== undefined) {
        res.writeHead(status);
        res.end("ok");
      } // otherwise never answer
    });
    await new Promise<void>((r) => hook!.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
  }

  it("posts {text} with a link to the request, as a Slack or Teams incoming webhook takes it", async () => {
    const got: { type: string | undefined; body: string }[] = [];
    const url = await listen((req, body) => {
      got.push({ type: req.headers["content-type"], body });
      return 200;
    });
    d = await deploy({ service: { webhook: url } });
    void publish(d);
    const id = await waiting(d);
    await until(() => got.length === 1, "the webhook");
    const msg = JSON.parse(got[0]!.body) as { text: string };
    expect(Object.keys(msg)).toEqual(["text"]);
    expect(got[0]!.type).toBe("application/json");
    expect(msg.text).toContain(`${d.url}/inbox#${id}`);
    expect(msg.text).toMatch(/docs-bot asks to run publishPage \(tier high\); approvers: docs-leads/);
    expect(msg.text).not.toContain("jo.bloggs");
  });

  it("never blocks: a webhook that hangs or is down does not delay the decision", async () => {
    const errors: string[] = [];
    const url = await listen(() => undefined);
    d = await deploy({ service: { webhook: { url, timeoutMs: 300 }, onError: (m) => errors.push(m) } });
    const call = publish(d);
    const id = await waiting(d);
    expect((await api(d.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "approve" })).status).toBe(200);
    expect(await call).toMatchObject({ outcome: "allow" });
    await d.service.drain();
    expect(errors[0]).toMatch(new RegExp(`webhook for approval ${id} failed`));
  });
});
