// Opens an audit log file and resumes its chain. After a crash that tore the last line, the first record
// written is a `recovered` event that fingerprints the torn text, so the loss stays visible to
// `charter audit verify` instead of being silently continued. With a checkpoint key, a log whose last
// record is not a closing checkpoint (its writer died) also gets a `recovered` record naming the unsigned
// records, followed at once by a checkpoint: verify then accepts those records as a crash's, and only as
// one the sidecar's signatures do not contradict. Sidecar lines a crash left damaged after a checkpoint the
// log holds (sidecar-check.ts) are fingerprinted in that `recovered` record too, and the sidecar goes on
// on a new line.
import { AuditLog } from "./audit-log.js";
import { FileAuditSink } from "./file-sink.js";
import type { AuditOpenError, FileAuditSinkOptions } from "./file-sink.js";
import { checkpointsPath, damagedLineFingerprint, type CheckpointSigner } from "./checkpoint.js";
import type { OffThreadSealerOptions } from "./off-thread-sealer.js";
import { TeeAuditSink, type AuditSink } from "./sink.js";
import { sha256Tagged } from "./record.js";
import type { AuditEntry, AuditRecord } from "./record.js";

export interface FileAuditLogOptions extends FileAuditSinkOptions {
  clock?: () => number;
  /** Sign checkpoints (every ≤1,000 records or 10 s, and at close). */
  checkpointSigner?: CheckpointSigner;
  /** Checkpoint interval overrides (at most the defaults). */
  checkpointEveryRecords?: number;
  checkpointEveryMs?: number;
  /** Bundle digest stamped on records (AuditLog.bundle). */
  bundle?: string;
  /** Sinks that receive every record after the file (e.g. the SOC exporter). */
  also?: AuditSink[];
  /**
   * Hash and write records on a worker thread (off-thread-sealer.ts): the same bytes on disk and the same
   * durability, for less work on the thread that decides. Ignored with `fsync` and with `also` (those
   * sinks need each record's hash when it is appended). Default false; an object sizes the ring.
   */
  sealOffThread?: boolean | OffThreadSealerOptions;
}

export type FileAuditLogOpen =
  | { ok: true; log: AuditLog; sink: FileAuditSink; recovered?: AuditRecord; completedLastLine: boolean }
  | { ok: false; error: AuditOpenError };

export function openFileAuditLog(path: string, options: FileAuditLogOptions = {}): FileAuditLogOpen {
  const opened = FileAuditSink.open(path, options);
  if (!opened.ok) return opened;
  const { sink, head, torn, completedLastLine, last, damagedCheckpoints, checkpointsMissing } = opened;
  const signer = options.checkpointSigner;
  const log = new AuditLog(options.also?.length ? new TeeAuditSink([sink, ...options.also]) : sink, {
    clock: options.clock,
    resume: head,
    ...(options.bundle !== undefined ? { bundle: options.bundle } : {}),
    ...(signer
      ? {
          checkpoints: {
            signer,
            ...(options.checkpointEveryRecords ? { everyRecords: options.checkpointEveryRecords } : {}),
            ...(options.checkpointEveryMs ? { everyMs: options.checkpointEveryMs } : {}),
          },
        }
      : {}),
  });
  const lastCp = last?.checkpoint as { final?: unknown } | undefined;
  const unclean = signer !== undefined && head.seq > 0 && !(last?.event === "checkpoint" && lastCp?.final === true);
  const offThread = (): void => {
    const o = options.sealOffThread;
    if (o !== undefined && o !== false && !options.also?.length) sink.sealOffThread(log.head.hash, o === true ? {} : o);
  };
  if (!torn && !unclean && !damagedCheckpoints && !checkpointsMissing) {
    offThread();
    return { ok: true, log, sink, completedLastLine };
  }
  const trace: AuditEntry["trace"] = [];
  if (torn) {
    trace.push({
      rule: "audit.torn_tail",
      reason: `the log ended in a torn line after seq ${head.seq} (a write cut short); the line is kept and fingerprinted here`,
    });
  }
  if (unclean) {
    trace.push({
      rule: "audit.unclean_close",
      reason: `the previous writer did not close the log (no closing checkpoint after seq ${head.seq}): the records after its last checkpoint are signed only from here`,
    });
  }
  if (damagedCheckpoints) {
    trace.push({
      rule: "audit.checkpoints_damaged",
      reason: `the checkpoint sidecar ended in a torn line (line ${damagedCheckpoints.map((d) => d.line).join(", ")}): a crash cut short the copy of a checkpoint this log holds; the line is kept and fingerprinted here`,
    });
  }
  if (checkpointsMissing) {
    trace.push({
      rule: "audit.checkpoints_missing",
      reason: `the log holds signed checkpoints but its sidecar ${checkpointsPath(path)} was missing: records cut before seq ${head.seq} can be told only from a copy of the old sidecar; a new sidecar starts here`,
    });
  }
  const recovered = log.write({
    agent: "charter-runtime",
    session: "",
    event: "recovered",
    trace,
    outcome: "recovered",
    ...(torn ? { torn: { length: torn.text.length, hash: sha256Tagged(torn.text) } } : {}),
    // verify forgives a damaged sidecar line only when a record fingerprints exactly that line
    ...(damagedCheckpoints
      ? {
          detail: {
            checkpointsDamaged: damagedCheckpoints.map(damagedLineFingerprint),
          },
        }
      : {}),
  });
  if (signer) log.checkpoint(false);
  sink.flushSync();
  offThread();
  return { ok: true, log, sink, recovered, completedLastLine };
}
