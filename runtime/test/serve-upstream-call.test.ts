// Upstream.callTool sends a stdio server's tools/call past the SDK Client (runtime/src/serve/upstream.ts);
// what it answers must be what client.callTool answers on the same connection: the same results, the
// same errors (code, message, data) for a failing server, a malformed result, a timeout, a cancellation
// and a server that goes away.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UpstreamConfig } from "../src/serve/config.js";
import { CallAbort } from "../src/serve/call-abort.js";
import { Upstream } from "../src/serve/upstream.js";
import { ROOT } from "../../test/support/paths.js";

const fixture = join(ROOT, "runtime/test/fixtures/serve/differential-tools.mjs");
let upstream: Upstream;
const config = (name: string): UpstreamConfig => ({ name, command: [process.execPath, fixture], env: {}, resources: false });

type Outcome = { ok: true; result: unknown } | { ok: false; name: string; message: string; code?: unknown; data?: unknown };
const outcome = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    (result) => ({ ok: true as const, result }),
    (e: Error & { code?: unknown; data?: unknown }) => ({
      ok: false as const,
      name: e.name,
      message: e.message,
      code: e.code,
      data: e.data,
    }),
  );

/** The same call both ways, one after the other. */
async function both(name: string, args?: Record<string, unknown>, timeoutMs = 300_000, abortAfterMs?: number) {
  const withdrawn = () => {
    const w = new CallAbort();
    if (abortAfterMs !== undefined) setTimeout(() => w.abort(), abortAfterMs);
    return w;
  };
  const before = upstream.directCalls;
  const direct = await outcome(upstream.callTool(name, args, withdrawn(), timeoutMs));
  expect(upstream.directCalls, "the call went past the Client").toBe(before + 1);
  const viaClient = await outcome(
    upstream.client.callTool({ name, ...(args ? { arguments: args } : {}) }, undefined, { signal: withdrawn().signal, timeout: timeoutMs }),
  );
  return { direct, viaClient };
}

beforeAll(async () => {
  upstream = new Upstream(config("tools"));
  await upstream.start();
  expect(upstream.failure).toBeUndefined();
});

afterAll(async () => {
  await upstream?.close();
});

describe("charter serve: a stdio tools/call past the SDK Client", () => {
  it.each([
    ["a plain text result", "echo", { text: "hello" }],
    ["a tool error result", "broken", {}],
    ["a result beyond plain text (checked by the SDK's schema)", "rich", {}],
  ])("%s is the Client's", async (_what, name, args) => {
    const r = await both(name, args);
    expect(r.direct.ok).toBe(true);
    expect(r.direct).toEqual(r.viaClient);
  });

  it("a JSON-RPC error of the server is the Client's McpError: code, message and data", async () => {
    const r = await both("fail", {});
    expect(r.direct).toMatchObject({ ok: false, name: "McpError", code: -32050, data: { disk: "sda" } });
    expect(r.direct).toEqual(r.viaClient);
  });

  it("a result the schema refuses fails as the Client fails", async () => {
    const r = await both("malformed", {});
    expect(r.direct.ok).toBe(false);
    expect(r.direct).toEqual(r.viaClient);
  });

  it("a timeout and a cancellation fail as the Client's, and the server is told to stop", async () => {
    const timedOut = await both("slow", { ms: 2000 }, 200);
    expect(timedOut.direct).toMatchObject({ ok: false, code: -32001 });
    expect(timedOut.direct).toEqual(timedOut.viaClient);
    const aborted = await both("slow", { ms: 2000 }, 300_000, 200);
    expect(aborted.direct.ok).toBe(false);
    expect(aborted.direct).toEqual(aborted.viaClient);
    // the server was told each time (notifications/cancelled): both ways, for the timeout and the abort
    await new Promise((r) => setTimeout(r, 100));
    const count = await upstream.callTool("cancellations", {}, new CallAbort(), 5000);
    expect((count.content[0] as { text: string }).text).toBe("4");
  });

  it("takes the direct way for the tools servers usually publish (McpServer's, with execution.taskSupport forbidden)", async () => {
    const sdkServer = new Upstream({
      name: "echo",
      command: [process.execPath, join(ROOT, "runtime/test/fixtures/serve/crashy-echo.mjs")],
      env: {},
      resources: false,
    });
    await sdkServer.start();
    expect(sdkServer.tools.get("echo")?.execution).toEqual({ taskSupport: "forbidden" });
    const before = sdkServer.directCalls;
    const r = await sdkServer.callTool("echo", { text: "hi" }, new CallAbort(), 5000);
    expect((r.content[0] as { text: string }).text).toMatch(/^hi \(pid \d+\)$/);
    expect(sdkServer.directCalls).toBe(before + 1);
    await sdkServer.close();
  });

  it("a server that goes away mid-call fails both ways with the Client's 'Connection closed'", async () => {
    const other = new Upstream(config("gone"), {
      firstMs: 60_000,
      maxMs: 60_000,
    });
    await other.start();
    const direct = outcome(other.callTool("slow", { ms: 10_000 }, new CallAbort(), 300_000));
    const viaClient = outcome(other.client.callTool({ name: "slow", arguments: { ms: 10_000 } }));
    await new Promise((r) => setTimeout(r, 200));
    process.kill((other as unknown as { stdio: { pid: number } }).stdio.pid, "SIGKILL");
    const [a, b] = await Promise.all([direct, viaClient]);
    expect(a).toMatchObject({ ok: false, name: "McpError", code: -32000 });
    expect(a).toEqual(b);
    await other.close();
  });
});

describe("charter serve: a call's withdrawal (CallAbort)", () => {
  it("gives a signal that means what an AbortController's means, whenever it is read", () => {
    const early = new CallAbort();
    const seen: string[] = [];
    const signal = early.signal;
    signal.addEventListener("abort", () => seen.push("signal"));
    early.onAbort(() => seen.push("callback"));
    const gone = early.onAbort(() => seen.push("unsubscribed"));
    gone();
    early.abort();
    early.abort("twice");
    expect(seen).toEqual(["signal", "callback"]);
    const reference = new AbortController();
    reference.abort();
    expect(signal.aborted).toBe(true);
    expect(String(signal.reason)).toBe(String(reference.signal.reason));
    // read only after the abort: already aborted, with the same reason
    const late = new CallAbort();
    late.abort("withdrawn");
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe("withdrawn");
    expect(late.onAbort(() => seen.push("never"))).toBeTypeOf("function");
    expect(seen).toHaveLength(2);
  });
});
