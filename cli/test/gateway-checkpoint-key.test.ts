// `charter gateway --checkpoint-key KEY` (DEPLOYMENT.md §4): the stdio gateway signs its log's head like
// `charter serve` with `audit.checkpoint_key`, so `charter audit verify --checkpoint-pub` can tell a cut or
// rewritten log from an intact one; a key that cannot be used stops the gateway with one line naming the flag.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { charter, procurementGatewayArgs } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";

const dir = mkdtempSync(join(tmpdir(), "charter-gateway-ck-"));
const bundle = join(dir, "procurement.bundle.json");
const key = join(dir, "ck");
const gatewayArgs = (log: string, ...extra: string[]) => procurementGatewayArgs(bundle, log, extra);

beforeAll(() => {
  expect(charter(["build", "examples/procurement.charter", "-o", bundle]).status).toBe(0);
  expect(charter(["keygen", "--out", key]).status).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function closedLog(log: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const text = (() => {
      try {
        return readFileSync(log, "utf8");
      } catch {
        return "";
      }
    })();
    if (text.includes('"final":true')) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no closing checkpoint in ${log}`);
}

describe("charter gateway --checkpoint-key", () => {
  it("signs checkpoints into the log and its sidecar; verify with the public key passes", async () => {
    const log = join(dir, "signed.jsonl");
    const client = new Client({ name: "test-agent", version: "1.0.0" });
    const [command, ...args] = gatewayArgs(log, "--checkpoint-key", key);
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [join(ROOT, "cli/bin/charter.js"), command!, ...args], stderr: "pipe" }),
    );
    const ok = await client.callTool({ name: "readPurchaseOrders", arguments: { department: "own-dept" } });
    expect(ok.isError).toBeFalsy();
    await client.close();
    await closedLog(log);
    expect(readFileSync(log + ".checkpoints", "utf8")).toMatch(/"final":true/);
    const v = charter(["audit", "verify", log, "--checkpoint-pub", key + ".pub"]);
    expect(v.stderr).toBe("");
    expect(v.stdout).toMatch(/chain intact, \d+ records; \d+ signed checkpoints?, closed/);
    expect(v.status).toBe(0);
  });

  it("a key that is missing or not a private key: exit 2, one line naming the flag, nothing started", () => {
    const missing = charter(gatewayArgs(join(dir, "a.jsonl"), "--checkpoint-key", join(dir, "nope")));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^charter: --checkpoint-key: cannot read checkpoint key .*nope: /);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    const notPrivate = charter(gatewayArgs(join(dir, "b.jsonl"), "--checkpoint-key", key + ".pub"));
    expect(notPrivate.status).toBe(2);
    expect(notPrivate.stderr.trim()).toBe(
      `charter: --checkpoint-key: ${key}.pub is not an ed25519 private key in PEM form (create one with charter keygen --out KEY)`,
    );
    writeFileSync(join(dir, "empty"), "");
    expect(charter(gatewayArgs(join(dir, "c.jsonl"), "--checkpoint-key", join(dir, "empty"))).stderr).toMatch(/not an ed25519 private key/);
    // refused before the log was opened
    expect(() => readFileSync(join(dir, "a.jsonl"))).toThrow();
  });

  it("is in the command's help", () => {
    expect(charter(["gateway", "--help"]).stdout).toMatch(/--checkpoint-key <key>/);
  });
});
