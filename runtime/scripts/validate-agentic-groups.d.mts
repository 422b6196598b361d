// Types for validate-agentic-groups.mjs, so TypeScript tests can check its re-splits.
import type { AgenticRecord } from "./corpus-agentic.mjs";
export function agenticFolds(seeds: number): { train: AgenticRecord[]; test: AgenticRecord[]; heldInjectionGroups: string[] }[];
