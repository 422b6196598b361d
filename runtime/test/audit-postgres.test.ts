// The PostgreSQL audit store against a real PostgreSQL 15 (test/support/setup-postgres.ts): the same
// sealed chain as the file log; an allowed call's row is committed before authorize resolves; the writer
// role may only INSERT, the reader only SELECT, and even the owner cannot UPDATE, TRUNCATE or DELETE a
// record inside the retention.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import pg from "pg";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkText, generateKeys } from "@charter/language";
import { createGuard, initPostgresAudit, openAuditSink, readAuditSource, verifyAuditLog, type InitPostgresResult } from "../src/index.js";

const superUrl = inject("postgresUrl");
let roles: InitPostgresResult;
let dir: string;
let keyPath: string;
let pub: string;
const bundle = checkText(readFileSync(join(import.meta.dirname, "fixtures/audit-policy.charter"), "utf8")).bundle;

async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(text, params);
  } finally {
    await c.end();
  }
}

async function refused(url: string, text: string): Promise<string> {
  try {
    await sql(url, text);
  } catch (e) {
    return (e as Error).message;
  }
  return "ALLOWED";
}

beforeAll(async () => {
  roles = await initPostgresAudit(superUrl, { retentionDays: 30 });
  dir = mkdtempSync(join(tmpdir(), "charter-pg-audit-"));
  const k = generateKeys();
  keyPath = join(dir, "cp.key");
  writeFileSync(keyPath, k.privatePem, { mode: 0o600 });
  pub = k.publicKey;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("PostgreSQL audit sink", () => {
  it("commits an allowed call's record before authorize resolves, and the chain verifies with the key", async () => {
    const opened = await openAuditSink({ postgres: roles.writerUrl, checkpoint_key: keyPath, chain: "replica-a" });
    if (!opened.ok) throw new Error(opened.message);
    const guard = createGuard(bundle, { audit: opened.log });
    for (let i = 0; i < 20; i++) {
      const d = await guard.authorize({ agent: "a", session: "s1", tool: "work", args: { id: i } });
      expect(d.outcome).toBe("allow");
      // the reader sees the row the moment the call may be forwarded
      const r = await sql(roles.readerUrl, "SELECT outcome, tool, bundle FROM charter_audit WHERE chain = 'replica-a' AND line LIKE $1", [
        `%"id":${i}}%`,
      ]);
      expect(r.rows).toEqual([{ outcome: "allow", tool: "work", bundle: bundle.digest }]);
    }
    // calls that did not run are batched, and all arrive by close
    await Promise.all(Array.from({ length: 50 }, (_, i) => guard.authorize({ agent: "a", session: "s1", tool: "nope", args: { id: i } })));
    await opened.log.close();
    const read = await readAuditSource(roles.readerUrl);
    if (!read.ok) throw new Error(read.message);
    const chain = read.chains.find((c) => c.name.endsWith("chain replica-a"))!;
    expect(verifyAuditLog(chain.text, { checkpointPub: pub })).toMatchObject({ ok: true, records: 71 });
  });

  it("concurrent allowed calls share inserts and all are committed when they resolve", async () => {
    const opened = await openAuditSink({ postgres: roles.writerUrl, chain: "replica-b" });
    if (!opened.ok) throw new Error(opened.message);
    const guard = createGuard(bundle, { audit: opened.log });
    const ds = await Promise.all(
      Array.from({ length: 500 }, (_, i) => guard.authorize({ agent: "a", session: "s2", tool: "work", args: { id: i } })),
    );
    expect(ds.every((d) => d.outcome === "allow")).toBe(true);
    const r = await sql(roles.readerUrl, "SELECT count(*)::int AS n FROM charter_audit WHERE chain = 'replica-b' AND outcome = 'allow'");
    expect(r.rows[0].n).toBe(500);
    await opened.log.close();
  });

  it("a second writer on the same chain fails loudly instead of forking it", async () => {
    const a = await openAuditSink({ postgres: roles.writerUrl, chain: "replica-c" });
    const b = await openAuditSink({ postgres: roles.writerUrl, chain: "replica-c" });
    if (!a.ok || !b.ok) throw new Error("open failed");
    const ga = createGuard(bundle, { audit: a.log });
    const gb = createGuard(bundle, { audit: b.log });
    expect((await ga.authorize({ agent: "a", session: "s", tool: "work", args: { id: 1 } })).outcome).toBe("allow");
    const second = await gb.authorize({ agent: "a", session: "s", tool: "work", args: { id: 2 } });
    expect(second).toMatchObject({ outcome: "deny", rule: "audit_failure" });
    expect(second.reason).toContain("duplicate key");
    await a.log.close();
    await b.log.close().catch(() => undefined);
  });

  it("the writer may only INSERT, the reader only SELECT, and nobody may UPDATE, DELETE or TRUNCATE", async () => {
    const w = roles.writerUrl;
    const r = roles.readerUrl;
    expect(await refused(w, "UPDATE charter_audit SET outcome = 'deny'")).toMatch(/permission denied/);
    expect(await refused(w, "DELETE FROM charter_audit")).toMatch(/permission denied/);
    expect(await refused(w, "TRUNCATE charter_audit")).toMatch(/permission denied/);
    expect(await refused(w, "SELECT * FROM charter_audit")).toMatch(/permission denied/);
    expect(
      await refused(
        r,
        "INSERT INTO charter_audit (chain, seq, ts, agent, session, event, outcome, hash, prev, line) VALUES ('x', 1, now(), 'a', 's', 'e', 'o', 'h', 'p', 'l')",
      ),
    ).toMatch(/permission denied/);
    expect(await refused(r, "UPDATE charter_audit SET outcome = 'deny'")).toMatch(/permission denied/);
    expect(await refused(r, "DELETE FROM charter_audit")).toMatch(/permission denied/);
    // the owner (superuser) is stopped by the trigger
    expect(await refused(superUrl, "UPDATE charter_audit SET outcome = 'deny' WHERE chain = 'replica-a'")).toMatch(/append-only: UPDATE/);
    expect(await refused(superUrl, "DELETE FROM charter_audit WHERE chain = 'replica-a'")).toMatch(/younger than the retention/);
    expect(await refused(superUrl, "TRUNCATE charter_audit")).toMatch(/TRUNCATE refused/);
    const n = await sql(roles.readerUrl, "SELECT count(*)::int AS n FROM charter_audit WHERE chain = 'replica-a'");
    expect(n.rows[0].n).toBe(71);
  });

  it("names the fix when the table is missing or the role may not write", async () => {
    const opened = await openAuditSink({ postgres: roles.readerUrl });
    expect(opened).toMatchObject({ ok: false, message: expect.stringContaining("may not INSERT") });
    expect(opened.ok ? "" : opened.message).not.toContain(roles.readerPassword);
  });
});
