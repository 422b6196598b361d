// Session history: what a session read and called, for flow rules, provenance conditions and budgets.
export {
  MemorySessionStore,
  EMPTY_SNAPSHOT,
  TRUST_RANK,
  type CallFact,
  type IngestFact,
  type SessionSnapshot,
  type SessionStore,
  type TrustRank,
} from "./session-store.js";
export { extractValues, normaliseValue } from "./values.js";
