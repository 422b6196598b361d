// Shared by the approval tests: a small docs policy whose publish tool needs a docs lead, a directory of
// approvers inside and outside that group, and the approval service mounted on a real node:http server
// (127.0.0.1, port 0) in front of a real Guard.
import { checkText, type Bundle } from "@charter/language";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AuditLog, MemoryAuditSink, createGuard, type Guard, type GuardOptions } from "../src/index.js";
import {
  createApprovalService,
  hashToken,
  loadApproverDirectory,
  type ApprovalService,
  type ApprovalServiceOptions,
  type ApproverDirectory,
} from "../src/approval/index.js";

export const DOCS_POLICY = `
policy docs-site {
  version 1
  owner "docs-eng"
}
source user { trust low threshold 0.5 }
defaults {
  monitor {
    tool_rate      > 2.0x baseline within 5m    => alert high
    data_volume    > 3.0x baseline per session  => alert medium
    output pii                                  => redact
    output exfiltration                         => block
  }
  audit { retention 365d pii hash }
}
agent docs-bot {
  kind conversational
  reads user
  tool readPage { scope read tier low rate 100 per 1h }
  tool publishPage {
    scope write
    tier high
    rate 100 per 1h
    approval { approvers ["docs-leads"] timeout 2m }
    reversal "playbooks/unpublish-page.md"
    args { slug: string max 80  contact: string max 80 }
  }
  tool archivePage {
    scope write
    tier high
    rate 100 per 1h
    approval { approvers ["docs-leads"] timeout 2s }
    reversal "playbooks/restore-page.md"
    args { slug: string max 80 }
  }
  tool purgeCache {
    scope delete
    tier high
    rate 100 per 1h
    approval { approvers ["nobody-configured"] timeout 1m }
    reversal "playbooks/warm-cache.md"
  }
}
`;

export function compilePolicy(text: string): Bundle {
  const r = checkText(text);
  if (r.errors > 0)
    throw new Error(
      "fixture policy has errors: " +
        r.diagnostics
          .filter((d) => d.severity === "error")
          .map((d) => `${d.code} ${d.message}`)
          .join("; "),
    );
  return r.bundle;
}

export const TOKENS = {
  alice: "tok-alice-docs-lead-0123456789abcdef",
  bob: "tok-bob-docs-lead-0123456789abcdef",
  mallory: "tok-mallory-not-a-lead-0123456789abcdef",
  admin: "tok-admin-0123456789abcdef0123456789",
  agent: "tok-agent-docs-bot-0123456789abcdef",
};

export function docsDirectory(): ApproverDirectory {
  const loaded = loadApproverDirectory({
    approvers: {
      alice: { token_sha256: hashToken(TOKENS.alice), groups: ["docs-leads"] },
      bob: { token_sha256: hashToken(TOKENS.bob), groups: ["docs-leads", "security-leads"] },
      "mallory-not-a-lead": { token_sha256: hashToken(TOKENS.mallory), groups: ["marketing"] },
    },
    admin: { token_sha256: hashToken(TOKENS.admin) },
    agents: { "docs-bot": { token_sha256: hashToken(TOKENS.agent) } },
  });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join("; "));
  return loaded.directory;
}

export interface Deployment {
  guard: Guard;
  service: ApprovalService;
  sink: MemoryAuditSink;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** A guard whose approver is the service, and the service's routes on a real HTTP server. */
export async function deploy(
  options: { service?: Partial<ApprovalServiceOptions>; guard?: Partial<GuardOptions>; policy?: string } = {},
): Promise<Deployment> {
  const sink = new MemoryAuditSink();
  const audit = new AuditLog(sink);
  let service!: ApprovalService;
  const guard = createGuard(compilePolicy(options.policy ?? DOCS_POLICY), {
    audit,
    approver: (req, ctx) => service.approver(req, ctx),
    ...options.guard,
  });
  const server = createServer((req, res) => {
    service.handle(req, res).then(
      (handled) => {
        if (!handled) {
          res.writeHead(404, { "content-type": "text/plain" });
          res.end("not found");
        }
      },
      (e: unknown) => {
        res.writeHead(500);
        res.end(String(e));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service = createApprovalService({ directory: docsDirectory(), audit, guard, publicUrl: url, onError: () => {}, ...options.service });
  return {
    guard,
    service,
    sink,
    server,
    url,
    async close() {
      await service.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls until `check` holds (the service is reached over real sockets, so things take a few ticks). */
export async function until<T>(check: () => T | undefined | false, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function api(url: string, token: string | undefined, path: string, body?: unknown): Promise<Response> {
  return fetch(url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}
