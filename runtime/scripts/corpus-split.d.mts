// Types for corpus-split.mjs, so TypeScript tests can import the shared split.
export interface CorpusRecord {
  id: string;
  text: string;
  label: "benign" | "injection";
  channel: "email" | "table" | "code" | "instruction";
  attack_category?: string;
  position?: string;
  source: string;
}
export const corpusPath: string;
export const SPLIT_SEED: string;
export const HOLDOUT_FRACTION: number;
export function readCorpus(path?: string): CorpusRecord[];
export function contextOf(r: CorpusRecord): string;
export function splitCorpus(records: CorpusRecord[], seed?: string): { train: CorpusRecord[]; test: CorpusRecord[]; heldCategories: string[]; heldContexts: number };
