// `charter serve --check` catches what a start would refuse — a missing or broken bundle, a store URL of
// the wrong kind, an unreadable checkpoint key, an unset SOC header variable, an audit folder that cannot
// be made — with the key's line and a hint, and without starting or connecting anything. File errors
// are words, not ENOENT; a fresh folder for the audit log is created at start; a PostgreSQL URL without
// a password says where the password goes. The real binary throughout.
import { spawn, spawnSync } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";
import { newToken } from "@charter/runtime/serve";

const dir = mkdtempSync(join(tmpdir(), "charter-serve-check-"));
const memoryServer = join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js");
const H = "ab".repeat(32);

beforeAll(() => {
  expect(charter(["build", "runtime/test/fixtures/serve/gateway.charter", "-o", join(dir, "gateway.bundle.json")]).status).toBe(0);
  writeFileSync(join(dir, "not-a-folder"), "a file\n");
});

/** A config whose lines 2-4 are `bundle`, `audit` and `state` (so the tests can name their lines). */
function config(o: { bundle?: string; audit?: string; state?: string; extra?: string } = {}): string {
  return `listen: 127.0.0.1:0
bundle: ${o.bundle ?? "gateway.bundle.json"}
audit: ${o.audit ?? "{ file: audit/charter.jsonl }"}
state: ${o.state ?? "{ memory: {} }"}
agents:
  archivist: { token_sha256: "${H}", upstreams: [memory], source: api }
upstreams:
  memory: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(memoryServer)}] }
${o.extra ?? ""}`;
}

let n = 0;
function check(text: string, env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const path = join(dir, `serve-${n++}.yaml`);
  writeFileSync(path, text);
  return charter(["serve", "--config", path, "--check"], { env });
}

describe("charter serve --check", () => {
  it("answers ok for a config a start accepts, without creating anything", () => {
    const r = check(
      config({
        audit: "{ file: fresh/audit/charter.jsonl }",
        extra: `soc:
  spool: fresh/soc
  webhook: { url: "https://siem.example/charter", headers_from_env: { Authorization: CHARTER_TEST_SIEM } }
  syslog: { host: 127.0.0.1, port: 6514 }
`,
      }),
      { CHARTER_TEST_SIEM: "Bearer x" },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/serve-\d+\.yaml: ok \(1 agent\(s\), 1 upstream\(s\), SOC export to a webhook and syslog\)\n$/);
    expect(existsSync(join(dir, "fresh"))).toBe(false);
  });

  it("catches a bundle that does not exist or is not a bundle, with its line", () => {
    const missing = check(config({ bundle: "/nonexistent.json" }));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(
      /serve-\d+\.yaml:2:9: bundle: cannot read the bundle \/nonexistent\.json: no such file; check the path; charter build POLICY\.charter -o FILE writes one\n/,
    );
    writeFileSync(join(dir, "junk.json"), '{"hello": 1}\n');
    const junk = check(config({ bundle: "junk.json" }));
    expect(junk.status).toBe(2);
    expect(junk.stderr).toMatch(
      /:2:9: bundle: .*junk\.json: bundle refused \(\w+\): .*; write it with charter build POLICY\.charter -o FILE/,
    );
    expect(junk.stderr).not.toMatch(/\n\s+at /);
  });

  it("catches store URLs of the wrong kind, hiding the password", () => {
    const mysql = check(config({ audit: '{ postgres: "mysql://root:hunter2@db/charter" }' }));
    expect(mysql.status).toBe(2);
    expect(mysql.stderr).toContain(":3:20: audit.postgres: expected a postgres:// or postgresql:// URL, got 'mysql://root:***@db/charter'");
    expect(mysql.stderr).not.toContain("hunter2");
    const redis = check(config({ state: '{ redis: "http://127.0.0.1:6379" }' }));
    expect(redis.status).toBe(2);
    expect(redis.stderr).toContain(":4:17: state.redis: expected a redis:// or rediss:// (TLS) URL, got 'http://127.0.0.1:6379'");
  });

  it("catches an unreadable checkpoint key, an audit folder that cannot be made and an unset SOC variable", () => {
    const key = check(config({ audit: "{ file: audit.jsonl, checkpoint_key: /nonexistent/key }" }));
    expect(key.status).toBe(2);
    expect(key.stderr).toContain(
      ":3:45: audit.checkpoint_key: cannot read the checkpoint key /nonexistent/key: no such file (the directory /nonexistent does not exist either); check the path; charter keygen --out KEY writes one",
    );
    const folder = check(config({ audit: "{ file: not-a-folder/sub/audit.jsonl }" }));
    expect(folder.status).toBe(2);
    expect(folder.stderr).toMatch(
      /:3:16: audit\.file: cannot create the audit log's directory .*not-a-folder\/sub: .*not-a-folder is a file, not a directory/,
    );
    const soc = check(
      config({
        extra:
          "soc:\n  spool: soc\n  webhook:\n    url: https://siem.example/x\n    headers_from_env: { Authorization: CHARTER_TEST_UNSET }\n",
      }),
    );
    expect(soc.status).toBe(2);
    expect(soc.stderr).toContain(
      ":13:40: soc.webhook.headers_from_env.Authorization: the environment variable CHARTER_TEST_UNSET is not set; set it to the value of the Authorization header before starting charter serve",
    );
  });
});

describe("file errors in words", () => {
  it("says what is wrong with a config path that is missing or a directory", () => {
    const missing = charter(["serve", "--config", "nosuch.yaml"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`charter: cannot read nosuch.yaml: no such file; check the path (relative to ${ROOT})\n`);
    const folder = charter(["serve", "--config", dir]);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toBe(`charter: cannot read ${dir}: ${dir} is a directory, not a file; name a file inside it\n`);
    const inMissingDir = charter(["replay", "--bundle", join(dir, "gateway.bundle.json"), "nodir/trace.jsonl"]);
    expect(inMissingDir.status).toBe(2);
    expect(inMissingDir.stderr).toContain("cannot read nodir/trace.jsonl: no such file (the directory nodir does not exist either)");
    const write = charter(["build", "runtime/test/fixtures/serve/gateway.charter", "-o", join(dir, "not-a-folder/x.json")]);
    expect(write.status).toBe(2);
    expect(write.stderr).toContain(`cannot write ${join(dir, "not-a-folder/x.json")}: a part of the path is a file, not a directory`);
  });

  it("creates the audit log's folder at start, as a fresh deployment expects", async () => {
    const path = join(dir, "fresh-start.yaml");
    writeFileSync(path, config({ audit: "{ file: nodir/sub/audit.jsonl }" }));
    const child = spawn(process.execPath, [join(ROOT, "cli/bin/charter.js"), "serve", "--config", path], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        if (err.includes("listening on")) resolve();
      });
      child.once("exit", () => reject(new Error(`charter serve exited: ${err}`)));
    });
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, "nodir/sub/audit.jsonl"))).toBe(true);
    expect(charter(["audit", "verify", join(dir, "nodir/sub/audit.jsonl")]).status).toBe(0);
  });

  it("says where the password goes when PostgreSQL asks for one the URL lacks", () => {
    const url = new URL(inject("postgresUrl"));
    url.password = "";
    mkdirSync(join(dir, "pg"), { recursive: true });
    const path = join(dir, "pg/serve.yaml");
    writeFileSync(path, config({ bundle: join(dir, "gateway.bundle.json"), audit: `{ postgres: "${url.href}" }` }));
    const env = { ...process.env, NO_COLOR: "1" } as Record<string, string | undefined>;
    delete env.PGPASSWORD;
    delete env.PGPASSFILE;
    const r = spawnSync(process.execPath, [join(ROOT, "cli/bin/charter.js"), "serve", "--config", path], {
      env: env as NodeJS.ProcessEnv,
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `serve.yaml: audit.postgres: cannot connect to the PostgreSQL audit store ${url.href}: the server asks for a password and ${url.href} has none; set PGPASSWORD in the gateway's environment (or ~/.pgpass)`,
    );
    expect(r.stderr).not.toContain("SCRAM-SERVER-FIRST-MESSAGE");
  });
});

describe("charter serve with soc:", () => {
  it("posts an isolation to the webhook with the header taken from the environment, and exits 0 on SIGTERM", async () => {
    const secret = `Bearer ${newToken().token}`;
    const got: { auth: string | undefined; event: { event: string; agent: string; message: string } }[] = [];
    const receiver = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        got.push({ auth: req.headers.authorization, event: JSON.parse(body) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const port = (receiver.address() as { port: number }).port;
    const adminToken = newToken();
    const path = join(dir, "soc-cli.yaml");
    writeFileSync(
      path,
      config({
        audit: "{ file: soc-cli/audit.jsonl }",
        extra: `admin: { token_sha256: "${adminToken.sha256}" }
soc:
  spool: soc-cli/spool
  webhook: { url: "http://127.0.0.1:${port}/siem", headers_from_env: { Authorization: CHARTER_TEST_SIEM_AUTH } }
`,
      }),
    );
    const child = spawn(process.execPath, [join(ROOT, "cli/bin/charter.js"), "serve", "--config", path], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CHARTER_TEST_SIEM_AUTH: secret },
    });
    let err = "";
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (d: Buffer) => {
        err += d.toString();
        const m = /listening on (http:\/\/\S+)\/mcp/.exec(err);
        if (m) resolve(m[1]!);
      });
      child.once("exit", () => reject(new Error(`charter serve exited: ${err}`)));
    });
    const isolated = await fetch(url + "/api/admin/isolate", {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken.token}`, "content-type": "application/json" },
      body: JSON.stringify({ agent: "archivist", reason: "incident 21" }),
    });
    expect(isolated.status).toBe(200);
    for (let i = 0; i < 200 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await new Promise((r) => receiver.close(r));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      auth: secret,
      event: { event: "isolation", agent: "archivist", message: expect.stringContaining("incident 21") },
    });
    expect(readFileSync(join(dir, "soc-cli/spool/webhook.offset"), "utf8")).not.toBe("0");
  });
});
