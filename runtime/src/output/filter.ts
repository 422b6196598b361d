// The output filter: finds personal data, credentials and exfiltration channels in text an agent is about
// to return, and applies the policy's action to each (redact in place, block the whole output, or alert).
// A blocked output comes back as "" so a careless caller cannot forward it.
import { findExfiltration } from "./exfiltration.js";
import { findSensitive } from "./sensitive-data.js";
import type { SensitiveKind } from "./sensitive-data.js";

export type Severity = "low" | "medium" | "high" | "critical";

export type Action = { kind: "redact" } | { kind: "block" } | { kind: "alert"; severity: Severity };

export type FindingKind = SensitiveKind | "exfiltration";

export interface Finding {
  kind: FindingKind;
  start: number;
  end: number;
  action: Action;
  /** For exfiltration: the host and why it was flagged. Never the matched text itself. */
  detail?: string;
}

export interface OutputRules {
  /** `output pii => …` */
  pii?: Action;
  /** Credentials in output; defaults to the `pii` action (both are data that must not leave). */
  secrets?: Action;
  /** `output exfiltration => …` */
  exfiltration?: Action;
  /** `external_domain outside [..]`: hosts a URL in the output may point to. */
  allowDomains: readonly string[];
}

export interface FilteredOutput {
  text: string;
  blocked: boolean;
  findings: Finding[];
}

export function filterOutput(text: string, rules: OutputRules): FilteredOutput {
  const secrets = rules.secrets ?? rules.pii;
  const findings: Finding[] = [];
  if (rules.pii || secrets) {
    for (const s of findSensitive(text, { pii: rules.pii !== undefined, secrets: secrets !== undefined })) {
      const action = s.kind === "secret" ? secrets! : rules.pii!;
      findings.push({ kind: s.kind, start: s.start, end: s.end, action });
    }
  }
  if (rules.exfiltration) {
    for (const e of findExfiltration(text, rules.allowDomains)) {
      const detail =
        e.reason === "host_not_allowed"
          ? `${e.form} to ${e.host} (not allowed)`
          : e.reason === "ambiguous_host"
            ? `${e.form} to ${e.host} is written so that URL parsers disagree on its host`
            : `${e.form} to ${e.host} carries data in its query`;
      findings.push({ kind: "exfiltration", start: e.start, end: e.end, action: rules.exfiltration, detail });
    }
  }
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  if (findings.some((f) => f.action.kind === "block")) return { text: "", blocked: true, findings };
  return { text: applyRedactions(text, findings), blocked: false, findings };
}

/** Replaces each redacted span (overlaps merged) with `[REDACTED:kind]`; expects findings sorted by start. */
export function applyRedactions(text: string, findings: readonly Finding[]): string {
  let out = "";
  let cursor = 0;
  let groupStart = -1;
  let groupEnd = -1;
  let groupKind = "";
  const closeGroup = () => {
    if (groupStart < 0) return;
    out += text.slice(cursor, groupStart) + `[REDACTED:${groupKind}]`;
    cursor = groupEnd;
  };
  for (const f of findings) {
    if (f.action.kind !== "redact") continue;
    if (groupStart >= 0 && f.start < groupEnd) {
      if (f.end > groupEnd) groupEnd = f.end;
      continue;
    }
    closeGroup();
    groupStart = f.start;
    groupEnd = f.end;
    groupKind = f.kind;
  }
  closeGroup();
  return cursor === 0 && groupStart < 0 ? text : out + text.slice(cursor);
}
