// Review attestations: `charter review sign` writes a review that `charter review verify` accepts;
// any change of meaning (CH8002), a forged signature or an unknown reviewer (CH8004), an expired
// cadence (CH8003) and a missing review (CH8001) each fail with their code. Also the pure text edit.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { charter as runCharter } from "../../test/support/cli.js";
import { applyEdits, checkText, reviewEdits } from "../src/index.js";

const ROOT = join(import.meta.dirname, "../..");
const BASE = readFileSync(join(ROOT, "test/fixtures/diff/base.charter"), "utf8");

const charter = (args: string[], today = "2026-11-20") => runCharter(args, { env: { CHARTER_TODAY: today } });
const codes = (stderr: string) => [...stderr.matchAll(/^error\[(CH\d{4})\]/gm)].map((m) => m[1]);

let dir: string;
let reviewers: string;
const policyFile = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-review-"));
  for (const k of ["alice", "mallory"]) expect(charter(["keygen", "--out", join(dir, k)]).status).toBe(0);
  reviewers = join(dir, "reviewers");
  writeFileSync(reviewers, `# allowed reviewers\nsecurity/alice ${readFileSync(join(dir, "alice.pub"), "utf8").trim()}\n`);
});

describe("charter review sign / verify", () => {
  it("signs a policy that verifies, and keeps everything else as written", () => {
    const file = policyFile("signed.charter", BASE);
    const signed = charter(["review", "sign", file, "--by", "security/alice", "--key", join(dir, "alice")]);
    expect(signed.status).toBe(0);
    const text = readFileSync(file, "utf8");
    const digest = charter(["digest", file]).stdout.trim();
    expect(text).toContain(
      `  review {\n    by "security/alice"\n    on 2026-11-20\n    digest "${digest}"\n    cadence 90d\n    signature "ed25519:`,
    );
    expect(text.replace(/ {2}review \{[\s\S]*?\n {2}\}\n/, "")).toBe(BASE);
    const ok = charter(["review", "verify", file, "--reviewers", reviewers], "2026-11-25");
    expect([ok.status, ok.stderr]).toEqual([0, ""]);
    expect(ok.stdout).toMatch(/^ok: policy 'shop' reviewed by security\/alice on 2026-11-20/);
  });

  it("re-signing updates the values in place, keeping the block's comments and cadence", () => {
    const withComments = BASE.replace(
      '  owner "shop-eng"\n',
      '  owner "shop-eng"\n  review {\n    // quarterly\n    by "someone/else"\n    on 2020-01-01\n    cadence 30d\n  }\n',
    );
    const file = policyFile("resign.charter", withComments);
    expect(charter(["review", "sign", file, "--by", "security/alice", "--key", join(dir, "alice")]).status).toBe(0);
    const text = readFileSync(file, "utf8");
    expect(text).toMatch(
      / {2}review \{\n {4}\/\/ quarterly\n {4}by "security\/alice"\n {4}on 2026-11-20\n {4}cadence 30d\n {4}digest "sha256:[0-9a-f]{64}"\n {4}signature "ed25519:[A-Za-z0-9+/=]+"\n {2}\}\n/,
    );
    expect(charter(["review", "verify", file, "--reviewers", reviewers], "2026-11-25").status).toBe(0);
    // its 30d cadence is kept, so a month later the review has expired
    const late = charter(["review", "verify", file, "--reviewers", reviewers], "2026-12-25");
    expect([late.status, codes(late.stderr)]).toEqual([1, ["CH8003"]]);
  });

  it("fails with CH8002 after any change of meaning, and not after a comment", () => {
    const file = policyFile("changed.charter", BASE);
    charter(["review", "sign", file, "--by", "security/alice", "--key", join(dir, "alice")]);
    const signed = readFileSync(file, "utf8");
    writeFileSync(file, "// reviewed, see PR 12\n" + signed);
    expect(charter(["review", "verify", file, "--reviewers", reviewers]).status).toBe(0);
    writeFileSync(file, signed.replace("rate 5 per 1d", "rate 5 per 1h"));
    const r = charter(["review", "verify", file, "--reviewers", reviewers]);
    expect([r.status, codes(r.stderr)]).toEqual([1, ["CH8002"]]);
  });

  it("fails with CH8004 when the signature is forged", () => {
    const file = policyFile("forged.charter", BASE);
    charter(["review", "sign", file, "--by", "security/alice", "--key", join(dir, "mallory")]);
    const r = charter(["review", "verify", file, "--reviewers", reviewers]);
    expect([r.status, codes(r.stderr)]).toEqual([1, ["CH8004"]]);
    expect(r.stderr).toContain("the signature of 'security/alice' does not verify");
    // a signature copied from another date does not verify either
    const signed = policyFile("alice.charter", BASE);
    charter(["review", "sign", signed, "--by", "security/alice", "--key", join(dir, "alice")]);
    writeFileSync(signed, readFileSync(signed, "utf8").replace("on 2026-11-20", "on 2026-11-24"));
    expect(codes(charter(["review", "verify", signed, "--reviewers", reviewers]).stderr)).toEqual(["CH8004"]);
  });

  it("fails with CH8004 when the reviewer is not in the reviewers file", () => {
    const file = policyFile("unknown.charter", BASE);
    expect(charter(["review", "sign", file, "--by", "security/mallory", "--key", join(dir, "mallory")]).status).toBe(0);
    const r = charter(["review", "verify", file, "--reviewers", reviewers]);
    expect([r.status, codes(r.stderr)]).toEqual([1, ["CH8004"]]);
    expect(r.stderr).toContain("'security/mallory' is not an allowed reviewer");
  });

  it("fails with CH8003 when the review is older than its cadence", () => {
    const file = policyFile("expired.charter", BASE);
    charter(["review", "sign", file, "--by", "security/alice", "--key", join(dir, "alice")], "2026-01-02");
    expect(charter(["review", "verify", file, "--reviewers", reviewers], "2026-04-01").status).toBe(0);
    const r = charter(["review", "verify", file, "--reviewers", reviewers], "2026-04-03");
    expect([r.status, codes(r.stderr)]).toEqual([1, ["CH8003"]]);
  });

  it("fails with CH8001 when there is no review", () => {
    const r = charter(["review", "verify", policyFile("none.charter", BASE), "--reviewers", reviewers]);
    expect([r.status, codes(r.stderr)]).toEqual([1, ["CH8001"]]);
  });

  it("refuses to sign a policy with errors, and usage errors exit 2", () => {
    const broken = BASE.replace("  deny deleteAccount, exportData\n", "  allow all except deleteAccount\n");
    const file = policyFile("broken.charter", broken);
    const r = charter(["review", "sign", file, "--by", "security/alice", "--key", join(dir, "alice")]);
    expect([r.status, codes(r.stderr)]).toEqual([1, ["CH2002"]]);
    expect(readFileSync(file, "utf8")).toBe(broken);
    expect(charter(["review", "sign", file, "--by", "security/alice", "--key", join(dir, "alice.pub")]).status).toBe(2);
    expect(charter(["review", "verify", file, "--reviewers", join(dir, "missing")]).status).toBe(2);
    expect(charter(["review", "sign", file, "--key", join(dir, "alice")]).status).toBe(2);
  });
});

describe("reviewEdits", () => {
  const record = { by: "security/alice", on: "2026-11-20", digest: "sha256:" + "ab".repeat(32), signature: "ed25519:sig" };

  it("inserts a block into a one-line policy header on one line", () => {
    const text = 'policy p { owner "o" }\n';
    const out = applyEdits(text, reviewEdits(text, checkText(text).file, record)!);
    expect(out).toBe(
      `policy p { owner "o" review { by "security/alice" on 2026-11-20 digest "${record.digest}" cadence 90d signature "ed25519:sig" } }\n`,
    );
    expect(checkText(out).bundle.policy.review).toEqual({
      by: "security/alice",
      on: "2026-11-20",
      digest: record.digest,
      cadenceMs: 90 * 86_400_000,
      signature: "ed25519:sig",
    });
  });

  it("has nothing to edit without a policy header", () => {
    expect(reviewEdits("agent a { kind conversational }", checkText("agent a { kind conversational }").file, record)).toBeUndefined();
  });
});
