// The approver directory: identities with token hashes and groups, every config mistake reported with
// where it is, and a presented token recognised only by its SHA-256.
import { describe, expect, it } from "vitest";
import { bearerToken, hashToken, loadApproverDirectory } from "../src/approval/index.js";
import { AuditLog, MemoryAuditSink, createGuard } from "../src/index.js";
import { DOCS_POLICY, compilePolicy } from "./approval-fixtures.js";

describe("approver directory", () => {
  it("recognises approvers, the admin and agents by the hash of their token only", () => {
    const loaded = loadApproverDirectory({
      approvers: { alice: { token_sha256: hashToken("a-token"), groups: ["docs-leads"] } },
      admin: { token_sha256: hashToken("admin-token").toUpperCase() },
      agents: { "docs-bot": { token_sha256: hashToken("agent-token") } },
    });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const dir = loaded.directory;
    expect(dir.authenticate("a-token")).toEqual({ kind: "approver", approver: { name: "alice", groups: ["docs-leads"] } });
    expect(dir.authenticate("admin-token")).toEqual({ kind: "admin" });
    expect(dir.authenticate("agent-token")).toEqual({ kind: "agent", agent: "docs-bot" });
    expect(dir.authenticate(hashToken("a-token"))).toBeUndefined(); // the hash itself is not a credential
    expect(dir.authenticate("")).toBeUndefined();
    expect(dir.authenticate(undefined)).toBeUndefined();
    expect(dir.approversFor(["docs-leads", "x"]).map((a) => a.name)).toEqual(["alice"]);
    expect(dir.approversFor(["x"])).toEqual([]);
  });

  it("reports every mistake with its place and a hint", () => {
    const loaded = loadApproverDirectory({
      approvers: {
        alice: { token_sha256: "secret-token-pasted-by-mistake", groups: ["docs-leads"] },
        bob: { token_sha256: hashToken("b"), groups: [] },
        carol: { token_sha256: hashToken("c"), groups: ["ops"] },
      },
      admin: { token_sha256: hashToken("c") },
    });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.errors.map((e) => e.path)).toEqual(["approvers.alice.token_sha256", "approvers.bob.groups", "admin.token_sha256"]);
    expect(loaded.errors[0]!.hint).toMatch(/charter token/);
    expect(loaded.errors[2]!.message).toMatch(/already used/);
  });

  it("reads bearer tokens from Authorization headers", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe("the guard checks what an approval was given for", () => {
  it("refuses an approval bound to other arguments than the call's", async () => {
    const sink = new MemoryAuditSink();
    const guard = createGuard(compilePolicy(DOCS_POLICY), {
      audit: new AuditLog(sink),
      approver: async () => ({ approved: true, approver: "alice", status: "approved", argsDigest: "sha256:" + "1".repeat(64) }),
    });
    const d = await guard.authorize({ agent: "docs-bot", session: "s", tool: "publishPage", args: { slug: "a", contact: "b" } });
    expect(d).toMatchObject({ outcome: "deny", approval: "error", reason: expect.stringMatching(/other arguments/) });
  });

  it("hands the approver the id, session, groups, deadline, digest, audited arguments, why and reversal", async () => {
    let seen: Record<string, unknown> | undefined;
    const guard = createGuard(compilePolicy(DOCS_POLICY), {
      audit: null,
      clock: () => 1_000_000,
      approver: async (req) => {
        seen = { ...req };
        return { approved: false, approver: "alice" };
      },
    });
    await guard.authorize({
      agent: "docs-bot",
      session: "s9",
      tool: "publishPage",
      args: { slug: "a", contact: "jo@example.com" },
      reasoning: "because",
    });
    expect(seen).toMatchObject({
      id: expect.stringMatching(/^apr_[A-Za-z0-9_-]{22}$/),
      session: "s9",
      groups: ["docs-leads"],
      requestedAt: 1_000_000,
      expiresAt: 1_120_000,
      argsDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      shownArgs: { slug: "a", contact: expect.stringMatching(/^\[email:hmac-sha256:/) },
      why: "publishPage is tier high and needs approval by docs-leads",
      reversal: "playbooks/unpublish-page.md",
      reasoning: "because",
    });
  });

  it("without an approver a call that needs one ends as no_approver", async () => {
    const sink = new MemoryAuditSink();
    const guard = createGuard(compilePolicy(DOCS_POLICY), { audit: new AuditLog(sink) });
    expect(
      await guard.authorize({ agent: "docs-bot", session: "s", tool: "publishPage", args: { slug: "a", contact: "b" } }),
    ).toMatchObject({ outcome: "deny", approval: "no_approver" });
    expect(sink.records.at(-1)).toMatchObject({ event: "approval", outcome: "no_approver" });
  });
});
