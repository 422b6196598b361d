// What may be written where: the keywords of each block, what they mean, their allowed values and
// the block each one opens. The parser uses it to know where a statement ends, the decoder to
// report unknown keywords (CH0002) with a did-you-mean, and the language server for completion
// and hover. It is data, so that all of them agree.

export type BlockKind =
  | "file"
  | "policy"
  | "review"
  | "source"
  | "defaults"
  | "agent"
  | "tool"
  | "approval"
  | "args"
  | "sandbox"
  | "monitor"
  | "audit"
  | "test"
  | "object"
  | "unknown";

export interface KeywordInfo {
  /** one or two lines for hover */
  doc: string;
  /** the closed set of values it takes, for completion and did-you-mean */
  values?: readonly string[];
  /** the block kind its `{ … }` opens */
  opens?: BlockKind;
  /** recognised only to be rejected with a precise diagnostic; never offered in completion */
  forbidden?: boolean;
  /** may appear more than once in a block */
  repeatable?: boolean;
}

export const TRUST_LEVELS = ["untrusted", "low", "medium", "high"] as const;
export const TIERS = ["low", "medium", "high"] as const;
export const SCOPES = ["read", "write", "send", "delete", "execute"] as const;
export const AGENT_KINDS = ["conversational", "code-executing", "document-processing"] as const;
export const FILESYSTEMS = ["none", "read-only", "ephemeral", "persistent"] as const;
export const PII_MODES = ["hash", "redact", "raw"] as const;
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export const OUTCOMES = ["allow", "deny", "approval"] as const;
export const RULE_ACTIONS = ["alert", "block", "redact"] as const;

const forbiddenGrants: Record<string, KeywordInfo> = {
  allow: { doc: "Not part of Charter: grants are additive from zero, never `allow all`.", forbidden: true, repeatable: true },
  default: { doc: "Not part of Charter: there is no `default allow`.", forbidden: true, repeatable: true },
  tools: { doc: "Not part of Charter: grant each tool by name.", forbidden: true, repeatable: true },
  delegate: { doc: "Not part of Charter: agents cannot hand their grants to another.", forbidden: true, repeatable: true },
  inherits: { doc: "Not part of Charter: agents do not inherit from each other.", forbidden: true, repeatable: true },
  extends: { doc: "Not part of Charter: agents do not inherit from each other.", forbidden: true, repeatable: true },
};

export const SCHEMA: Record<BlockKind, Record<string, KeywordInfo>> = {
  file: {
    policy: { doc: "The policy header: name, version, owner and the security review that signed it off.", opens: "policy" },
    source: { doc: "A content source the agents read, with its trust level and injection threshold.", opens: "source", repeatable: true },
    defaults: { doc: "`monitor` and `audit` blocks applied to every agent that does not declare its own.", opens: "defaults" },
    agent: { doc: "An agent and everything it may do: grants start from zero.", opens: "agent", repeatable: true },
    test: { doc: "Expectations run through the real runtime by `charter test`.", opens: "test", repeatable: true },
    allow: forbiddenGrants.allow!,
    default: forbiddenGrants.default!,
  },
  policy: {
    version: { doc: "The policy's version number (an integer)." },
    owner: { doc: "The team accountable for this policy." },
    review: { doc: "The security review that signed off this exact policy (its semantic digest).", opens: "review" },
  },
  review: {
    by: { doc: "Who reviewed the policy, e.g. \"security/alice\"." },
    on: { doc: "The date of the review (YYYY-MM-DD)." },
    digest: { doc: "The semantic digest the reviewer approved (`charter digest FILE`)." },
    cadence: { doc: "How long a review stays valid (default 90d)." },
    signature: { doc: "ed25519 signature of the reviewer over policy name, digest, reviewer and date." },
  },
  source: {
    trust: { doc: "How far content from this source is trusted.", values: TRUST_LEVELS },
    threshold: { doc: "The highest injection risk score (0..1) accepted from this source." },
  },
  defaults: {
    monitor: { doc: "Monitoring rules against behavioural baselines.", opens: "monitor" },
    audit: { doc: "Audit requirements: retention, PII handling, store.", opens: "audit" },
  },
  agent: {
    kind: { doc: "What sort of agent this is; it decides which containment rules apply.", values: AGENT_KINDS },
    reads: { doc: "The content sources this agent ingests.", repeatable: true },
    tool: { doc: "Grants one tool, with its scope, tier, rate and constraints.", opens: "tool", repeatable: true },
    deny: { doc: "Tools explicitly refused (audited; wins over everything).", repeatable: true },
    exposes: { doc: "Interfaces other agents may call through `talks_to`.", repeatable: true },
    talks_to: { doc: "Lets this agent call an interface another agent exposes: `talks_to AGENT via INTERFACE`.", repeatable: true },
    sandbox: { doc: "Containment limits for code execution.", opens: "sandbox" },
    monitor: { doc: "Monitoring rules for this agent (replaces the defaults).", opens: "monitor" },
    audit: { doc: "Audit requirements for this agent (replaces the defaults).", opens: "audit" },
    ...forbiddenGrants,
  },
  tool: {
    scope: { doc: "What the tool does to the world.", values: SCOPES },
    tier: { doc: "How consequential a call is: `high` needs approval and a reversal playbook.", values: TIERS },
    rate: { doc: "The most calls allowed in a sliding window: `rate 20 per 1h`." },
    approval: { doc: "A human must approve each call; a timeout rejects.", opens: "approval" },
    reversal: { doc: "The playbook that undoes this tool's effect." },
    pin: { doc: "sha256 of the tool's published definition; a changed definition is refused." },
    args: { doc: "Argument constraints; arguments not named here are refused.", opens: "args" },
  },
  approval: {
    approvers: { doc: "Who may approve a call." },
    timeout: { doc: "How long to wait for an approver before rejecting." },
    on_timeout: { doc: "What happens when no approver answers in time: always `reject`.", values: ["reject"] },
  },
  args: {},
  sandbox: {
    filesystem: { doc: "What the sandbox may do to its filesystem.", values: FILESYSTEMS },
    network: { doc: "The hosts the sandbox may reach (an explicit allowlist; `[]` for none)." },
    cpu: { doc: "CPU cores available to the sandbox." },
    memory: { doc: "Memory limit, e.g. 512MiB." },
    time: { doc: "Wall-clock limit per execution, e.g. 60s." },
    output: { doc: "Where the sandbox's results go." },
  },
  monitor: {
    tool_rate: { doc: "Alert when the tool call rate exceeds a multiple of the baseline within a window.", repeatable: true },
    data_volume: { doc: "Alert when a session's data volume exceeds a multiple of the baseline.", repeatable: true },
    novel_sequence: { doc: "Alert when the recent tool-call sequence is this novel (0..1) against the baseline.", repeatable: true },
    output: { doc: "`output pii` or `output exfiltration`: what to do with such outputs.", values: ["pii", "exfiltration"], repeatable: true },
    external_domain: { doc: "Act on contact with domains outside the list.", repeatable: true },
  },
  audit: {
    retention: { doc: "How long audit records are kept (at least 365d)." },
    pii: { doc: "How personal data appears in audit records.", values: PII_MODES },
    store: { doc: "Where audit records are sent." },
  },
  test: {
    expect: { doc: "`expect AGENT call TOOL {args}? => allow|deny|approval`", repeatable: true },
  },
  object: {},
  unknown: {},
};

/** The keyword's entry in a block, own properties only (a name like `constructor` is just a name). */
export function keywordInfo(kind: BlockKind, key: string): KeywordInfo | undefined {
  const block = SCHEMA[kind];
  return block && Object.hasOwn(block, key) ? block[key] : undefined;
}

/** Blocks whose items are `name: value` pairs rather than keyword statements. */
export function isPairBlock(kind: BlockKind): boolean {
  return kind === "args" || kind === "object";
}

/** The block kind opened by `{` after `key` in a block of kind `parent`. */
export function childBlock(parent: BlockKind, key: string): BlockKind {
  if (parent === "test" || parent === "object") return "object";
  return keywordInfo(parent, key)?.opens ?? "unknown";
}

/** Keywords valid in a block, for completion: forbidden forms excluded. */
export function keywordsOf(kind: BlockKind): string[] {
  return Object.entries(SCHEMA[kind]).filter(([, v]) => !v.forbidden).map(([k]) => k);
}
