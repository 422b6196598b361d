// The guard: enforcement of a compiled bundle on tool calls, ingested text and outputs.
export { createGuard, Guard, type GuardOptions, type IngestError, type IngestResult, type OutputResult } from "./guard.js";
export type { Decision, DecisionRule, FinalDecision, ToolCall } from "./decision.js";
export { compileConstraint, describeConstraint, type ArgPredicate, type CompiledConstraint } from "./constraints.js";
export { compilePolicy, type CompiledAgent, type CompiledTool } from "./compile-policy.js";
