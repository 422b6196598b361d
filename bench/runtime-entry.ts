// Entry bundled by scripts/bench-runtime.mjs: the runtime and the compiler the benchmark drives.
export { checkText } from "@charter/language";
export { createGuard, createRuleDetector, createDetector, openFileAuditLog, MemoryRateStore, verifyAuditLog } from "@charter/runtime";
// the bench pre-fills rate windows by key: an internal of the runtime, not part of its public surface
export { rateKey } from "../runtime/src/rate/index.js";
