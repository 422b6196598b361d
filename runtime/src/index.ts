// Public surface of the Charter runtime: load a compiled bundle, create a guard that decides every tool
// call, ingestion and output by it, and record everything in a hash-chained audit log. The runtime reads
// only the bundle (its schema lives in @charter/language); nothing here is decided by the model's text.
//
// Every name is exported on purpose (like Cedar's facade crate): what applications and the other packages
// (cli/, examples/) use. The decision core, policy compilation, rate keys and matching helpers stay internal;
// runtime/test/public-api.test.ts pins this list, so a change to it is deliberate.

// Bundles: load and validate a compiled, optionally signed bundle.
export { loadBundle, validateBundle, type BundleLoad, type BundleLoadError, type LoadBundleOptions } from "./bundle/index.js";

// The guard: one per bundle; decides tool calls, admits untrusted input, filters output.
export {
  createGuard,
  Guard,
  type Decision,
  type DecisionRule,
  type FinalDecision,
  type GuardApprovalRequest,
  type GuardOptions,
  type GuardRateStore,
  type IngestError,
  type IngestResult,
  type OutputResult,
  type ToolCall,
} from "./guard/index.js";

// Behavioural monitoring: baselines built from audit logs, and the alerts the guard raises against them.
export {
  BASELINE_FORMAT,
  buildBaseline,
  loadBaseline,
  parseBaseline,
  type Baseline,
  type BaselineAgent,
  type BaselineError,
  type BaselineResult,
  type MonitorAlert,
  type MonitorKind,
  type Severity,
} from "./monitor/index.js";

// Per-session history (what was called and ingested), in memory by default.
export { MemorySessionStore, type CallFact, type IngestFact, type SessionSnapshot, type SessionStore } from "./session/index.js";

// Replay: re-decide a recorded trace or audit log under a (new) bundle.
export {
  parseTrace,
  replayAuditLog,
  replayJson,
  replayTrace,
  type AuditChange,
  type AuditReplay,
  type AuditReplayParse,
  type ReplayEvent,
  type ReplayOptions,
  type ReplayOutcome,
  type ReplayReport,
  type ReplaySummary,
  type TraceLine,
  type TraceParse,
} from "./replay/index.js";

// The hash-chained audit log, its sinks and its verification.
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
  type OffThreadSealerOptions,
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
  toolOf,
  type AuditChainText,
  type AuditCheckpoint,
  type AuditConfig,
  type AuditFilter,
  type AuditOpen,
  type CheckpointSidecar,
  type InitPostgresResult,
  type ToolResultSummary,
  buildIncidentReport,
  renderIncidentHtml,
  renderIncidentMarkdown,
  type IncidentReport,
} from "./audit/index.js";
// Rate limits: the in-process store (shared stores come with the state stores below).
export { MemoryRateStore, type RateStore, type SharedRateStore } from "./rate/index.js";
// Approvals: ask a human (locally, or through the approval service) before a call runs.
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
// Injection detection over untrusted text, and scanning of records and JSONL.
export {
  createDetector,
  createRuleDetector,
  scanJsonl,
  scanRecords,
  type Classifier,
  type Detector,
  type DetectorResult,
  type ScanLine,
} from "./detector/index.js";
export { topPassages, readableText, type ScoredPassage } from "./detector/index.js";
// Ingestion: admit, wrap or redact untrusted content before the model sees it.
export {
  admitUntrusted,
  wrapUntrusted,
  neutraliseMarkers,
  type AdmitResult,
  type InjectionRefused,
  type TrustLevel,
} from "./ingest/index.js";
export {
  redactInjections,
  scanArguments,
  REDACTION_MARKER,
  type RedactResult,
  type RedactedPassage,
  type ArgumentScan,
} from "./ingest/index.js";
// Output filtering: PII, secrets and destinations in what an agent emits.
export { filterOutput, type FilteredOutput, type Finding, type OutputRules } from "./output/index.js";
// Policy tests: run the `test` blocks of a policy file against its compiled bundle.
export { runTestFile, runTestText, type ExpectationResult, type TestRun } from "./testing/index.js";

// Shared state for several gateway replicas: in memory or Redis, and binding a guard to it.
export {
  bindGuardToState,
  guardOptionsFor,
  MemoryStateStore,
  openStateStore,
  RedisStateStore,
  type ApprovalStore,
  type ApprovalTransition,
  type Isolation,
  type IsolationState,
  type RedisStateOptions,
  type SharedKillSwitch,
  type MonitorCounts,
  type MonitorObservation,
  type MonitorStore,
  type StateBinding,
  type StateConfig,
  type StateHealth,
  type StateOpen,
  type StateStore,
  type StoredApproval,
} from "./state/index.js";

// Export of audit events to a SOC (syslog / HTTP).
export { openSocExporter, SocExporter, type SocConfig, type SocEvent, type SocSeverity } from "./soc/index.js";

// Operating-system errors (ENOENT, EISDIR, EACCES…) in plain words with a hint, for messages naming a file.
export { explainFileError, type FileAccess, redactUrl } from "./io-errors.js";
