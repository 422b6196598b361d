// The ingest decision for one piece of untrusted text: score it, compare with the source's threshold,
// and either refuse it (a typed error value plus a guardrail event for the audit log) or return it
// wrapped in trust-boundary markers. Pure: the caller records the event and surfaces the error.

import type { Detector, DetectorResult } from "../detector/types.js";
import { wrapUntrusted, type TrustLevel } from "./markers.js";

/** Used when the policy gives the source no threshold: the less trusted, the stricter. */
export const DEFAULT_THRESHOLDS: Record<TrustLevel, number> = { untrusted: 0.5, low: 0.5, medium: 0.7, high: 0.9 };

export interface IngestSource {
  source: string;
  trust: TrustLevel;
  /** Refuse when the detector's score is above this (0..1). */
  threshold?: number;
}

export interface GuardrailEvent {
  kind: "guardrail.injection-refused";
  source: string;
  trust: TrustLevel;
  score: number;
  threshold: number;
  signals: string[];
}

export interface InjectionRefused {
  code: "injection-refused";
  message: string;
  source: string;
  score: number;
  threshold: number;
  signals: string[];
}

export type AdmitResult =
  | { ok: true; text: string; detection: DetectorResult }
  | { ok: false; error: InjectionRefused; event: GuardrailEvent };

export function admitUntrusted(text: string, source: IngestSource, detector: Detector): AdmitResult {
  const threshold = source.threshold ?? DEFAULT_THRESHOLDS[source.trust];
  const detection = detector.score(text);
  if (detection.score > threshold) {
    const signals = detection.signals;
    return {
      ok: false,
      error: {
        code: "injection-refused",
        message: `text from '${source.source}' looks like a prompt injection (score ${detection.score.toFixed(2)} > threshold ${threshold}; signals: ${signals.join(", ") || "none"})`,
        source: source.source,
        score: detection.score,
        threshold,
        signals,
      },
      event: {
        kind: "guardrail.injection-refused",
        source: source.source,
        trust: source.trust,
        score: detection.score,
        threshold,
        signals,
      },
    };
  }
  return { ok: true, text: wrapUntrusted(text, source), detection };
}
