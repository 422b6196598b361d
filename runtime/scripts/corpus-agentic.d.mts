// Types for corpus-agentic.mjs, so TypeScript tests can import the shared agentic split.
export interface AgenticRecord {
  id: string;
  text: string;
  label: "benign" | "injection";
  channel: "tool_result" | "email" | "document" | "web" | "memory" | "instruction";
  language: string;
  source: string;
  licence?: string;
  attack_category?: string;
  position?: string;
  carrier_source?: string;
  kind?: string;
}
export const agenticDir: string;
export const AGENTIC_SEED: string;
export const AGENTIC_HOLDOUT: number;
export function readAgentic(dir?: string): AgenticRecord[];
export function injectionGroup(r: AgenticRecord): string;
export function benignGroup(r: AgenticRecord): string;
export function splitAgentic(records?: AgenticRecord[], seed?: string): { train: AgenticRecord[]; test: AgenticRecord[]; heldInjectionGroups: string[] };
