// Types for tool-outputs.mjs, so TypeScript tests can import Charter's tool-output corpus.
export interface ToolOutputRecord {
  id: string;
  text: string;
  insert?: string;
  label: "benign" | "injection";
  channel: "tool_output" | "web";
  part: "train" | "val";
  template: string;
  framing?: string;
  goal?: string;
  lang: string;
}
export const TOOL_SEED: string;
export function toolPartOf(id: string): "train" | "val";
export const TEMPLATES: { id: string; channel: string }[];
export const TOOL_FRAMINGS: { id: string; text: string; lang?: string }[];
export const TOOL_GOALS: { id: string; plain: string; tool: string }[];
export const BENIGN_FILLERS: string[];
export function embedInTool(insert: string, k: number, part?: "train" | "val"): { text: string; insert: string; template: string; channel: string };
export function buildToolOutputs(): ToolOutputRecord[];
