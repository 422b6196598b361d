// Notifications of new approval requests to an incoming webhook (Slack and Teams both accept `{"text": …}`).
// Delivery never blocks a request and never changes a decision: it is sent in the background with a
// timeout, and a failure is only reported. The message names agent, tool, tier and deadline and links to
// the request in the inbox; it carries neither arguments nor reasoning, which stay behind the login.
import type { ApprovalRequestRecord } from "./pending-approvals.js";

export interface WebhookOptions {
  url: string;
  /** Milliseconds before a delivery is given up (default 5000). */
  timeoutMs?: number;
}

export function webhookText(r: ApprovalRequestRecord, inboxUrl: string): string {
  const until = new Date(r.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z");
  return (
    `Charter: ${r.agent} asks to run ${r.tool} (tier ${r.tier}); approvers: ${r.groups.join(", ")}. ` +
    `Decide before ${until}: ${inboxUrl}#${r.id}`
  );
}

/** Sends the notification; resolves (never rejects) once delivered or given up. */
export function notifyWebhook(
  options: WebhookOptions,
  r: ApprovalRequestRecord,
  inboxUrl: string,
  onError: (message: string) => void,
): Promise<void> {
  const body = JSON.stringify({ text: webhookText(r, inboxUrl) });
  return fetch(options.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    redirect: "error",
  }).then(
    async (res) => {
      if (!res.ok) onError(`webhook for approval ${r.id} answered HTTP ${res.status}`);
      await res.body?.cancel();
    },
    (e: unknown) => onError(`webhook for approval ${r.id} failed: ${e instanceof Error ? e.message : String(e)}`),
  );
}
