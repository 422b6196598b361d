// What a tool server says is content, and content is scored before an agent reads it. Used by both
// gateways (stdio and `charter serve`):
// - a tool result's text items, embedded resource text and `structuredContent` (as its JSON) are
//   scored together, joined, so an injection split over several items is scored as the agent reads it;
// - tool definitions (description, the strings of the input schema) are scored as content of the
//   agent's source before they are listed: a poisoned description is an injection the agent reads;
// - resource contents and prompt messages are ingested like tool results.
// Content that cannot be inspected (images, audio, blobs) is withheld, never passed on unchecked.
import type { CallToolResult, GetPromptResult, ReadResourceResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { AuditLog } from "../audit/audit-log.js";
import type { Guard } from "../guard/guard.js";
import { wrapUntrusted, type TrustLevel } from "../ingest/markers.js";

/** The source a tool's results count as: the tool's `returns` (bundle v1) when it names one, else `fallback`. */
export function resultSourceOf(guard: Guard, agent: string, tool: string, fallback: string): string {
  const agents = guard.bundle.agents;
  const tools = Object.hasOwn(agents, agent) ? agents[agent]!.tools : undefined;
  const declared = tools && Object.hasOwn(tools, tool) ? (tools[tool] as { returns?: string | null }).returns : undefined;
  return typeof declared === "string" && declared !== "" ? declared : fallback;
}

export function refusal(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

export interface InspectOptions {
  guard: Guard;
  agent: string;
  session: string;
  source: string;
  /** apply the agent's output rules (pii, exfiltration); default true */
  filter?: boolean;
}

type Inspected = { ok: true; text: string } | { ok: false; message: string };

/**
 * Ingests the parts as one piece of content of `source`, then applies the output rules. The parts are
 * scored joined by spaces (an instruction split over items reads as one sentence, and the detector treats
 * a line break as a sentence boundary) and shown joined by line breaks (`shown`, when the caller has
 * joined them already).
 */
function inspectText(o: InspectOptions, parts: readonly string[], what: string, tool?: string, shown?: string): Inspected {
  const admitted = o.guard.ingest(o.agent, o.source, parts.length === 1 ? parts[0]! : parts.join(" "), o.session, tool);
  if (!admitted.ok) return { ok: false, message: `Charter refused ${what}: ${admitted.error.message}` };
  let text = admitted.text;
  if (parts.length > 1) {
    const trust = o.guard.bundle.sources[o.source]!.trust as TrustLevel;
    text = wrapUntrusted(shown ?? parts.join("\n"), { source: o.source, trust });
  }
  if (o.filter === false) return { ok: true, text };
  const filtered = o.guard.filterOutput(o.agent, text, o.session, tool);
  if (filtered.blocked)
    return {
      ok: false,
      message: `Charter withheld ${what}: it breaks the output rules (${filtered.findings.map((f) => f.kind).join(", ")})`,
    };
  return { ok: true, text: filtered.text };
}

/**
 * The result the agent sees: every inspectable part joined into one text item, scored once as a whole
 * and wrapped in trust-boundary markers; withheld parts are named. `structuredContent` is folded into the
 * text as its JSON (the tool's listing drops `outputSchema`, so no client expects the structured field).
 */
export function inspectToolResult(o: InspectOptions, tool: string, result: CallToolResult): CallToolResult {
  const parts: string[] = [];
  const withheld: string[] = [];
  for (const item of result.content ?? []) {
    if (item.type === "text") parts.push(item.text);
    else if (item.type === "resource" && "text" in item.resource && typeof item.resource.text === "string") parts.push(item.resource.text);
    else withheld.push(item.type);
  }
  if (result.structuredContent !== undefined) {
    const json = JSON.stringify(result.structuredContent);
    // servers usually repeat the structured value as a text item: score it once
    if (!parts.includes(json)) parts.push(json);
  }
  // what the tool server answered (size and digest, never the text) is evidence of its own, recorded
  // before the result is judged: a refused result still reached the gateway
  const shown = parts.join("\n");
  o.guard.recordResult({ agent: o.agent, session: o.session, tool }, shown, result.isError === true);
  const content: CallToolResult["content"] = [];
  if (parts.length > 0) {
    const checked = inspectText(o, parts, `the result of ${tool}`, tool, shown);
    if (!checked.ok) return refusal(checked.message);
    content.push({ type: "text", text: checked.text });
  }
  for (const kind of withheld) content.push({ type: "text", text: `[${kind} content withheld by Charter: it cannot be inspected]` });
  return { content, ...(result.isError ? { isError: true } : {}) };
}

/** The text of a tool's definition an agent reads: name, description and every string of the input schema. */
export function definitionText(tool: Pick<Tool, "name" | "description" | "inputSchema" | "title">): string {
  const strings: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") strings.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        // property names are read too ("ignore_previous_instructions": {...} is text the model sees)
        if (k !== "type" && k !== "$schema") strings.push(k);
        walk(x);
      }
    }
  };
  walk(tool.inputSchema);
  return [tool.title, tool.description, ...strings].filter((s): s is string => typeof s === "string" && s !== "").join("\n");
}

export type DefinitionVerdict = { ok: true } | { ok: false; reason: string; score: number };

/**
 * Scores a tool's definition as content of `source` for `agent`. A refused definition is audited by the
 * guard's ingest (event ingest_refused) and once more as an alert naming the tool, so an operator can find
 * which tool was withheld.
 */
export function scoreDefinition(
  guard: Guard,
  audit: AuditLog | null,
  agent: string,
  source: string,
  session: string,
  tool: Tool,
): DefinitionVerdict {
  const admitted = guard.ingest(agent, source, definitionText(tool), session);
  if (admitted.ok) return { ok: true };
  const e = admitted.error;
  const score = e.kind === "injection_refused" ? e.score : 1;
  const reason = `the definition of ${tool.name} is withheld: ${e.message}`;
  audit?.write({
    agent,
    session,
    event: "alert",
    trace: [{ rule: "gateway.tool_definition", reason }],
    action: { tool: tool.name },
    outcome: "withheld",
    guardrail: [{ kind: "tool_definition", action: "withhold", source, score: Math.round(score * 1e6) / 1e6 }],
  });
  return { ok: false, reason, score };
}

/** Resource contents: text joined and ingested as one piece; blobs withheld. */
export function inspectResource(
  o: InspectOptions,
  uri: string,
  result: ReadResourceResult,
): { ok: true; result: ReadResourceResult } | { ok: false; error: string } {
  const texts: string[] = [];
  let withheld = 0;
  for (const c of result.contents) {
    if ("text" in c && typeof c.text === "string") texts.push(c.text);
    else withheld++;
  }
  const checked = inspectText(o, texts, `resource ${uri}`);
  if (!checked.ok) return { ok: false, error: checked.message };
  const text = withheld > 0 ? `${checked.text}\n[${withheld} binary part(s) withheld by Charter: they cannot be inspected]` : checked.text;
  return { ok: true, result: { contents: [{ uri, mimeType: "text/plain", text }] } };
}

/** Prompt messages: their text joined and ingested as one piece; the prompt comes back as one message. */
export function inspectPrompt(
  o: InspectOptions,
  name: string,
  result: GetPromptResult,
): { ok: true; result: GetPromptResult } | { ok: false; error: string } {
  const texts: string[] = [];
  if (result.description) texts.push(result.description);
  for (const m of result.messages) {
    const c = m.content;
    if (c.type === "text") texts.push(c.text);
    else if (c.type === "resource" && "text" in c.resource && typeof c.resource.text === "string") texts.push(c.resource.text);
  }
  const checked = inspectText(o, texts, `prompt ${name}`);
  if (!checked.ok) return { ok: false, error: checked.message };
  return { ok: true, result: { messages: [{ role: "user", content: { type: "text", text: checked.text } }] } };
}
