// Rate limiting: the RateStore interface and its in-memory sliding-window implementation.
export { MemoryRateStore, rateKey } from "./rate-store.js";
export type { RateStore, SharedRateStore } from "./rate-store.js";
