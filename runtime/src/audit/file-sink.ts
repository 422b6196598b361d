// Append-only JSONL file sink. Durability rule (DEPLOYMENT.md §4): the record of a decision that lets a
// call run is handed to the operating system (write(2)) before the call is forwarded. Such records are
// written at the end of the current microtask batch — every allow decided in one tick shares one write —
// and `durable()` gives the caller the promise to wait for; with `fsync` the promise waits for an fsync
// shared by everyone waiting at that moment (group commit). Other records (denials, alerts) are batched
// and written every `batchRecords` records or `flushMs`: losing them to SIGKILL loses no account of an
// action that happened. One writer per file, enforced by a lock file (writer-lock.ts).
import { join } from "node:path";
import { closeSync, fstatSync, fsync, fsyncSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { checkpointLine, checkpointsPath, type DamagedCheckpointLine } from "./checkpoint.js";
import { checkSidecar } from "./sidecar-check.js";
import { GENESIS_HASH, sha256Hex, sha256Tagged } from "./record.js";
import { parseSealedLine } from "./verify.js";
import { acquireWriterLock } from "./writer-lock.js";
import { explainFileError } from "../io-errors.js";
import { OffThreadSealer, type OffThreadSealerOptions } from "./off-thread-sealer.js";
import { closeAtProcessEnd } from "./process-end.js";
import type { AuditCheckpoint, AuditRecord } from "./record.js";
import type { AuditSink, AuditSinkFailure } from "./sink.js";
import type { ChainHead } from "./audit-log.js";

export interface FileAuditSinkOptions {
  /** Write once this many records are pending (default 256). */
  batchRecords?: number;
  /** Write pending records at most this long after the first of them was appended (default 20 ms). */
  flushMs?: number;
  /**
   * fsync before an allowed call is forwarded (group commit), and after every batch. Default false: the
   * OS holds every written record, so the death of the process loses none, but a machine crash may.
   */
  fsync?: boolean;
  /** @deprecated the old name of `fsync`. */
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
  | { kind: "locked"; path: string; message: string }
  | { kind: "torn_tail"; path: string; message: string }
  | { kind: "corrupt_tail"; path: string; message: string }
  /** The sidecar holds a signed checkpoint the log no longer has (or may, behind damaged lines): records were removed. */
  | { kind: "checkpoint_ahead"; path: string; message: string }
  /** The sidecar exists but cannot be read: whether the log was cut cannot be told. */
  | { kind: "checkpoints_unreadable"; path: string; message: string };

/** The fragment a crash left after the last complete line, as it will appear once its line is ended. */
export interface TornFragment {
  text: string;
}

export type FileAuditSinkOpen =
  | {
      ok: true;
      sink: FileAuditSink;
      head: ChainHead;
      torn?: TornFragment;
      completedLastLine: boolean;
      /** The last complete record of the file, if any. */
      last?: Record<string, unknown>;
      /** Sidecar lines after its last checkpoint that are none (a crash while copying one): to fingerprint. */
      damagedCheckpoints?: DamagedCheckpointLine[];
      /** The log holds checkpoints but its sidecar is gone: to record. */
      checkpointsMissing?: true;
    }
  | { ok: false; error: AuditOpenError };

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

/** One write (and, with fsync, the fsync after it) and the promise everyone waiting for it shares. */
interface Round {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
}

function newRound(): Round {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
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
  private readonly fsyncMode: boolean;
  /** A write is scheduled for the end of this microtask batch. */
  private commitScheduled = false;
  /**
   * The callers of durable() since the last write share this round: one promise per write however many
   * calls wait for it, so 256 calls in flight cost what 64 do.
   */
  private nextWrite: Round | undefined;
  /** Written, waiting for an fsync; the fsync in flight (if any) serves the rounds that were here when it started. */
  private syncWaiters: Round[] = [];
  private syncing = false;
  private sidecarFd: number | undefined;
  /** "\n" when the sidecar ends in a torn line: the next checkpoint starts a line of its own. */
  private sidecarPrefix = "";
  private readonly commit = (): void => this.commitNow();
  /** Set by sealOffThread: records are encoded here and sealed and written by a worker. */
  private sealer: OffThreadSealer | undefined;
  /** AuditLog hands records over split around `prev` (appendDeferred) instead of sealing them itself. */
  deferring = false;
  private readonly unregister: () => void;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly releaseLock: () => void,
    options: FileAuditSinkOptions,
    prefix: string,
  ) {
    this.batchRecords = Math.max(1, options.batchRecords ?? 256);
    this.flushMs = Math.max(0, options.flushMs ?? 20);
    this.fsyncMode = options.fsync ?? options.fsyncEachBatch ?? false;
    if (prefix !== "") this.used = this.batch.write(prefix, 0, "utf8");
    // at exit (and on an unhandled SIGTERM/SIGINT) pending records are written and the lock released
    this.unregister = closeAtProcessEnd({ flushSync: () => this.flushSync(), closeSync: () => this.closeSync() }, "sink");
  }

  /**
   * Opens (or creates) the log under its writer lock and finds the head of its chain from the file's last
   * complete line, which must be a sealed record. A fragment after it is either a whole record that lost
   * only its newline (the line is ended and the record kept) or a torn write (handled per `tornTail`).
   * A sidecar checkpoint beyond the head means the log was cut: refused, so a restart cannot launder it
   * (sidecar-check.ts, which also decides about a sidecar that cannot be read or ends in damaged lines).
   */
  static open(path: string, options: FileAuditSinkOptions = {}): FileAuditSinkOpen {
    const kind = pathKind(path);
    // before the lock, which would otherwise be created beside the directory
    if (kind === "directory")
      return {
        ok: false,
        error: {
          kind: "io",
          path,
          message: `${path} is a directory; name the log file inside it (e.g. ${join(path, "charter-audit.jsonl")})`,
        },
      };
    // a device or a pipe (/dev/stdout, a FIFO) has no chain to fork on disk: only files are locked
    const lock = kind === "device" ? { ok: true as const, release: () => undefined } : acquireWriterLock(path);
    if (!lock.ok) return { ok: false, error: { kind: lock.io ? "io" : "locked", path, message: lock.message } };
    let fd: number;
    try {
      fd = openSync(path, "a+", 0o600);
    } catch (e) {
      lock.release();
      return { ok: false, error: { kind: "io", path, message: explainFileError(e, path, "write") } };
    }
    const fail = (error: AuditOpenError): FileAuditSinkOpen => {
      closeSync(fd);
      lock.release();
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
    let last: Record<string, unknown> | undefined;
    if (lastNl >= 0) {
      const prevNl = tail.text.lastIndexOf("\n", lastNl - 1);
      if (prevNl < 0 && !tail.fromStart) {
        return fail({ kind: "corrupt_tail", path, message: "the last line is longer than tailBytes; run charter audit verify" });
      }
      const sealed = parseSealedLine(tail.text.slice(prevNl + 1, lastNl));
      if (!sealed) {
        return fail({
          kind: "corrupt_tail",
          path,
          message: "the last complete line is not a sealed audit record; run charter audit verify before appending",
        });
      }
      head = { seq: sealed.seq, hash: sealed.hash };
      last = sealed.record;
    } else if (!tail.fromStart) {
      return fail({ kind: "corrupt_tail", path, message: "no line ending in the file's tail; run charter audit verify" });
    }
    const fragment = tail.text.slice(lastNl + 1);
    let torn: TornFragment | undefined;
    let prefix = "";
    let completedLastLine = false;
    if (fragment !== "") {
      const whole = parseSealedLine(fragment);
      if (whole && whole.seq === head.seq + 1 && whole.prev === head.hash) {
        prefix = "\n";
        head = { seq: whole.seq, hash: whole.hash };
        last = whole.record;
        completedLastLine = true;
      } else if ((options.tornTail ?? "recover") === "refuse") {
        return fail({
          kind: "torn_tail",
          path,
          message: `the file ends in a torn line of ${fragment.length} characters after seq ${head.seq}; a write was cut short`,
        });
      } else {
        prefix = "\n";
        torn = { text: fragment + "\n" };
      }
    }
    const sidecar = checkSidecar(path, head, tail.text);
    if (!sidecar.ok) return fail({ kind: sidecar.kind, path, message: sidecar.message });
    const sink = new FileAuditSink(path, fd, lock.release, options, prefix);
    if (!sidecar.endsWithNewline) sink.sidecarPrefix = "\n";
    const damaged = {
      ...(sidecar.damaged.length > 0 ? { damagedCheckpoints: sidecar.damaged } : {}),
      ...(sidecar.missing ? { checkpointsMissing: true as const } : {}),
    };
    return { ok: true, sink, head, ...(torn ? { torn } : {}), completedLastLine, ...(last ? { last } : {}), ...damaged };
  }

  append(record: AuditRecord, line: Uint8Array): void {
    if (this.closed) return this.appendAfterClose();
    this.reserve(line.length);
    this.batch.set(line, this.used);
    this.used += line.length;
    this.appended(record);
  }

  /**
   * The log's path: the line is encoded straight into the batch (no intermediate buffer, no copy). The
   * unsealed JSON is written, then its closing brace is overwritten by `,"hash":"…"}` and the newline.
   */
  appendSealed(record: AuditRecord, unsealed: string): void {
    if (this.closed) return this.appendAfterClose();
    // UTF-8 takes at most 3 bytes per UTF-16 code unit; the exact length only when that bound does not fit
    const bound = 3 * unsealed.length + HASH_SUFFIX_BYTES;
    if (this.used + bound > this.batch.length) this.reserve(Buffer.byteLength(unsealed, "utf8") + HASH_SUFFIX_BYTES);
    const at = this.used + this.batch.write(unsealed, this.used, "utf8") - 1;
    this.used = at + this.batch.write(',"hash":"' + record.hash + '"}\n', at, "latin1");
    this.appended(record);
  }

  /**
   * The log's path when it has not hashed the record yet: the unsealed JSON is encoded into the batch once
   * and those very bytes are hashed (the string is not encoded a second time inside the hash), then its
   * closing brace is overwritten by `,"hash":"…"}` and the newline. Sets `record.hash`.
   */
  appendUnsealed(record: AuditRecord, unsealed: string): void {
    if (this.closed) {
      record.hash = sha256Tagged(unsealed); // the chain goes on in memory; the record is reported lost
      return this.appendAfterClose();
    }
    const bound = 3 * unsealed.length + HASH_SUFFIX_BYTES;
    if (this.used + bound > this.batch.length) this.reserve(Buffer.byteLength(unsealed, "utf8") + HASH_SUFFIX_BYTES);
    const batch = this.batch;
    const start = this.used;
    const end = start + batch.write(unsealed, start, "utf8");
    const hex = sha256Hex(batch.subarray(start, end));
    record.hash = "sha256:" + hex;
    // `,"hash":"sha256:` + hex + `"}` and the newline, over the closing brace, without building the string
    let at = end - 1;
    batch.set(HASH_FIELD_OPEN, at);
    at += HASH_FIELD_OPEN.length;
    at += batch.write(hex, at, "latin1");
    batch[at++] = 0x22; // "
    batch[at++] = 0x7d; // }
    batch[at++] = 0x0a; // \n
    this.used = at;
    this.appended(record);
  }

  /**
   * From now on records are sealed off this thread (off-thread-sealer.ts): the hash and the write(2) of
   * each record move to a worker, the file's bytes stay the same. `headHash` is the chain head so far.
   * Not with fsync (the fsync dominates, and group commit already shares it). False when not switched.
   */
  sealOffThread(headHash: string, options: OffThreadSealerOptions = {}): boolean {
    if (this.fsyncMode || this.closed || this.sealer !== undefined) return false;
    this.flushSync(false);
    if (this.used > 0) return false; // a failed write is pending: stay with the path that retries it
    this.sealer = new OffThreadSealer(this.fd, headHash, {
      ...options,
      onWriteFailure: (message) => {
        if (message !== undefined) this.failure = { kind: "write_failed", message: `${this.path}: ${message}` };
        else if (this.failure?.kind === "write_failed") this.failure = undefined;
      },
    });
    this.deferring = true;
    return true;
  }

  /** The deferred path: the record's canonical JSON before and after the value of `prev` (see sealOffThread). */
  appendDeferred(record: AuditRecord, beforePrev: string, afterPrev: string): void {
    if (this.closed) return this.appendAfterClose();
    if (!this.sealer!.append(beforePrev, afterPrev)) {
      this.failure = { kind: "write_failed", message: `${this.path}: the audit sealer is stalled; record ${record.seq} was lost` };
      return;
    }
    this.appended(record);
  }

  /** The chain head's hash once everything appended is written (deferred records are hashed by the worker). */
  sealedHead(): string | undefined {
    if (this.sealer === undefined) return undefined;
    this.flushSync(false);
    return this.sealer.sealedHead();
  }

  private appendAfterClose(): void {
    this.failure = { kind: "closed", message: `append after close of ${this.path}` };
  }

  /** Room for `bytes` more in the batch. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.batch.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.batch.length * 2, this.used + bytes));
    this.batch.copy(bigger, 0, 0, this.used);
    this.batch = bigger;
  }

  private appended(record: AuditRecord): void {
    if (letsACallRun(record)) this.scheduleCommit();
    else if (++this.pendingRecords >= this.batchRecords) this.writeBatch();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.flushOnTimer, this.flushMs);
      this.timer.unref?.();
    }
  }

  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    queueMicrotask(this.commit);
  }

  /**
   * Resolves once every record appended so far is written to the OS (and fsynced, with `fsync`); rejects
   * when it cannot be. `undefined` when there is nothing to wait for, so the allow path allocates nothing.
   */
  durable(): Promise<void> | undefined {
    const sealer = this.sealer;
    if (sealer !== undefined) {
      if (this.failure?.kind === "write_failed") return Promise.reject(new Error(this.failure.message));
      if (sealer.outstanding === 0) return undefined;
      if (this.closed) return Promise.reject(new Error(`${this.path} was closed`));
      this.scheduleCommit();
      return (this.nextWrite ??= newRound()).promise;
    }
    if (this.used === 0 && !this.fsyncMode) {
      return this.failure?.kind === "write_failed" ? Promise.reject(new Error(this.failure.message)) : undefined;
    }
    if (this.closed) return Promise.reject(new Error(`${this.path} was closed`));
    this.scheduleCommit();
    return (this.nextWrite ??= newRound()).promise;
  }

  private commitNow(): void {
    this.commitScheduled = false;
    const round = this.nextWrite;
    this.nextWrite = undefined;
    if (this.sealer !== undefined) return this.commitDeferred(round);
    this.flushSync(false);
    if (round === undefined) return; // records written; nobody waits for them
    if (this.failure?.kind === "write_failed" || this.used > 0) {
      round.reject(new Error(this.failure?.message ?? `${this.path}: write incomplete`));
      return;
    }
    if (!this.fsyncMode) {
      round.resolve();
      return;
    }
    this.syncWaiters.push(round);
    this.startSync();
  }

  /** Written here at once when the worker is idle, else when the worker reports them. */
  private commitDeferred(round: Round | undefined): void {
    if (this.closed) return round?.reject(new Error(`${this.path} was closed`));
    let written: boolean;
    try {
      written = this.sealer!.commit();
    } catch (e) {
      this.failure = { kind: "write_failed", message: `${this.path}: ${(e as Error).message}` };
      return round?.reject(new Error(this.failure.message));
    }
    if (this.failure?.kind === "write_failed" && this.sealer!.failure === undefined) this.failure = undefined;
    if (round === undefined) return;
    if (written) round.resolve();
    else this.sealer!.whenWritten().then(round.resolve, round.reject);
  }

  /** Group commit: one fsync for everyone written before it started; those who came later get the next. */
  private startSync(): void {
    if (this.syncing || this.syncWaiters.length === 0) return;
    this.syncing = true;
    const round = this.syncWaiters;
    this.syncWaiters = [];
    fsync(this.fd, (err) => {
      this.syncing = false;
      if (err) {
        this.failure = { kind: "write_failed", message: `${this.path}: fsync failed: ${err.message}` };
        for (const w of round) w.reject(new Error(this.failure.message));
      } else for (const w of round) w.resolve();
      this.startSync();
    });
  }

  /**
   * The flush timer stays armed when something else writes the batch first (an allowed call's commit, a
   * full batch): it fires at most flushMs after the records it was set for, finds what came since (written
   * then, sooner than their own deadline) or nothing. Clearing and setting a timer around every commit
   * cost more than the record being committed when allows and denials alternate.
   */
  private readonly flushOnTimer = (): void => {
    this.timer = undefined;
    if (!this.closed) this.writeBatch();
  };

  /** The batched records (denials, alerts) go out: written here, or handed to the worker without waiting. */
  private writeBatch(): void {
    if (this.sealer === undefined) {
      if (this.used > 0) this.flushSync();
      return;
    }
    this.pendingRecords = 0;
    this.sealer.publish();
  }

  /** Writes everything pending now. Never throws: unwritten bytes are kept for a retry and set `failure`. */
  flushSync(syncBatch = true): void {
    this.pendingRecords = 0;
    if (this.sealer !== undefined) {
      if (!this.sealer.drainSync()) {
        this.failure = {
          kind: "write_failed",
          message: `${this.path}: ${this.sealer.failure ?? "the audit sealer did not write in time"}`,
        };
      }
      return;
    }
    let written = 0;
    try {
      while (written < this.used) written += writeSync(this.fd, this.batch, written, this.used - written);
      if (syncBatch && this.fsyncMode && written > 0) fsyncSync(this.fd);
      if (this.failure?.kind === "write_failed") this.failure = undefined;
    } catch (e) {
      this.failure = { kind: "write_failed", message: `${this.path}: ${(e as Error).message}` };
    }
    if (written > 0) {
      this.batch.copyWithin(0, written, this.used);
      this.used -= written;
    }
  }

  /** Copies a checkpoint to the sidecar, after the log itself holds it. */
  checkpointed(cp: AuditCheckpoint): void {
    this.flushSync(false);
    try {
      this.sidecarFd ??= openSync(checkpointsPath(this.path), "a", 0o600);
      writeSync(this.sidecarFd, this.sidecarPrefix + checkpointLine(cp) + "\n");
      this.sidecarPrefix = "";
    } catch (e) {
      this.failure = { kind: "write_failed", message: `${checkpointsPath(this.path)}: ${(e as Error).message}` };
    }
  }

  async flush(): Promise<void> {
    this.flushSync();
    if (this.failure?.kind === "write_failed") throw new Error(this.failure.message);
  }

  closeSync(): void {
    if (this.closed) return;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.sealer === undefined) this.flushSync(false);
    else if (!this.sealer.stop()) {
      this.failure = { kind: "write_failed", message: `${this.path}: ${this.sealer.failure ?? "the audit sealer did not finish writing"}` };
    }
    this.closed = true;
    this.unregister();
    const round = this.nextWrite;
    this.nextWrite = undefined;
    if (round !== undefined) this.failure ? round.reject(new Error(`${this.path} was closed`)) : round.resolve();
    try {
      fsyncSync(this.fd);
    } catch {
      // reported below if the write failed; an fsync failure at close leaves what the OS has
    } finally {
      closeSync(this.fd);
      if (this.sidecarFd !== undefined) closeSync(this.sidecarFd);
      this.releaseLock();
    }
    for (const w of this.syncWaiters.splice(0)) w.resolve();
  }

  async close(): Promise<void> {
    this.closeSync();
    if (this.failure?.kind === "write_failed") throw new Error(this.failure.message);
  }
}

/** `,"hash":"sha256:<64 hex>"}\n` plus slack. */
const HASH_SUFFIX_BYTES = 96;
const HASH_FIELD_OPEN = Buffer.from(',"hash":"sha256:', "latin1");

/** What is at `path`, from one stat: nothing yet, a directory, a regular file, or a device or pipe. */
function pathKind(path: string): "missing" | "directory" | "file" | "device" {
  try {
    const st = statSync(path);
    return st.isDirectory() ? "directory" : st.isFile() ? "file" : "device";
  } catch {
    return "missing";
  }
}

/** Allowed decisions and granted approvals: the records an action may follow. */
export function letsACallRun(record: AuditRecord): boolean {
  const o = record.outcome;
  return o === "allow" || o === "approved";
}
