// Append-only JSONL file sink. Lines are batched in memory and written with one O_APPEND write per batch
// (every `batchRecords` records, after `flushMs`, on flush/close and synchronously at process exit); a
// record counts as written only once its newline is on disk. One writer per file: nothing else may append.
// Exit flushing covers process.exit and a drained event loop; signal handlers must call close() themselves.
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { GENESIS_HASH } from "./record.js";
import { parseSealedLine } from "./verify.js";
import type { AuditRecord } from "./record.js";
import type { AuditSink, AuditSinkFailure } from "./sink.js";
import type { ChainHead } from "./audit-log.js";

export interface FileAuditSinkOptions {
  /** Write once this many records are pending (default 256). */
  batchRecords?: number;
  /** Write pending records at most this long after the first of them was appended (default 20 ms). */
  flushMs?: number;
  /** fsync after every batch, not only on close (default false: a machine crash may lose the last batch). */
  fsyncEachBatch?: boolean;
  /**
   * What to do when the file ends in a torn line (a crash cut a write short). "recover" (default) keeps the
   * fragment, ends its line and lets the log write a `recovered` record that fingerprints it; "refuse"
   * opens nothing until someone inspects the file.
   */
  tornTail?: "recover" | "refuse";
  /** How much of the file's end to read to find the chain head (default 4 MiB, far above one batch). */
  tailBytes?: number;
}

export type AuditOpenError =
  | { kind: "io"; path: string; message: string }
  | { kind: "torn_tail"; path: string; message: string }
  | { kind: "corrupt_tail"; path: string; message: string };

/** The fragment a crash left after the last complete line, as it will appear once its line is ended. */
export interface TornFragment {
  text: string;
}

export type FileAuditSinkOpen =
  | { ok: true; sink: FileAuditSink; head: ChainHead; torn?: TornFragment; completedLastLine: boolean }
  | { ok: false; error: AuditOpenError };

const openSinks = new Set<FileAuditSink>();
let exitHookInstalled = false;

function flushAllOnExit(): void {
  for (const sink of openSinks) sink.flushSync();
}

function readTail(fd: number, size: number, max: number): { text: string; fromStart: boolean } {
  const length = Math.min(size, max);
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, size - length + got);
    if (n === 0) break;
    got += n;
  }
  return { text: buf.subarray(0, got).toString("utf8"), fromStart: length === size };
}

export class FileAuditSink implements AuditSink {
  failure?: AuditSinkFailure;
  /** Encoded lines waiting to be written, bytes [0, used); after a failed write, what is left of it. */
  private batch = Buffer.allocUnsafe(256 * 1024);
  private used = 0;
  private pendingRecords = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private readonly batchRecords: number;
  private readonly flushMs: number;
  private readonly fsyncEachBatch: boolean;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    options: FileAuditSinkOptions,
    prefix: string,
  ) {
    this.batchRecords = Math.max(1, options.batchRecords ?? 256);
    this.flushMs = Math.max(0, options.flushMs ?? 20);
    this.fsyncEachBatch = options.fsyncEachBatch ?? false;
    if (prefix !== "") this.used = this.batch.write(prefix, 0, "utf8");
    openSinks.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on("exit", flushAllOnExit);
    }
  }

  /**
   * Opens (or creates) the log and finds the head of its chain from the file's last complete line, which
   * must be a sealed record. A fragment after it is either a whole record that lost only its newline
   * (the line is ended and the record kept) or a torn write (handled per `tornTail`).
   */
  static open(path: string, options: FileAuditSinkOptions = {}): FileAuditSinkOpen {
    let fd: number;
    try {
      fd = openSync(path, "a+", 0o600);
    } catch (e) {
      return { ok: false, error: { kind: "io", path, message: (e as Error).message } };
    }
    const fail = (error: AuditOpenError): FileAuditSinkOpen => {
      closeSync(fd);
      return { ok: false, error };
    };
    let tail: { text: string; fromStart: boolean };
    try {
      tail = readTail(fd, fstatSync(fd).size, options.tailBytes ?? 4 * 1024 * 1024);
    } catch (e) {
      return fail({ kind: "io", path, message: (e as Error).message });
    }
    const lastNl = tail.text.lastIndexOf("\n");
    let head: ChainHead = { seq: 0, hash: GENESIS_HASH };
    if (lastNl >= 0) {
      const prevNl = tail.text.lastIndexOf("\n", lastNl - 1);
      if (prevNl < 0 && !tail.fromStart) {
        return fail({ kind: "corrupt_tail", path, message: "the last line is longer than tailBytes; run charter audit verify" });
      }
      const last = parseSealedLine(tail.text.slice(prevNl + 1, lastNl));
      if (!last) {
        return fail({
          kind: "corrupt_tail",
          path,
          message: "the last complete line is not a sealed audit record; run charter audit verify before appending",
        });
      }
      head = { seq: last.seq, hash: last.hash };
    } else if (!tail.fromStart) {
      return fail({ kind: "corrupt_tail", path, message: "no line ending in the file's tail; run charter audit verify" });
    }
    const fragment = tail.text.slice(lastNl + 1);
    if (fragment === "") return { ok: true, sink: new FileAuditSink(path, fd, options, ""), head, completedLastLine: false };

    const whole = parseSealedLine(fragment);
    if (whole && whole.seq === head.seq + 1 && whole.prev === head.hash) {
      const sink = new FileAuditSink(path, fd, options, "\n");
      return { ok: true, sink, head: { seq: whole.seq, hash: whole.hash }, completedLastLine: true };
    }
    if ((options.tornTail ?? "recover") === "refuse") {
      return fail({
        kind: "torn_tail",
        path,
        message: `the file ends in a torn line of ${fragment.length} characters after seq ${head.seq}; a write was cut short`,
      });
    }
    const sink = new FileAuditSink(path, fd, options, "\n");
    return { ok: true, sink, head, torn: { text: fragment + "\n" }, completedLastLine: false };
  }

  append(_record: AuditRecord, line: Uint8Array): void {
    if (this.closed) {
      this.failure = { kind: "closed", message: `append after close of ${this.path}` };
      return;
    }
    if (this.used + line.length > this.batch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.batch.length * 2, this.used + line.length));
      this.batch.copy(bigger, 0, 0, this.used);
      this.batch = bigger;
    }
    this.batch.set(line, this.used);
    this.used += line.length;
    if (++this.pendingRecords >= this.batchRecords) this.flushSync();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushSync(), this.flushMs);
      this.timer.unref?.();
    }
  }

  /** Writes everything pending now. Never throws: unwritten bytes are kept for a retry and set `failure`. */
  flushSync(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.pendingRecords = 0;
    let written = 0;
    try {
      while (written < this.used) written += writeSync(this.fd, this.batch, written, this.used - written);
      if (this.fsyncEachBatch && written > 0) fsyncSync(this.fd);
      if (this.failure?.kind === "write_failed") this.failure = undefined;
    } catch (e) {
      this.failure = { kind: "write_failed", message: `${this.path}: ${(e as Error).message}` };
    }
    if (written > 0) {
      this.batch.copyWithin(0, written, this.used);
      this.used -= written;
    }
  }

  async flush(): Promise<void> {
    this.flushSync();
    if (this.failure?.kind === "write_failed") throw new Error(this.failure.message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flushSync();
    this.closed = true;
    openSinks.delete(this);
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
    if (this.failure?.kind === "write_failed") throw new Error(this.failure.message);
  }
}
