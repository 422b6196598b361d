// Types for benign-multilingual.mjs, so TypeScript tests can read the non-English benign set.
export interface BenignMultilingualText {
  id: string;
  lang: string;
  kind: string;
  text: string;
}
export function readBenignMultilingual(): BenignMultilingualText[];
