// Monitoring: the behavioural baseline learned from an audit log and the per-agent live monitor.
export {
  BASELINE_FORMAT,
  baselineAgent,
  buildBaseline,
  dataVolume,
  isBaselineAgent,
  loadBaseline,
  parseBaseline,
  SEQUENCE_START,
} from "./baseline.js";
export type { Baseline, BaselineAgent, BaselineError, BaselineResult } from "./baseline.js";
export { AgentMonitor, NOVELTY_WINDOW, type MonitorAlert, type MonitorKind, type Severity } from "./agent-monitor.js";
