// SOC export: alerts, guardrail events, isolations and state outages leave the gateway as they happen, to
// an HTTP webhook (one JSON event per POST) and to syslog (RFC 5424 over TCP, octet-counting framing,
// RFC 6587 §3.4.1). The exporter is an audit sink teed after the primary store: it sees records in chain
// order and never holds a decision back — append only copies the event to a spool file on disk (one
// write(2)) and wakes the senders. Each destination keeps its own offset in the spool, advanced only once
// the receiver took the event, and retries with exponential backoff; a receiver that is down, or a
// gateway restarted meanwhile, loses nothing. At-least-once: an event may be sent twice after a crash.
import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createConnection, type Socket } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import type { AuditRecord } from "../audit/record.js";
import type { AuditSink } from "../audit/sink.js";
import { acquireWriterLock } from "../audit/writer-lock.js";

export interface SocConfig {
  /** Directory for the spool and the destinations' offsets (created if missing). */
  spool: string;
  webhook?: { url: string; headers?: Record<string, string> };
  /** RFC 5424 over TCP; facility defaults to 13 (log audit). */
  syslog?: { host: string; port: number; facility?: number };
  /** First retry delay (default 200 ms), doubling up to maxBackoffMs (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export type SocSeverity = "critical" | "high" | "medium" | "low" | "info";

/** What a SOC receives: flat, with the audit record's seq and hash so it can be matched to the log. */
export interface SocEvent {
  id: string;
  time: string;
  severity: SocSeverity;
  event: string;
  agent: string;
  session: string;
  tool?: string;
  outcome: string;
  rule?: string;
  message: string;
  guardrail?: AuditRecord["guardrail"];
  bundle?: string;
  seq: number;
  hash: string;
}

const SYSLOG_SEVERITY: Record<SocSeverity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

/** The records a SOC wants: anything a guardrail or the monitor raised, every isolation and outage. */
export function socEventOf(r: AuditRecord, chain = ""): SocEvent | undefined {
  let severity: SocSeverity;
  switch (r.event) {
    case "alert":
      severity = asSeverity(r.guardrail?.[0]?.severity) ?? (r.outcome === "blocked" ? "high" : "medium");
      break;
    case "isolation":
      severity = r.outcome === "released" ? "medium" : "critical";
      break;
    case "ingest_refused":
      severity = r.guardrail?.some((g) => g.kind === "injection") ? "high" : "medium";
      break;
    case "output_filtered":
      severity = r.outcome === "blocked" ? "high" : r.outcome === "redacted" ? "low" : (asSeverity(r.guardrail?.[0]?.severity) ?? "medium");
      break;
    case "state":
      // "reasserted": the shared state lost an isolation (Redis flushed or restarted empty) and it was put back
      severity = r.outcome === "unavailable" || r.outcome === "reasserted" ? "high" : "info";
      break;
    default:
      if (r.guardrail === undefined) return undefined;
      severity = asSeverity(r.guardrail[0]?.severity) ?? "medium";
  }
  const tool = r.action?.tool ?? (typeof r.detail?.tool === "string" ? r.detail.tool : undefined);
  return {
    id: `${chain}${chain ? ":" : ""}${r.seq}`,
    time: r.ts,
    severity,
    event: r.event,
    agent: r.agent,
    session: r.session,
    ...(tool !== undefined ? { tool } : {}),
    outcome: r.outcome,
    ...(r.trace[0] ? { rule: r.trace[0].rule } : {}),
    message: r.trace.map((t) => t.reason).join("; ") || r.event,
    ...(r.guardrail ? { guardrail: r.guardrail } : {}),
    ...(r.bundle ? { bundle: r.bundle } : {}),
    seq: r.seq,
    hash: r.hash,
  };
}

function asSeverity(s: string | undefined): SocSeverity | undefined {
  return s === "critical" || s === "high" || s === "medium" || s === "low" || s === "info" ? s : undefined;
}

function sdEscape(s: string): string {
  return s.replace(/[\\"\]]/g, (c) => "\\" + c);
}

/** One RFC 5424 message for an event (without the octet count). */
export function syslogMessage(e: SocEvent, facility = 13, host = hostname()): string {
  const pri = facility * 8 + SYSLOG_SEVERITY[e.severity];
  const params: [string, string | undefined][] = [
    ["id", e.id],
    ["severity", e.severity],
    ["event", e.event],
    ["agent", e.agent],
    ["session", e.session],
    ["tool", e.tool],
    ["outcome", e.outcome],
    ["rule", e.rule],
    ["seq", String(e.seq)],
    ["hash", e.hash],
  ];
  const sd =
    "[charter@32473 " +
    params
      .filter(([, v]) => v !== undefined && v !== "")
      .map(([k, v]) => `${k}="${sdEscape(v!)}"`)
      .join(" ") +
    "]";
  const msgid = e.event.replace(/[^\x21-\x7e]/g, "_").slice(0, 32) || "-";
  return `<${pri}>1 ${e.time} ${host.replace(/\s/g, "_") || "-"} charter ${process.pid} ${msgid} ${sd} \uFEFF${e.message}`;
}

/** Octet-counting framing: the message's length in bytes, a space, the message. */
export function syslogFrame(message: string): Buffer {
  const body = Buffer.from(message, "utf8");
  return Buffer.concat([Buffer.from(`${body.length} `, "ascii"), body]);
}

interface Destination {
  name: "webhook" | "syslog";
  offset: number;
  busy: boolean;
  /** The pump while it runs: close waits for the send in flight, so its offset is saved. */
  running?: Promise<void>;
  backoffMs: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  delivered: number;
  lastError?: string;
  send(e: SocEvent): Promise<void>;
}

export class SocExporter implements AuditSink {
  private readonly spoolPath: string;
  private readonly fd: number;
  private readonly destinations: Destination[] = [];
  private socket: Socket | undefined;
  private closed = false;
  private readonly release: () => void;
  private readonly drainWaiters: (() => void)[] = [];

  private constructor(
    private readonly config: SocConfig,
    release: () => void,
  ) {
    this.release = release;
    this.spoolPath = join(config.spool, "events.jsonl");
    this.fd = openSync(this.spoolPath, "a+", 0o600);
    if (config.webhook) this.destinations.push(this.destination("webhook", (e) => this.postWebhook(e)));
    if (config.syslog) this.destinations.push(this.destination("syslog", (e) => this.sendSyslog(e)));
    for (const d of this.destinations) this.wake(d);
  }

  private wake(d: Destination): void {
    if (d.busy || this.closed) return;
    d.running = this.pump(d);
  }

  static open(config: SocConfig): { ok: true; exporter: SocExporter } | { ok: false; message: string } {
    if (!config.webhook && !config.syslog) return { ok: false, message: "soc: name a webhook or a syslog receiver" };
    if (config.webhook && !/^https?:\/\//.test(config.webhook.url))
      return { ok: false, message: "soc.webhook.url: expected an http:// or https:// URL" };
    if (config.syslog && !(Number.isInteger(config.syslog.port) && config.syslog.port > 0 && config.syslog.port < 65536))
      return { ok: false, message: "soc.syslog.port: expected a TCP port" };
    try {
      mkdirSync(config.spool, { recursive: true, mode: 0o700 });
    } catch (e) {
      return { ok: false, message: `soc.spool: cannot create ${config.spool}: ${(e as Error).message}` };
    }
    const lock = acquireWriterLock(join(config.spool, "events.jsonl"));
    if (!lock.ok) return { ok: false, message: `soc.spool: ${lock.message}` };
    try {
      return { ok: true, exporter: new SocExporter(config, lock.release) };
    } catch (e) {
      lock.release();
      return { ok: false, message: `soc.spool: ${(e as Error).message}` };
    }
  }

  private destination(name: Destination["name"], send: Destination["send"]): Destination {
    const offsetFile = join(this.config.spool, `${name}.offset`);
    let offset = 0;
    if (existsSync(offsetFile)) offset = Number(readFileSync(offsetFile, "utf8").trim()) || 0;
    return { name, offset, busy: false, backoffMs: this.config.backoffMs ?? 200, timer: undefined, delivered: 0, send };
  }

  /** Spools the record if a SOC wants it; a few microseconds, and only for the records that qualify. */
  append(record: AuditRecord, _line: Uint8Array): void {
    if (this.closed) return;
    const e = socEventOf(record);
    if (e === undefined) return;
    try {
      writeSync(this.fd, JSON.stringify(e) + "\n");
    } catch {
      return; // a full disk must not stop decisions; the event is still in the audit log
    }
    for (const d of this.destinations) if (d.timer === undefined) this.wake(d);
  }

  async flush(): Promise<void> {}

  /** Resolves when every spooled event reached every receiver, or after `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end && !this.closed) {
      const size = fstatSync(this.fd).size;
      if (this.destinations.every((d) => d.offset >= size)) return true;
      await new Promise<void>((r) => {
        this.drainWaiters.push(r);
        setTimeout(r, 50).unref?.();
      });
    }
    return false;
  }

  status(): { name: string; delivered: number; pendingBytes: number; lastError?: string }[] {
    const size = this.closed ? 0 : fstatSync(this.fd).size;
    return this.destinations.map((d) => ({
      name: d.name,
      delivered: d.delivered,
      pendingBytes: Math.max(0, size - d.offset),
      ...(d.lastError ? { lastError: d.lastError } : {}),
    }));
  }

  /** Stops sending; a send in flight may finish (up to 5 s) so its offset is saved and it is not sent again. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const d of this.destinations) if (d.timer) clearTimeout(d.timer);
    const running = this.destinations.map((d) => d.running).filter((p): p is Promise<void> => p !== undefined);
    await Promise.race([Promise.all(running), new Promise((r) => setTimeout(r, 5000).unref?.())]);
    this.socket?.destroy();
    closeSync(this.fd);
    this.release();
  }

  private async pump(d: Destination): Promise<void> {
    if (d.busy || this.closed) return;
    d.busy = true;
    try {
      for (;;) {
        const batch = this.read(d.offset);
        if (batch.length === 0) break;
        for (const { event, end } of batch) {
          if (this.closed) return;
          await d.send(event);
          d.offset = end;
          d.delivered++;
          this.saveOffset(d);
        }
      }
      d.backoffMs = this.config.backoffMs ?? 200;
      d.lastError = undefined;
      this.compact(d);
      for (const w of this.drainWaiters.splice(0)) w();
    } catch (e) {
      d.lastError = (e as Error).message;
      if (!this.closed) {
        d.timer = setTimeout(() => {
          d.timer = undefined;
          this.wake(d);
        }, d.backoffMs);
        d.timer.unref?.();
        d.backoffMs = Math.min(d.backoffMs * 2, this.config.maxBackoffMs ?? 30_000);
      }
    } finally {
      d.busy = false;
    }
  }

  /** Whole lines from `offset`, up to 256 KiB. */
  private read(offset: number): { event: SocEvent; end: number }[] {
    const size = fstatSync(this.fd).size;
    if (offset >= size) return [];
    const buf = Buffer.alloc(Math.min(size - offset, 256 * 1024));
    const n = readSync(this.fd, buf, 0, buf.length, offset);
    const out: { event: SocEvent; end: number }[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl === -1 || nl >= n) break;
      const line = buf.subarray(start, nl).toString("utf8");
      start = nl + 1;
      try {
        out.push({ event: JSON.parse(line) as SocEvent, end: offset + start });
      } catch {
        // a line torn by a crash: skip it
      }
    }
    return out;
  }

  private saveOffset(d: Destination): void {
    const file = join(this.config.spool, `${d.name}.offset`);
    writeFileSync(file + ".tmp", String(d.offset));
    renameSync(file + ".tmp", file);
  }

  /** Everything delivered everywhere: start the spool afresh so it does not grow forever. */
  private compact(current: Destination): void {
    const size = fstatSync(this.fd).size;
    if (size < 1 << 20 || !this.destinations.every((d) => d.offset >= size && (d === current || !d.busy))) return;
    ftruncateSync(this.fd, 0);
    for (const d of this.destinations) {
      d.offset = 0;
      this.saveOffset(d);
    }
  }

  private async postWebhook(e: SocEvent): Promise<void> {
    const w = this.config.webhook!;
    const res = await fetch(w.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(w.headers ?? {}) },
      body: JSON.stringify(e),
      signal: AbortSignal.timeout(5000),
    });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw new Error(`webhook answered HTTP ${res.status}`);
  }

  private connectSyslog(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    const s = this.config.syslog!;
    return new Promise((resolve, reject) => {
      const sock = createConnection({ host: s.host, port: s.port });
      const fail = (err: Error): void => {
        sock.destroy();
        reject(err);
      };
      sock.once("error", fail);
      sock.setTimeout(5000, () => fail(new Error("syslog connect timed out")));
      sock.once("connect", () => {
        sock.setTimeout(0);
        sock.removeListener("error", fail);
        sock.on("error", () => sock.destroy());
        sock.on("close", () => {
          if (this.socket === sock) this.socket = undefined;
        });
        this.socket = sock;
        resolve(sock);
      });
    });
  }

  private async sendSyslog(e: SocEvent): Promise<void> {
    const sock = await this.connectSyslog();
    const frame = syslogFrame(syslogMessage(e, this.config.syslog!.facility ?? 13));
    await new Promise<void>((resolve, reject) => {
      sock.write(frame, (err) => (err ? reject(err) : resolve()));
    });
  }
}

export function openSocExporter(config: SocConfig): ReturnType<typeof SocExporter.open> {
  return SocExporter.open(config);
}
