// Public API of untrusted-input ingestion: the admit-or-refuse decision and the trust-boundary
// markers it wraps admitted text in.

export {
  admitUntrusted,
  DEFAULT_THRESHOLDS,
  type AdmitResult,
  type GuardrailEvent,
  type IngestSource,
  type InjectionRefused,
} from "./admit-untrusted.js";
export { wrapUntrusted, neutraliseMarkers, beginMarker, endMarker, NEUTRALISED, type TrustLevel, type WrapOptions } from "./markers.js";
export { redactInjections, scanArguments, REDACTION_MARKER, type RedactResult, type RedactedPassage, type ArgumentScan } from "./redact.js";
