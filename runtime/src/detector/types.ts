// Public shapes of the prompt-injection detector: the result of scoring a text, the pluggable
// classifier interface and the stable signal ids. No logic lives here, so every layer can import it.

/** Stable short ids for the reasons a text was scored as an injection. */
export type SignalId =
  | "ignore-previous"
  | "role-reassignment"
  | "boundary-marker"
  | "base64-instruction"
  | "hex-instruction"
  | "unicode-tags"
  | "zero-width"
  | "homoglyph"
  | "markdown-image-exfil"
  | "ai-addressed"
  | "task-hijack"
  | "hidden-instruction"
  | "obfuscated-instruction"
  | "task-preemption"
  | "impersonation"
  | "tool-instruction"
  | "wrapper-tag"
  | "classifier";

export interface DetectorResult {
  /** Probability-like score in [0, 1]; above 0.5 means "injection" at the default operating point. */
  score: number;
  /** Signal ids that contributed, in a stable order (rules first, then "classifier"). */
  signals: string[];
}

/** Anything that maps a text to a score in [0, 1]; applications can plug in their own. */
export interface Classifier {
  score(text: string): number;
}

export interface Detector {
  score(text: string): DetectorResult;
}
