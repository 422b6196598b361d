// Opens an audit log file and resumes its chain. After a crash that tore the last line, the first record
// written is a `recovered` event that fingerprints the torn text, so the loss stays visible to
// `charter audit verify` instead of being silently continued.
import { AuditLog } from "./audit-log.js";
import { FileAuditSink } from "./file-sink.js";
import type { AuditOpenError, FileAuditSinkOptions } from "./file-sink.js";
import { sha256Tagged } from "./record.js";
import type { AuditRecord } from "./record.js";

export interface FileAuditLogOptions extends FileAuditSinkOptions {
  clock?: () => number;
}

export type FileAuditLogOpen =
  | { ok: true; log: AuditLog; sink: FileAuditSink; recovered?: AuditRecord; completedLastLine: boolean }
  | { ok: false; error: AuditOpenError };

export function openFileAuditLog(path: string, options: FileAuditLogOptions = {}): FileAuditLogOpen {
  const opened = FileAuditSink.open(path, options);
  if (!opened.ok) return opened;
  const { sink, head, torn, completedLastLine } = opened;
  const log = new AuditLog(sink, { clock: options.clock, resume: head });
  if (!torn) return { ok: true, log, sink, completedLastLine };
  const recovered = log.write({
    agent: "charter-runtime",
    session: "",
    event: "recovered",
    trace: [
      {
        rule: "audit.torn_tail",
        reason: `the log ended in a torn line after seq ${head.seq} (a write cut short); the line is kept and fingerprinted here`,
      },
    ],
    outcome: "recovered",
    torn: { length: torn.text.length, hash: sha256Tagged(torn.text) },
  });
  sink.flushSync();
  return { ok: true, log, sink, recovered, completedLastLine };
}
