// An approver that asks a remote approval service (`charter serve`) for the stdio gateway:
// `POST {base}/api/agent/approvals` with the agent's token opens a pending request there and the answer
// stays open (NDJSON: a `pending` line, keep-alive lines, then one final line) until the request ends.
// Cancelling (the guard's signal: the client cancelled or the local deadline passed) closes the
// connection, which withdraws the request on the service. The service's deadline is set a little
// before ours, so a decision made in time reaches us in time.
import type { Approver, ApproverAnswer, ApprovalStatus } from "./request-approval.js";

export interface RemoteApproverOptions {
  /** How much earlier than the local deadline the service's deadline is (default 2000 ms). */
  marginMs?: number;
  clock?: () => number;
}

const STATUSES: readonly string[] = ["approved", "rejected", "expired", "withdrawn", "no_approver"];

export function createRemoteApprover(baseUrl: string, token: string, options: RemoteApproverOptions = {}): Approver {
  const endpoint = baseUrl.replace(/\/+$/, "") + "/api/agent/approvals";
  const margin = options.marginMs ?? 2000;
  const clock = options.clock ?? Date.now;
  return async (req, context) => {
    const remaining = req.expiresAt !== undefined ? req.expiresAt - clock() : undefined;
    const body = {
      session: req.session ?? "",
      tool: req.tool,
      args: req.args,
      ...(req.reasoning !== undefined ? { reasoning: req.reasoning } : {}),
      ...(req.id !== undefined ? { id: req.id } : {}),
      ...(remaining !== undefined ? { timeout_ms: Math.max(1, remaining - Math.min(margin, remaining / 2)) } : {}),
    };
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/x-ndjson" },
        body: JSON.stringify(body),
        ...(context ? { signal: context.signal } : {}),
      });
    } catch (e) {
      throw new Error(`the approval service at ${baseUrl} cannot be reached: ${(e as Error).message}`);
    }
    if (res.status !== 200) {
      const text = await res.text().catch(() => "");
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // not JSON: keep the text
      }
      throw new Error(`the approval service answered HTTP ${res.status}: ${message.slice(0, 300)}`);
    }
    const final = await lastLine(res);
    if (final === undefined || typeof final.status !== "string" || !STATUSES.includes(final.status)) {
      throw new Error("the approval service closed the request without a decision");
    }
    const status = final.status as ApprovalStatus;
    const answer: ApproverAnswer = {
      approved: status === "approved",
      approver: typeof final.approver === "string" ? final.approver : "",
      status,
    };
    const note = typeof final.comment === "string" ? final.comment : typeof final.reason === "string" ? final.reason : undefined;
    if (note !== undefined) answer.note = note;
    if (typeof final.args_digest === "string") answer.argsDigest = final.args_digest;
    return answer;
  };
}

/** Reads the NDJSON answer to its end and returns the last line that is not `pending`. */
async function lastLine(res: Response): Promise<Record<string, unknown> | undefined> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let final: Record<string, unknown> | undefined;
  const take = (line: string): void => {
    if (line.trim() === "") return;
    const v = JSON.parse(line) as Record<string, unknown>;
    if (v.status !== "pending") final = v;
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let i: number;
    while ((i = buffer.indexOf("\n")) >= 0) {
      take(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  }
  take(buffer);
  return final;
}
