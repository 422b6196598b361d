// `charter init --from-mcp` and `charter pins --format json` against the real reference MCP servers
// (installed as devDependencies, started with node from node_modules: no download at test time). Every
// draft must pass the real `charter check` and grant nothing beyond reads without a human.
import { checkText } from "@charter/language";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { charter } from "../../test/support/cli.js";
import { ROOT } from "../../test/support/paths.js";

const work = mkdtempSync(join(tmpdir(), "charter-init-"));
const served = join(work, "served");
mkdirSync(served);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const server = (name: string, ...args: string[]) => [
  process.execPath,
  join(ROOT, "node_modules/@modelcontextprotocol", name, "dist/index.js"),
  ...args,
];
const SERVERS = {
  filesystem: server("server-filesystem", served),
  memory: server("server-memory"),
  everything: server("server-everything"),
};
// the memory server keeps its graph in a file: keep it out of the repository
const env = { MEMORY_FILE_PATH: join(work, "memory.jsonl") };

const drafts = new Map<string, string>();
function draftFor(name: keyof typeof SERVERS): string {
  if (!drafts.has(name)) {
    const file = join(work, `${name}.charter`);
    const r = charter(["init", "--from-mcp", "--force", "-o", file, "--", ...SERVERS[name]], { env });
    expect(r.stderr).toContain(`wrote ${file}`);
    expect(r.status, r.stderr).toBe(0);
    drafts.set(name, readFileSync(file, "utf8"));
  }
  return drafts.get(name)!;
}

/** One tool's block of a draft, lines trimmed. */
function toolBlock(draft: string, name: string): string {
  const start = draft.indexOf(`tool ${name} {`);
  expect(start, `tool ${name}`).toBeGreaterThanOrEqual(0);
  const end = draft.indexOf("\n  }\n", start);
  return draft
    .slice(start, end)
    .split("\n")
    .map((l) => l.trim())
    .join("\n");
}

describe("charter init --from-mcp on the reference servers", () => {
  it("drafts read_text_file of the filesystem server with a required path and optional head/tail", () => {
    const block = toolBlock(draftFor("filesystem"), "read_text_file");
    expect(block).toMatch(/^scope read$/m);
    expect(block).toMatch(/^tier low$/m);
    expect(block).not.toContain("approval");
    expect(block).toMatch(/^path: string max \d+/m);
    expect(block).toMatch(/^head\?: number between \d+ and \d+$/m);
    expect(block).toMatch(/^tail\?: number between \d+ and \d+$/m);
    expect(block).toMatch(/^pin "sha256:[0-9a-f]{64}"$/m);
  });

  it("drafts the filesystem server's writes as high tier with approval and reversal", () => {
    for (const name of ["write_file", "edit_file", "move_file"]) {
      const block = toolBlock(draftFor("filesystem"), name);
      expect(block).toMatch(/^tier high$/m);
      expect(block).toMatch(/^approval \{\napprovers \["TODO-group"\]\ntimeout 15m\n\}$/m);
      expect(block).toMatch(/^reversal "TODO: playbook"$/m);
    }
    expect(toolBlock(draftFor("filesystem"), "edit_file")).toMatch(
      /^edits: list of \{\noldText: string max \d+\nnewText: string max \d+\n\} max \d+$/m,
    );
  });

  it("drafts create_entities of the memory server as a list of closed objects", () => {
    const block = toolBlock(draftFor("memory"), "create_entities");
    expect(block).toMatch(
      /^entities: list of \{\nname: string max \d+\nentityType: string max \d+\nobservations: list of string max \d+ max \d+\n\} max \d+$/m,
    );
    expect(block).toMatch(/^scope write$/m);
    expect(block).toMatch(/^approval \{/m);
    expect(toolBlock(draftFor("memory"), "delete_entities")).toMatch(/^scope delete\ntier high$/m);
  });

  it("drafts enums of the everything server as one of", () => {
    expect(toolBlock(draftFor("everything"), "get-annotated-message")).toMatch(/^messageType: one of \["error", "success", "debug"\]$/m);
    expect(toolBlock(draftFor("everything"), "get-resource-links")).toMatch(/^count\?: number between 1 and 10$/m);
  });

  it.each(Object.keys(SERVERS) as (keyof typeof SERVERS)[])("the %s draft passes charter check without errors", (name) => {
    draftFor(name);
    const r = charter(["check", "--format", "json", join(work, `${name}.charter`)]);
    const json = JSON.parse(r.stdout) as {
      errors: number;
      files: { diagnostics: { code: string; severity: string; message: string }[] }[];
    };
    expect(json.files[0]!.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.status).toBe(0);
    // and it is already in the canonical layout: a reviewer's first edit comes without a reformat
    const fmt = charter(["fmt", "--check", join(work, `${name}.charter`)]);
    expect(fmt.status, fmt.stdout + fmt.stderr).toBe(0);
  });

  it.each(Object.keys(SERVERS) as (keyof typeof SERVERS)[])("the %s draft lets nothing but read/low tools run without a human", (name) => {
    const checked = checkText(draftFor(name));
    expect(checked.errors).toBe(0);
    const tools = Object.entries(Object.values(checked.bundle.agents)[0]!.tools);
    expect(tools.length).toBeGreaterThan(0);
    for (const [toolName, t] of tools) {
      const unattended = t.approval === null && t.tier !== "high";
      if (unattended) expect([toolName, t.scope, t.tier]).toEqual([toolName, "read", "low"]);
      expect(t.args, `${toolName} has a closed world of arguments`).not.toBeNull();
      expect(t.pin).toMatch(/^sha256:[0-9a-f]{64}$/);
    }
  });

  it("pins every tool with the digest charter pins prints", () => {
    const pins = charter(["pins", "--", ...SERVERS.memory], { env });
    expect(pins.status, pins.stderr).toBe(0);
    const draft = draftFor("memory");
    const lines = pins.stdout.trim().split("\n");
    expect(lines.length).toBe(9);
    for (const line of lines) {
      const [name, digest] = line.split(" ");
      expect(toolBlock(draft, name!)).toContain(`pin "${digest}"`);
    }
  });

  it("names the agent after --agent, refuses to overwrite a file, and needs --from-mcp", () => {
    const r = charter(["init", "--from-mcp", "--agent", "kb-writer", "--", ...SERVERS.memory], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^agent kb-writer \{$/m);
    const existing = join(work, "existing.charter");
    writeFileSync(existing, "// mine\n");
    const refused = charter(["init", "--from-mcp", "-o", existing, "--", ...SERVERS.memory], { env });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain("exists; pass --force");
    expect(readFileSync(existing, "utf8")).toBe("// mine\n");
    const noFlag = charter(["init", "--", ...SERVERS.memory], { env });
    expect(noFlag.status).toBe(2);
    expect(noFlag.stderr).toContain("--from-mcp");
    const badAgent = charter(["init", "--from-mcp", "--agent", "my agent", "--", ...SERVERS.memory], { env });
    expect(badAgent.status).toBe(2);
  });

  it("says so in one line, without a stack trace, when the server cannot start", () => {
    const r = charter(["init", "--from-mcp", "--", join(work, "no-such-server")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^charter: cannot start the tool server '.*no-such-server'/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("charter pins --format json", () => {
  it("prints each tool's published definition and digest, the same digests as the text format", () => {
    const json = charter(["pins", "--format", "json", "--", ...SERVERS.filesystem]);
    expect(json.status, json.stderr).toBe(0);
    const tools = JSON.parse(json.stdout) as {
      name: string;
      description: string | null;
      inputSchema: { type: string };
      annotations: Record<string, boolean> | null;
      digest: string;
    }[];
    expect(tools.map((t) => Object.keys(t))).toEqual(tools.map(() => ["name", "description", "inputSchema", "annotations", "digest"]));
    const readText = tools.find((t) => t.name === "read_text_file")!;
    expect(readText.inputSchema.type).toBe("object");
    expect(readText.annotations).toMatchObject({ readOnlyHint: true });
    expect(readText.description).toMatch(/\S/);
    const text = charter(["pins", "--", ...SERVERS.filesystem]);
    expect(text.stdout.trim().split("\n")).toEqual(tools.map((t) => `${t.name} ${t.digest}`));
    for (const t of tools) expect(t.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("refuses an unknown format", () => {
    const r = charter(["pins", "--format", "yaml", "--", ...SERVERS.memory], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--format must be text or json");
  });
});
