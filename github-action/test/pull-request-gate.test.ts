// The GitHub Action end to end, run as GitHub runs it: `node github-action/dist/index.js` in a real
// git repository with a base and a head commit, inputs as INPUT_* variables, an event payload file,
// and GITHUB_STEP_SUMMARY / GITHUB_OUTPUT files. A local HTTP server stands in for GitHub's REST API.

import { execFileSync, spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEdits, checkText, generateKeys, loadPrivateKey, reviewEdits, reviewPayload, signBytes } from "@charter/language";
import { charter } from "../../test/support/cli.js";

const ROOT = join(import.meta.dirname, "../..");
const ACTION = join(ROOT, "github-action/dist/index.js");
const BASE_POLICY = readFileSync(join(ROOT, "test/fixtures/diff/base.charter"), "utf8");
const TODAY = "2026-11-25";
const alice = generateKeys();
const mallory = generateKeys();
const tmp: string[] = [];

/** Writes a signed review into the policy, as `charter review sign` does. */
function sign(text: string, by: string, privatePem: string, on = "2026-11-20"): string {
  const r = checkText(text);
  const digest = r.bundle.digest;
  const signature = signBytes(reviewPayload({ policy: r.bundle.policy.name, digest, by, on }), loadPrivateKey(privatePem)!);
  return applyEdits(text, reviewEdits(text, r.file, { by, on, digest, signature })!);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

interface Repo {
  dir: string;
  base: string;
  head: string;
}

/** A file's new content: text, `null` to delete it, or a symbolic link to a relative target. */
type Content = string | null | { link: string };

/** A repository whose first commit holds `base` files and whose second holds `head` files. */
function repo(base: Record<string, Content>, head: Record<string, Content>): Repo {
  const dir = mkdtempSync(join(tmpdir(), "charter-action-"));
  tmp.push(dir);
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "core.ignorecase", "false");
  const write = (files: Record<string, Content>) => {
    for (const [path, text] of Object.entries(files)) {
      if (text === null) rmSync(join(dir, path), { recursive: true });
      else {
        mkdirSync(join(dir, path, ".."), { recursive: true });
        if (typeof text === "string") writeFileSync(join(dir, path), text);
        else {
          rmSync(join(dir, path), { force: true });
          symlinkSync(text.link, join(dir, path));
        }
      }
    }
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "--allow-empty", "-m", "change");
    return git(dir, "rev-parse", "HEAD");
  };
  const b = write(base);
  const h = write(head);
  return { dir, base: b, head: h };
}

interface Run {
  code: number;
  stdout: string;
  summary: string;
  outputs: Record<string, string>;
  annotations: { level: string; props: Record<string, string>; message: string }[];
  sarif?: any;
}

/** Runs the bundled Action the way the runner does and collects what it left behind. */
async function runAction(
  r: Repo,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  on?: { name: string; payload: unknown },
): Promise<Run> {
  const work = mkdtempSync(join(tmpdir(), "charter-runner-"));
  tmp.push(work);
  const event = join(work, "event.json");
  const pullRequest = {
    action: "synchronize",
    number: 7,
    pull_request: { number: 7, base: { sha: r.base, ref: "main" }, head: { sha: r.head, ref: "feature" } },
    repository: { name: "shop", owner: { login: "acme" } },
  };
  writeFileSync(event, JSON.stringify(on ? on.payload : pullRequest));
  const summaryFile = join(work, "summary.md");
  const outputFile = join(work, "output.txt");
  writeFileSync(summaryFile, "");
  writeFileSync(outputFile, "");
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_|RUNNER_)|proxy$/i.test(k)));
  const child = spawn(process.execPath, [ACTION], {
    cwd: r.dir,
    env: {
      ...clean,
      CHARTER_TODAY: TODAY,
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: on ? on.name : "pull_request",
      GITHUB_EVENT_PATH: event,
      GITHUB_REPOSITORY: "acme/shop",
      GITHUB_SHA: r.head,
      GITHUB_WORKSPACE: r.dir,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
      GITHUB_API_URL: "http://127.0.0.1:9",
      RUNNER_TEMP: work,
      NO_PROXY: "127.0.0.1,localhost",
      ...inputEnv,
      ...env,
    },
  });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stdout += d));
  const code = await new Promise<number>((res) => child.on("close", (c) => res(c ?? -1)));
  const annotations = [...stdout.matchAll(/^::(error|warning|notice) ([^:]*)::(.*)$/gm)].map((m) => ({
    level: m[1]!,
    props: Object.fromEntries(m[2]!.split(",").map((kv) => kv.split("=") as [string, string])),
    message: m[3]!.replace(/%0A/g, "\n").replace(/%25/g, "%"),
  }));
  const sarifPath = inputs.sarif ? join(r.dir, inputs.sarif) : undefined;
  return {
    code,
    stdout,
    summary: readFileSync(summaryFile, "utf8"),
    outputs: parseOutputs(readFileSync(outputFile, "utf8")),
    annotations,
    ...(sarifPath && existsSync(sarifPath) && statSync(sarifPath).isFile() ? { sarif: JSON.parse(readFileSync(sarifPath, "utf8")) } : {}),
  };
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<DELIM\nvalue\nDELIM`. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^(.+?)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

const POLICY = "policies/shop.charter";
const REVIEWERS = ".charter/reviewers";
const reviewersFile = (...lines: string[]) => lines.join("\n") + "\n";
const signedBase = sign(BASE_POLICY, "security/alice", alice.privatePem);
const escalated = signedBase.replace("rate 5 per 1d", "rate 5 per 1h");
/** The escalation as a reviewer signs it: at a version above the base's, so it cannot be an old review */
const escalatedV2 = escalated.replace("version 1", "version 2");

afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

describe("the Action, run as GitHub runs it", () => {
  it("passes a clean, reviewed change quietly and publishes the compiled bundle", async () => {
    const r = repo(
      { [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) },
      { [POLICY]: sign(escalatedV2, "security/alice", alice.privatePem, "2026-11-24") },
    );
    const run = await runAction(r, { sarif: "charter.sarif" });
    expect(run.annotations).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.errors).toBe("0");
    expect(run.outputs.escalations).toBe("1");
    const bundles = JSON.parse(run.outputs.bundles!) as string[];
    expect(bundles).toHaveLength(1);
    const bundle = JSON.parse(readFileSync(bundles[0]!, "utf8"));
    expect(bundle.agents.assistant.tools.refund.rate).toEqual({ count: 5, windowMs: 3_600_000 });
    expect(run.summary).toContain("| `policies/shop.charter` | ✅ ok |");
    expect(run.summary).toContain("✅ reviewed by security/alice on 2026-11-24, signature verified");
    expect(run.summary).toContain(
      "| 🔺 escalation | `assistant` | `refund` | rate raised from 5 per 1d to 5 per 1h (24× the calls per unit of time) |",
    );
    expect(run.sarif.version).toBe("2.1.0");
    expect(run.sarif.runs[0].results).toEqual([]);
  });

  it("fails an exclusion-based grant with an annotation at its exact range", async () => {
    const head = signedBase.replace("  deny deleteAccount, exportData\n", "  allow all except deleteAccount, exportData\n");
    const r = repo({ [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) }, { [POLICY]: head });
    const run = await runAction(r, { sarif: "out/charter.sarif" });
    expect(run.code).toBe(1);
    const line = head.split("\n").findIndex((l) => l.includes("allow all except")) + 1;
    const grant = run.annotations.find((a) => a.props.title === "CH2002");
    expect(grant).toEqual({
      level: "error",
      props: { title: "CH2002", file: POLICY, line: String(line), endLine: String(line), col: "3", endColumn: "45" },
      message: expect.stringMatching(
        /^exclusion-based grant `allow all except deleteAccount, exportData`: agent 'assistant' would be allowed everything not listed/,
      ),
    });
    expect(Number(run.outputs.errors)).toBe(run.annotations.filter((a) => a.level === "error").length);
    expect(run.summary).toContain(`\`${POLICY}:${line}:3\` **CH2002**`);
    const result = run.sarif.runs[0].results.find((x: any) => x.ruleId === "CH2002");
    expect(result.level).toBe("error");
    expect(result.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: POLICY, uriBaseId: "%SRCROOT%" },
      region: { startLine: line, startColumn: 3, endLine: line, endColumn: 45 },
    });
    expect(run.outputs.bundles).toBe("[]");
  });

  it("fails an unreviewed escalation, and shows what escalated", async () => {
    const r = repo({ [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) }, { [POLICY]: escalated });
    const run = await runAction(r, {});
    expect(run.code).toBe(1);
    expect(run.annotations.map((a) => [a.level, a.props.title, a.props.file, a.props.line])).toEqual([["error", "CH8002", POLICY, "8"]]);
    expect(run.annotations[0]!.message).toMatch(/^policy changed since its review: reviewed sha256:/);
    expect(run.outputs).toMatchObject({ errors: "1", escalations: "1" });
    expect(run.summary).toContain("| `policies/shop.charter` | ❌ 1 error |");
    expect(run.summary).toContain("❌ not reviewed (CH8002)");
    expect(run.summary).toContain("1 escalation, 0 reductions, 0 neutral");
    expect(run.summary).toContain("| 🔺 escalation | `assistant` | `refund` | rate raised from 5 per 1d to 5 per 1h");
  });

  it("still fails an unreviewed escalation when review is not required, unless told otherwise", async () => {
    const r = repo({ [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) }, { [POLICY]: escalated });
    const gated = await runAction(r, { "require-review": "false" });
    expect(gated.code).toBe(1);
    expect(gated.annotations.map((a) => [a.level, a.props.title])).toEqual([["error", "CH8002"]]);
    const ungated = await runAction(r, { "require-review": "false", "fail-on-escalation-without-review": "false" });
    expect(ungated.code).toBe(0);
    expect(ungated.annotations.map((a) => [a.level, a.props.title])).toEqual([["warning", "CH8002"]]);
    expect(ungated.outputs).toMatchObject({ errors: "0", escalations: "1" });
  });

  it("lets a pure reduction through when only escalations need review", async () => {
    const reduced = signedBase.replace("rate 100 per 1h", "rate 50 per 1h").replace('["open", "shipped"]', '["open"]');
    const r = repo({ [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) }, { [POLICY]: reduced });
    const run = await runAction(r, { "require-review": "false" });
    expect(run.code).toBe(0);
    expect(run.annotations.map((a) => [a.level, a.props.title])).toEqual([["warning", "CH8002"]]);
    expect(run.outputs).toMatchObject({ errors: "0", escalations: "0" });
    expect(run.summary).toContain("0 escalations, 2 reductions, 0 neutral");
    expect(run.summary).toContain(
      "| 🔻 reduction | `assistant` | `readOrders` | rate lowered from 100 per 1h to 50 per 1h (0.5× the calls per unit of time) |",
    );
    expect(run.summary).toContain(
      "| 🔻 reduction | `assistant` | `readOrders` | argument 'status': values narrowed: \"shipped\" no longer allowed |",
    );
    // the same reduction still needs a review when the workflow requires one for every change
    const strict = await runAction(r, {});
    expect(strict.code).toBe(1);
  });

  it("reports a deleted policy as a reduction and a new one as escalations", async () => {
    const r = repo(
      { [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) },
      {
        [POLICY]: null,
        "policies/new.charter": sign(BASE_POLICY.replace("policy shop", "policy fresh"), "security/alice", alice.privatePem),
      },
    );
    const run = await runAction(r, { "require-review": "false" });
    expect(run.code).toBe(0);
    expect(run.summary).toContain("| `policies/shop.charter` | 🗑️ deleted |");
    expect(run.summary).toContain("| `policies/new.charter` (new) | ✅ ok |");
    expect(run.summary).toMatch(/#### `policies\/new.charter`: 9 escalations, 0 reductions, 2 neutral/);
    expect(run.summary).toMatch(/#### `policies\/shop.charter`: 0 escalations, 2 reductions, 2 neutral/);
    expect(run.summary).toContain("| 🔻 reduction | `runner` |  | agent removed (it had 1 tool) |");
  });

  describe("a pull request approved through the API", () => {
    let server: Server;
    let url = "";
    const seen: IncomingMessage[] = [];
    let reviews: unknown[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req);
        if (req.url?.startsWith("/repos/acme/shop/pulls/7/reviews")) {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(reviews));
        } else {
          res.writeHead(404, { "content-type": "application/json" });
          res.end(JSON.stringify({ message: "Not Found" }));
        }
      });
      await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
      const addr = server.address();
      url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    });
    afterAll(() => new Promise<void>((res) => server.close(() => res())));

    const setup = () =>
      repo(
        { [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`, `alice ${alice.publicKey}`) },
        { [POLICY]: escalated },
      );

    it("accepts an approving review of the head commit by a listed login instead of a signature", async () => {
      const r = setup();
      reviews = [
        { id: 1, user: { login: "mallory" }, state: "APPROVED", commit_id: r.head },
        { id: 2, user: { login: "Alice" }, state: "APPROVED", commit_id: r.head },
      ];
      seen.length = 0;
      const run = await runAction(r, { "github-token": "test-token" }, { GITHUB_API_URL: url });
      expect(run.code).toBe(0);
      expect(seen.map((q) => [q.method, q.url?.split("?")[0], q.headers.authorization])).toEqual([
        ["GET", "/repos/acme/shop/pulls/7/reviews", "token test-token"],
      ]);
      expect(run.annotations.map((a) => [a.level, a.props.title])).toEqual([["warning", "CH8002"]]);
      expect(run.summary).toContain("✅ approved on the pull request by @alice");
      expect(run.outputs).toMatchObject({ errors: "0", escalations: "1" });
    });

    it("does not accept an approval of an older commit, a withdrawn approval or an unlisted login", async () => {
      const r = setup();
      for (const set of [
        [{ id: 1, user: { login: "alice" }, state: "APPROVED", commit_id: r.base }],
        [
          { id: 1, user: { login: "alice" }, state: "APPROVED", commit_id: r.head },
          { id: 2, user: { login: "alice" }, state: "CHANGES_REQUESTED", commit_id: r.head },
        ],
        [{ id: 1, user: { login: "mallory" }, state: "APPROVED", commit_id: r.head }],
      ]) {
        reviews = set;
        const run = await runAction(r, { "github-token": "test-token" }, { GITHUB_API_URL: url });
        expect(run.code).toBe(1);
        expect(run.annotations.map((a) => [a.level, a.props.title])).toEqual([["error", "CH8002"]]);
        expect(run.summary).toContain("❌ not reviewed (CH8002)");
      }
    });

    it("does not let a pull request approve its own escalation by adding its author to the reviewers file", async () => {
      const listed = [`security/alice ${alice.publicKey}`, `alice ${alice.publicKey}`];
      const r = repo(
        { [POLICY]: signedBase, [REVIEWERS]: reviewersFile(...listed) },
        { [POLICY]: escalated, [REVIEWERS]: reviewersFile(...listed, `mallory ${mallory.publicKey}`) },
      );
      reviews = [{ id: 1, user: { login: "mallory" }, state: "APPROVED", commit_id: r.head }];
      const run = await runAction(r, { "github-token": "test-token" }, { GITHUB_API_URL: url });
      expect(run.code).toBe(1);
      expect(run.annotations.map((a) => [a.level, a.props.title, a.props.file, a.props.line])).toEqual([
        ["error", "CH8002", POLICY, "8"],
        ["error", "reviewers file changed", REVIEWERS, "3"],
      ]);
      expect(run.annotations[1]!.message).toBe(
        ".charter/reviewers changes who may approve policies: it adds 'mallory'\nhelp: reviewers are read from the base commit, so a change cannot name its own; a change to the list needs an approving review of the pull request's head commit by a reviewer listed there (security/alice, alice)",
      );
      expect(run.outputs).toMatchObject({ errors: "2", escalations: "2" });
      expect(run.summary).toContain(
        `Allowed reviewers: 2 reviewers from \`.charter/reviewers\` at the base commit (${r.base.slice(0, 12)}), not as this change leaves it.`,
      );
      expect(run.summary).toContain("❌ not reviewed (CH8002)");
      expect(run.summary).toContain(
        "### Reviewers file changed\n\n🔺 escalation: `.charter/reviewers` adds 'mallory'. ❌ needs an approving review of the head commit by a reviewer listed at the base.",
      );
      expect(run.summary).toContain("❌ 2 errors in 1 of 1 policy and in the reviewers file");
    });

    it("lets a reviewer listed at the base approve a change to the reviewers file", async () => {
      const listed = [`security/alice ${alice.publicKey}`, `alice ${alice.publicKey}`];
      const r = repo(
        { [POLICY]: signedBase, [REVIEWERS]: reviewersFile(...listed) },
        { [REVIEWERS]: reviewersFile(`alice ${alice.publicKey}`, `bob ${mallory.publicKey}`) },
      );
      reviews = [{ id: 1, user: { login: "alice" }, state: "APPROVED", commit_id: r.head }];
      const approved = await runAction(r, { "github-token": "test-token" }, { GITHUB_API_URL: url });
      expect(approved.code).toBe(0);
      expect(approved.annotations.map((a) => [a.level, a.props.title, a.props.line, a.message])).toEqual([
        [
          "notice",
          "reviewers file changed",
          "2",
          ".charter/reviewers changes who may approve policies: it adds 'bob'; removes 'security/alice'; approved on the pull request by @alice",
        ],
      ]);
      expect(approved.summary).toContain(
        "🔺 escalation: `.charter/reviewers` adds 'bob'; removes 'security/alice'. ✅ approved on the pull request by @alice.",
      );
      expect(approved.outputs).toMatchObject({ errors: "0", escalations: "1" });
      reviews = [];
      const unapproved = await runAction(r, { "github-token": "test-token" }, { GITHUB_API_URL: url });
      expect(unapproved.code).toBe(1);
      expect(unapproved.annotations.map((a) => [a.level, a.props.title])).toEqual([["error", "reviewers file changed"]]);
      expect(unapproved.summary).toContain("❌ 1 error in the reviewers file");
    });
  });

  it("rejects a review signed by a key that is not the reviewer's", async () => {
    const forged = sign(escalated, "security/alice", mallory.privatePem, "2026-11-24");
    const r = repo({ [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) }, { [POLICY]: forged });
    const run = await runAction(r, {});
    expect(run.code).toBe(1);
    expect(run.annotations.map((a) => [a.level, a.props.title, a.message.split("\n")[0]])).toEqual([
      ["error", "CH8004", "the signature of 'security/alice' does not verify"],
    ]);
  });

  it("verifies signatures against the reviewers listed at the base, not as the change leaves them", async () => {
    // the pull request adds its author's key and signs its own escalation with it
    const r = repo(
      { [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) },
      {
        [POLICY]: sign(escalated, "mallory", mallory.privatePem, "2026-11-24"),
        [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`, `mallory ${mallory.publicKey}`),
      },
    );
    for (const inputs of [{}, { "require-review": "false" }] as Record<string, string>[]) {
      const run = await runAction(r, inputs);
      expect(run.code).toBe(1);
      expect(run.annotations.map((a) => [a.level, a.props.title, a.props.file, a.message.split("\n")[0]])).toEqual([
        ["error", "CH8004", POLICY, "'mallory' is not an allowed reviewer"],
        ["error", "reviewers file changed", REVIEWERS, ".charter/reviewers changes who may approve policies: it adds 'mallory'"],
      ]);
      expect(run.summary).toContain("❌ not reviewed (CH8004)");
    }
  });

  it("does not count a reviewers file change that only touches comments and layout", async () => {
    const r = repo(
      { [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) },
      { [REVIEWERS]: reviewersFile("# the security team", "", `security/alice   ${alice.publicKey}`) },
    );
    const run = await runAction(r, {});
    expect([run.code, run.annotations]).toEqual([0, []]);
    expect(run.summary).not.toContain("Reviewers file changed");
    expect(run.outputs).toMatchObject({ errors: "0", escalations: "0" });
  });

  it("reads the reviewers file from the working tree only when there is no base commit, and says so", async () => {
    const r = repo(
      { [POLICY]: signedBase },
      {
        [POLICY]: sign(escalated, "security/alice", alice.privatePem, "2026-11-24"),
        [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`),
      },
    );
    const push = {
      name: "push",
      payload: { ref: "refs/heads/main", before: "0".repeat(40), after: r.head, repository: { name: "shop", owner: { login: "acme" } } },
    };
    const run = await runAction(r, {}, {}, push);
    expect([run.code, run.annotations]).toEqual([0, []]);
    expect(run.summary).toContain(
      "Allowed reviewers: 1 reviewer from `.charter/reviewers` in the working tree: there is no base commit to read it from, so this change's own list counts.",
    );
    expect(run.summary).toContain("✅ reviewed by security/alice on 2026-11-24, signature verified");
  });

  it("refuses a pull request that brings the first reviewers file with it, since nobody listed could approve it", async () => {
    const r = repo(
      { [POLICY]: signedBase },
      {
        [POLICY]: sign(escalated, "mallory", mallory.privatePem, "2026-11-24"),
        [REVIEWERS]: reviewersFile(`mallory ${mallory.publicKey}`),
      },
    );
    const run = await runAction(r, {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `::error title=no reviewers file,file=.charter/reviewers::require-review is on but there is no reviewers file at .charter/reviewers in the base commit ${r.base.slice(0, 12)} (reviewers are read from the base commit, so that a change cannot name its own); this change adds one: merge it on its own first, through the repository's usual review`,
    );
    // nobody counts as a reviewer, so mallory's signature does not either, nor can anyone approve the new file
    expect(run.annotations.map((a) => [a.level, a.props.title])).toEqual([
      ["error", "CH8004"],
      ["error", "no reviewers file"],
      ["error", "reviewers file changed"],
    ]);
  });

  it("refuses fail-on-escalation-without-review without a reviewers file: an unsigned review would let the author pass", async () => {
    // what the checker's quick fix writes: the current digest and a date, and no signature
    const digest = checkText(escalated).bundle.digest;
    const unsigned = escalated.replace(/digest "sha256:[0-9a-f]+"/, `digest "${digest}"`).replace(/\n\s*signature "[^"]*"/, "");
    expect(checkText(unsigned, { requireReview: true, today: TODAY }).errors).toBe(0);
    const r = repo({ [POLICY]: signedBase }, { [POLICY]: unsigned });
    const gated = await runAction(r, { "require-review": "false" });
    expect(gated.code).toBe(1);
    // the unsigned review does not count: with no list, nobody is an allowed reviewer
    expect(gated.outputs).toMatchObject({ errors: "2", escalations: "1" });
    expect(gated.annotations.map((a) => [a.level, a.props.title])).toEqual([
      ["error", "CH8004"],
      ["error", "no reviewers file"],
    ]);
    expect(gated.stdout).toMatch(
      /^::error title=no reviewers file::fail-on-escalation-without-review is on but there is no reviewers file at \.charter\/reviewers in the base commit [0-9a-f]{12} \(reviewers are read from the base commit, so that a change cannot name its own\): an escalation is accepted only when a listed reviewer signs it or approves the pull request, and without a list an author could approve their own\. Fix: create it in a change of its own, merged through the repository's usual review: charter keygen --out ~\/\.charter\/NAME && mkdir -p \.charter && echo "NAME \$\(cat ~\/\.charter\/NAME\.pub\)" >> \.charter\/reviewers \(one `NAME ed25519:KEY` a line; see charter keygen\), or set fail-on-escalation-without-review: false$/m,
    );
    const ungated = await runAction(r, { "require-review": "false", "fail-on-escalation-without-review": "false" });
    expect(ungated.code).toBe(0);
    expect(ungated.summary).toContain("Allowed reviewers: none (no `.charter/reviewers`), so signatures are not checked.");
    expect(ungated.summary).toContain("(signature not checked: no reviewers file)");
  });

  it("reports an internal error in one line with a hint, and the stack only with debug logging on", async () => {
    const r = repo({ [POLICY]: signedBase, [REVIEWERS]: reviewersFile(`security/alice ${alice.publicKey}`) }, {});
    mkdirSync(join(r.dir, "out.sarif")); // writing SARIF over a folder fails
    const run = await runAction(r, { sarif: "out.sarif" });
    expect(run.code).toBe(1);
    const errors = run.stdout.split("\n").filter((l) => l.startsWith("::error"));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^::error::internal error in the Charter Action: EISDIR: illegal operation on a directory, open '[^']*out\.sarif' \(a bug, not a problem in your policies: re-run with debug logging for the stack trace and report it at https:\/\/github\.com\/charter-policy\/charter\/issues\)$/,
    );
    expect(run.stdout).not.toMatch(/\bat .*index\.js:\d+/);
    expect(run.stdout).not.toContain("::debug::");
    const debug = await runAction(r, { sarif: "out.sarif" }, { RUNNER_DEBUG: "1" });
    expect(debug.code).toBe(1);
    expect(debug.stdout).toMatch(/^::debug::Error: EISDIR.*%0A +at .*index\.js:\d+/m);
  });

  it("fails clearly when review is required but there is no reviewers file, after checking everything", async () => {
    const r = repo({ [POLICY]: signedBase }, { [POLICY]: escalated });
    const run = await runAction(r, {});
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "::error title=no reviewers file::require-review is on but there is no reviewers file at .charter/reviewers",
    );
    expect(run.summary).toContain("| 🔺 escalation | `assistant` | `refund` | rate raised from 5 per 1d to 5 per 1h");
  });
});

describe("the Action cannot be walked around", () => {
  const listed = () => reviewersFile(`security/alice ${alice.publicKey}`);
  // a policy that denies `wire`, and the same policy widened: a higher rate and `wire` granted
  const guarded = sign(
    BASE_POLICY.replace("deny deleteAccount, exportData", "deny deleteAccount, exportData, wire"),
    "security/alice",
    alice.privatePem,
  );
  const widened = guarded
    .replace("rate 5 per 1d", "rate 500 per 1d")
    .replace(
      "deny deleteAccount, exportData, wire",
      "deny deleteAccount, exportData\n  tool wire {\n    scope send\n    tier low\n    rate 100 per 1h\n  }",
    );

  it("refuses a policy replaced by a symbolic link, and still shows what the link would bring in", async () => {
    const r = repo({ [POLICY]: guarded, [REVIEWERS]: listed() }, { [POLICY]: { link: "../vault/shop.txt" }, "vault/shop.txt": widened });
    // the hole is real: the CLI builds the widened policy through the link
    const built = charter(["build", POLICY, "-o", join(r.dir, "out.json")], { cwd: r.dir });
    expect(built.status).toBe(0);
    expect(JSON.parse(readFileSync(join(r.dir, "out.json"), "utf8")).agents.assistant.tools.wire.scope).toBe("send");
    const run = await runAction(r, { sarif: "charter.sarif" });
    expect(run.code).toBe(1);
    expect(run.annotations.map((a) => [a.level, a.props.title, a.props.file, a.message.split("\n")[0]])).toEqual([
      ["error", "symbolic link", POLICY, `${POLICY} is a symbolic link to vault/shop.txt, where the base has a plain policy file: refused`],
    ]);
    // code scanning sees the refusal too
    expect(run.sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(["gate/symbolic-link"]);
    expect(run.sarif.runs[0].results).toMatchObject([
      { ruleId: "gate/symbolic-link", level: "error", locations: [{ physicalLocation: { artifactLocation: { uri: POLICY } } }] },
    ]);
    expect(run.outputs.errors).toBe("1");
    expect(Number(run.outputs.escalations)).toBeGreaterThanOrEqual(2);
    expect(run.summary).toContain("| `policies/shop.charter` | ❌ refused: symbolic link |");
    expect(run.summary).toContain("| 🔺 escalation | `assistant` | `wire` |");
    expect(run.summary).toContain("rate raised from 5 per 1d to 500 per 1d");
    expect(run.stdout).not.toContain("no errors");
  });

  it("refuses a policy that is new as a symbolic link, and one reached through a linked folder", async () => {
    const fresh = repo({ [REVIEWERS]: listed(), "vault/shop.txt": widened }, { [POLICY]: { link: "../vault/shop.txt" } });
    const a = await runAction(fresh, {});
    expect(a.code).toBe(1);
    expect(a.annotations.map((x) => [x.props.title, x.message.split("\n")[0]])).toEqual([
      ["symbolic link", `${POLICY} is a symbolic link to vault/shop.txt: refused`],
    ]);
    const folder = repo({ [POLICY]: guarded, [REVIEWERS]: listed() }, { [POLICY]: null, "vault/shop.charter": widened });
    // the folder itself becomes the link: policies -> vault
    rmSync(join(folder.dir, "policies"), { recursive: true, force: true });
    symlinkSync("vault", join(folder.dir, "policies"));
    git(folder.dir, "add", "-A");
    git(folder.dir, "commit", "-q", "-m", "link the folder");
    folder.head = git(folder.dir, "rev-parse", "HEAD");
    for (const inputs of [{}, { paths: "policies/" }, { paths: POLICY }] as Record<string, string>[]) {
      const run = await runAction(folder, inputs);
      expect(run.code).toBe(1);
      expect(
        run.annotations.filter((x) => x.level === "error").map((x) => [x.props.title, x.props.file, x.message.split("\n")[0]]),
      ).toContainEqual([
        "symbolic link",
        POLICY,
        `${POLICY} is reached through the symbolic link policies to vault, where the base has a plain policy file: refused`,
      ]);
      expect(run.summary).toContain("| `policies/shop.charter` | ❌ refused: symbolic link |");
    }
  });

  it("refuses a reviewers file turned into a symbolic link", async () => {
    const r = repo(
      { [POLICY]: signedBase, [REVIEWERS]: listed() },
      { [REVIEWERS]: { link: "../team/reviewers" }, "team/reviewers": listed() },
    );
    const run = await runAction(r, { "require-review": "false", "fail-on-escalation-without-review": "false" });
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.level === "error");
    expect(errors.map((a) => [a.props.title, a.props.file, a.message.split("\n")[0]])).toEqual([
      ["reviewers file changed", REVIEWERS, `${REVIEWERS} is a symbolic link to team/reviewers: refused`],
    ]);
    expect(run.summary).toContain("**symbolic link** the reviewers file is a symbolic link to `team/reviewers`: refused");
  });

  it("does not read a reviewers file that is a symbolic link at the base", async () => {
    const r = repo(
      { [POLICY]: signedBase, [REVIEWERS]: { link: "../team/reviewers" }, "team/reviewers": listed() },
      { [POLICY]: escalated },
    );
    const run = await runAction(r, {});
    expect(run.code).toBe(1);
    const missing = run.annotations.find((a) => a.props.title === "no reviewers file")!;
    expect(missing.message).toMatch(
      /^require-review is on but \.charter\/reviewers in the base commit [0-9a-f]{12} is a symbolic link, not a reviewers file/,
    );
    // nobody is listed, so the review counts for nothing; the link is not taken for a new file
    expect(run.annotations.map((a) => a.props.title)).toEqual(["CH8002", "CH8004", "no reviewers file"]);
    expect(run.summary).toContain("❌ not reviewed (CH8002, CH8004)");
    expect(run.summary).not.toContain("creates the reviewers file");
  });

  describe("an old review brought back", () => {
    const v1 = sign(signedBase.replace("rate 5 per 1d", "rate 1000 per 1d"), "security/alice", alice.privatePem, "2026-10-01");
    const v2 = sign(v1.replace("rate 1000 per 1d", "rate 10 per 1d"), "security/alice", alice.privatePem, "2026-11-01");

    it("does not vouch for undoing a later narrowing", async () => {
      // v1 verifies on its own: the signature is genuine, only its place in history is wrong
      expect(
        checkText(v1, { requireReview: true, reviewers: [{ name: "security/alice", publicKey: alice.publicKey }], today: TODAY }).errors,
      ).toBe(0);
      const r = repo({ [POLICY]: v2, [REVIEWERS]: listed() }, { [POLICY]: v1 });
      for (const inputs of [{}, { "require-review": "false" }] as Record<string, string>[]) {
        const run = await runAction(r, inputs);
        expect(run.code).toBe(1);
        expect(run.annotations.map((a) => [a.level, a.props.title, a.props.line])).toEqual([
          ["error", "review predates the base", String(v1.split("\n").findIndex((l) => l.includes("signature")) + 1)],
        ]);
        expect(run.annotations[0]!.message).toMatch(
          /^the review by security\/alice of 2026-10-01 signs version 1 of policy 'shop', and the base is already at version 1: it cannot vouch for this escalation/,
        );
        expect(run.annotations[0]!.message).toContain("raise version to 2 and sign again");
        expect(run.summary).toContain("❌ not reviewed (replayed review)");
        expect(run.summary).toContain("rate raised from 10 per 1d to 1000 per 1d");
      }
    });

    it("refuses a version that goes down, and accepts a fresh review at a higher version", async () => {
      const v2b = sign(v2.replace("version 1", "version 2"), "security/alice", alice.privatePem, "2026-11-01");
      const back = await runAction(repo({ [POLICY]: v2b, [REVIEWERS]: listed() }, { [POLICY]: v1 }), {});
      expect(back.code).toBe(1);
      expect(back.annotations.map((a) => a.props.title)).toEqual(["version lowered", "review predates the base"]);
      expect(back.annotations[0]!.message.split("\n")[0]).toBe(
        "policy 'shop' goes from version 2 at the base to version 1: versions only increase, so that a review signed for an older version cannot be brought back",
      );
      const fresh = sign(v1.replace("version 1", "version 3"), "security/alice", alice.privatePem, "2026-11-20");
      const ok = await runAction(repo({ [POLICY]: v2b, [REVIEWERS]: listed() }, { [POLICY]: fresh }), {});
      expect([ok.code, ok.annotations]).toEqual([0, []]);
      expect(ok.summary).toContain("✅ reviewed by security/alice on 2026-11-20, signature verified");
    });
  });

  describe("renames, deletions and moves out of paths", () => {
    it("shows a renamed policy as a rename, compared with what it was", async () => {
      const r = repo({ [POLICY]: signedBase, [REVIEWERS]: listed() }, { [POLICY]: null, "policies/store.charter": signedBase });
      const run = await runAction(r, {});
      expect([run.code, run.annotations]).toEqual([0, []]);
      expect(run.summary).toContain("| `policies/store.charter` (renamed from `policies/shop.charter`) | ✅ ok |");
      expect(run.summary).not.toContain("deleted");
      expect(run.summary).toContain("No policy changed in meaning.");
      // renamed and widened: the escalation is against the old file, not against nothing
      const widenedRename = await runAction(
        repo({ [POLICY]: signedBase, [REVIEWERS]: listed() }, { [POLICY]: null, "policies/store.charter": escalated }),
        {},
      );
      expect(widenedRename.code).toBe(1);
      expect(widenedRename.summary).toContain("#### `policies/store.charter`: 1 escalation, 0 reductions, 0 neutral");
    });

    it("shows a change of case as a rename", async () => {
      const r = repo({ [POLICY]: signedBase, [REVIEWERS]: listed() }, { [POLICY]: null, "policies/Shop.charter": signedBase });
      const run = await runAction(r, {});
      expect(run.code).toBe(0);
      expect(run.summary).toContain("| `policies/Shop.charter` (renamed from `policies/shop.charter`: case only) | ✅ ok |");
    });

    it("reports a deleted policy as the removal of every grant it held", async () => {
      const r = repo(
        {
          [POLICY]: signedBase,
          "policies/other.charter": sign(BASE_POLICY.replace("policy shop", "policy other"), "security/alice", alice.privatePem),
          [REVIEWERS]: listed(),
        },
        { [POLICY]: null },
      );
      const run = await runAction(r, {});
      expect(run.code).toBe(0);
      expect(run.summary).toContain("| `policies/shop.charter` | 🗑️ deleted | — | — |");
      expect(run.summary).toContain("#### `policies/shop.charter`: 0 escalations, 2 reductions, 2 neutral");
      expect(run.outputs.escalations).toBe("0");
    });

    it("counts a policy moved out of the checked paths as an escalation of what the gate sees", async () => {
      for (const to of ["legacy/shop.charter", "legacy/shop.txt"]) {
        const r = repo({ [POLICY]: signedBase, [REVIEWERS]: listed() }, { [POLICY]: null, [to]: signedBase });
        const run = await runAction(r, { paths: "policies/" });
        expect(run.code).toBe(1);
        expect(run.outputs.escalations).toBe("1");
        expect(run.summary).toContain(`| \`${to}\` (moved from \`policies/shop.charter\`, out of the checked paths) |`);
        expect(run.summary).toContain(
          `| 🔺 escalation | (policy) |  | moved out of the checked paths (policies/) to ${to}: the gate no longer checks it, while it can still be built from there |`,
        );
        expect(run.annotations.map((a) => [a.level, a.props.title, a.props.file])).toEqual([["error", "review predates the base", to]]);
        expect(run.summary).not.toContain("🗑️ deleted");
      }
    });
  });

  it("checks, annotates and summarises everything for a first-time user, and names the missing reviewers file as one more error", async () => {
    const head = BASE_POLICY.replace("  deny deleteAccount, exportData\n", "  allow all except deleteAccount, exportData\n");
    const r = repo({ "README.md": "shop\n" }, { [POLICY]: head });
    const run = await runAction(r, {});
    expect(run.code).toBe(1);
    const line = head.split("\n").findIndex((l) => l.includes("allow all except")) + 1;
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ level: "error", props: expect.objectContaining({ title: "CH2002", file: POLICY, line: String(line) }) }),
    );
    const missing = run.annotations.find((a) => a.props.title === "no reviewers file")!;
    expect(missing.message).toContain(
      'charter keygen --out ~/.charter/NAME && mkdir -p .charter && echo "NAME $(cat ~/.charter/NAME.pub)" >> .charter/reviewers',
    );
    expect(run.summary).toContain("## Charter policy check");
    expect(run.summary).toContain("| `policies/shop.charter` (new) | ❌");
    expect(run.summary).toContain(`\`${POLICY}:${line}:3\` **CH2002**`);
    expect(run.summary).toContain(
      "- `.charter/reviewers` **no reviewers file** require-review is on but there is no reviewers file at .charter/reviewers",
    );
    expect(Number(run.outputs.errors)).toBe(run.annotations.filter((a) => a.level === "error").length);
  });
});
