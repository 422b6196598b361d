// Entry bundled by scripts/bench-runtime.mjs: the runtime and the compiler the benchmark drives.
export { checkText } from "@charter/language";
export { createGuard, createRuleDetector, createDetector, openFileAuditLog, MemoryRateStore, rateKey, verifyAuditLog } from "../runtime/src/index.js";
