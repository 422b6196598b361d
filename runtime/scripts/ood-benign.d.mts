// Types for ood-benign.mjs, so TypeScript tests can build the out-of-distribution benign set.
export interface OodPassage {
  id: string;
  package: string;
  text: string;
}
export const OOD_SEED: string;
export const OOD_HOLDOUT_FRACTION: number;
export const MAX_PASSAGES_PER_PACKAGE: number;
export const EXCLUDED_PACKAGES: Set<string>;
export function listReadmes(nodeModules?: string): { name: string; path: string }[];
export function chunkPassages(text: string, seed: string): string[];
export function isHeldOutPackage(name: string, seed?: string): boolean;
export function buildOodBenign(options?: { nodeModules?: string }): { train: OodPassage[]; heldOut: OodPassage[]; packages: number };
