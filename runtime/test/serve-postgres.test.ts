// `charter serve` with `audit: { postgres: URL, checkpoint_key, chain }` (DEPLOYMENT.md §4) against a real
// PostgreSQL (test/support/setup-postgres.ts): the gateway's records land in the table, signed
// checkpoints included, and `charter audit verify postgres://…` (the real binary) verifies the chain. A
// gateway restarted with the same chain (after SIGTERM, after SIGKILL) resumes it; a second one on that
// chain is refused at start; /healthz is 503 with the reason while the store refuses its records.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { generateKeys } from "@charter/language";
import { initPostgresAudit, type InitPostgresResult } from "../src/index.js";
import { newToken, parseServeConfig, startServe, type ServeHandle } from "../src/serve/index.js";
import { charter } from "../../test/support/cli.js";
import { connectAgent, startServeProcess, stopServeProcess, type ServeProcess } from "../../test/support/serve-process.js";
// @ts-expect-error: a plain ESM fixture without types
import { startNotesServer } from "./fixtures/serve/notes.mjs";

const POLICY = `policy pg-gateway {
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
  tool lookup { scope read tier low rate 2 per 1m }
}

agent clerk {
  kind conversational
  reads api
  tool lookup { scope read tier low rate 100000 per 1m }
}
`;

const dir = mkdtempSync(join(tmpdir(), "charter-serve-pg-"));
const suffix = randomBytes(4).toString("hex");
const librarian = newToken();
const clerk = newToken();
let roles: InitPostgresResult;
let notes: { url: string; close(): Promise<void> };
let serve: ServeHandle | undefined;
let pub: string;

async function sql(url: string, text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  // a database and roles of its own: `verify` checks every chain in the table
  const superUrl = inject("postgresUrl");
  await sql(superUrl, `CREATE DATABASE charter_serve_${suffix}`);
  const u = new URL(superUrl);
  u.pathname = `/charter_serve_${suffix}`;
  roles = await initPostgresAudit(u.toString(), { writerRole: `serve_w_${suffix}`, readerRole: `serve_r_${suffix}`, retentionDays: 1 });
  const keys = generateKeys();
  writeFileSync(join(dir, "cp.key"), keys.privatePem, { mode: 0o600 });
  pub = keys.publicKey;
  writeFileSync(join(dir, "pg.charter"), POLICY);
  const built = charter(["build", join(dir, "pg.charter"), "-o", join(dir, "pg.bundle.json")]);
  expect(built.status, built.stderr).toBe(0);
  notes = await startNotesServer();
});

afterAll(async () => {
  await serve?.close();
  await notes?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("charter serve with a PostgreSQL audit store", () => {
  it("writes the gateway's decisions to the chain it names, and `charter audit verify` verifies them", async () => {
    const yaml = `listen: 127.0.0.1:0
bundle: pg.bundle.json
audit: { postgres: "${roles.writerUrl}", checkpoint_key: cp.key, chain: gateway-1 }
agents:
  librarian: { token_sha256: "${librarian.sha256}", upstreams: [notes], source: api }
  clerk: { token_sha256: "${clerk.sha256}", upstreams: [notes], source: api }
upstreams:
  notes: { url: "${notes.url}" }
`;
    const parsed = parseServeConfig(yaml, join(dir, "serve.yaml"));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    serve = await startServe({ config: parsed.config, log: () => undefined, watchBundle: false });
    const client = new Client({ name: "pg-test", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(serve.url + "/mcp"), {
        requestInit: { headers: { Authorization: `Bearer ${librarian.token}` } },
      }),
    );
    const outcomes: boolean[] = [];
    for (let i = 0; i < 3; i++) outcomes.push((await client.callTool({ name: "lookup", arguments: { word: `w${i}` } })).isError !== true);
    expect(outcomes).toEqual([true, true, false]);
    await client.close();
    await serve.close();
    serve = undefined;

    const rows = await sql(roles.readerUrl, "SELECT chain, outcome, tool FROM charter_audit WHERE tool = 'lookup' ORDER BY seq");
    // each allowed call is followed by the record of what the tool server answered
    expect(rows.rows).toEqual([
      { chain: "gateway-1", outcome: "allow", tool: "lookup" },
      { chain: "gateway-1", outcome: "ok", tool: "lookup" },
      { chain: "gateway-1", outcome: "allow", tool: "lookup" },
      { chain: "gateway-1", outcome: "ok", tool: "lookup" },
      { chain: "gateway-1", outcome: "deny", tool: "lookup" },
    ]);
    const verified = charter(["audit", "verify", roles.readerUrl, "--checkpoint-pub", pub]);
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/gateway-1/);
    expect(verified.stdout).toMatch(/checkpoint/i);
  });

  it("restarted with the same chain after SIGTERM and after SIGKILL it resumes; a second gateway on the chain is refused; verify: intact", async () => {
    const path = join(dir, "restart.yaml");
    writeFileSync(
      path,
      `listen: 127.0.0.1:0
bundle: pg.bundle.json
audit: { postgres: "${roles.writerUrl}", checkpoint_key: cp.key, chain: accept-clean }
agents:
  clerk: { token_sha256: "${clerk.sha256}", upstreams: [notes], source: api }
upstreams:
  notes: { url: "${notes.url}" }
`,
    );
    const health = async (p: ServeProcess) => {
      const r = await fetch(p.url + "/healthz");
      return { status: r.status, body: (await r.json()) as { status: string; reason?: string } };
    };
    const threeCalls = async (p: ServeProcess, round: string): Promise<string[]> => {
      const client = await connectAgent(p.url, clerk.token, "pg-restart");
      const out: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await client.callTool({ name: "lookup", arguments: { word: `${round}${i}` } });
        out.push(r.isError === true ? `refused: ${JSON.stringify(r.content)}` : "ok");
      }
      await client.close();
      return out;
    };
    const running: ServeProcess[] = [];
    const start = async (name: string) => {
      const p = await startServeProcess(name, path, "");
      running.push(p);
      return p;
    };
    try {
      const one = await start("one");
      expect(await threeCalls(one, "a")).toEqual(["ok", "ok", "ok"]);
      // a second gateway on the same chain does not start: one writer per chain
      await expect(startServeProcess("two", path, "")).rejects.toThrow(/chain accept-clean .* is being written by another process/);
      await stopServeProcess(one);

      const again = await start("again");
      expect(await threeCalls(again, "b")).toEqual(["ok", "ok", "ok"]);
      expect(await health(again)).toMatchObject({ status: 200, body: { status: "ok" } });
      again.child.kill("SIGKILL");
      await new Promise((r) => again.child.once("exit", r));

      const third = await start("third");
      expect(await threeCalls(third, "c")).toEqual(["ok", "ok", "ok"]);
      expect(await health(third)).toMatchObject({ status: 200, body: { status: "ok" } });
      await stopServeProcess(third);
      // three gateways, one chain: every decision, one recovery after the SIGKILL, and it verifies
      const rows = await sql(roles.readerUrl, "SELECT event, outcome, line FROM charter_audit WHERE chain = 'accept-clean' ORDER BY seq");
      expect(rows.rows.filter((r) => r.event === "decision" && r.outcome === "allow")).toHaveLength(9);
      const recovered = rows.rows.filter((r) => r.event === "recovered");
      expect(recovered).toHaveLength(1);
      expect(recovered[0]!.line).toContain("audit.unclean_close");
      const verified = charter(["audit", "verify", roles.readerUrl, "--checkpoint-pub", pub]);
      expect(verified.status, verified.stdout + verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(new RegExp(`chain accept-clean.*${rows.rows.length} records`));

      // a row taken behind its back (another writer without the lock): every call refused, and /healthz says why
      const fourth = await start("fourth");
      expect(await threeCalls(fourth, "d")).toEqual(["ok", "ok", "ok"]);
      // (the records of what the tool answered are batched: take the seq after the last one that landed)
      await new Promise((r) => setTimeout(r, 300));
      for (let taken = 0; taken === 0; ) {
        const max = await sql(roles.readerUrl, "SELECT max(seq)::int AS n FROM charter_audit WHERE chain = 'accept-clean'");
        const next = max.rows[0].n + 1;
        const r = await sql(
          roles.writerUrl,
          `INSERT INTO charter_audit (chain, seq, ts, agent, session, event, outcome, hash, prev, line) VALUES ('accept-clean', ${next}, now(), 'x', 's', 'e', 'o', 'h', 'p', 'l'), ('accept-clean', ${next + 1}, now(), 'x', 's', 'e', 'o', 'h', 'p', 'l') ON CONFLICT DO NOTHING`,
        );
        taken = r.rowCount ?? 0;
      }
      const refused = await threeCalls(fourth, "e");
      expect(refused[2]).toMatch(/refused: .*another process is writing this chain/);
      const h = await health(fourth);
      expect(h.status).toBe(503);
      expect(h.body).toMatchObject({ status: "audit_failing", reason: expect.stringMatching(/another process is writing this chain/) });
      fourth.child.kill("SIGKILL");
      await new Promise((r) => fourth.child.once("exit", r));
    } finally {
      // (a process killed by a signal has no exit code, but is gone)
      for (const p of running) if (p.child.signalCode === null) await stopServeProcess(p);
    }
  });
});
