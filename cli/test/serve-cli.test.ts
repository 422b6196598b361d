// `charter serve`, `charter token` and `charter gateway --env` as an operator runs them: the real binary,
// real MCP SDK clients, the reference memory server from node_modules as the upstream.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";

const dir = mkdtempSync(join(tmpdir(), "charter-serve-cli-"));
const bundle = join(dir, "gateway.bundle.json");
const memoryServer = join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js");
const children: ChildProcess[] = [];

beforeAll(() => {
  expect(charter(["build", "runtime/test/fixtures/serve/gateway.charter", "-o", bundle]).status).toBe(0);
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

function token(): { token: string; sha256: string } {
  const r = charter(["token", "--json"]);
  expect(r.status).toBe(0);
  const { token, token_sha256 } = JSON.parse(r.stdout);
  return { token, sha256: token_sha256 };
}

/** Starts `charter serve` and resolves once it listens, with its URL and its stderr so far. */
function serve(config: string): Promise<{ child: ChildProcess; url: string; stderr: () => string; exited: Promise<number | null> }> {
  const path = join(dir, `serve-${children.length}.yaml`);
  writeFileSync(path, config);
  const child = spawn(process.execPath, [join(ROOT, "cli/bin/charter.js"), "serve", "--config", path], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)\/mcp/.exec(err);
      if (m) resolve({ child, url: m[1]!, stderr: () => err, exited });
    });
    child.once("exit", (code) => reject(new Error(`charter serve exited ${code}: ${err}`)));
  });
}

async function connect(url: string, tok: string): Promise<Client> {
  const client = new Client({ name: "cli-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url + "/mcp"), { requestInit: { headers: { Authorization: `Bearer ${tok}` } } }),
  );
  return client;
}

describe("charter token", () => {
  it("prints a new token and its SHA-256, different every time", () => {
    const r = charter(["token"]);
    expect(r.status).toBe(0);
    const m = /^token: (ch_[A-Za-z0-9_-]{43})\ntoken_sha256: "([0-9a-f]{64})"\n$/.exec(r.stdout);
    expect(m).not.toBeNull();
    expect(createHash("sha256").update(m![1]!).digest("hex")).toBe(m![2]);
    expect(token().token).not.toBe(m![1]);
  });
});

describe("charter serve", () => {
  it("refuses a config with an unknown key or a wrong type, naming the key and its line", () => {
    const path = join(dir, "bad.yaml");
    writeFileSync(
      path,
      `bundle: gateway.bundle.json\naudit: { file: a.jsonl }\nagents:\n  archivist:\n    token_sha256: "abc"\n    upstreams: [memory]\n    sorce: api\nupstreams:\n  memory: { command: node, resources: yes }\n`,
    );
    const r = charter(["serve", "--config", path]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("bad.yaml:5:19: agents.archivist.token_sha256: expected 64 hex digits");
    expect(r.stderr).toContain("bad.yaml:7:5: agents.archivist.sorce: unknown key 'sorce' (did you mean 'source'?)");
    expect(r.stderr).toContain("bad.yaml:9:22: upstreams.memory.command: expected a list of strings");
    expect(r.stderr).toContain("bad.yaml:9:39: upstreams.memory.resources: expected true or false");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("serves an agent, reloads on SIGHUP keeping the good bundle, and on SIGTERM flushes the audit log and exits 0", async () => {
    const agent = token();
    const log = join(dir, "audit-sigterm.jsonl");
    const memoryFile = join(dir, "memory-serve.jsonl");
    const s = await serve(`
listen: 127.0.0.1:0
bundle: ${JSON.stringify(bundle)}
audit: { file: ${JSON.stringify(log)} }
agents:
  archivist: { token_sha256: "${agent.sha256}", upstreams: [memory], source: api }
upstreams:
  memory:
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(memoryServer)}]
    env: { MEMORY_FILE_PATH: ${JSON.stringify(memoryFile)} }
`);
    const health = (await (await fetch(s.url + "/healthz")).json()) as { status: string; bundle: string };
    expect(health.status).toBe("ok");
    const client = await connect(s.url, agent.token);
    for (let i = 0; i < 20; i++) {
      const r = await client.callTool({
        name: "create_entities",
        arguments: { entities: [{ name: `e${i}`, entityType: "t", observations: [] }] },
      });
      expect(r.isError).toBeFalsy();
    }
    expect(readFileSync(memoryFile, "utf8")).toContain('"name":"e19"');

    // a bundle that was edited after it was built is refused; the running one stays
    const good = readFileSync(bundle, "utf8");
    writeFileSync(bundle, good.replace('"count": 100000', '"count": 100001'));
    s.child.kill("SIGHUP");
    for (let i = 0; i < 50 && !s.stderr().includes("keeping bundle"); i++) await new Promise((r) => setTimeout(r, 100));
    expect(s.stderr()).toMatch(/alert: .*bundle refused \(digest\).*keeping bundle sha256:/);
    expect(((await (await fetch(s.url + "/healthz")).json()) as { bundle: string }).bundle).toBe(health.bundle);
    writeFileSync(bundle, good);

    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    const records = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records.filter((r) => r.event === "decision" && r.action?.tool === "create_entities" && r.outcome === "allow")).toHaveLength(20);
    expect(records.some((r) => r.outcome === "refused" && r.event === "alert")).toBe(true);
    const verified = charter(["audit", "verify", log]);
    expect(verified.status, verified.stdout + verified.stderr).toBe(0);
    await client.close().catch(() => undefined);
  });
});

describe("charter gateway (stdio)", () => {
  it("passes its own environment and --env to the tool server", async () => {
    const viaFlag = join(dir, "memory-flag.jsonl");
    const log = join(dir, "audit-stdio.jsonl");
    const client = new Client({ name: "cli-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          join(ROOT, "cli/bin/charter.js"),
          "gateway",
          "--bundle",
          bundle,
          "--agent",
          "archivist",
          "--source",
          "api",
          "--audit",
          log,
          "--env",
          `MEMORY_FILE_PATH=${viaFlag}`,
          "--",
          process.execPath,
          memoryServer,
        ],
        env: { ...(process.env as Record<string, string>), CHARTER_TEST_INHERITED: "yes" },
        stderr: "pipe",
      }),
    );
    const r = await client.callTool({
      name: "create_entities",
      arguments: { entities: [{ name: "flagged", entityType: "t", observations: [] }] },
    });
    expect(r.isError).toBeFalsy();
    expect(readFileSync(viaFlag, "utf8")).toContain('"name":"flagged"');
    await client.close();

    const inherited = join(dir, "memory-inherited.jsonl");
    const again = new Client({ name: "cli-test", version: "1.0.0" });
    await again.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [
          join(ROOT, "cli/bin/charter.js"),
          "gateway",
          "--bundle",
          bundle,
          "--agent",
          "archivist",
          "--source",
          "api",
          "--audit",
          log,
          "--",
          process.execPath,
          memoryServer,
        ],
        env: { ...(process.env as Record<string, string>), MEMORY_FILE_PATH: inherited },
        stderr: "pipe",
      }),
    );
    expect(
      (
        await again.callTool({
          name: "create_entities",
          arguments: { entities: [{ name: "inherited", entityType: "t", observations: [] }] },
        })
      ).isError,
    ).toBeFalsy();
    expect(readFileSync(inherited, "utf8")).toContain('"name":"inherited"');
    await again.close();
  });

  it("rejects a malformed --env", () => {
    const r = charter(["gateway", "--bundle", bundle, "--agent", "archivist", "--source", "api", "--env", "=x", "--", "true"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--env =x: expected NAME=VALUE");
  });
});
