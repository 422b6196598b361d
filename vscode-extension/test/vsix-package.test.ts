// Builds the VS Code extension package (`npm run package` in vscode-extension/: esbuild + vsce,
// offline) and checks what is inside: the manifest, the grammar, the bundled client and server,
// the docs pages, and that the bundled server runs on its own from the unpacked .vsix.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";
import { ROOT } from "../../server/test/lsp-session.js";

interface ZipEntry {
  fileName: string;
}
interface ZipFile {
  readEntry(): void;
  on(event: "entry", fn: (e: ZipEntry) => void): void;
  on(event: "end", fn: () => void): void;
  openReadStream(e: ZipEntry, fn: (err: Error | null, s: NodeJS.ReadableStream) => void): void;
}
// yauzl comes with @vscode/vsce, which reads .vsix files with it too
const yauzl = createRequire(import.meta.url)("yauzl") as {
  open(path: string, o: { lazyEntries: boolean }, fn: (err: Error | null, z: ZipFile) => void): void;
};

const files = new Map<string, Buffer>();
const unpacked = mkdtempSync(join(tmpdir(), "charter-vsix-"));
afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

beforeAll(async () => {
  execFileSync("npm", ["run", "package"], {
    cwd: join(ROOT, "vscode-extension"),
    stdio: "pipe",
    env: { ...process.env, npm_config_offline: "true" },
  });
  await new Promise<void>((resolve, reject) => {
    yauzl.open(join(ROOT, "vscode-extension/charter.vsix"), { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on("entry", (entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on("end", resolve);
      zip.readEntry();
    });
  });
}, 180_000);

describe("charter.vsix", () => {
  test("manifest: language, grammar, snippets, commands, engine matching vscode-languageclient 11", () => {
    expect(files.has("extension.vsixmanifest")).toBe(true);
    const manifest = JSON.parse(files.get("extension/package.json")!.toString("utf8"));
    expect(manifest.main).toBe("./dist/extension.js");
    expect(manifest.engines.vscode).toBe(
      JSON.parse(readFileSync(join(ROOT, "node_modules/vscode-languageclient/package.json"), "utf8")).engines.vscode,
    );
    expect(manifest.contributes.languages[0]).toMatchObject({
      id: "charter",
      extensions: [".charter"],
      configuration: "./language-configuration.json",
    });
    expect(manifest.contributes.grammars[0]).toMatchObject({
      language: "charter",
      scopeName: "source.charter",
      path: "./syntaxes/charter.tmLanguage.json",
    });
    expect(manifest.contributes.commands.map((c: { command: string }) => c.command)).toContain("charter.buildBundle");
    const grammar = JSON.parse(files.get("extension/syntaxes/charter.tmLanguage.json")!.toString("utf8"));
    expect(grammar.scopeName).toBe("source.charter");
    const snippets = JSON.parse(files.get("extension/snippets/charter.json")!.toString("utf8"));
    expect(Object.keys(snippets)).toEqual(expect.arrayContaining(["agent", "tool", "approval", "sandbox"]));
    expect(JSON.parse(files.get("extension/language-configuration.json")!.toString("utf8")).comments).toEqual({
      lineComment: "//",
      blockComment: ["/*", "*/"],
    });
  });

  test("bundled client and server, docs pages, and no node_modules", () => {
    const names = [...files.keys()];
    expect(names).toEqual(
      expect.arrayContaining([
        "extension/dist/extension.js",
        "extension/dist/server.js",
        "extension/docs/diagnostics/CH3002.md",
        "extension/LICENSE.txt",
      ]),
    );
    expect(names.filter((n) => n.includes("node_modules"))).toEqual([]);
    expect(names.filter((n) => n.startsWith("extension/src/") || n.endsWith(".ts"))).toEqual([]);
    expect(files.get("extension/dist/extension.js")!.toString("utf8")).toContain("charter.buildBundle");
  });

  test("the bundled server runs from the unpacked package alone and links the packaged docs", async () => {
    for (const [name, bytes] of files) {
      if (!name.startsWith("extension/")) continue;
      const path = join(unpacked, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    const proc = spawn(process.execPath, [join(unpacked, "extension/dist/server.js"), "--stdio"], { cwd: unpacked });
    const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const published = new Promise<{ diagnostics: { code: string; codeDescription: { href: string } }[] }>((resolve) =>
      conn.onNotification("textDocument/publishDiagnostics", resolve),
    );
    conn.listen();
    const init = (await conn.sendRequest("initialize", {
      processId: process.pid,
      rootUri: null,
      capabilities: {},
      initializationOptions: { debounceMs: 0 },
    })) as { serverInfo: { name: string } };
    expect(init.serverInfo.name).toBe("charter");
    await conn.sendNotification("initialized", {});
    const text = readFileSync(join(ROOT, "examples/invalid/CH3002-high-tier-without-approval.charter"), "utf8");
    await conn.sendNotification("textDocument/didOpen", {
      textDocument: { uri: "file:///tmp/x.charter", languageId: "charter", version: 1, text },
    });
    const { diagnostics } = await published;
    const ch3002 = diagnostics.find((d) => d.code === "CH3002")!;
    expect(ch3002.codeDescription.href).toBe(`file://${join(unpacked, "extension/docs/diagnostics/CH3002.md")}`);
    await conn.sendRequest("shutdown");
    const exited = new Promise((resolve) => proc.on("exit", resolve));
    await conn.sendNotification("exit");
    expect(await exited).toBe(0);
    conn.dispose();
  });
});
