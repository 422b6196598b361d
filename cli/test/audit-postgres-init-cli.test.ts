// `charter audit init-postgres` and the readers on a database of their own: before init, verify names the
// missing table with the command that creates it; a second init says it kept the table, not created it.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { charter } from "../../test/support/cli.js";

const suffix = randomBytes(4).toString("hex");
const database = `charter_init_${suffix}`;
let url: string;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject("postgresUrl") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE ${database}`);
  const u = new URL(inject("postgresUrl"));
  u.pathname = `/${database}`;
  url = u.toString();
});
afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe("a PostgreSQL store before and after init-postgres", () => {
  it("verify on a database without the table: exit 2, one line with the hint to run init-postgres", () => {
    const r = charter(["audit", "verify", url]);
    expect(r.status).toBe(2);
    const first = r.stderr.trim().split("\n")[0]!;
    expect(first).toContain('relation "charter_audit" does not exist');
    expect(first).toContain("create the store with charter audit init-postgres ADMIN_URL");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("init-postgres says it created the table the first time, and that it kept it the second", () => {
    const roles = ["--writer-role", `w_${suffix}`, "--reader-role", `r_${suffix}`];
    const first = charter(["audit", "init-postgres", url, ...roles]);
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/^created table charter_audit .*role w_\w+ \(INSERT only\), role r_\w+ \(SELECT only\)/);
    const again = charter(["audit", "init-postgres", url, ...roles]);
    expect(again.status).toBe(0);
    expect(again.stderr).not.toContain("created table");
    expect(again.stderr).toMatch(
      /^table charter_audit already existed: kept, with its records .*\(INSERT only, existed: password set again\)/,
    );
    expect(charter(["audit", "verify", JSON.parse(again.stdout).reader]).stdout).toContain("no records");
  });
});
