// The deadline of an approval shared by replicas (DEPLOYMENT.md §2/§5) is settled by the shared state, not
// by the waiting replica's timer alone: an approval that another replica took just before the deadline,
// and confirmed to its approver with 200, lets the call run even when the waiting replica has not heard of
// it by the time its own timer fires. Two approval services on one real Redis (test/support/setup-redis.ts);
// the waiting replica's notifications are held back for 5 s, as a lost pub/sub message would be, and its
// poll is slowed to a minute, so it learns of the approval only by asking the shared state at the deadline.
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, inject, it } from "vitest";
import { RedisStateStore } from "../src/index.js";
import type { ApprovalStore } from "../src/state/state-store.js";
import { TOKENS, api, deploy, until, type Deployment } from "./approval-fixtures.js";

const url = inject("redisUrl");
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** The store with its notifications delivered `ms` late (the commands themselves are untouched). */
function slowNotifications(store: ApprovalStore, ms: number): ApprovalStore {
  const later =
    <T>(fn: (a: T) => void) =>
    (a: T): void => {
      const t = setTimeout(() => fn(a), ms);
      t.unref();
    };
  return {
    put: (a) => store.put(a),
    get: (id) => store.get(id),
    pending: () => store.pending(),
    transition: (...args) => store.transition(...args),
    watch: (onTransition, onPut) => store.watch(later(onTransition), onPut && later(onPut)),
  };
}

async function replicas(prefix: string): Promise<{ waiting: Deployment; other: Deployment }> {
  const [a, b] = [await RedisStateStore.open(url, { prefix }), await RedisStateStore.open(url, { prefix })];
  const waiting = await deploy({ service: { shared: slowNotifications(a.approvals, 5_000), sharedPollMs: 60_000 } });
  const other = await deploy({ service: { shared: b.approvals, sharedPollMs: 100 } });
  open.push(waiting, other, a, b);
  return { waiting, other };
}

describe("a shared approval at its deadline", () => {
  it("runs the call that another replica approved just before the deadline, though this one had not heard", async () => {
    const { waiting, other } = await replicas(`deadline-${randomUUID()}:`);
    // archivePage waits 2 s for a docs lead
    const call = waiting.guard.authorize({ agent: "docs-bot", session: "s1", tool: "archivePage", args: { slug: "old-faq" } });
    const asked = await until(() => waiting.service.pending()[0], "the request on the waiting replica");
    // (the other replica lists it from the shared state: its own book holds only its own requests)
    for (let i = 0; ; i++) {
      const r = await api(other.url, TOKENS.alice, "/api/approvals");
      const { approvals } = (await r.json()) as { approvals: Array<{ id: string }> };
      if (approvals.some((a) => a.id === asked.id)) break;
      if (i > 100) throw new Error("the other replica never listed the request");
      await new Promise((r) => setTimeout(r, 10));
    }
    const approved = await api(other.url, TOKENS.alice, `/api/approvals/${asked.id}`, {
      decision: "approve",
      args_digest: asked.argsDigest,
    });
    expect(approved.status).toBe(200);
    // the waiting replica still has it pending: its notification is held back
    expect(waiting.service.get(asked.id)?.status).toBe("pending");

    const decision = await call;
    expect(decision).toMatchObject({ outcome: "allow", rule: "approval", approver: "alice", approvalId: asked.id });
    expect(waiting.service.get(asked.id)).toMatchObject({ status: "approved", approver: "alice" });
    const ends = waiting.sink.records.filter((r) => r.event === "approval").map((r) => r.outcome);
    expect(ends).toContain("approved");
    expect(ends).not.toContain("conflict");
    expect(ends).not.toContain("expired");
  });

  it("still expires the request when nobody decided it, and then no replica can approve it", async () => {
    const { waiting, other } = await replicas(`deadline-${randomUUID()}:`);
    const started = Date.now();
    const decision = await waiting.guard.authorize({ agent: "docs-bot", session: "s1", tool: "archivePage", args: { slug: "old-faq" } });
    expect(decision).toMatchObject({ outcome: "deny", rule: "approval", approval: "timeout" });
    // the shared state's answer is one round trip, far inside the grace the guard gives it
    expect(Date.now() - started).toBeLessThan(3_500);
    const id = decision.approvalId!;
    expect(waiting.service.get(id)?.status).toBe("expired");
    const late = await api(other.url, TOKENS.alice, `/api/approvals/${id}`, { decision: "approve" });
    expect(late.status).toBe(409);
  });
});
