// The runtime enforcement bundle: the one schema shared by the compiler (which writes it) and the
// runtime (which refuses anything that does not match it). Durations are milliseconds, sizes
// bytes. The bundle holds only what enforcement needs; comments, layout and tests are not in it.

import { z } from "zod";
import {
  AGENT_KINDS,
  AUDIT_PII,
  FILESYSTEMS,
  MODES,
  ON_INJECTION,
  RULE_OUTCOMES,
  SCOPES,
  SEVERITIES,
  TIERS,
  TRUST_LEVELS,
} from "./schema.js";

export const BUNDLE_FORMAT = "charter-bundle/1";

// The closed vocabularies are the grammar's (schema.ts): a word the language accepts is a word the
// bundle holds, and the two cannot drift apart.
const Trust = z.enum(TRUST_LEVELS);
const Tier = z.enum(TIERS);
const Scope = z.enum(SCOPES);
const Severity = z.enum(SEVERITIES);

const Outcome = z.enum(RULE_OUTCOMES);
const AgentMode = z.enum(MODES);
const OnInjection = z.enum(ON_INJECTION);

/**
 * An argument constraint. `list_of` and `object` nest: an object's properties are a closed world at
 * every level, `optional` names the properties that may be absent (sorted).
 */
export type BundleConstraint =
  | { kind: "one_of"; values: (string | number)[] }
  | { kind: "subset_of"; values: (string | number)[] }
  | { kind: "email_in_domains"; domains: string[] }
  | { kind: "url_in_domains"; domains: string[] }
  | { kind: "number_between"; min: number; max: number }
  | { kind: "number_max"; max: number }
  | { kind: "string_max"; max: number }
  | { kind: "any" }
  | { kind: "integer_between"; min: number; max: number }
  | { kind: "integer_max"; max: number }
  | { kind: "bool" }
  | { kind: "string_matching"; pattern: string }
  | { kind: "path_under"; roots: string[] }
  | { kind: "list_of"; item: BundleConstraint; max: number }
  | { kind: "object"; properties: Record<string, BundleConstraint>; optional: string[] };

export const ConstraintSchema: z.ZodType<BundleConstraint> = z.lazy(() =>
  z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("one_of"), values: z.array(z.union([z.string(), z.number()])) }).strict(),
    z.object({ kind: z.literal("subset_of"), values: z.array(z.union([z.string(), z.number()])) }).strict(),
    z.object({ kind: z.literal("email_in_domains"), domains: z.array(z.string()) }).strict(),
    z.object({ kind: z.literal("url_in_domains"), domains: z.array(z.string()) }).strict(),
    z.object({ kind: z.literal("number_between"), min: z.number(), max: z.number() }).strict(),
    z.object({ kind: z.literal("number_max"), max: z.number() }).strict(),
    z.object({ kind: z.literal("string_max"), max: z.number().int().nonnegative() }).strict(),
    z.object({ kind: z.literal("any") }).strict(),
    z.object({ kind: z.literal("integer_between"), min: z.number().int(), max: z.number().int() }).strict(),
    z.object({ kind: z.literal("integer_max"), max: z.number().int() }).strict(),
    z.object({ kind: z.literal("bool") }).strict(),
    /** RE2 syntax, matched against the whole string */
    z.object({ kind: z.literal("string_matching"), pattern: z.string() }).strict(),
    /** normalised absolute POSIX roots, sorted */
    z.object({ kind: z.literal("path_under"), roots: z.array(z.string()).min(1) }).strict(),
    z.object({ kind: z.literal("list_of"), item: ConstraintSchema, max: z.number().int().nonnegative() }).strict(),
    z.object({ kind: z.literal("object"), properties: z.record(z.string(), ConstraintSchema), optional: z.array(z.string()) }).strict(),
  ]),
);

/** A tool's arguments: a closed world of named constraints; names in `optional` may be absent. */
export const ArgsSchema = z.object({ properties: z.record(z.string(), ConstraintSchema), optional: z.array(z.string()) }).strict();

/** `after LEVEL` (the session ingested content of this trust or below) or `after TOOL` (it called TOOL). */
export const FlowAfterSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("trust"), level: Trust }).strict(),
  z.object({ kind: z.literal("tool"), tool: z.string() }).strict(),
]);

export const FlowRuleSchema = z.object({ after: FlowAfterSchema, outcome: Outcome }).strict();

export const ConditionSchema = z.discriminatedUnion("kind", [
  /** the argument's value was seen in this session only in content of trust `level` or below */
  z.object({ kind: z.literal("provenance"), arg: z.string(), level: Trust, outcome: Outcome }).strict(),
  /** allowed outright inside `constraint`; outside it (but inside the args constraint) the outcome */
  z.object({ kind: z.literal("outside"), arg: z.string(), constraint: ConstraintSchema, outcome: Outcome }).strict(),
]);

export const BudgetSchema = z
  .object({
    arg: z.string(),
    limit: z.number(),
    /** null: per session */
    windowMs: z.number().positive().nullable(),
    outcome: Outcome,
  })
  .strict();

export const ToolSchema = z
  .object({
    scope: Scope,
    tier: Tier,
    rate: z.object({ count: z.number().int().positive(), windowMs: z.number().positive() }).strict(),
    /** `rate N per session`: calls per session, null when not limited */
    sessionRate: z.object({ count: z.number().int().positive() }).strict().nullable(),
    /**
     * null when no human approval is needed (only possible below tier high). `conditional`: only when
     * a flow rule, condition or budget asks for it; otherwise (and always at tier high) every call.
     */
    approval: z
      .object({ approvers: z.array(z.string()).min(1), timeoutMs: z.number().positive(), conditional: z.boolean() })
      .strict()
      .nullable(),
    reversal: z.string().nullable(),
    pin: z.string().nullable(),
    /** the source the tool's results are ingested as; null: the gateway's configured source */
    returns: z.string().nullable(),
    /** null: arguments unconstrained; otherwise closed world, unnamed arguments are refused */
    args: ArgsSchema.nullable(),
    /** the tool's own flow rules and the agent-wide ones of its scope, expanded by the compiler */
    flow: z.array(FlowRuleSchema),
    conditions: z.array(ConditionSchema),
    budgets: z.array(BudgetSchema),
  })
  .strict();

const RuleAction = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("alert"), severity: Severity }).strict(),
  z.object({ kind: z.literal("block") }).strict(),
  z.object({ kind: z.literal("redact") }).strict(),
]);

export const MonitorRuleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tool_rate"), multiplier: z.number(), windowMs: z.number(), action: RuleAction }).strict(),
  z.object({ kind: z.literal("data_volume"), multiplier: z.number(), action: RuleAction }).strict(),
  z.object({ kind: z.literal("novel_sequence"), score: z.number().min(0).max(1), action: RuleAction }).strict(),
  z.object({ kind: z.literal("output_pii"), action: RuleAction }).strict(),
  z.object({ kind: z.literal("output_exfiltration"), action: RuleAction }).strict(),
  z.object({ kind: z.literal("external_domain"), domains: z.array(z.string()), action: RuleAction }).strict(),
]);

export const AuditSchema = z
  .object({
    retentionMs: z.number().positive(),
    pii: z.enum(AUDIT_PII),
    store: z.string().nullable(),
  })
  .strict();

export const SandboxSchema = z
  .object({
    filesystem: z.enum(FILESYSTEMS),
    network: z.array(z.string()),
    cpu: z.number().positive(),
    memoryBytes: z.number().positive(),
    timeMs: z.number().positive(),
    output: z.string().nullable(),
  })
  .strict();

export const AgentSchema = z
  .object({
    kind: z.enum(AGENT_KINDS),
    /** monitor: decisions are computed and audited with `"enforced": false`, and calls let through */
    mode: AgentMode,
    reads: z.array(z.string()),
    tools: z.record(z.string(), ToolSchema),
    deny: z.array(z.string()),
    exposes: z.array(z.string()),
    talksTo: z.array(z.object({ agent: z.string(), via: z.string() }).strict()),
    sandbox: SandboxSchema.nullable(),
    monitor: z.array(MonitorRuleSchema),
    audit: AuditSchema,
  })
  .strict();

export const ReviewSchema = z
  .object({
    by: z.string(),
    on: z.string(),
    digest: z.string(),
    cadenceMs: z.number(),
    signature: z.string().nullable(),
  })
  .strict();

export const BundleSignatureSchema = z.object({ alg: z.literal("ed25519"), publicKey: z.string(), value: z.string() }).strict();

export const BundleSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    policy: z
      .object({
        name: z.string(),
        version: z.number().int().nullable(),
        owner: z.string(),
        review: ReviewSchema.nullable(),
      })
      .strict(),
    digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
    sources: z.record(z.string(), z.object({ trust: Trust, threshold: z.number().min(0).max(1), onInjection: OnInjection }).strict()),
    agents: z.record(z.string(), AgentSchema),
    /** present when the bundle was signed by `charter build --sign` */
    signature: BundleSignatureSchema.optional(),
  })
  .strict();

export type Bundle = z.infer<typeof BundleSchema>;
export type BundleAgent = z.infer<typeof AgentSchema>;
export type BundleTool = z.infer<typeof ToolSchema>;
export type BundleArgs = z.infer<typeof ArgsSchema>;
export type BundleFlowRule = z.infer<typeof FlowRuleSchema>;
export type BundleCondition = z.infer<typeof ConditionSchema>;
export type BundleBudget = z.infer<typeof BudgetSchema>;
export type BundleMonitorRule = z.infer<typeof MonitorRuleSchema>;
export type BundleAudit = z.infer<typeof AuditSchema>;
export type BundleSandbox = z.infer<typeof SandboxSchema>;

/** The JSON Schema users can validate bundles with (written to schema/bundle.schema.json). */
export function bundleJsonSchema(): unknown {
  return z.toJSONSchema(BundleSchema, { target: "draft-2020-12" });
}
