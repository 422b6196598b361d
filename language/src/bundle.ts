// The runtime enforcement bundle: the one schema shared by the compiler (which writes it) and the
// runtime (which refuses anything that does not match it). Durations are milliseconds, sizes
// bytes. The bundle holds only what enforcement needs; comments, layout and tests are not in it.

import { z } from "zod";

export const BUNDLE_FORMAT = "charter-bundle/1";

const Trust = z.enum(["untrusted", "low", "medium", "high"]);
const Tier = z.enum(["low", "medium", "high"]);
const Scope = z.enum(["read", "write", "send", "delete", "execute"]);
const Severity = z.enum(["low", "medium", "high", "critical"]);

export const ConstraintSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("one_of"), values: z.array(z.union([z.string(), z.number()])) }).strict(),
  z.object({ kind: z.literal("subset_of"), values: z.array(z.union([z.string(), z.number()])) }).strict(),
  z.object({ kind: z.literal("email_in_domains"), domains: z.array(z.string()) }).strict(),
  z.object({ kind: z.literal("url_in_domains"), domains: z.array(z.string()) }).strict(),
  z.object({ kind: z.literal("number_between"), min: z.number(), max: z.number() }).strict(),
  z.object({ kind: z.literal("number_max"), max: z.number() }).strict(),
  z.object({ kind: z.literal("string_max"), max: z.number().int().nonnegative() }).strict(),
  z.object({ kind: z.literal("any") }).strict(),
]);

export const ToolSchema = z
  .object({
    scope: Scope,
    tier: Tier,
    rate: z.object({ count: z.number().int().positive(), windowMs: z.number().positive() }).strict(),
    /** null when no human approval is needed (only possible below tier high) */
    approval: z.object({ approvers: z.array(z.string()).min(1), timeoutMs: z.number().positive() }).strict().nullable(),
    reversal: z.string().nullable(),
    pin: z.string().nullable(),
    /** null: arguments unconstrained; an object: closed world, unnamed arguments are refused */
    args: z.record(z.string(), ConstraintSchema).nullable(),
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
    pii: z.enum(["hash", "redact"]),
    store: z.string().nullable(),
  })
  .strict();

export const SandboxSchema = z
  .object({
    filesystem: z.enum(["none", "read-only", "ephemeral", "persistent"]),
    network: z.array(z.string()),
    cpu: z.number().positive(),
    memoryBytes: z.number().positive(),
    timeMs: z.number().positive(),
    output: z.string().nullable(),
  })
  .strict();

export const AgentSchema = z
  .object({
    kind: z.enum(["conversational", "code-executing", "document-processing"]),
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
    sources: z.record(z.string(), z.object({ trust: Trust, threshold: z.number().min(0).max(1) }).strict()),
    agents: z.record(z.string(), AgentSchema),
    /** present when the bundle was signed by `charter build --sign` */
    signature: BundleSignatureSchema.optional(),
  })
  .strict();

export type Bundle = z.infer<typeof BundleSchema>;
export type BundleAgent = z.infer<typeof AgentSchema>;
export type BundleTool = z.infer<typeof ToolSchema>;
export type BundleConstraint = z.infer<typeof ConstraintSchema>;
export type BundleMonitorRule = z.infer<typeof MonitorRuleSchema>;
export type BundleAudit = z.infer<typeof AuditSchema>;
export type BundleSandbox = z.infer<typeof SandboxSchema>;

/** The JSON Schema users can validate bundles with (written to schema/bundle.schema.json). */
export function bundleJsonSchema(): unknown {
  return z.toJSONSchema(BundleSchema, { target: "draft-2020-12" });
}
