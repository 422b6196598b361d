// Types for benign-short.mjs, so TypeScript tests can build the hand-written benign short-text set.
export interface BenignShortText {
  id: string;
  kind: string;
  text: string;
  part: "train" | "final";
}
export const BENIGN_SHORT_SEED: string;
export const BENIGN_SHORT_KINDS: string[];
export function benignShortPartOf(id: string): "train" | "final";
export function readBenignShort(): BenignShortText[];
export function buildBenignShort(): { train: BenignShortText[]; final: BenignShortText[] };
