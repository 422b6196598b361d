// Sealing a file log's records on a worker thread. Each record's SHA-256 and its write(2) are most of what
// a durable record costs the thread that decides (a `crypto.hash` call has a fixed cost near a microsecond
// whatever the length); here the deciding thread only encodes the record into a shared ring, with a
// fixed-size hole where the previous record's hash goes and room for its own, and a worker fills both,
// hashes, and writes the lines in as few write(2) calls as the ring allows. The bytes on disk are the
// same as when the log seals records itself.
//
// Durability is unchanged (DEPLOYMENT.md §4): the sink resolves `durable()` only once the worker reports
// the records written. When a call waits for its record and the worker is idle, the deciding thread
// seals what waits itself, at once: waking the worker and waiting for its answer cost more than the
// sealing (measured: 1 and 64 calls in flight were 15–30% slower that way), so the worker takes the
// records that accumulate while nobody waits (denials, decisions made back to back without yielding) and
// those that arrive while it is busy. The two never seal at the same time, because the thread that
// decides only does so when every record it handed over has been written, and it hands over the next
// ones only after it has finished.
//
// The ring: `data` holds the encoded records back to back (a record that would cross its end starts again
// at 0); `index` holds (start, unsealed length, hole offset) for each record by its number modulo the
// slots; `ctrl` holds the counters below. Records are numbered by a wrapping 32-bit counter.
import { hash } from "node:crypto";
import { writeSync } from "node:fs";
import { Worker } from "node:worker_threads";

/** ctrl slots. */
const PUB = 0; // records handed to the worker
const DONE = 1; // records written
const STOP = 2; // 1: the worker ends once it has written everything handed to it
const FAILED = 3; // 1: the last write failed; the worker retries
// A notify costs a system call (tens of µs on a busy machine), so each side wakes the other only when it
// sleeps: each announces its sleep, then looks again at what it waits for (seq-cst, so one of the two
// always sees the other's store).
const SLEEPING = 4; // 1: the worker waits (or is about to) for PUB to change
const MAIN_WAITS = 5; // 1: the deciding thread waits for DONE to change

/** `"sha256:` + 64 placeholder digits + `"`: the value of `prev`, filled in by the sealer. */
const PREV_OPEN = '"sha256:';
const PREV_PLACEHOLDER = PREV_OPEN + "0".repeat(64) + '"';
/** `,"hash":"sha256:` + 64 + `"}` + `\n` replaces the closing brace: 82 bytes more than the unsealed record. */
const SEAL_EXTRA = 82;

/**
 * Seals records [from, to) in place: the previous record's hex hash into the hole, SHA-256 over the
 * unsealed bytes, the hash field and the newline over the closing brace. Appends the byte ranges to write
 * to `spans` (start, end pairs; adjacent records share one). Runs on the worker and on the deciding
 * thread, so it uses only its arguments (the worker gets its source text).
 */
function sealRecords(
  sha256: typeof hash,
  data: Buffer,
  index: Int32Array,
  mask: number,
  from: number,
  to: number,
  head: Buffer,
  spans: number[],
): void {
  for (let r = from; r !== to; r = (r + 1) | 0) {
    const i = (r & mask) * 3;
    const start = index[i]!;
    const len = index[i + 1]!;
    head.copy(data, index[i + 2]!, 0, 64);
    const hex = sha256("sha256", data.subarray(start, start + len), "hex");
    let at = start + len - 1;
    at += data.write(',"hash":"sha256:', at, "latin1");
    at += data.write(hex, at, "latin1");
    data[at++] = 0x22; // "
    data[at++] = 0x7d; // }
    data[at++] = 0x0a; // \n
    head.write(hex, 0, "latin1");
    const n = spans.length;
    if (n > 0 && spans[n - 1] === start) spans[n - 1] = at;
    else spans.push(start, at);
  }
}

/**
 * Writes the spans in order, removing each once written; throws with the spans left as they are (a span
 * cut short keeps its unwritten part).
 */
function writeSpans(write: typeof writeSync, fd: number, data: Buffer, spans: number[]): void {
  while (spans.length > 0) {
    const start = spans[0]!;
    const stop = spans[1]!;
    let at = start;
    try {
      while (at < stop) at += write(fd, data, at, stop - at);
    } finally {
      spans[0] = at;
    }
    spans.splice(0, 2);
  }
}

/** The worker: waits for records, seals and writes them, reports how far it got. */
function workerMain(
  wd: { fd: number; data: SharedArrayBuffer; index: SharedArrayBuffer; ctrl: SharedArrayBuffer; head: SharedArrayBuffer },
  port: { postMessage(m: unknown): void },
  sha256: typeof hash,
  write: typeof writeSync,
  seal: typeof sealRecords,
  writeAll: typeof writeSpans,
): void {
  const data = Buffer.from(wd.data);
  const index = new Int32Array(wd.index);
  // ctrl's slots by number (this function reaches the worker as text, without the constants above):
  // 0 PUB, 1 DONE, 2 STOP, 3 FAILED, 4 SLEEPING, 5 MAIN_WAITS
  const ctrl = new Int32Array(wd.ctrl);
  const head = Buffer.from(wd.head);
  const mask = index.length / 3 - 1;
  const spans: number[] = [];
  let sealed = 0;
  for (;;) {
    const pub = Atomics.load(ctrl, 0);
    // the deciding thread may have sealed records itself while this one was idle
    if (spans.length === 0) sealed = Atomics.load(ctrl, 1);
    if (((pub - sealed) | 0) > 0) {
      seal(sha256, data, index, mask, sealed, pub, head, spans);
      sealed = pub;
    }
    if (spans.length > 0) {
      try {
        writeAll(write, wd.fd, data, spans);
      } catch (e) {
        if (Atomics.load(ctrl, 3) === 0) {
          Atomics.store(ctrl, 3, 1);
          port.postMessage({ failed: (e as Error).message });
        }
        Atomics.wait(ctrl, 0, pub, 100); // retry when more comes, or soon
        continue;
      }
      if (Atomics.load(ctrl, 3) === 1) {
        Atomics.store(ctrl, 3, 0);
        port.postMessage({ recovered: true });
      }
      Atomics.store(ctrl, 1, sealed);
      if (Atomics.load(ctrl, 5) === 1) Atomics.notify(ctrl, 1);
      continue;
    }
    if (Atomics.load(ctrl, 2) === 1) return;
    Atomics.store(ctrl, 4, 1);
    if (Atomics.load(ctrl, 0) === pub && Atomics.load(ctrl, 2) === 0) Atomics.wait(ctrl, 0, pub);
    Atomics.store(ctrl, 4, 0);
  }
}

// The worker runs from source text rather than a file of its own: the runtime is also used bundled into
// one file (esbuild: the benchmarks, the Action), where a worker module beside this one would not exist.
// So the three functions above take everything they use as arguments.
const WORKER_SOURCE = `"use strict";
const { workerData, parentPort } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { hash } = require("node:crypto");
(${workerMain.toString()})(workerData, parentPort, hash, writeSync, ${sealRecords.toString()}, ${writeSpans.toString()});
`;

export interface OffThreadSealerOptions {
  /** Bytes of the ring (default 8 MiB); a record larger than it is sealed by the deciding thread. */
  ringBytes?: number;
  /** Records the ring can hold (a power of two, default 65,536). */
  slots?: number;
  /**
   * At most this many waiting records are sealed by the deciding thread when the worker is idle (default:
   * any number; 0 hands every record to the worker, which the durability tests use).
   */
  inlineMax?: number;
  /** How long a full ring or a drain may wait for the worker before the records are reported lost (default 10 s). */
  stallMs?: number;
  /** The worker's write failed (message) or works again (undefined). */
  onWriteFailure?: (message: string | undefined) => void;
}

/** Atomics.waitAsync (V8 since 8.7, so every Node this runs on); typed here, as the ES2022 lib lacks it. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class OffThreadSealer {
  private readonly data: Buffer;
  private readonly index: Int32Array;
  private readonly ctrl: Int32Array;
  private readonly head: Buffer;
  private readonly mask: number;
  private readonly worker: Worker;
  private readonly stallMs: number;
  private readonly inlineMax: number;
  /** Records appended (some not yet handed over). */
  private pub = 0;
  /** Where the next record's bytes go. */
  private at = 0;
  private readonly waiters: Waiter[] = [];
  /** Sealed on this thread, not yet (fully) written: byte spans, and the record count they reach. */
  private stuck: number[] | undefined;
  private stuckTo = 0;
  private armed = false;
  private stopped = false;
  /** Set by the worker's report: writes fail; durable() rejects until they work again. */
  failure: string | undefined;

  constructor(
    private readonly fd: number,
    headHash: string,
    private readonly options: OffThreadSealerOptions = {},
  ) {
    const ringBytes = Math.max(64 * 1024, options.ringBytes ?? 8 * 1024 * 1024);
    const slots = options.slots ?? 65536;
    if (slots < 2 || (slots & (slots - 1)) !== 0) throw new Error("OffThreadSealer: slots must be a power of two");
    const shared = {
      fd,
      data: new SharedArrayBuffer(ringBytes),
      index: new SharedArrayBuffer(slots * 3 * 4),
      ctrl: new SharedArrayBuffer(8 * 4),
      head: new SharedArrayBuffer(64),
    };
    this.data = Buffer.from(shared.data);
    this.index = new Int32Array(shared.index);
    this.ctrl = new Int32Array(shared.ctrl);
    this.head = Buffer.from(shared.head);
    this.head.write(headHash.slice("sha256:".length), 0, "latin1");
    this.mask = slots - 1;
    this.stallMs = options.stallMs ?? 10_000;
    this.inlineMax = options.inlineMax ?? Number.POSITIVE_INFINITY;
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: shared, name: "charter-audit-sealer" });
    this.worker.unref(); // kept alive (ref'd) only while a caller waits for it
    this.worker.on("message", (m: { failed?: string; recovered?: boolean }) => {
      this.failure = m.failed;
      this.options.onWriteFailure?.(m.failed);
      if (m.failed !== undefined) this.rejectWaiters(new Error(m.failed));
    });
    this.worker.on("error", (e) => {
      this.failure = `the audit sealer stopped: ${e.message}`;
      this.options.onWriteFailure?.(this.failure);
      this.rejectWaiters(new Error(this.failure));
    });
  }

  /** Records appended and not yet written. */
  get outstanding(): number {
    return (this.pub - Atomics.load(this.ctrl, DONE)) | 0;
  }

  /** Records appended and not yet handed to the worker. */
  get unpublished(): number {
    return (this.pub - Atomics.load(this.ctrl, PUB)) | 0;
  }

  /**
   * Encodes the record (its canonical JSON split around the value of `prev`) into the ring. Returns false
   * when it could not be placed (the worker is stalled); the record is then lost and the caller reports it.
   */
  append(beforePrev: string, afterPrev: string): boolean {
    const bound = 3 * (beforePrev.length + afterPrev.length) + PREV_PLACEHOLDER.length + SEAL_EXTRA;
    if (bound >= this.data.length / 2) return this.appendOversized(beforePrev, afterPrev);
    const start = this.reserve(bound);
    if (start < 0) return false;
    const data = this.data;
    const hole = start + data.write(beforePrev, start, "utf8") + PREV_OPEN.length;
    const end = hole - PREV_OPEN.length + data.write(PREV_PLACEHOLDER + afterPrev, hole - PREV_OPEN.length, "utf8");
    const i = (this.pub & this.mask) * 3;
    this.index[i] = start;
    this.index[i + 1] = end - start;
    this.index[i + 2] = hole;
    this.at = end + SEAL_EXTRA;
    this.pub = (this.pub + 1) | 0;
    return true;
  }

  /**
   * The offset where `bytes` fit without touching records not yet written, waiting for the worker when
   * the ring (or its index) is full; -1 after waiting `stallMs` in vain.
   */
  private reserve(bytes: number): number {
    const size = this.data.length;
    const deadline = Date.now() + this.stallMs;
    for (;;) {
      const done = Atomics.load(this.ctrl, DONE);
      if (((this.pub - done) | 0) < this.mask) {
        if (done === this.pub) {
          // nothing unwritten: the ring is free from wherever is convenient
          if (this.at + bytes > size) this.at = 0;
          return this.at;
        }
        const firstUnwritten = this.index[(done & this.mask) * 3]!;
        if (this.at >= firstUnwritten) {
          if (this.at + bytes <= size) return this.at;
          if (bytes < firstUnwritten) return (this.at = 0);
        } else if (this.at + bytes < firstUnwritten) return this.at;
      }
      if (this.stopped || Date.now() > deadline) return -1;
      this.publish();
      this.waitDone(done, 50);
    }
  }

  /** A record too large for the ring: everything before it is written first, then it is sealed here. */
  private appendOversized(beforePrev: string, afterPrev: string): boolean {
    if (!this.drainSync()) return false;
    const rest = PREV_PLACEHOLDER + afterPrev;
    const hole = Buffer.byteLength(beforePrev, "utf8") + PREV_OPEN.length;
    const line = Buffer.alloc(hole - PREV_OPEN.length + Buffer.byteLength(rest, "utf8") + SEAL_EXTRA);
    const beforeBytes = line.write(beforePrev, 0, "utf8");
    const end = beforeBytes + line.write(rest, beforeBytes, "utf8");
    const spans: number[] = [];
    const headBefore = Buffer.from(this.head);
    sealRecords(hash, line, new Int32Array([0, end, hole]), 0, 0, 1, this.head, spans);
    try {
      writeSpans(writeSync, this.fd, line, spans);
    } catch (e) {
      // not written: the chain goes on from the record before it (a part written is a torn line for verify)
      headBefore.copy(this.head);
      this.failure = (e as Error).message;
      return false;
    }
    return true;
  }

  /** Hands the records appended so far to the worker (once what this thread failed to write is written). */
  publish(): void {
    if (this.stuck !== undefined && !this.retryStuck()) return;
    if (Atomics.load(this.ctrl, PUB) === this.pub) return;
    Atomics.store(this.ctrl, PUB, this.pub);
    if (Atomics.load(this.ctrl, SLEEPING) === 1) Atomics.notify(this.ctrl, PUB, 1);
  }

  /**
   * Makes every record appended so far durable as soon as possible: sealed and written here when the
   * worker is idle (throws if the write fails), otherwise handed to the worker.
   * Returns true when they are written already.
   */
  commit(): boolean {
    if (this.stuck !== undefined && !this.retryStuck()) throw new Error(this.failure);
    const waiting = this.unpublished;
    if (waiting === 0) return this.outstanding === 0;
    if (waiting <= this.inlineMax && this.outstanding === waiting && Atomics.load(this.ctrl, FAILED) === 0) {
      this.sealHere();
      return true;
    }
    this.publish();
    return false;
  }

  /** Seals and writes the unpublished records on this thread; only while the worker has nothing to do. */
  private sealHere(): void {
    const from = Atomics.load(this.ctrl, PUB);
    const spans: number[] = [];
    sealRecords(hash, this.data, this.index, this.mask, from, this.pub, this.head, spans);
    this.stuck = spans;
    this.stuckTo = this.pub;
    if (!this.retryStuck()) throw new Error(this.failure);
  }

  /**
   * Writes what this thread sealed and could not write yet (the spans keep exactly the bytes not written,
   * so a write cut short is not repeated); nothing is handed to the worker before it, which keeps the
   * file in chain order. True once written.
   */
  private retryStuck(): boolean {
    try {
      writeSpans(writeSync, this.fd, this.data, this.stuck!);
    } catch (e) {
      this.failure = (e as Error).message;
      return false;
    }
    this.stuck = undefined;
    this.failure = undefined;
    // DONE before PUB: the worker, reading PUB first, never sees more handed over than written
    Atomics.store(this.ctrl, DONE, this.stuckTo);
    Atomics.store(this.ctrl, PUB, this.stuckTo);
    return true;
  }

  /** Resolves once the records appended so far are written. */
  whenWritten(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    if (this.failure !== undefined) return Promise.reject(new Error(this.failure));
    return new Promise<void>((resolve, reject) => {
      if (this.waiters.length === 0) this.worker.ref();
      this.waiters.push({ target: this.pub, resolve, reject });
      this.arm();
    });
  }

  private arm(): void {
    if (this.armed || this.waiters.length === 0) return;
    this.armed = true;
    Atomics.store(this.ctrl, MAIN_WAITS, 1);
    const done = Atomics.load(this.ctrl, DONE);
    // written before this wait began (the worker's notify came first): settle now, or it would wait for the next
    if (((done - this.waiters[0]!.target) | 0) >= 0) {
      queueMicrotask(this.settle);
      return;
    }
    const w = waitAsync(this.ctrl, DONE, done);
    if (w.async) void w.value.then(this.settle);
    else queueMicrotask(this.settle);
  }

  private readonly settle = (): void => {
    this.armed = false;
    const done = Atomics.load(this.ctrl, DONE);
    let k = 0;
    while (k < this.waiters.length && ((done - this.waiters[k]!.target) | 0) >= 0) this.waiters[k++]!.resolve();
    if (k > 0) this.waiters.splice(0, k);
    if (this.waiters.length === 0) {
      Atomics.store(this.ctrl, MAIN_WAITS, 0);
      this.worker.unref();
    } else this.arm();
  };

  private rejectWaiters(e: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(e);
    Atomics.store(this.ctrl, MAIN_WAITS, 0);
    this.worker.unref();
  }

  /**
   * Hands everything over and blocks until the worker has written it (at close, at exit, before a
   * checkpoint is signed). False when it did not within `stallMs`.
   */
  drainSync(): boolean {
    this.publish();
    const start = Date.now();
    for (;;) {
      const done = Atomics.load(this.ctrl, DONE);
      if (done === this.pub) return true;
      // a store whose writes fail gets a second of retries, not the whole stall time
      const waited = Date.now() - start;
      if (waited > this.stallMs || (waited > 1000 && (this.stuck !== undefined || Atomics.load(this.ctrl, FAILED) === 1))) return false;
      if (this.stuck !== undefined) this.publish(); // retries what this thread could not write
      this.waitDone(done, 50);
    }
  }

  /** Blocks until the worker reports more written than `done`, or `ms` pass. */
  private waitDone(done: number, ms: number): void {
    Atomics.store(this.ctrl, MAIN_WAITS, 1);
    if (Atomics.load(this.ctrl, DONE) === done) Atomics.wait(this.ctrl, DONE, done, ms);
    if (!this.armed) Atomics.store(this.ctrl, MAIN_WAITS, 0);
  }

  /** "sha256:…" of the last record sealed; call after drainSync for the chain head. */
  sealedHead(): string {
    return "sha256:" + this.head.toString("latin1");
  }

  /** Drains and ends the worker; the file descriptor stays the caller's. */
  stop(): boolean {
    const drained = this.drainSync();
    this.stopped = true;
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.notify(this.ctrl, PUB);
    this.settle();
    if (!drained) this.rejectWaiters(new Error("the audit sealer did not finish writing"));
    void this.worker.terminate().catch(() => undefined);
    return drained;
  }
}
