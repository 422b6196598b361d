// Types for agent-tool-results.mjs, so TypeScript tests can import Charter's second agent tool-results corpus.
export interface AgentToolRecord {
  id: string;
  text: string;
  insert?: string;
  label: "benign" | "injection";
  channel: "tool_output" | "email" | "document" | "web" | "bare";
  part: "train" | "val";
  template: string;
  framing?: string;
  goal?: string;
  filler?: number;
  lang: string;
}
export const AGENT_TOOL_SEED: string;
export function agentToolPartOf(id: string): "train" | "val";
export const AGENT_TOOL_TEMPLATES: { id: string; channel: string; injectionsOnly?: boolean }[];
export const AGENT_TOOL_FRAMINGS: { id: string; text: string; lang?: string }[];
export const AGENT_TOOL_GOALS: { id: string; plain: string; tool: string }[];
export const AGENT_TOOL_FILLERS: string[];
export const FOREIGN_PASSAGES: { id: string; language: string; kind: string; text: string }[];
export const AGENT_TOOL_QUESTIONS: string[];
export function buildAgentToolResults(): AgentToolRecord[];
