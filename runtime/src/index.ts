// Public surface of the Charter runtime: load a compiled bundle, create a guard that decides every tool
// call, ingestion and output by it, and record everything in a hash-chained audit log. The runtime reads
// only the bundle (its schema lives in @charter/language); nothing here is decided by the model's text.
export * from "./bundle/index.js";
export * from "./guard/index.js";
export * from "./monitor/index.js";
export * from "./session/index.js";
export * from "./replay/index.js";
export {
  AuditLog,
  FileAuditSink,
  MemoryAuditSink,
  TeeAuditSink,
  GENESIS_HASH,
  describeAuditVerification,
  openFileAuditLog,
  redactArgs,
  verifyAuditLog,
  type AuditEntry,
  type AuditEvent,
  type AuditOutcome,
  type AuditRecord,
  type AuditSink,
  type AuditSinkFailure,
  type AuditVerification,
  type ChainHead,
  type FileAuditLogOpen,
  type FileAuditLogOptions,
  type GuardrailEvent as AuditGuardrailEvent,
  type PiiKey,
  type TraceStep,
} from "./audit/index.js";
// durable, single-writer, checkpointed audit stores (file and PostgreSQL), their reading and querying
export {
  CheckpointSigner,
  PostgresAuditSink,
  checkpointsPath,
  filterAuditRecords,
  initPostgresAudit,
  isPostgresUrl,
  loadCheckpointKey,
  loadCheckpointPublicKey,
  openAuditSink,
  parseAuditRecords,
  parseCheckpoints,
  parseTimeArg,
  readAuditSource,
  redactUrl,
  toolOf,
  type AuditChainText,
  type AuditCheckpoint,
  type AuditConfig,
  type AuditFilter,
  type AuditOpen,
  type InitPostgresResult,
  type ToolResultSummary,
  buildIncidentReport,
  renderIncidentHtml,
  renderIncidentMarkdown,
  type IncidentReport,
} from "./audit/index.js";
export { MemoryRateStore, rateKey, type RateStore } from "./rate/index.js";
export {
  requestApproval,
  createApprovalService,
  createRemoteApprover,
  loadApproverDirectory,
  hashToken,
  type ApprovalOutcome,
  type ApprovalRequest,
  type ApprovalRequestRecord,
  type ApprovalService,
  type ApprovalServiceOptions,
  type ApprovalStatus,
  type Approver,
  type ApproverAnswer,
  type ApproverDirectory,
  type ApproverDirectoryConfig,
  type ApprovalTimers,
  type KillSwitch,
} from "./approval/index.js";
export { createDetector, createRuleDetector, scanJsonl, scanRecords, type Classifier, type Detector, type DetectorResult, type ScanLine } from "./detector/index.js";
export { topPassages, readableText, type ScoredPassage } from "./detector/index.js";
export { admitUntrusted, wrapUntrusted, neutraliseMarkers, type AdmitResult, type InjectionRefused, type TrustLevel } from "./ingest/index.js";
export { redactInjections, scanArguments, REDACTION_MARKER, type RedactResult, type RedactedPassage, type ArgumentScan } from "./ingest/index.js";
export { filterOutput, domainMatches, emailDomainMatches, urlDomainMatches, type FilteredOutput, type Finding, type OutputRules } from "./output/index.js";
export { runTestFile, runTestText, type ExpectationResult, type TestRun } from "./testing/index.js";

export * from "./state/index.js";
export type { SharedRateStore } from "./rate/index.js";
export * from "./soc/index.js";
