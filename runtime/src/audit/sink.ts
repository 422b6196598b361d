// Where sealed audit records go. A sink receives each record together with the exact line whose hash
// sealed it, in chain order, and must keep that order; a deployment may forward them to a separate store.
// Sinks never throw from append: a store that cannot keep up reports it through `failure`.
import { sealLine, type AuditCheckpoint, type AuditRecord } from "./record.js";

const decoder = new TextDecoder();

export interface AuditSinkFailure {
  kind: "write_failed" | "closed";
  message: string;
}

export interface AuditSink {
  /**
   * `line` is the record's JSONL line in UTF-8, newline included, exactly as it was hashed. It is only valid
   * during the call (the log reuses the buffer): copy it to keep it.
   */
  append(record: AuditRecord, line: Uint8Array): void;
  /**
   * The same as `append`, preferred by the log when a sink has it: `unsealed` is the canonical JSON that
   * `record.hash` seals, and the line is `sealLine(unsealed, record.hash)`. A sink that keeps text, or
   * encodes into a buffer of its own, then skips encoding the line once more.
   */
  appendSealed?(record: AuditRecord, unsealed: string): void;
  /**
   * The same again, for a sink that encodes into a buffer of its own: `record.hash` is not set yet. The
   * sink encodes `unsealed` as UTF-8 once, sets `record.hash` to "sha256:" and sha256Hex of exactly those bytes
   * (which equals sha256Tagged(unsealed)), and stores `sealLine(unsealed, record.hash)`. Preferred by the
   * log over appendSealed: the record is encoded once instead of once for the hash and once for the store.
   */
  appendUnsealed?(record: AuditRecord, unsealed: string): void;
  /**
   * True while the sink seals records itself, off the writing thread (the file sink's sealOffThread): the
   * log then calls appendDeferred instead, and `record.hash` stays "" (the hash is computed later).
   */
  readonly deferring?: boolean;
  /**
   * The record's canonical JSON split around the value of `prev` (serializeBeforePrev/AfterPrev): the sink
   * fills in the previous record's hash and seals the record in chain order.
   */
  appendDeferred?(record: AuditRecord, beforePrev: string, afterPrev: string): void;
  /** While deferring: the chain head's hash, once everything appended so far is sealed (it may block briefly). */
  sealedHead?(): string | undefined;
  /** Resolves once every appended record has reached the store; rejects with the store's error. */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Set while records may be getting lost; the authorizer should fail closed when it is. */
  readonly failure?: AuditSinkFailure;
  /**
   * Resolves once every record appended so far is durable by this sink's rule (written to the OS, or
   * inserted); `undefined` when nothing is pending. A call must not be forwarded before it resolves.
   */
  durable?(): Promise<void> | undefined;
  /** Synchronous flush and close, for the end of the process (sinks that can). */
  flushSync?(): void;
  closeSync?(): void;
  /** Told of every checkpoint after its record was appended (the file sink keeps a sidecar copy). */
  checkpointed?(checkpoint: AuditCheckpoint): void;
}

/** Keeps everything in memory: for tests, `charter test` and short-lived tools. */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  readonly lines: string[] = [];
  failure?: AuditSinkFailure;

  append(record: AuditRecord, line: Uint8Array): void {
    if (this.failure) return;
    this.records.push(record);
    this.lines.push(decoder.decode(line));
  }

  appendSealed(record: AuditRecord, unsealed: string): void {
    if (this.failure) return;
    this.records.push(record);
    this.lines.push(sealLine(unsealed, record.hash));
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.failure = { kind: "closed", message: "the sink was closed" };
  }

  /** The log as `charter audit verify` would read it from a file. */
  text(): string {
    return this.lines.join("");
  }
}

/** Sends every record to several sinks, e.g. the local file and a remote store. */
export class TeeAuditSink implements AuditSink {
  constructor(private readonly sinks: readonly AuditSink[]) {
    const first = sinks[0];
    if (first?.appendUnsealed !== undefined) {
      const rest = sinks.slice(1);
      this.appendUnsealed = (record, unsealed) => {
        first.appendUnsealed!(record, unsealed);
        let line: Uint8Array | undefined;
        for (const s of rest) {
          if (s.appendSealed !== undefined) s.appendSealed(record, unsealed);
          else s.append(record, (line ??= Buffer.from(sealLine(unsealed, record.hash), "utf8")));
        }
      };
    }
  }

  get failure(): AuditSinkFailure | undefined {
    for (const s of this.sinks) if (s.failure) return s.failure;
    return undefined;
  }

  append(record: AuditRecord, line: Uint8Array): void {
    for (const s of this.sinks) s.append(record, line);
  }

  appendSealed(record: AuditRecord, unsealed: string): void {
    let line: Uint8Array | undefined; // encoded once, for the sinks that take bytes
    for (const s of this.sinks) {
      if (s.appendSealed !== undefined) s.appendSealed(record, unsealed);
      else s.append(record, (line ??= Buffer.from(sealLine(unsealed, record.hash), "utf8")));
    }
  }

  /** Present when the first sink has it: that sink hashes what it encodes, the others get the sealed record. */
  readonly appendUnsealed?: (record: AuditRecord, unsealed: string) => void;

  durable(): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const s of this.sinks) {
      const w = s.durable?.();
      if (w !== undefined) (waits ??= []).push(w);
    }
    return waits === undefined ? undefined : waits.length === 1 ? waits[0] : Promise.all(waits).then(() => undefined);
  }

  flushSync(): void {
    for (const s of this.sinks) s.flushSync?.();
  }

  closeSync(): void {
    for (const s of this.sinks) {
      if (s.closeSync) s.closeSync();
      else s.flushSync?.();
    }
  }

  checkpointed(checkpoint: AuditCheckpoint): void {
    for (const s of this.sinks) s.checkpointed?.(checkpoint);
  }

  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.flush()));
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
