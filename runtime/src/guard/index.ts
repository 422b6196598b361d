// The guard: enforcement of a compiled bundle on tool calls, ingested text and outputs. The decision
// core (decide-core) is pure; the guard is the services around it.
export {
  createGuard,
  Guard,
  type GuardOptions,
  type GuardRateStore,
  type IngestError,
  type IngestResult,
  type OutputResult,
} from "./guard.js";
export type { Decision, DecisionRule, FinalDecision, ToolCall } from "./decision.js";
export { compileConstraint, describeConstraint, type ArgPredicate, type CompiledConstraint } from "./constraints.js";
export { compilePolicy, type CompiledAgent, type CompiledTool } from "./compile-policy.js";
export {
  decideStatic,
  decideStateful,
  decideWithState,
  raiseByHistory,
  type CompiledPolicy,
  type StatefulInputs,
  type StaticInputs,
} from "./decide-core.js";
export { KillSwitch } from "./kill-switch.js";
export type { GuardApprovalRequest } from "./approval.js";
