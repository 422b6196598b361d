// `charter serve` with `soc:` in its config, against real receivers on 127.0.0.1 (a node:http webhook that
// insists on the Authorization header the config takes from the environment, and an RFC 5424 syslog-over-
// TCP server): an injection refused in a tool result and an isolation by the admin reach both as they
// happen; while the receivers are down the events wait in the spool, across a restart of the gateway too,
// and arrive once, in chain order, each with its audit record's hash.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newToken, parseServeConfig, startServe, type ServeHandle } from "../src/serve/index.js";
import { socEventOf, type SocEvent } from "../src/soc/index.js";
import type { AuditRecord } from "../src/audit/record.js";
import { charter } from "../../test/support/cli.js";
import { freePort } from "../../test/support/free-port.js";
// @ts-expect-error: a plain ESM fixture without types
import { startNotesServer } from "./fixtures/serve/notes.mjs";

const dir = mkdtempSync(join(tmpdir(), "charter-serve-soc-"));
const librarian = newToken();
const admin = newToken();
const SECRET = `Bearer ${newToken().token}`;
let notes: { url: string; close(): Promise<void> };
let webhookPort: number;
let syslogPort: number;

/** What the receivers got; `refused` counts webhook posts without the right Authorization header. */
const posted: SocEvent[] = [];
const logged: { pri: number; sd: Record<string, string>; msg: string }[] = [];
let refused = 0;
let http: HttpServer | undefined;
let tcp: TcpServer | undefined;
const sockets = new Set<Socket>();

function parseSyslog(m: string): { pri: number; sd: Record<string, string>; msg: string } {
  const head = /^<(\d+)>1 (\S+) (\S+) charter (\d+) (\S+) \[charter@32473 ((?:[^\]\\]|\\.)*)\] \uFEFF([\s\S]*)$/.exec(m);
  if (!head) throw new Error(`not RFC 5424: ${m}`);
  const sd: Record<string, string> = {};
  for (const p of head[6]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) sd[p[1]!] = p[2]!.replace(/\\(.)/g, "$1");
  return { pri: Number(head[1]), sd, msg: head[7]! };
}

async function startReceivers(): Promise<void> {
  http = createHttpServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.headers.authorization !== SECRET) {
        refused++;
        res.writeHead(401).end();
        return;
      }
      posted.push(JSON.parse(body) as SocEvent);
      res.writeHead(204).end();
    });
  });
  tcp = createTcpServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    let buf = Buffer.alloc(0);
    sock.on("data", (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      // octet counting: LEN SP MSG
      for (;;) {
        const sp = buf.indexOf(32);
        if (sp === -1) break;
        const len = Number(buf.subarray(0, sp).toString("ascii"));
        if (buf.length < sp + 1 + len) break;
        logged.push(parseSyslog(buf.subarray(sp + 1, sp + 1 + len).toString("utf8")));
        buf = buf.subarray(sp + 1 + len);
      }
    });
  });
  await new Promise<void>((r) => http!.listen(webhookPort, "127.0.0.1", r));
  await new Promise<void>((r) => tcp!.listen(syslogPort, "127.0.0.1", r));
}

async function stopReceivers(): Promise<void> {
  for (const s of sockets) s.destroy();
  http?.closeAllConnections();
  await new Promise((r) => (http ? http.close(r) : r(undefined)));
  await new Promise((r) => (tcp ? tcp.close(r) : r(undefined)));
  http = tcp = undefined;
}

function config(audit: string, spool: string): string {
  return `
listen: 127.0.0.1:0
bundle: gateway.bundle.json
audit: { file: ${audit} }
agents:
  librarian: { token_sha256: "${librarian.sha256}", upstreams: [notes], source: api }
upstreams:
  notes: { url: "${notes.url}" }
admin: { token_sha256: "${admin.sha256}" }
soc:
  spool: ${spool}
  webhook:
    url: http://127.0.0.1:${webhookPort}/charter
    headers_from_env: { Authorization: CHARTER_TEST_SIEM_AUTH }
  syslog: { host: 127.0.0.1, port: ${syslogPort}, facility: local4 }
`;
}

async function start(audit: string, spool: string): Promise<ServeHandle> {
  const text = config(audit, spool);
  writeFileSync(join(dir, "serve.yaml"), text);
  const parsed = parseServeConfig(text, join(dir, "serve.yaml"));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return startServe({ config: parsed.config, log: () => undefined, watchBundle: false });
}

/** An injection refused in split_report's result, then the librarian isolated by the admin and denied. */
async function raiseEvents(serve: ServeHandle, reason: string): Promise<void> {
  const client = new Client({ name: "soc-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(serve.url + "/mcp"), {
      requestInit: { headers: { Authorization: `Bearer ${librarian.token}` } },
    }),
  );
  const t0 = Date.now();
  const r = await client.callTool({ name: "split_report", arguments: {} });
  expect(r.isError).toBe(true);
  const isolated = await fetch(serve.url + "/api/admin/isolate", {
    method: "POST",
    headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ agent: "librarian", reason }),
  });
  expect(isolated.status).toBe(200);
  expect((await client.callTool({ name: "lookup", arguments: { word: "x" } })).isError).toBe(true);
  expect(Date.now() - t0).toBeLessThan(5000); // no decision waited for the receivers (a 5 s send timeout would show)
  await client.close();
}

function records(audit: string): AuditRecord[] {
  return readFileSync(join(dir, audit), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

beforeAll(async () => {
  expect(charter(["build", "runtime/test/fixtures/serve/gateway.charter", "-o", join(dir, "gateway.bundle.json")]).status).toBe(0);
  notes = await startNotesServer();
  webhookPort = await freePort();
  syslogPort = await freePort();
  process.env.CHARTER_TEST_SIEM_AUTH = SECRET;
});

afterAll(async () => {
  await stopReceivers();
  await notes?.close();
});

describe("charter serve: soc export", () => {
  it("sends the injection refusal and the isolation to the webhook and syslog, after an outage with nothing lost", async () => {
    posted.length = logged.length = refused = 0;
    const serve = await start("audit-1.jsonl", "spool-1");
    await raiseEvents(serve, "incident 12: poisoned report");
    await new Promise((r) => setTimeout(r, 800)); // receivers down: several retries fail meanwhile
    expect(posted).toHaveLength(0);
    expect(readFileSync(join(dir, "spool-1/events.jsonl"), "utf8")).toContain("incident 12: poisoned report");
    const down = await (await fetch(serve.url + "/metrics")).text();
    expect(down).toMatch(/charter_soc_receiver_up\{receiver="webhook"\} 0/);
    expect(Number(/charter_soc_pending_bytes\{receiver="syslog"\} (\d+)/.exec(down)?.[1])).toBeGreaterThan(0);

    await startReceivers();
    await until(() => posted.some((e) => e.event === "isolation") && logged.some((m) => m.sd.event === "isolation"));
    // live: with the receivers up, the release goes out as it happens
    const released = await fetch(serve.url + "/api/admin/release", {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ agent: "librarian" }),
    });
    expect(released.status).toBe(200);
    await until(() => posted.some((e) => e.outcome === "released") && logged.some((m) => m.sd.outcome === "released"), 5000);
    expect(posted.some((e) => e.outcome === "released")).toBe(true);
    await until(() => logged.length === posted.length);
    const up = await (await fetch(serve.url + "/metrics")).text();
    expect(up).toMatch(/charter_soc_receiver_up\{receiver="syslog"\} 1/);
    expect(up).toMatch(/charter_soc_pending_bytes\{receiver="webhook"\} 0/);
    expect(up).toContain(`charter_soc_events_delivered_total{receiver="webhook"} ${posted.length}`);
    await serve.close();

    const wanted = records("audit-1.jsonl").filter((r) => socEventOf(r) !== undefined);
    const events = wanted.map((r) => r.event);
    expect(events).toContain("ingest_refused");
    expect(events).toContain("isolation");
    expect(refused).toBe(0);
    // every event once, in chain order, each naming its record's hash; the same on syslog
    expect(posted.map((e) => e.seq)).toEqual(wanted.map((r) => r.seq));
    expect(posted.map((e) => e.hash)).toEqual(wanted.map((r) => r.hash));
    expect(logged.map((m) => Number(m.sd.seq))).toEqual(wanted.map((r) => r.seq));
    const injection = posted.find((e) => e.event === "ingest_refused")!;
    expect(injection).toMatchObject({ agent: "librarian", severity: "high" });
    expect(posted.find((e) => e.event === "isolation" && e.outcome !== "released")).toMatchObject({
      severity: "critical",
      agent: "librarian",
    });
    // facility local4 (20): an isolation is critical (2), the injection high (3)
    expect(logged.find((m) => m.sd.event === "isolation")!.pri).toBe(20 * 8 + 2);
    expect(logged.find((m) => m.sd.event === "ingest_refused")!.pri).toBe(20 * 8 + 3);
    expect(logged.find((m) => m.sd.event === "isolation")!.msg).toContain("incident 12: poisoned report");
    await stopReceivers();
  });

  it("keeps what the receivers missed across a restart of the gateway, and sends it once", async () => {
    posted.length = logged.length = refused = 0;
    const first = await start("audit-2.jsonl", "spool-2");
    await raiseEvents(first, "incident 13");
    await first.close(); // stopped while the receivers are still down
    expect(posted).toHaveLength(0);
    const wanted = records("audit-2.jsonl").filter((r) => socEventOf(r) !== undefined);
    expect(wanted.map((r) => r.event)).toContain("isolation");

    await startReceivers();
    const second = await start("audit-2.jsonl", "spool-2");
    await until(() => posted.length >= wanted.length && logged.length >= wanted.length);
    await new Promise((r) => setTimeout(r, 300)); // and nothing more arrives
    expect(posted.map((e) => e.seq)).toEqual(wanted.map((r) => r.seq));
    expect(logged.map((m) => Number(m.sd.seq))).toEqual(wanted.map((r) => r.seq));
    expect(posted.find((e) => e.event === "isolation")!.message).toContain("incident 13");
    await second.close();
    expect(existsSync(join(dir, "spool-2/events.jsonl.lock"))).toBe(false); // the spool's lock is released on close
    await stopReceivers();
  });
});
