// The output service: an agent's `output pii`, `output exfiltration` and `external_domain` rules applied
// to text it is about to emit, with one audit record per filtered output and alerts for what is not
// merely redacted.
import type { AuditEntry, GuardrailEvent } from "../audit/record.js";
import type { MonitorAlert, MonitorKind } from "../monitor/agent-monitor.js";
import { filterOutput as applyOutputRules, type Action, type Finding, type OutputRules } from "../output/filter.js";
import { sha256Tagged } from "../audit/record.js";
import type { CompiledAgent } from "./compile-policy.js";

export interface OutputResult {
  /** What may be shown: redacted where the policy says so, "" when blocked. */
  text: string;
  blocked: boolean;
  findings: Finding[];
  alerts: MonitorAlert[];
}

/** `rules`: undefined for an unknown agent (its output is withheld), null for an agent with no output rules. */
export function filterAgentOutput(
  rules: OutputRules | null | undefined,
  agentName: string,
  text: string,
  session: string,
  write: (e: AuditEntry) => void,
  notify: (a: MonitorAlert) => void,
): OutputResult {
  if (rules === undefined) {
    write({
      agent: agentName,
      session,
      event: "output_filtered",
      outputHash: sha256Tagged(text),
      trace: [{ rule: "unknown_agent", reason: `no agent named '${agentName}': output withheld` }],
      outcome: "blocked",
    });
    return { text: "", blocked: true, findings: [], alerts: [] };
  }
  if (rules === null) return { text, blocked: false, findings: [], alerts: [] };
  const result = applyOutputRules(text, rules);
  if (result.findings.length === 0) return { ...result, alerts: [] };
  const alerts: MonitorAlert[] = [];
  const guardrail: GuardrailEvent[] = [];
  const seen = new Set<string>();
  for (const f of result.findings) {
    const kind: MonitorKind = f.kind === "exfiltration" ? "output_exfiltration" : "output_pii";
    const key = f.kind + "/" + f.action.kind;
    if (seen.has(key)) continue;
    seen.add(key);
    guardrail.push({ kind: f.kind, action: f.action.kind, ...(f.detail ? { detail: f.detail } : {}) });
    if (f.action.kind !== "redact") {
      alerts.push({
        kind,
        action: f.action.kind,
        severity: f.action.kind === "alert" ? f.action.severity : "high",
        agent: agentName,
        session,
        message: `output of ${agentName} holds ${f.kind === "exfiltration" ? `an exfiltration channel (${f.detail})` : `${f.kind} data`}`,
      });
    }
  }
  const outcome = result.blocked ? "blocked" : result.findings.some((f) => f.action.kind === "redact") ? "redacted" : "alerted";
  write({
    agent: agentName,
    session,
    event: "output_filtered",
    outputHash: sha256Tagged(text),
    trace: [{ rule: "output", reason: `${result.findings.length} finding(s): ${[...seen].join(", ")}` }],
    outcome,
    guardrail,
  });
  for (const a of alerts) notify(a);
  return { ...result, alerts };
}

export function outputRulesOf(a: CompiledAgent): OutputRules | null {
  let pii: Action | undefined;
  let exfiltration: Action | undefined;
  let external: Action | undefined;
  const allowDomains: string[] = [];
  for (const r of a.agent.monitor) {
    if (r.kind === "output_pii") pii = r.action;
    else if (r.kind === "output_exfiltration") exfiltration = r.action;
    else if (r.kind === "external_domain") {
      external = r.action;
      allowDomains.push(...r.domains);
    }
  }
  // `external_domain` alone still polices URLs in output: a link outside the allowlist is its finding.
  exfiltration ??= external;
  if (!pii && !exfiltration) return null;
  return { ...(pii ? { pii } : {}), ...(exfiltration ? { exfiltration } : {}), allowDomains };
}
