// The approval service as a `charter serve` plug-in: identities from the config's `approvers`, `admin`
// and `agents` (token hashes only), notifications from its `notify`, the guard of the current bundle
// (it changes on reload), and serve's kill switch (kept across reloads) behind the admin endpoints.
import { ServeStartError, type ServeContext, type ServePlugin } from "../serve/serve.js";
import { createApprovalService, type ApprovalService, type ApprovalServiceOptions } from "./approval-service.js";
import { loadApproverDirectory, type ApproverDirectoryConfig } from "./approver-directory.js";
import type { WebhookOptions } from "./webhook.js";

export type ApprovalPluginOptions = Pick<ApprovalServiceOptions, "clock" | "timers" | "heartbeatMs" | "sessionTtlMs" | "maxPendingPerAgent" | "piiKey">;

/** `notify: URL` or `notify: { webhook: URL, timeout_ms?: N }`; undefined for none. Throws a one-line reason. */
export function webhookOf(notify: unknown): WebhookOptions | undefined {
  if (notify === undefined || notify === null) return undefined;
  const checkUrl = (u: unknown): string => {
    if (typeof u !== "string" || !/^https?:\/\//.test(u)) throw new Error(`notify.webhook must be an http(s) URL of an incoming webhook, got ${JSON.stringify(u)}`);
    return u;
  };
  if (typeof notify === "string") return { url: checkUrl(notify) };
  if (typeof notify === "object" && !Array.isArray(notify)) {
    const n = notify as Record<string, unknown>;
    for (const k of Object.keys(n)) if (k !== "webhook" && k !== "timeout_ms") throw new Error(`notify.${k} is not a notify setting (notify takes webhook and timeout_ms)`);
    const url = checkUrl(n.webhook);
    if (n.timeout_ms !== undefined && !(typeof n.timeout_ms === "number" && n.timeout_ms > 0)) throw new Error("notify.timeout_ms must be a positive number of milliseconds");
    return { url, ...(typeof n.timeout_ms === "number" ? { timeoutMs: n.timeout_ms } : {}) };
  }
  throw new Error("notify must be a webhook URL or { webhook: URL }");
}

/** A plug-in factory for `startServe({ plugins: [approvalPlugin()] })`. `onService` sees the service (tests, metrics). */
export function approvalPlugin(options: ApprovalPluginOptions & { onService?: (s: ApprovalService) => void } = {}): (ctx: ServeContext) => ServePlugin {
  return (ctx) => {
    const config = ctx.config;
    const dirConfig: ApproverDirectoryConfig = { approvers: {}, agents: {} };
    for (const a of config.approvers.values()) dirConfig.approvers![a.name] = { token_sha256: a.tokenSha256, groups: a.groups };
    if (config.admin) dirConfig.admin = { token_sha256: config.admin.tokenSha256 };
    for (const a of config.agents.values()) dirConfig.agents![a.name] = { token_sha256: a.tokenSha256 };
    const loaded = loadApproverDirectory(dirConfig);
    if (!loaded.ok) throw new ServeStartError(`${config.path}: approvals: ${loaded.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
    let webhook: WebhookOptions | undefined;
    try {
      webhook = webhookOf(config.notify);
    } catch (e) {
      throw new ServeStartError(`${config.path}: ${(e as Error).message}`);
    }
    const { onService, ...rest } = options;
    const service = createApprovalService({
      ...rest,
      directory: loaded.directory,
      audit: ctx.audit,
      guard: ctx.guard,
      killSwitch: {
        isolate: (reason, agent) => ctx.isolate(reason, agent),
        release: (_reason, agent) => ctx.release(agent),
        isIsolated: (agent) => ctx.isIsolated(agent),
      },
      ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
      ...(webhook ? { webhook } : {}),
      onError: (m) => ctx.log(`charter serve: approvals: ${m}`),
    });
    onService?.(service);
    return {
      routes: (req, res) => service.handle(req, res),
      approver: service.approver,
      withdrawAll: (reason) => void service.withdrawAll(reason),
      close: () => service.close(),
    };
  };
}
