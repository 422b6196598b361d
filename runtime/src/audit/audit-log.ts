// The hash chain. AuditLog numbers, timestamps and seals each entry and hands it to its sink in order;
// it holds the chain head (last seq and hash), so a write costs one serialisation and one SHA-256 of that
// string (node:crypto encodes it natively; the sink encodes the line into its own buffer once). A log
// resumed from a file continues that file's chain. With a checkpoint signer it signs the head at least
// every 1,000 records or 10 s and at close (checkpoint.ts), and it closes itself when the process ends.
import type { AuditSink, AuditSinkFailure } from "./sink.js";
import { CHECKPOINT_EVERY_MS, CHECKPOINT_EVERY_RECORDS, type CheckpointSigner } from "./checkpoint.js";
import { closeAtProcessEnd } from "./process-end.js";
import { hash as oneShotHash } from "node:crypto";
import { GENESIS_HASH, sealLine, serializeAfterPrev, serializeBeforePrev, serializeWithPrev } from "./record.js";
import { quoteJson } from "./canonical-json.js";
import { isoUtc } from "./timestamp.js";
import type { AuditEntry, AuditRecord } from "./record.js";

export interface ChainHead {
  /** seq of the last record written; 0 before the first. */
  seq: number;
  /** hash of the last record written; GENESIS_HASH before the first. */
  hash: string;
}

export interface AuditLogOptions {
  /** Milliseconds since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** Continue an existing chain instead of starting at genesis. */
  resume?: ChainHead;
  /** Sign checkpoints with this key (config `audit.checkpoint_key`). */
  checkpoints?: { signer: CheckpointSigner; everyRecords?: number; everyMs?: number };
  /** Digest of the bundle deciding, stamped on records that do not name one (see `bundle`). */
  bundle?: string;
  /** Close the log (closing checkpoint included) at process exit and on an unhandled SIGTERM/SIGINT (default true). */
  closeAtExit?: boolean;
}

export class AuditLog {
  private seq: number;
  private prev: string;
  /** `prev` as JSON: quoted once per record here, not scanned again by the serializer. */
  private prevJson: string;
  private readonly clock: () => number;
  private lastMs = Number.NaN;
  private lastTs = "";
  /** `,"ts":"…"}`, the record's last field, for lastTs. */
  private lastTsJson = "";
  /** The bundle digest stamped on every record that names none; a gateway sets it when it (re)loads a bundle. */
  bundle: string | undefined;
  private readonly signer: CheckpointSigner | undefined;
  private readonly checkpointEvery: number;
  /** Records since the last checkpoint (or since opening). */
  private unsigned = 0;
  private lastWasFinal = false;
  private checkpointTimer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  /** A deferred record was written since `prev` was last known (see settlePrev). */
  private prevPending = false;
  private unregister: (() => void) | undefined;

  constructor(
    readonly sink: AuditSink,
    options: AuditLogOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.seq = options.resume?.seq ?? 0;
    this.prev = options.resume?.hash ?? GENESIS_HASH;
    this.prevJson = quoteJson(this.prev);
    this.bundle = options.bundle;
    this.signer = options.checkpoints?.signer;
    this.checkpointEvery = Math.max(1, Math.min(CHECKPOINT_EVERY_RECORDS, options.checkpoints?.everyRecords ?? CHECKPOINT_EVERY_RECORDS));
    if (this.signer !== undefined) {
      const everyMs = Math.min(CHECKPOINT_EVERY_MS, options.checkpoints?.everyMs ?? CHECKPOINT_EVERY_MS);
      this.checkpointTimer = setInterval(() => {
        if (this.unsigned > 0) this.checkpoint(false);
      }, everyMs);
      this.checkpointTimer.unref?.();
    }
    if ((options.closeAtExit ?? true) && (this.signer !== undefined || sink.closeSync !== undefined || sink.flushSync !== undefined)) {
      this.unregister = closeAtProcessEnd({ flushSync: () => this.sink.flushSync?.(), closeSync: () => this.closeSync() });
    }
  }

  /** Whether checkpoints are being signed. */
  get signed(): boolean {
    return this.signer !== undefined;
  }

  get head(): ChainHead {
    this.settlePrev();
    return { seq: this.seq, hash: this.prev };
  }

  /** With a sink that seals off-thread, `prev` is only known once the sink has sealed up to here. */
  private settlePrev(): void {
    if (!this.prevPending) return;
    const sealed = this.sink.sealedHead?.();
    if (sealed === undefined) return;
    this.prev = sealed;
    this.prevJson = '"' + sealed + '"';
    this.prevPending = false;
  }

  /** Set when the sink is losing records; callers on the decision path must then deny. */
  get failure(): AuditSinkFailure | undefined {
    return this.sink.failure;
  }

  /** Seals the entry as the next record of the chain and appends it to the sink. */
  write(entry: AuditEntry): AuditRecord {
    const ms = this.clock();
    if (ms !== this.lastMs) {
      this.lastTs = isoUtc(ms);
      this.lastTsJson = ',"ts":"' + this.lastTs + '"}'; // digits, dashes, colons, T, Z: nothing to escape
      this.lastMs = ms;
    }
    // One fixed shape for every record (no spread): object spread here cost more than the SHA-256.
    const record: AuditRecord = {
      seq: this.seq + 1,
      ts: this.lastTs,
      agent: entry.agent,
      session: entry.session,
      event: entry.event,
      inputHash: entry.inputHash,
      trace: entry.trace,
      action: entry.action,
      outcome: entry.outcome,
      outputHash: entry.outputHash,
      guardrail: entry.guardrail,
      approver: entry.approver,
      bundle: entry.bundle ?? this.bundle,
      checkpoint: entry.checkpoint,
      detail: entry.detail,
      enforced: entry.enforced,
      result: entry.result,
      torn: entry.torn,
      prev: this.prev,
      hash: "",
    };
    const sink = this.sink;
    if (sink.deferring === true) {
      // the sink hashes it later, in chain order; `prev` and `hash` are known once it has
      sink.appendDeferred!(record, serializeBeforePrev(record), serializeAfterPrev(record, this.lastTsJson));
      record.prev = ""; // not known on this thread; the line on disk has it
      this.seq = record.seq;
      this.prevPending = true;
      this.countUnsigned(entry);
      return record;
    }
    this.settlePrev();
    const unsealed = serializeWithPrev(record, this.prevJson, this.lastTsJson);
    if (sink.appendUnsealed !== undefined) {
      sink.appendUnsealed(record, unsealed); // hashes the bytes it encodes and sets record.hash
    } else {
      record.hash = "sha256:" + oneShotHash("sha256", unsealed, "hex");
      if (sink.appendSealed !== undefined) sink.appendSealed(record, unsealed);
      else sink.append(record, Buffer.from(sealLine(unsealed, record.hash), "utf8"));
    }
    const hash = record.hash;
    this.seq = record.seq;
    this.prev = hash;
    this.prevJson = '"' + hash + '"'; // "sha256:" and hex digits: nothing to escape
    this.countUnsigned(entry);
    return record;
  }

  /** With a signer: one more record after the last checkpoint, and a checkpoint once there are enough. */
  private countUnsigned(entry: AuditEntry): void {
    if (this.signer === undefined) return;
    this.lastWasFinal = false;
    if (entry.event !== "checkpoint" && ++this.unsigned >= this.checkpointEvery) this.checkpoint(false);
  }

  /**
   * Resolves once the records written so far are durable (written to the OS, fsynced with `fsync`, or
   * inserted); `undefined` when they already are. Await it before forwarding an allowed call.
   */
  durable(): Promise<void> | undefined {
    return this.sink.durable?.();
  }

  /** Signs the current head now; `final` marks the end of this writer's life. */
  checkpoint(final: boolean): AuditRecord | undefined {
    const signer = this.signer;
    if (signer === undefined || this.closed) return undefined;
    this.settlePrev();
    const cp = signer.sign(this.seq, this.prev, final);
    const record = this.write({
      agent: "charter-runtime",
      session: "",
      event: "checkpoint",
      trace: [{ rule: "audit.checkpoint", reason: `${final ? "closing " : ""}signature over the chain head at seq ${cp.seq}` }],
      outcome: "signed",
      checkpoint: cp,
    });
    this.unsigned = 0;
    this.lastWasFinal = final;
    this.sink.checkpointed?.(cp);
    return record;
  }

  flush(): Promise<void> {
    return this.sink.flush();
  }

  private finish(): void {
    if (this.closed) return;
    if (this.signer !== undefined && !this.lastWasFinal) this.checkpoint(true);
    this.closed = true;
    if (this.checkpointTimer !== undefined) clearInterval(this.checkpointTimer);
    this.unregister?.();
  }

  /** Writes the closing checkpoint and closes the sink. */
  close(): Promise<void> {
    this.finish();
    return this.sink.close();
  }

  /** close() for the end of the process: synchronous where the sink allows it. */
  closeSync(): void {
    this.finish();
    if (this.sink.closeSync) this.sink.closeSync();
    else this.sink.flushSync?.();
  }
}
