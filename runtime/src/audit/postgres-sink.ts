// PostgreSQL sink: the same sealed records and chain as the file log, one row per record in table
// charter_audit (the exact line is kept, so verify re-reads what was hashed). Inserts are batched off the
// hot path — one multi-row INSERT at a time, in chain order — except that the durability rule holds: a
// record that lets a call run starts an insert at once, and `durable()` resolves only when the row is
// committed, so the gateway forwards nothing whose record the database does not hold. The writer role
// may only INSERT (see postgres-schema.ts); each writer has its own chain (`chain` column), so replicas
// never fork one chain, and a second writer naming the same chain collides on (chain, seq) and fails loudly.
import type pg from "pg";
import { hostname } from "node:os";
import { letsACallRun } from "./file-sink.js";
import { sealLine, type AuditRecord } from "./record.js";
import type { AuditSink, AuditSinkFailure } from "./sink.js";
import { AUDIT_TABLE } from "./postgres-schema.js";

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
    options: PostgresAuditSinkOptions,
  ) {
    this.chain = options.chain ?? `${hostname()}:${process.pid}:${Date.now().toString(36)}`;
    this.flushMs = options.flushMs ?? 50;
    client.on("error", (e) => {
      this.failure = { kind: "write_failed", message: `PostgreSQL audit sink: ${e.message}` };
    });
  }

  /** Connects and checks that the table exists (and that this role may write it). */
  static async open(
    url: string,
    options: PostgresAuditSinkOptions = {},
  ): Promise<{ ok: true; sink: PostgresAuditSink } | { ok: false; message: string }> {
    const { default: driver } = await import("pg"); // loaded only by those who use PostgreSQL
    const client = new driver.Client({ connectionString: url });
    try {
      await client.connect();
    } catch (e) {
      return { ok: false, message: `cannot connect to the PostgreSQL audit store ${redactUrl(url)}: ${(e as Error).message}` };
    }
    try {
      const r = await client.query("SELECT has_table_privilege(current_user, $1, 'INSERT') AS ok", [AUDIT_TABLE]);
      if (r.rows[0]?.ok !== true) throw new Error(`role ${client.user ?? "?"} may not INSERT into ${AUDIT_TABLE}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      const msg = (e as Error).message;
      const hint = /does not exist/.test(msg) ? `: run charter audit init-postgres first` : "";
      return { ok: false, message: `the PostgreSQL audit store ${redactUrl(url)} cannot take records: ${msg}${hint}` };
    }
    return { ok: true, sink: new PostgresAuditSink(client, options) };
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
        this.failure = { kind: "write_failed", message: `PostgreSQL audit sink: ${e.message}` };
        const err = new Error(this.failure.message);
        for (const w of this.waiters.splice(0)) w.reject(err);
        if (!this.closed) {
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

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
