// Audit log: hash-chained JSONL records, sinks (file, memory, tee), offline verification, PII redaction.
export { AuditLog } from "./audit-log.js";
export type { AuditLogOptions, ChainHead } from "./audit-log.js";
export { canonicalJson, quoteJson } from "./canonical-json.js";
export { FileAuditSink } from "./file-sink.js";
export type { AuditOpenError, FileAuditSinkOpen, FileAuditSinkOptions, TornFragment } from "./file-sink.js";
export { openFileAuditLog } from "./open-file-log.js";
export type { FileAuditLogOpen, FileAuditLogOptions } from "./open-file-log.js";
export type { OffThreadSealerOptions } from "./off-thread-sealer.js";
export { redactArgs } from "./pii-args.js";
export type { PiiKey, PiiMode } from "./pii-args.js";
export { GENESIS_HASH, sealLine, serializeUnsealed, sha256Tagged } from "./record.js";
export type {
  AuditAction,
  AuditEntry,
  AuditEvent,
  AuditOutcome,
  AuditRecord,
  GuardrailEvent,
  TornTail,
  TraceStep,
} from "./record.js";
export { MemoryAuditSink, TeeAuditSink } from "./sink.js";
export type { AuditSink, AuditSinkFailure } from "./sink.js";
export { describeAuditVerification, verifyAuditLog } from "./verify.js";
export type { AuditBreakKind, AuditRecovery, AuditVerification, SidecarRepair, VerifyOptions } from "./verify.js";
export {
  CheckpointSigner,
  type CheckpointSidecar,
  type DamagedCheckpointLine,
  checkpointPayload,
  checkpointsPath,
  loadCheckpointKey,
  loadCheckpointPublicKey,
  parseCheckpoints,
  verifyCheckpoint,
  CHECKPOINT_EVERY_MS,
  CHECKPOINT_EVERY_RECORDS,
} from "./checkpoint.js";
export { acquireWriterLock } from "./writer-lock.js";
export type { LockOwner, LockResult } from "./writer-lock.js";
export { openAuditSink, readAuditSource } from "./open-audit-sink.js";
export type { AuditChainText, AuditConfig, AuditOpen, AuditRead, OpenAuditOptions } from "./open-audit-sink.js";
export { PostgresAuditSink } from "./postgres-sink.js";
export type { PostgresAuditSinkOptions } from "./postgres-sink.js";
export { AUDIT_TABLE, initPostgresAudit, isPostgresUrl, readPostgresAudit } from "./postgres-schema.js";
export type { InitPostgresOptions, InitPostgresResult } from "./postgres-schema.js";
export { filterAuditRecords, parseAuditRecords, parseTimeArg, toolOf } from "./query.js";
export type { AuditFilter } from "./query.js";
export { letsACallRun } from "./file-sink.js";
export type { AuditCheckpoint, ToolResultSummary } from "./record.js";
export type { AuditCrash } from "./verify.js";
export { buildIncidentReport, decisionsChartSvg, renderIncidentHtml, renderIncidentMarkdown } from "./incident-report.js";
export type { ApprovalRow, HighTierAction, IncidentEntry, IncidentInput, IncidentReport } from "./incident-report.js";
