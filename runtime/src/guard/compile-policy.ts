// Precompiles a validated bundle into the structures the guard reads on every call: Maps and Sets by
// name, one predicate per argument, the rate-limit key and the allow/approval decisions built once per
// tool. Nothing here is consulted from the model's text; only the bundle decides.
import type { Bundle, BundleAgent, BundleTool } from "@charter/language";
import { constantTrace, type TraceStep } from "../audit/record.js";
import { rateKey } from "../rate/rate-store.js";
import { baselineAgent, type Baseline } from "../monitor/baseline.js";
import { AgentMonitor } from "../monitor/agent-monitor.js";
import { compileConstraint, describeConstraint, type CompiledConstraint } from "./constraints.js";
import type { Decision } from "./decision.js";

export interface CompiledArg {
  name: string;
  check: CompiledConstraint;
  /** Refusal reasons, built once: the deny path is hot too when an agent is being steered. */
  outside: string;
  missing: string;
}

export interface CompiledTool {
  name: string;
  tool: BundleTool;
  rateKey: string;
  rateCount: number;
  rateWindowMs: number;
  /** Every `high` tool and every tool with `approval` waits for a human (spec §4). */
  needsApproval: boolean;
  /** null: arguments unconstrained; otherwise the closed world of declared arguments. */
  args: CompiledArg[] | null;
  argNames: Set<string> | null;
  /** "(closed world: only a, b)", for the refusal of an undeclared argument. */
  closedWorld: string;
  allow: Decision;
  approval: Decision;
  /** The audit traces of `allow` and `approval`, frozen with their JSON precomputed (see constantTrace). */
  allowTrace: TraceStep[];
  approvalTrace: TraceStep[];
}

export interface CompiledAgent {
  name: string;
  agent: BundleAgent;
  tools: Map<string, CompiledTool>;
  denied: Set<string>;
  /** interface name → agents that the link reaches and that expose it */
  links: Map<string, Set<string>>;
  linkAllow: Map<string, Decision>;
  pii: "hash" | "redact";
  monitor: AgentMonitor;
}

/** A name in the tool's `optional` list may be absent; when present it must satisfy its constraint. */
function optionalIf(check: CompiledConstraint, optional: boolean): CompiledConstraint {
  return optional && !check.optional ? { ...check, optional: true } : check;
}

export function compileTool(agent: string, name: string, tool: BundleTool): CompiledTool {
  const needsApproval = tool.tier === "high" || tool.approval !== null;
  const args =
    tool.args === null
      ? null
      : Object.entries(tool.args.properties).map(([argName, c]) => ({
          name: argName,
          check: optionalIf(compileConstraint(c), tool.args!.optional.includes(argName)),
          outside: `argument '${argName}' of ${name} is outside its constraint: ${describeConstraint(c)}`,
          missing: `${name} needs argument '${argName}' (${describeConstraint(c)})`,
        }));
  const allowReason = `${agent} is granted ${name}` + (args ? " and every argument is within its constraint" : "") + `; within ${tool.rate.count} per ${tool.rate.windowMs / 1000}s`;
  const approvalReason = `${name} is tier ${tool.tier}${tool.approval ? ` and needs approval by ${tool.approval.approvers.join(" or ")}` : " and needs human approval"}`;
  return {
    name,
    tool,
    rateKey: rateKey(agent, name),
    rateCount: tool.rate.count,
    rateWindowMs: tool.rate.windowMs,
    needsApproval,
    args,
    argNames: args ? new Set(args.map((a) => a.name)) : null,
    closedWorld: args ? ` (closed world: only ${args.map((a) => a.name).join(", ") || "none"})` : "",
    allow: Object.freeze({ outcome: "allow", rule: "granted", reason: allowReason }),
    approval: Object.freeze({ outcome: "needs_approval", rule: "approval", reason: approvalReason }),
    allowTrace: constantTrace([{ rule: "granted", reason: allowReason }]),
    approvalTrace: constantTrace([{ rule: "approval", reason: approvalReason }]),
  };
}

export function compilePolicy(bundle: Bundle, baseline: Baseline | undefined): Map<string, CompiledAgent> {
  const out = new Map<string, CompiledAgent>();
  for (const [name, agent] of Object.entries(bundle.agents)) {
    const tools = new Map<string, CompiledTool>();
    for (const [toolName, tool] of Object.entries(agent.tools)) tools.set(toolName, compileTool(name, toolName, tool));
    const links = new Map<string, Set<string>>();
    const linkAllow = new Map<string, Decision>();
    for (const link of agent.talksTo) {
      // A link counts only when its target really exposes the interface (CH1006 makes that an error anyway).
      if (!bundle.agents[link.agent]?.exposes.includes(link.via)) continue;
      let targets = links.get(link.via);
      if (!targets) links.set(link.via, (targets = new Set()));
      targets.add(link.agent);
      linkAllow.set(link.via, Object.freeze({ outcome: "allow", rule: "talks_to", reason: `${name} talks to ${[...targets].join(", ")} via ${link.via}` }));
    }
    out.set(name, {
      name,
      agent,
      tools,
      denied: new Set(agent.deny),
      links,
      linkAllow,
      pii: agent.audit.pii,
      monitor: new AgentMonitor(name, agent.monitor, baselineAgent(baseline, name), baseline?.ngram ?? 3),
    });
  }
  return out;
}
