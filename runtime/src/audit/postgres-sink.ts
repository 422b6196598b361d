// PostgreSQL sink: the same sealed records and chain as the file log, one row per record in table
// charter_audit (the exact line is kept, so verify re-reads what was hashed). Inserts are batched off the
// hot path — one multi-row INSERT at a time, in chain order — except that the durability rule holds: a
// record that lets a call run starts an insert at once, and `durable()` resolves only when the row is
// committed, so the gateway forwards nothing whose record the database does not hold. The writer role
// may only INSERT (see postgres-schema.ts); each writer has its own chain (`chain` column), so replicas
// never fork one chain. A writer holds its chain: a session advisory lock taken at open (released by
// PostgreSQL when the writer's connection ends, SIGKILL included) refuses a second writer naming the same
// chain with a clear error, and a row that collides on (chain, seq) anyway stops the sink (fail closed).
// A named chain is resumed after a restart from its head (charter_audit_head, the writer's only read).
import type pg from "pg";
import { hostname } from "node:os";
import { redactUrl } from "../io-errors.js";
import { letsACallRun } from "./file-sink.js";
import { sealLine, type AuditRecord } from "./record.js";
import type { AuditSink, AuditSinkFailure } from "./sink.js";
import { AUDIT_HEAD_FUNCTION, AUDIT_TABLE } from "./postgres-schema.js";
import { GENESIS_HASH } from "./record.js";
import type { AuditLog, ChainHead } from "./audit-log.js";

const decoder = new TextDecoder();
const COLUMNS = ["chain", "seq", "ts", "agent", "session", "event", "outcome", "tool", "bundle", "hash", "prev", "line"] as const;
const MAX_ROWS = 1000;

type Row = unknown[];

interface Waiter {
  upTo: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export interface PostgresAuditSinkOptions {
  /** Name of this writer's chain (default: host:pid:start, unique per process). */
  chain?: string;
  /** Insert records of calls that did not run after at most this long (default 50 ms). */
  flushMs?: number;
  /** How long open waits for the chain's lock held by another session before refusing (default 3000 ms). */
  lockWaitMs?: number;
}

/** The head of a chain as its writer finds it at open: where the chain resumes. */
export interface PostgresChainHead extends ChainHead {
  /** The last record is a closing checkpoint (the previous writer closed its log with a checkpoint key). */
  closed: boolean;
}

export class PostgresAuditSink implements AuditSink {
  failure?: AuditSinkFailure;
  readonly chain: string;
  private pending: Row[] = [];
  private appended = 0;
  private inserted = 0;
  private waiters: Waiter[] = [];
  private inFlight: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = 100;
  private closed = false;
  private readonly flushMs: number;
  private readonly pumpNow = (): void => this.pump();

  private constructor(
    private readonly client: pg.Client,
    chain: string,
    /** The chain's head when this writer took it over (seq 0: a new chain). */
    readonly head: PostgresChainHead,
    options: PostgresAuditSinkOptions,
  ) {
    this.chain = chain;
    this.flushMs = options.flushMs ?? 50;
    client.on("error", (e) => {
      this.failure = { kind: "write_failed", message: `PostgreSQL audit sink: ${e.message}` };
    });
  }

  /**
   * Connects, checks that the table exists and that this role may write it, takes the chain (one writer
   * per chain) and reads its head, so a named chain resumes where its previous writer stopped.
   */
  static async open(
    url: string,
    options: PostgresAuditSinkOptions = {},
  ): Promise<{ ok: true; sink: PostgresAuditSink } | { ok: false; message: string }> {
    const { default: driver } = await import("pg"); // loaded only by those who use PostgreSQL
    const client = new driver.Client({ connectionString: url });
    const chain = options.chain ?? `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
    const where = redactUrl(url);
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined); // a refused handshake leaves the socket open, holding the process
      return { ok: false, message: `cannot connect to the PostgreSQL audit store ${where}: ${(e as Error).message}` };
    }
    const fail = async (message: string): Promise<{ ok: false; message: string }> => {
      await client.end().catch(() => undefined);
      return { ok: false, message };
    };
    try {
      const r = await client.query("SELECT has_table_privilege(current_user, $1, 'INSERT') AS ok", [AUDIT_TABLE]);
      if (r.rows[0]?.ok !== true) throw new Error(`role ${client.user ?? "?"} may not INSERT into ${AUDIT_TABLE}`);
    } catch (e) {
      const msg = (e as Error).message;
      const hint = /does not exist/.test(msg) ? `: run charter audit init-postgres first` : "";
      return fail(`the PostgreSQL audit store ${where} cannot take records: ${msg}${hint}`);
    }
    // one writer per chain: the lock lives as long as this session
    const deadline = Date.now() + (options.lockWaitMs ?? 3000);
    for (;;) {
      let locked: boolean;
      try {
        const r = await client.query("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok", [AUDIT_TABLE, chain]);
        locked = r.rows[0]?.ok === true;
      } catch (e) {
        return fail(`the PostgreSQL audit store ${where} cannot lock chain ${chain}: ${(e as Error).message}`);
      }
      if (locked) break;
      if (Date.now() >= deadline)
        return fail(
          `chain ${chain} of the PostgreSQL audit store ${where} is being written by another process (one writer per chain): ` +
            `stop the other gateway, or give this one its own chain (audit.chain)`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
    let head: PostgresChainHead;
    try {
      const r = await client.query(`SELECT seq, hash, closed FROM ${AUDIT_HEAD_FUNCTION}($1)`, [chain]);
      const row = r.rows[0] as { seq: string; hash: string; closed: boolean | null } | undefined;
      head = row ? { seq: Number(row.seq), hash: row.hash, closed: row.closed === true } : { seq: 0, hash: GENESIS_HASH, closed: true };
    } catch (e) {
      const msg = (e as Error).message;
      if ((e as { code?: string }).code === "42883")
        return fail(
          `the PostgreSQL audit store ${where} was created by an older charter audit init-postgres: it lacks ${AUDIT_HEAD_FUNCTION}(), ` +
            `which a writer needs to resume its chain after a restart. Re-run \`charter audit init-postgres ADMIN_URL\` to upgrade it ` +
            `(the records are kept; give the current passwords in CHARTER_AUDIT_WRITER_PASSWORD and CHARTER_AUDIT_READER_PASSWORD, or it sets new ones)`,
        );
      return fail(
        `the PostgreSQL audit store ${where} cannot tell where chain ${chain} ends: ${msg}` +
          (/permission denied/.test(msg)
            ? ` (re-run charter audit init-postgres: it grants the writer EXECUTE on ${AUDIT_HEAD_FUNCTION})`
            : ""),
      );
    }
    return { ok: true, sink: new PostgresAuditSink(client, chain, head, options) };
  }

  append(record: AuditRecord, line: Uint8Array): void {
    let text = decoder.decode(line);
    if (text.endsWith("\n")) text = text.slice(0, -1);
    this.appendText(record, text);
  }

  /** The line as text without decoding bytes: the unsealed JSON with its hash (sealLine, no newline). */
  appendSealed(record: AuditRecord, unsealed: string): void {
    this.appendText(record, sealLine(unsealed, record.hash).slice(0, -1));
  }

  private appendText(record: AuditRecord, text: string): void {
    if (this.closed) {
      this.failure = { kind: "closed", message: "append after close of the PostgreSQL audit sink" };
      return;
    }
    this.pending.push([
      this.chain,
      record.seq,
      record.ts,
      record.agent,
      record.session,
      record.event,
      record.outcome,
      record.action?.tool ?? null,
      record.bundle ?? null,
      record.hash,
      record.prev,
      text,
    ]);
    this.appended++;
    if (letsACallRun(record) || this.pending.length >= MAX_ROWS) queueMicrotask(this.pumpNow);
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.pumpNow, this.flushMs);
      this.timer.unref?.();
    }
  }

  durable(): Promise<void> | undefined {
    if (this.inserted === this.appended) return undefined;
    const upTo = this.appended;
    queueMicrotask(this.pumpNow);
    return new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
  }

  private pump(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight !== undefined || this.pending.length === 0) return;
    const rows = this.pending.splice(0, MAX_ROWS);
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of rows) {
      const base = values.length;
      tuples.push("(" + row.map((_, i) => "$" + (base + i + 1)).join(",") + ")");
      values.push(...row);
    }
    const sql = `INSERT INTO ${AUDIT_TABLE} (${COLUMNS.join(",")}) VALUES ${tuples.join(",")}`;
    this.inFlight = this.client.query(sql, values).then(
      () => {
        this.inserted += rows.length;
        this.retryMs = 100;
        if (this.failure?.kind === "write_failed") this.failure = undefined;
        const still: Waiter[] = [];
        for (const w of this.waiters) w.upTo <= this.inserted ? w.resolve() : still.push(w);
        this.waiters = still;
      },
      (e: Error) => {
        // keep the rows, in order, for the retry; nobody waiting may act on records the store lacks
        this.pending = rows.concat(this.pending);
        const forked = (e as { code?: string }).code === "23505";
        this.failure = {
          kind: "write_failed",
          message: forked
            ? `PostgreSQL audit sink: chain ${this.chain} already holds records from seq ${rows[0]![1]} on: another process is writing this chain ` +
              `(one writer per chain; give each gateway its own audit.chain). This gateway writes no more records (fail closed) (${e.message})`
            : `PostgreSQL audit sink: ${e.message}`,
        };
        const err = new Error(this.failure.message);
        for (const w of this.waiters.splice(0)) w.reject(err);
        if (!this.closed && !forked) {
          const t = setTimeout(this.pumpNow, this.retryMs);
          t.unref?.();
          this.retryMs = Math.min(this.retryMs * 2, 5000);
        }
      },
    );
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
      if (this.pending.length > 0 && this.failure === undefined) this.pump();
    });
  }

  async flush(): Promise<void> {
    while (this.inserted < this.appended) {
      if (this.inFlight === undefined) this.pump();
      await this.inFlight;
      if (this.failure?.kind === "write_failed") throw new Error(this.failure.message);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await this.client.end().catch(() => undefined);
    }
  }
}

/**
 * After `log` resumed `head`: with a checkpoint key, a chain whose last record is not a closing checkpoint
 * was left by a writer that died (SIGKILL, a crash). As the file log does (open-file-log.ts), the first
 * record is then a `recovered` one naming the records after the last checkpoint, signed at once, so
 * verify accepts them as a crash's. Returns that record, if written.
 */
export function recoverUncleanChain(log: AuditLog, head: PostgresChainHead, signed: boolean): AuditRecord | undefined {
  if (!signed || head.seq === 0 || head.closed) return undefined;
  const recovered = log.write({
    agent: "charter-runtime",
    session: "",
    event: "recovered",
    trace: [
      {
        rule: "audit.unclean_close",
        reason: `the previous writer did not close the chain (no closing checkpoint after seq ${head.seq}): the records after its last checkpoint are signed only from here`,
      },
    ],
    outcome: "recovered",
  });
  log.checkpoint(false);
  return recovered;
}
