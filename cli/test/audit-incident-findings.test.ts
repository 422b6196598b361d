// Findings of issue 12's acceptance run, through the real `charter` binary on the real session's log
// (runtime/test/fixtures/incident-session): a policy source passed as --bundle, filter values no record
// has, audit query without a checkpoint key, and verify after the writer was killed before it signed.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { generateKeys } from "@charter/language";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";

const fixtures = join(ROOT, "runtime/test/fixtures/incident-session");
const log = join(fixtures, "audit.jsonl");
const policy = join(fixtures, "clerk.charter");
const pub = join(fixtures, "checkpoint.pub");
const WINDOW = ["--since", "2026-12-02T06:00:00Z", "--until", "2026-12-02T07:00:00Z"];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "charter-findings-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("charter incident report --bundle", () => {
  it("a .charter policy is compiled as charter build would: same digest, same playbooks", () => {
    const bundleFile = join(dir, "clerk.json");
    expect(charter(["build", policy, "-o", bundleFile]).status).toBe(0);
    const built = JSON.parse(readFileSync(bundleFile, "utf8")) as { digest: string };
    const r = charter([
      "incident",
      "report",
      "--audit",
      log,
      "--agent",
      "clerk",
      ...WINDOW,
      "--bundle",
      policy,
      "--format",
      "json",
      "--checkpoint-pub",
      pub,
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.bundleGiven.digest).toBe(built.digest);
    expect(rep.highTier.map((h: { reversal: string }) => h.reversal)).toEqual(["playbooks/restore-file-from-snapshot.md"]);
  });

  it("policy text under another name: one line naming the file, with the hint, never the text or ENAMETOOLONG", () => {
    const source = join(dir, "load.txt");
    writeFileSync(source, readFileSync(policy, "utf8"));
    const r = charter(["incident", "report", "--audit", log, "--agent", "clerk", "--since", "1h", "--bundle", source]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(`--bundle ${source} is not a compiled bundle (a bundle is JSON)`);
    expect(r.stderr).toContain("charter build POLICY.charter -o bundle.json");
    expect(r.stderr).not.toContain("ENAMETOOLONG");
    expect(r.stderr).not.toContain("records-clerk");
  });

  it("a policy with errors is not used: its diagnostics, then exit 2", () => {
    const broken = join(dir, "broken.charter");
    writeFileSync(broken, readFileSync(policy, "utf8").replace("tier low", "tier lowest"));
    const r = charter(["incident", "report", "--audit", log, "--agent", "clerk", "--since", "1h", "--bundle", broken]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error\[CH\d+\]/);
    expect(r.stderr).toContain(`--bundle ${broken}: the policy has errors (above)`);
  });

  it("another policy's bundle is said not to be the one that decided", () => {
    const other = join(dir, "other.charter");
    writeFileSync(other, readFileSync(policy, "utf8").replace("rate 120 per 1m", "rate 60 per 1m"));
    const r = charter(["incident", "report", "--audit", log, "--agent", "clerk", ...WINDOW, "--bundle", other]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^warning: the bundle given \(sha256:[0-9a-f]+\) is not one that decided in this window/);
  });
});

describe("charter incident report --agent", () => {
  it("an agent with no record in the window: a warning on stderr naming the agents present", () => {
    const r = charter(["incident", "report", "--audit", log, "--agent", "nobody", ...WINDOW]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      "warning: no record of agent 'nobody' between 2026-12-02T06:00:00.000Z and 2026-12-02T07:00:00.000Z; agents with records in this window: clerk (36 records)",
    );
    expect(r.stdout).toContain("> **Warning:** no record of agent 'nobody'");
    const ok = charter(["incident", "report", "--audit", log, "--agent", "clerk", ...WINDOW, "--checkpoint-pub", pub]);
    expect(ok.stderr).toBe("");
  });
});

describe("charter audit query", () => {
  it("an outcome no record has: a warning listing the outcomes present", () => {
    const r = charter(["audit", "query", log, "--outcome", "maybe"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("0 records\n");
    expect(r.stderr).toContain(
      "warning: no record in the log has outcome 'maybe' (outcomes present: allow, approval_required, approved, blocked, deny, forbidden, isolated, ok, pending, redacted, refused, rejected, signed; also accepted: approval, deny)",
    );
    const agent = charter(["audit", "query", log, "--agent", "nobody", "--format", "json"]);
    expect(JSON.parse(agent.stdout).count).toBe(0);
    expect(agent.stderr).toContain("warning: no record in the log has agent 'nobody' (agents present: charter-runtime, clerk)");
    // values that exist warn about nothing, even when their combination matches no record
    const none = charter(["audit", "query", log, "--outcome", "approved", "--tool", "list_directory", "--checkpoint-pub", pub]);
    expect(none.stdout).toBe("0 records\n");
    expect(none.stderr).toBe("");
  });

  it("--outcome deny lists the call refused after approval once: the gateway's verdict", () => {
    const r = JSON.parse(charter(["audit", "query", log, "--outcome", "deny", "--tool", "write_file", "--format", "json"]).stdout);
    expect(r.records.map((x: { seq: number; trace: { rule: string }[] }) => [x.seq, x.trace[0]!.rule])).toEqual([[21, "approval"]]);
  });

  it("without --checkpoint-pub prints verify's note that truncation and rewrites go unseen", () => {
    const r = charter(["audit", "query", log, "--agent", "clerk", "--format", "json"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      "note: without --checkpoint-pub, truncation (records cut from the end, an emptied file) and a rewrite with a recomputed chain cannot be detected\n",
    );
    expect(charter(["audit", "query", log, "--agent", "clerk", "--checkpoint-pub", pub]).stderr).toBe("");
  });

  it("incident report without --checkpoint-pub says the same, on stderr and in the report", () => {
    const NOTE =
      "without --checkpoint-pub, truncation (records cut from the end, an emptied file) and a rewrite with a recomputed chain cannot be detected";
    const md = charter(["incident", "report", "--audit", log, "--agent", "clerk", ...WINDOW]);
    expect(md.status).toBe(0);
    expect(md.stderr).toBe(`note: ${NOTE}\n`);
    expect(md.stdout).toContain(`> **Note:** ${NOTE}`);
    const json = JSON.parse(charter(["incident", "report", "--audit", log, "--agent", "clerk", ...WINDOW, "--format", "json"]).stdout);
    expect(json.notes).toEqual([NOTE]);
    expect(charter(["incident", "report", "--audit", log, "--agent", "clerk", ...WINDOW, "--format", "html"]).stdout).toContain(
      `Note: ${NOTE}`,
    );
    const keyed = charter([
      "incident",
      "report",
      "--audit",
      log,
      "--agent",
      "clerk",
      ...WINDOW,
      "--checkpoint-pub",
      pub,
      "--format",
      "json",
    ]);
    expect(JSON.parse(keyed.stdout).notes).toEqual([]);
  });
});

describe("charter audit verify after SIGKILL before the first checkpoint", () => {
  it("names a killed writer among the causes", async () => {
    const keys = generateKeys();
    const key = join(dir, "cp.key");
    const keyPub = join(dir, "cp.key.pub");
    writeFileSync(key, keys.privatePem, { mode: 0o600 });
    writeFileSync(keyPub, keys.publicKey + "\n");
    const killedLog = join(dir, "killed.jsonl");
    const writer = join(dir, "writer.mjs");
    const dist = (p: string): string => pathToFileURL(join(ROOT, p)).href;
    writeFileSync(
      writer,
      `import { checkText } from ${JSON.stringify(dist("language/dist/index.js"))};
import { createGuard, loadCheckpointKey, openFileAuditLog } from ${JSON.stringify(dist("runtime/dist/index.js"))};
import { readFileSync } from "node:fs";
const bundle = checkText(readFileSync(${JSON.stringify(join(ROOT, "runtime/test/fixtures/audit-policy.charter"))}, "utf8")).bundle;
const signer = loadCheckpointKey(${JSON.stringify(key)});
const opened = openFileAuditLog(${JSON.stringify(killedLog)}, { checkpointSigner: signer.key });
const guard = createGuard(bundle, { audit: opened.log });
for (let i = 0; i < 3; i++) await guard.authorize({ agent: "a", session: "s", tool: "work", args: { i } });
process.stdout.write("acted\\n");
setInterval(() => undefined, 1000);
`,
    );
    const child = spawn(process.execPath, [writer], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => String(d).includes("acted") && resolve());
      child.on("exit", () => reject(new Error(`writer exited: ${err}`)));
    });
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGKILL");
    await exited;
    expect(readFileSync(killedLog, "utf8").trimEnd().split("\n")).toHaveLength(3);
    const r = charter(["audit", "verify", killedLog, "--checkpoint-pub", keyPub]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "no signed checkpoint in the log: its writer was killed (SIGKILL, power loss) before signing its first checkpoint",
    );
    expect(r.stderr).toContain("emptied and refilled, cut before its first checkpoint, or rewritten without the key");
  });
});
