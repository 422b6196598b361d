// Who may decide, and who is asking. Identities come from the deployment's config (DEPLOYMENT.md §1):
// approvers with their groups, the admin, and the agents; each holds only the SHA-256 hex of its bearer
// token, so the config and this process's memory hold no secret a reader could replay. A presented token
// is hashed and looked up; the stored hashes are compared in constant time.
import { createHash, timingSafeEqual } from "node:crypto";
import type { Decider } from "./pending-approvals.js";

export interface ApproverDirectoryConfig {
  approvers?: Record<string, { token_sha256: string; groups: string[] }>;
  admin?: { token_sha256: string };
  /** The agents of `charter serve`, for the agent-authenticated endpoint the stdio gateway uses. */
  agents?: Record<string, { token_sha256: string | string[] }>;
}

export type Principal = { kind: "approver"; approver: Decider } | { kind: "admin" } | { kind: "agent"; agent: string };

export interface ApproverDirectory {
  /** Who presents `token`, or undefined for a missing or unknown token. */
  authenticate(token: string | undefined): Principal | undefined;
  /** The approvers who may decide a request for these groups. */
  approversFor(groups: readonly string[]): Decider[];
  readonly approvers: readonly Decider[];
}

export interface DirectoryError {
  /** Where in the config: `approvers.alice.token_sha256`. */
  path: string;
  message: string;
  hint?: string;
}

export type DirectoryLoad = { ok: true; directory: ApproverDirectory } | { ok: false; errors: DirectoryError[] };

/** The SHA-256 hex of a bearer token, as the config stores it (`charter token` prints both). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Checks the config's identities and builds the directory; every mistake is reported, not just the first. */
export function loadApproverDirectory(config: ApproverDirectoryConfig): DirectoryLoad {
  const errors: DirectoryError[] = [];
  const byHash = new Map<string, Principal>();
  const approvers: Decider[] = [];
  const add = (path: string, hash: unknown, principal: Principal): void => {
    if (typeof hash !== "string" || !HEX64.test(hash.toLowerCase())) {
      errors.push({
        path,
        message: "token_sha256 must be 64 hex digits (the SHA-256 of the token, never the token)",
        hint: "run `charter token` and paste the hash it prints",
      });
      return;
    }
    const h = hash.toLowerCase();
    if (byHash.has(h)) {
      errors.push({
        path,
        message: "this token hash is already used by another identity",
        hint: "give every approver, agent and the admin a token of their own",
      });
      return;
    }
    byHash.set(h, principal);
  };
  for (const [name, a] of Object.entries(config.approvers ?? {})) {
    const groups = a?.groups;
    if (!Array.isArray(groups) || groups.length === 0 || !groups.every((g) => typeof g === "string" && g !== "")) {
      errors.push({
        path: `approvers.${name}.groups`,
        message: "an approver needs a non-empty list of groups",
        hint: 'e.g. groups: ["procurement-leads"] (the names a tool\'s approvers [...] lists)',
      });
      continue;
    }
    const approver: Decider = Object.freeze({ name, groups: Object.freeze([...groups]) });
    approvers.push(approver);
    add(`approvers.${name}.token_sha256`, a.token_sha256, { kind: "approver", approver });
  }
  if (config.admin !== undefined) add("admin.token_sha256", config.admin?.token_sha256, { kind: "admin" });
  for (const [name, a] of Object.entries(config.agents ?? {})) {
    const hashes = Array.isArray(a?.token_sha256) ? a.token_sha256 : [a?.token_sha256];
    hashes.forEach((h, i) => {
      add(`agents.${name}.token_sha256${hashes.length > 1 ? `[${i}]` : ""}`, h, { kind: "agent", agent: name });
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  const hashes = [...byHash.keys()].map((h) => Buffer.from(h, "hex"));
  return {
    ok: true,
    directory: {
      approvers,
      authenticate(token) {
        if (token === undefined || token === "") return undefined;
        const presented = createHash("sha256").update(token, "utf8").digest();
        // Compare against every stored hash, so the time taken says nothing about which one matched.
        let found: Buffer | undefined;
        for (const h of hashes) if (timingSafeEqual(h, presented)) found = h;
        return found === undefined ? undefined : byHash.get(found.toString("hex"));
      },
      approversFor(groups) {
        return approvers.filter((a) => a.groups.some((g) => groups.includes(g)));
      },
    },
  };
}

/** The bearer token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}
