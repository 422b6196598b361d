// The PostgreSQL audit store's schema and roles (`charter audit init-postgres`), and reading it back.
// Nothing may change a record: the writer role is granted INSERT only and the reader role SELECT only,
// and a trigger refuses every UPDATE, every TRUNCATE and every DELETE of a record younger than the
// retention — so even the table's owner cannot quietly rewrite history inside the retention. The writer
// may not read the table either: to resume its chain after a restart it calls charter_audit_head(chain),
// a SECURITY DEFINER function that returns only that chain's last seq, hash and whether it ended in a
// closing checkpoint, EXECUTE granted to the writer alone. Running init again upgrades an older store
// (what is missing is created, the records are kept) and sets the roles' passwords again.
import type pg from "pg";
import { randomBytes } from "node:crypto";

export const AUDIT_TABLE = "charter_audit";
/** The writer's only way to read: its chain's head (see initPostgresAudit). */
export const AUDIT_HEAD_FUNCTION = "charter_audit_head";

export interface InitPostgresOptions {
  writerRole?: string;
  readerRole?: string;
  /** Passwords for the two login roles; generated when absent. */
  writerPassword?: string;
  readerPassword?: string;
  /** Records younger than this may not be deleted (default 365 days). */
  retentionDays?: number;
}

export interface InitPostgresResult {
  writerRole: string;
  readerRole: string;
  writerPassword: string;
  readerPassword: string;
  retentionDays: number;
  /** False when the table was there already (a re-run): it was kept with its records. */
  createdTable: boolean;
  /** The roles this run created; the others existed and had their passwords set again. */
  createdRoles: string[];
  /** The admin URL with the role and password swapped in. */
  writerUrl: string;
  readerUrl: string;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** pg is loaded only by those who use PostgreSQL. */
async function connect(url: string): Promise<pg.Client> {
  const { default: driver } = await import("pg");
  const client = new driver.Client({ connectionString: url });
  await client.connect();
  return client;
}

function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

function literal(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

export async function initPostgresAudit(url: string, options: InitPostgresOptions = {}): Promise<InitPostgresResult> {
  const writerRole = options.writerRole ?? "charter_audit_writer";
  const readerRole = options.readerRole ?? "charter_audit_reader";
  for (const r of [writerRole, readerRole]) if (!IDENT.test(r)) throw new Error(`role name '${r}' must be a lower-case SQL identifier`);
  const retentionDays = options.retentionDays ?? 365;
  if (!(Number.isInteger(retentionDays) && retentionDays > 0))
    throw new Error(`retention must be a whole number of days, not ${retentionDays}`);
  const writerPassword = options.writerPassword ?? randomBytes(18).toString("base64url");
  const readerPassword = options.readerPassword ?? randomBytes(18).toString("base64url");
  const createdRoles: string[] = [];
  let createdTable = false;
  const client = await connect(url);
  try {
    await client.query("BEGIN");
    // two inits at once (a rollout, tests) take turns: CREATE OR REPLACE in parallel can fail
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${AUDIT_TABLE}:init`]);
    // a re-run keeps the table: say so rather than claim to have created it
    const existed = (await client.query("SELECT to_regclass($1) IS NOT NULL AS e", [AUDIT_TABLE])).rows[0].e === true;
    await client.query(`CREATE TABLE IF NOT EXISTS ${AUDIT_TABLE} (
      chain   text        NOT NULL,
      seq     bigint      NOT NULL,
      ts      timestamptz NOT NULL,
      agent   text        NOT NULL,
      session text        NOT NULL,
      event   text        NOT NULL,
      outcome text        NOT NULL,
      tool    text,
      bundle  text,
      hash    text        NOT NULL,
      prev    text        NOT NULL,
      line    text        NOT NULL,
      PRIMARY KEY (chain, seq)
    )`);
    await client.query(`CREATE INDEX IF NOT EXISTS ${AUDIT_TABLE}_agent_ts ON ${AUDIT_TABLE} (agent, ts)`);
    await client.query(`CREATE OR REPLACE FUNCTION ${AUDIT_TABLE}_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          RAISE EXCEPTION 'charter audit records are append-only: TRUNCATE refused';
        END IF;
        IF TG_OP = 'UPDATE' THEN
          RAISE EXCEPTION 'charter audit records are append-only: UPDATE of record % of chain % refused', OLD.seq, OLD.chain;
        END IF;
        IF OLD.ts > now() - make_interval(days => ${retentionDays}) THEN
          RAISE EXCEPTION 'charter audit record % of chain % is younger than the retention (% days): DELETE refused', OLD.seq, OLD.chain, ${retentionDays};
        END IF;
        RETURN OLD;
      END
    $fn$`);
    await client.query(`DROP TRIGGER IF EXISTS ${AUDIT_TABLE}_append_only ON ${AUDIT_TABLE}`);
    await client.query(
      `CREATE TRIGGER ${AUDIT_TABLE}_append_only BEFORE UPDATE OR DELETE ON ${AUDIT_TABLE} FOR EACH ROW EXECUTE FUNCTION ${AUDIT_TABLE}_refuse_change()`,
    );
    await client.query(`DROP TRIGGER IF EXISTS ${AUDIT_TABLE}_no_truncate ON ${AUDIT_TABLE}`);
    await client.query(
      `CREATE TRIGGER ${AUDIT_TABLE}_no_truncate BEFORE TRUNCATE ON ${AUDIT_TABLE} FOR EACH STATEMENT EXECUTE FUNCTION ${AUDIT_TABLE}_refuse_change()`,
    );
    for (const [role, password] of [
      [writerRole, writerPassword],
      [readerRole, readerPassword],
    ] as const) {
      const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]);
      const verb = exists.rowCount ? "ALTER" : "CREATE";
      if (!exists.rowCount) createdRoles.push(role);
      await client.query(`${verb} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD ${literal(password)}`);
    }
    await client.query(`REVOKE ALL ON ${AUDIT_TABLE} FROM PUBLIC`);
    await client.query(`REVOKE ALL ON ${AUDIT_TABLE} FROM ${writerRole}, ${readerRole}`);
    await client.query(`GRANT INSERT ON ${AUDIT_TABLE} TO ${writerRole}`);
    await client.query(`GRANT SELECT ON ${AUDIT_TABLE} TO ${readerRole}`);
    const schema = (await client.query("SELECT quote_ident(current_schema()) AS s")).rows[0].s as string;
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${writerRole}, ${readerRole}`);
    // the chain's head for its writer (an index scan backwards on the primary key); nothing else is readable
    await client.query(`CREATE OR REPLACE FUNCTION ${AUDIT_HEAD_FUNCTION}(p_chain text)
      RETURNS TABLE (seq bigint, hash text, closed boolean)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, ${schema} AS $fn$
        SELECT a.seq, a.hash, (a.event = 'checkpoint' AND (a.line::jsonb #>> '{checkpoint,final}') = 'true')
        FROM ${schema}.${AUDIT_TABLE} a WHERE a.chain = p_chain ORDER BY a.seq DESC LIMIT 1
      $fn$`);
    await client.query(`REVOKE ALL ON FUNCTION ${AUDIT_HEAD_FUNCTION}(text) FROM PUBLIC`);
    await client.query(`REVOKE ALL ON FUNCTION ${AUDIT_HEAD_FUNCTION}(text) FROM ${readerRole}`);
    await client.query(`GRANT EXECUTE ON FUNCTION ${AUDIT_HEAD_FUNCTION}(text) TO ${writerRole}`);
    await client.query("COMMIT");
    createdTable = !existed;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
  return {
    writerRole,
    readerRole,
    writerPassword,
    readerPassword,
    retentionDays,
    createdTable,
    createdRoles,
    writerUrl: withCredentials(url, writerRole, writerPassword),
    readerUrl: withCredentials(url, readerRole, readerPassword),
  };
}

/** Every chain in the store, as the JSONL text its writer sealed (one line per record, in seq order). */
export async function readPostgresAudit(url: string): Promise<{ chain: string; text: string }[]> {
  const client = await connect(url);
  try {
    const r = await client.query(`SELECT chain, line FROM ${AUDIT_TABLE} ORDER BY chain, seq`);
    const chains: { chain: string; text: string }[] = [];
    let current: { chain: string; lines: string[] } | undefined;
    for (const row of r.rows as { chain: string; line: string }[]) {
      if (current === undefined || current.chain !== row.chain) {
        if (current) chains.push({ chain: current.chain, text: current.lines.join("\n") + "\n" });
        current = { chain: row.chain, lines: [] };
      }
      current.lines.push(row.line);
    }
    if (current) chains.push({ chain: current.chain, text: current.lines.join("\n") + "\n" });
    return chains;
  } finally {
    await client.end();
  }
}

export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\//.test(s);
}
