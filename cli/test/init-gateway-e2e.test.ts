// From nothing to an enforced policy: `charter init --from-mcp` drafts a policy for the real filesystem
// server, `charter build` compiles it, and `charter gateway` enforces it in front of the same server for
// a real MCP client. Reads pass, writes wait for a human (refused: no approver at a terminal), and
// arguments outside the drafted schema are refused with the reason.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";

const dir = mkdtempSync(join(tmpdir(), "charter-init-e2e-"));
const served = join(dir, "served");
mkdirSync(served);
writeFileSync(join(served, "hello.txt"), "hello from the served folder\nsecond line\n");
const server = [process.execPath, join(ROOT, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"), served];
const policy = join(dir, "fs.charter");
const bundle = join(dir, "fs.bundle.json");
let client: Client;

const text = (r: unknown) => ((r as { content?: { text?: string }[] }).content ?? []).map((c) => c.text ?? "").join("\n");

beforeAll(async () => {
  const init = charter(["init", "--from-mcp", "--agent", "files", "-o", policy, "--", ...server]);
  expect(init.status, init.stderr).toBe(0);
  const build = charter(["build", policy, "-o", bundle]);
  expect(build.status, build.stderr).toBe(0);
  client = new Client({ name: "test-agent", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [
        join(ROOT, "cli/bin/charter.js"),
        "gateway",
        "--bundle",
        bundle,
        "--agent",
        "files",
        "--source",
        "tool_results",
        "--audit",
        join(dir, "audit.jsonl"),
        "--",
        ...server,
      ],
      stderr: "pipe",
    }),
  );
});

afterAll(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a drafted policy, built and enforced by the gateway", () => {
  it("offers every tool of the server: each is granted and its pin matches", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["read_text_file", "write_file", "list_directory", "edit_file"]));
  });

  it("lets a read within the drafted schema through, optional arguments included", async () => {
    const r = await client.callTool({ name: "read_text_file", arguments: { path: join(served, "hello.txt") } });
    expect(r.isError, text(r)).toBeFalsy();
    expect(text(r)).toContain("hello from the served folder");
    const head = await client.callTool({ name: "read_text_file", arguments: { path: join(served, "hello.txt"), head: 1 } });
    expect(head.isError, text(head)).toBeFalsy();
    expect(text(head)).not.toContain("second line");
  });

  it("refuses arguments outside the schema, saying why without repeating them", async () => {
    const typed = await client.callTool({ name: "read_text_file", arguments: { path: join(served, "hello.txt"), head: "1" } });
    expect(typed.isError).toBe(true);
    expect(text(typed)).toContain("argument 'head' of read_text_file: expected a number, got a string");
    const extra = await client.callTool({ name: "read_text_file", arguments: { path: join(served, "hello.txt"), follow: true } });
    expect(extra.isError).toBe(true);
    expect(text(extra)).toContain("has no argument 'follow'");
    const missing = await client.callTool({ name: "read_text_file", arguments: { head: 1 } });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toContain("needs argument 'path'");
  });

  it("keeps writes for a human: without an approver they are refused and nothing is written", async () => {
    const target = join(served, "planted.txt");
    const w = await client.callTool({ name: "write_file", arguments: { path: target, content: "x" } });
    expect(w.isError).toBe(true);
    expect(text(w)).toMatch(/needs approval/);
    expect(existsSync(target)).toBe(false);
  });
});
