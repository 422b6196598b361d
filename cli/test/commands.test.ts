// The real `charter` binary: output shapes and exit codes of spec §6 (check, build, digest, fmt,
// keygen), run as a subprocess.
import { BundleSchema, bundleSigningPayload, verifyBytes } from "@charter/language";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";

const tmp = () => mkdtempSync(join(tmpdir(), "charter-cli-"));
const CH3002 = "examples/invalid/CH3002-high-tier-without-approval.charter";

describe("charter check", () => {
  it("passes the examples with exit 0", () => {
    const r = charter(["check", "examples/procurement.charter", "examples/pipeline.charter"]);
    expect(r.stdout).toBe("0 errors, 0 warnings in 2 files\n");
    expect(r.status).toBe(0);
  });

  it("prints rustc-style diagnostics and exits 1 on errors", () => {
    const r = charter(["check", CH3002]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      [
        "error[CH3002]: high-tier tool 'issueRefund' has no approval",
        "  --> examples/invalid/CH3002-high-tier-without-approval.charter:23:8",
        "   |",
        '23 |   tool issueRefund { scope write tier high rate 10 per 1h reversal "playbooks/reverse-refund.md" }',
        "   |        ^^^^^^^^^^^",
      ].join("\n"),
    );
    expect(r.stdout).toMatch(
      /= help: high-consequence actions must wait for a human: add approval \{ approvers \[\.\.\.\] timeout 15m \} \(see docs\/diagnostics\/CH3002\.md\)/,
    );
    expect(r.stdout).toContain("1 error, 1 warning in 1 file");
    expect(r.stdout).not.toMatch(/\x1b\[/);
  });

  it("colours only when asked or on a terminal", () => {
    expect(charter(["check", CH3002], { env: { FORCE_COLOR: "1", NO_COLOR: "" } }).stdout).toMatch(/\x1b\[/);
  });

  it("--format json has exactly the shape of spec §6", () => {
    const r = charter(["check", "--format", "json", CH3002, "examples/procurement.charter"]);
    expect(r.status).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(["files", "errors", "warnings"]);
    expect(json.errors).toBe(1);
    expect(json.warnings).toBe(1);
    expect(json.files.map((f: { path: string }) => f.path)).toEqual([CH3002, "examples/procurement.charter"]);
    const d = json.files[0].diagnostics.find((x: { code: string }) => x.code === "CH3002");
    expect(d).toEqual({
      code: "CH3002",
      severity: "error",
      message: "high-tier tool 'issueRefund' has no approval",
      range: { start: { line: 22, character: 7 }, end: { line: 22, character: 18 } },
    });
    expect(json.files[1].diagnostics).toEqual([]);
  });

  it("--require-review turns review warnings into errors", () => {
    const file = "examples/invalid/CH8001-no-review.charter";
    expect(charter(["check", file]).status).toBe(0);
    const r = charter(["check", "--require-review", "--format", "json", file]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).files[0].diagnostics[0]).toMatchObject({ code: "CH8001", severity: "error" });
  });

  it("--reviewers checks signatures (CH8004)", () => {
    const file = "examples/invalid/CH8004-invalid-signature.charter";
    const r = charter(["check", "--format", "json", "--reviewers", file.replace(/\.charter$/, ".reviewers"), file]);
    expect(JSON.parse(r.stdout).files[0].diagnostics.map((d: { code: string }) => d.code)).toEqual(["CH8004"]);
  });

  it("expands folders to every policy below them", () => {
    const r = charter(["check", "--format", "json", "examples/invalid"]);
    expect(JSON.parse(r.stdout).files.length).toBe(
      readdirSync(join(ROOT, "examples/invalid")).filter((f) => f.endsWith(".charter")).length,
    );
  });

  it.each([
    [["check"], /missing required argument/],
    [["check", "no/such.charter"], /no such file or folder: no\/such\.charter/],
    [["check", "--format", "xml", CH3002], /--format must be text or json/],
    [["check", "--bogus", CH3002], /unknown option '--bogus'/],
    [["frobnicate"], /unknown command 'frobnicate'/],
  ])("usage and I/O errors exit 2 without a stack trace: %j", (args, message) => {
    const r = charter(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each(["check", "fmt", "build", "digest", "keygen"])("%s --help", (cmd) => {
    const r = charter([cmd, "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Usage: charter ${cmd}`));
  });
});

describe("charter build and digest", () => {
  it("writes the same bytes twice, a valid bundle carrying the digest", () => {
    const dir = tmp();
    expect(charter(["build", "examples/procurement.charter", "-o", join(dir, "a.json")]).status).toBe(0);
    expect(charter(["build", "examples/procurement.charter", "-o", join(dir, "b.json")]).status).toBe(0);
    const a = readFileSync(join(dir, "a.json"), "utf8");
    expect(readFileSync(join(dir, "b.json"), "utf8")).toBe(a);
    const bundle = BundleSchema.parse(JSON.parse(a));
    expect(bundle.format).toBe("charter-bundle/1");
    const digest = charter(["digest", "examples/procurement.charter"]);
    expect(digest.stdout).toBe(bundle.digest + "\n");
    expect(digest.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });

  it("never compiles a policy with errors", () => {
    const dir = tmp();
    const out = join(dir, "x.json");
    const r = charter(["build", CH3002, "-o", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error[CH3002]");
    expect(r.stderr).toContain("not compiled");
    expect(existsSync(out)).toBe(false);
    expect(charter(["digest", CH3002]).status).toBe(1);
  });

  it("signs bundles with a key from charter keygen", () => {
    const dir = tmp();
    const key = join(dir, "release.key");
    const gen = charter(["keygen", "--out", key]);
    expect(gen.status).toBe(0);
    const pub = readFileSync(key + ".pub", "utf8").trim();
    expect(pub).toMatch(/^ed25519:[A-Za-z0-9+/]{43}=$/);
    expect(gen.stdout.trim()).toBe(pub);
    expect(charter(["keygen", "--out", key]).status).toBe(2);
    expect(charter(["build", "examples/procurement.charter", "-o", join(dir, "s.json"), "--sign", key]).status).toBe(0);
    const bundle = BundleSchema.parse(JSON.parse(readFileSync(join(dir, "s.json"), "utf8")));
    expect(bundle.signature?.publicKey).toBe(pub);
    expect(verifyBytes(bundleSigningPayload(bundle), bundle.signature!.value, pub)).toBe(true);
    const tampered = { ...bundle, policy: { ...bundle.policy, owner: "mallory" } };
    expect(verifyBytes(bundleSigningPayload(tampered), bundle.signature!.value, pub)).toBe(false);
    writeFileSync(join(dir, "bad.key"), "not a key");
    expect(charter(["build", "examples/procurement.charter", "--sign", join(dir, "bad.key")]).stderr).toMatch(
      /is not an ed25519 private key/,
    );
  });
});

describe("charter fmt", () => {
  it("--check lists unformatted files and exits 1; fmt fixes them in place", () => {
    const dir = tmp();
    const file = join(dir, "messy.charter");
    copyFileSync(join(ROOT, "test/fixtures/format/messy.charter"), file);
    const check = charter(["fmt", "--check", file]);
    expect(check.status).toBe(1);
    expect(check.stdout).toBe(`${file}\n`);
    expect(charter(["fmt", file]).status).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(readFileSync(join(ROOT, "test/fixtures/format/messy.formatted.charter"), "utf8"));
    expect(charter(["fmt", "--check", file]).status).toBe(0);
  });

  it("leaves a file with syntax errors untouched", () => {
    const dir = tmp();
    const file = join(dir, "broken.charter");
    writeFileSync(file, "agent a { tool t { scope = } }\n");
    const r = charter(["fmt", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/broken\.charter: not formatted: syntax error at 1:26/);
    expect(readFileSync(file, "utf8")).toBe("agent a { tool t { scope = } }\n");
  });
});
