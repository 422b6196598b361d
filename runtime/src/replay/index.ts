// Replay: a trace or an audit log decided again by a bundle (DEPLOYMENT.md §6).
export {
  parseTrace,
  replayJson,
  replayTrace,
  type ReplayEvent,
  type ReplayOptions,
  type ReplayOutcome,
  type ReplayReport,
  type ReplaySummary,
  type TraceLine,
  type TraceParse,
} from "./replay.js";
export { replayAuditLog, type AuditChange, type AuditReplay, type AuditReplayParse } from "./audit-replay.js";
