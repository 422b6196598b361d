// Shared state for replicas (DEPLOYMENT.md §5): rate windows, kill switch and pending approvals, in memory
// or in Redis, and the binding that keeps a guard in step with them.
export { bindGuardToState, guardOptionsFor } from "./bind-guard.js";
export type { StateBinding } from "./bind-guard.js";
export { MemoryStateStore } from "./memory-state.js";
export { openStateStore } from "./open-state-store.js";
export type { StateConfig, StateOpen } from "./open-state-store.js";
export { RedisStateStore } from "./redis-state.js";
export type { RedisStateOptions } from "./redis-state.js";
export type {
  ApprovalStatus,
  ApprovalStore,
  ApprovalTransition,
  Isolation,
  IsolationState,
  KillSwitch as SharedKillSwitch,
  MonitorCounts,
  MonitorObservation,
  MonitorStore,
  StateHealth,
  StateStore,
  StoredApproval,
} from "./state-store.js";
