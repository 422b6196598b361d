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
import { randomBytes } from "node:crypto";
import {
  createGuard,
  initPostgresAudit,
  openAuditSink,
  readAuditSource,
  verifyAuditLog,
  type AuditLog,
  type InitPostgresResult,
} from "../src/index.js";

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

  it("a second writer on the same chain is refused at open, clearly, while the first holds it", async () => {
    const a = await openAuditSink({ postgres: roles.writerUrl, chain: "replica-c" });
    if (!a.ok) throw new Error(a.message);
    const ga = createGuard(bundle, { audit: a.log });
    expect((await ga.authorize({ agent: "a", session: "s", tool: "work", args: { id: 1 } })).outcome).toBe("allow");
    const t0 = Date.now();
    const b = await openAuditSink({ postgres: roles.writerUrl, chain: "replica-c" });
    expect(b).toMatchObject({
      ok: false,
      message: expect.stringMatching(/chain replica-c .* is being written by another process \(one writer per chain\)/),
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900); // it waited for a writer that was just going away
    expect(b.ok ? "" : b.message).not.toContain(roles.writerPassword);
    await a.log.close();
    // once the first writer is gone the chain is free, and it continues
    const c = await openAuditSink({ postgres: roles.writerUrl, chain: "replica-c" });
    if (!c.ok) throw new Error(c.message);
    expect(c.log.head.seq).toBe(1);
    await c.log.close();
  });

  it("a row written into the chain behind the writer's back stops it (fail closed) with a clear reason", async () => {
    const a = await openAuditSink({ postgres: roles.writerUrl, chain: "replica-d" });
    if (!a.ok) throw new Error(a.message);
    const ga = createGuard(bundle, { audit: a.log });
    expect((await ga.authorize({ agent: "a", session: "s", tool: "work", args: { id: 1 } })).outcome).toBe("allow");
    // another writer, without the chain's lock, takes the next seq
    await sql(
      roles.writerUrl,
      "INSERT INTO charter_audit (chain, seq, ts, agent, session, event, outcome, hash, prev, line) VALUES ('replica-d', 2, now(), 'x', 's', 'e', 'o', 'h', 'p', 'l')",
    );
    const second = await ga.authorize({ agent: "a", session: "s", tool: "work", args: { id: 2 } });
    expect(second).toMatchObject({ outcome: "deny", rule: "audit_failure" });
    expect(second.reason).toMatch(/chain replica-d already holds records from seq 2 on: another process is writing this chain/);
    expect(a.log.failure?.message).toMatch(/fail closed/);
    await new Promise((r) => setTimeout(r, 300)); // no retry clears it
    expect((await ga.authorize({ agent: "a", session: "s", tool: "work", args: { id: 3 } })).outcome).toBe("deny");
    await a.log.close().catch(() => undefined);
  });

  it("a named chain resumes after a clean close and after its writer died; verify says the chain is intact with every record", async () => {
    const open = async () => {
      const o = await openAuditSink({ postgres: roles.writerUrl, checkpoint_key: keyPath, chain: "resume-1" });
      if (!o.ok) throw new Error(o.message);
      return o.log;
    };
    const calls = async (log: AuditLog, from: number) => {
      const guard = createGuard(bundle, { audit: log });
      for (let i = from; i < from + 3; i++)
        expect((await guard.authorize({ agent: "a", session: "s", tool: "work", args: { id: i } })).outcome).toBe("allow");
    };
    const first = await open();
    await calls(first, 0);
    await first.close(); // a closing checkpoint
    const second = await open();
    // it continues at the stored head (3 decisions and the closing checkpoint): nothing added after a clean close
    const stored = await sql(roles.readerUrl, "SELECT max(seq)::int AS n FROM charter_audit WHERE chain = 'resume-1'");
    expect(second.head.seq).toBe(stored.rows[0].n);
    expect(second.head.seq).toBe(4);
    await calls(second, 3);
    // the writer dies: its connection ends without a closing checkpoint (its unsent records are lost, as after SIGKILL)
    await second.flush();
    await (second as unknown as { sink: { client: pg.Client } }).sink.client.end();
    const third = await open();
    await calls(third, 6);
    await third.close();

    const read = await readAuditSource(roles.readerUrl);
    if (!read.ok) throw new Error(read.message);
    const chain = read.chains.find((c) => c.name.endsWith("chain resume-1"))!;
    const verified = verifyAuditLog(chain.text, { checkpointPub: pub });
    expect(verified).toMatchObject({ ok: true, records: chain.text.trim().split("\n").length });
    const recs = chain.text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number; event: string; trace: { rule: string }[] });
    expect(recs.map((r) => r.seq)).toEqual(recs.map((_, i) => i + 1));
    expect(recs.filter((r) => r.event === "decision")).toHaveLength(9);
    const recovered = recs.filter((r) => r.event === "recovered");
    expect(recovered).toHaveLength(1);
    expect(recovered[0]!.trace[0]!.rule).toBe("audit.unclean_close");
  });

  it("a store made by an older init-postgres is refused with the fix, and running init again upgrades it keeping its records", async () => {
    const db = `charter_old_${randomBytes(4).toString("hex")}`;
    await sql(superUrl, `CREATE DATABASE ${db}`);
    const u = new URL(superUrl);
    u.pathname = `/${db}`;
    const adminUrl = u.toString();
    const suffix = db.slice(-8);
    const old = await initPostgresAudit(adminUrl, { writerRole: `old_w_${suffix}`, readerRole: `old_r_${suffix}` });
    const first = await openAuditSink({ postgres: old.writerUrl, chain: "old" });
    if (!first.ok) throw new Error(first.message);
    await createGuard(bundle, { audit: first.log }).authorize({ agent: "a", session: "s", tool: "work", args: {} });
    await first.log.close();
    await sql(adminUrl, "DROP FUNCTION charter_audit_head(text)"); // as an init before the function existed left it
    const refusedOpen = await openAuditSink({ postgres: old.writerUrl, chain: "old" });
    expect(refusedOpen).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /created by an older charter audit init-postgres.*Re-run `charter audit init-postgres ADMIN_URL` to upgrade it/,
      ),
    });
    const upgraded = await initPostgresAudit(adminUrl, {
      writerRole: old.writerRole,
      readerRole: old.readerRole,
      writerPassword: old.writerPassword,
      readerPassword: old.readerPassword,
    });
    expect(upgraded.writerUrl).toBe(old.writerUrl);
    const again = await openAuditSink({ postgres: old.writerUrl, chain: "old" });
    if (!again.ok) throw new Error(again.message);
    expect(again.log.head.seq).toBe(1);
    await createGuard(bundle, { audit: again.log }).authorize({ agent: "a", session: "s", tool: "work", args: {} });
    await again.log.close();
    const read = await readAuditSource(old.readerUrl);
    if (!read.ok) throw new Error(read.message);
    expect(verifyAuditLog(read.chains[0]!.text)).toMatchObject({ ok: true, records: 2 });
    // the writer still reads nothing but its chain's head; the reader may not call the function
    expect(await refused(old.writerUrl, "SELECT * FROM charter_audit")).toMatch(/permission denied/);
    expect(await refused(old.readerUrl, "SELECT * FROM charter_audit_head('old')")).toMatch(/permission denied/);
  });

  it("the writer may only INSERT, the reader only SELECT, and nobody may UPDATE, DELETE or TRUNCATE", async () => {
    const w = roles.writerUrl;
    const r = roles.readerUrl;
    expect(await refused(w, "UPDATE charter_audit SET outcome = 'deny'")).toMatch(/permission denied/);
    expect(await refused(w, "DELETE FROM charter_audit")).toMatch(/permission denied/);
    expect(await refused(w, "TRUNCATE charter_audit")).toMatch(/permission denied/);
    expect(await refused(w, "SELECT * FROM charter_audit")).toMatch(/permission denied/);
    expect(await refused(w, "SELECT count(*) FROM charter_audit")).toMatch(/permission denied/);
    // its one read: the head of a chain (seq, hash, closed), nothing of the records' content
    const head = await sql(w, "SELECT * FROM charter_audit_head('replica-a')");
    expect(Object.keys(head.rows[0])).toEqual(["seq", "hash", "closed"]);
    expect(head.rows[0]).toMatchObject({ seq: "71", closed: true });
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
