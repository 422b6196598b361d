// The language server over its real transport: `node cli/bin/charter.js lsp --stdio` driven by a
// JSON-RPC client through initialize → didOpen → didChange → every feature → shutdown, with exact
// results on the examples.

import { fork, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { CodeAction, CompletionItem, Hover, Location, TextEdit, WorkspaceEdit } from "vscode-languageserver-protocol";
import { checkText, formatText } from "@charter/language";
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { ROOT, startSession, type LspSession } from "./lsp-session.js";

const TODAY = "2026-11-14";
let s: LspSession;

beforeAll(async () => {
  s = await startSession({ debounceMs: 0, today: TODAY });
});
afterAll(async () => {
  if (s && s.proc.exitCode === null) s.proc.kill();
});

function apply(text: string, edits: TextEdit[]): string {
  const r = checkText(text);
  const spans = edits
    .map((e) => ({ start: r.lines.offset(e.range.start), end: r.lines.offset(e.range.end), text: e.newText }))
    .sort((a, b) => b.start - a.start);
  for (const e of spans) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  return text;
}

const pos = (line: number, character: number) => ({ line, character });

describe("charter lsp --stdio", () => {
  test("diagnostics on open: codes, severities, ranges, related information and docs links", async () => {
    const { diagnostics } = await s.open("examples/invalid/CH3002-high-tier-without-approval.charter");
    expect(diagnostics.map((d) => [d.code, d.severity, d.range.start.line])).toEqual([
      ["CH8001", 2, 1],
      ["CH3002", 1, 22],
    ]);
    const ch3002 = diagnostics[1]!;
    expect(ch3002.source).toBe("charter");
    expect(ch3002.range).toEqual({ start: pos(22, 7), end: pos(22, 18) });
    expect(ch3002.codeDescription!.href).toBe(`file://${join(ROOT, "docs/diagnostics/CH3002.md")}`);
    expect(readFileSync(fileURLToPath(ch3002.codeDescription!.href), "utf8")).toContain("CH3002");
    const checked = checkText(readFileSync(join(ROOT, "examples/invalid/CH3002-high-tier-without-approval.charter"), "utf8"))
      .diagnostics[1]!;
    expect(ch3002.message).toBe(`${checked.message}\nhelp: ${checked.help}`);

    const { uri: refundsUri, text: refunds } = {
      uri: `file://${join(ROOT, "examples/invalid/CH3002-high-tier-without-approval.charter")}`,
      text: readFileSync(join(ROOT, "examples/invalid/CH3002-high-tier-without-approval.charter"), "utf8"),
    };
    const fixes = (await s.conn.sendRequest("textDocument/codeAction", {
      textDocument: { uri: refundsUri },
      range: ch3002.range,
      context: { diagnostics: [ch3002] },
    })) as CodeAction[];
    expect(fixes.map((a) => a.title)).toEqual(["Add an approval block"]);
    const fixed = apply(refunds, fixes[0]!.edit!.changes![refundsUri]!);
    expect(fixed).toContain(
      'tool issueRefund { scope write tier high rate 10 per 1h reversal "playbooks/reverse-refund.md" approval { approvers [',
    );
    expect(checkText(fixed).diagnostics.map((d) => d.code)).toEqual(["CH8001"]);

    const dup = await s.open("examples/invalid/CH1001-duplicate-agent.charter");
    const ch1001 = dup.diagnostics.find((d) => d.code === "CH1001")!;
    expect(ch1001.relatedInformation).toEqual([
      {
        location: { uri: dup.uri, range: expect.objectContaining({ start: expect.objectContaining({ line: expect.any(Number) }) }) },
        message: "first declared here",
      },
    ]);
    expect(ch1001.relatedInformation![0]!.location.range.start.line).toBeLessThan(ch1001.range.start.line);
  });

  test("incremental didChange re-publishes for the new version; the CH8002 quick fix updates the review digest", async () => {
    const { uri, text, diagnostics } = await s.open("examples/procurement.charter");
    expect(diagnostics).toEqual([]);
    // `rate 100 per 1h` → `rate 101 per 1h` on line 40 (0-based 39): one character
    await s.conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: pos(39, 11), end: pos(39, 12) }, text: "1" }],
    });
    const changed = await s.diagnostics(uri, 2);
    expect(changed.map((d) => [d.code, d.severity, d.range])).toEqual([["CH8002", 2, { start: pos(7, 11), end: pos(7, 84) }]]);
    const actions = (await s.conn.sendRequest("textDocument/codeAction", {
      textDocument: { uri },
      range: changed[0]!.range,
      context: { diagnostics: changed },
    })) as CodeAction[];
    expect(actions.map((a) => [a.title, a.kind, a.isPreferred])).toEqual([["Update review digest", "quickfix", true]]);
    const newText = text.replace("rate 100 per 1h", "rate 101 per 1h");
    const digest = checkText(newText).bundle.digest;
    expect(actions[0]!.edit!.changes![uri]).toEqual([{ range: { start: pos(7, 11), end: pos(7, 84) }, newText: JSON.stringify(digest) }]);
    await s.conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: 3 },
      contentChanges: actions[0]!.edit!.changes![uri]!.map((e) => ({ range: e.range, text: e.newText })),
    });
    expect(await s.diagnostics(uri, 3)).toEqual([]);
    await s.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  });

  test("hover: keyword doc, tool permissions, agent summary", async () => {
    const { uri } = await s.open("examples/procurement.charter");
    const hover = (line: number, character: number) =>
      s.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: pos(line, character) }) as Promise<Hover | null>;
    expect(await hover(44, 5)).toEqual({
      contents: {
        kind: "markdown",
        value:
          "**tier** — How consequential a call is: `high` needs approval and a reversal playbook.\n\nValues: `low` · `medium` · `high`",
      },
      range: { start: pos(44, 4), end: pos(44, 8) },
    });
    expect(((await hover(42, 10))!.contents as { value: string }).value).toBe(
      '**tool** `createDraftPO` · agent `procurement-assistant-v2`\n\n- scope: `write`\n- tier: `high`\n- rate: 20 per 1h\n- approval: ["procurement-leads"] · timeout 15m · on timeout: reject\n- reversal: `playbooks/void-draft-po.md`\n- arguments: not constrained',
    );
    expect(((await hover(73, 8))!.contents as { value: string }).value).toBe(
      '**agent** `invoice-agent` · document-processing\n\n- tools: 1 — low: `readInvoice` · medium: none · high: none\n- need approval: none\n- reads: `rag` (low, 0.5)\n- exposes: `submitInvoiceQuery`\n- monitor: 6 rules (from defaults)\n- audit: retention 365d (from defaults)\n- sandbox: `sandbox { filesystem read-only network [] cpu 1 memory 512MiB time 60s output "s3://invoices-out" }`',
    );
    expect(await hover(0, 5)).toBeNull();
  });

  test("completion by context", async () => {
    const { uri } = await s.open("examples/procurement.charter");
    const labels = async (line: number, character: number) =>
      (
        (await s.conn.sendRequest("textDocument/completion", { textDocument: { uri }, position: pos(line, character) })) as CompletionItem[]
      ).map((i) => i.label);
    expect(await labels(44, 9)).toEqual(["low", "medium", "high"]); // tier |high
    expect(await labels(37, 10)).toEqual(["read", "write", "send", "delete", "execute"]); // scope |read
    expect(await labels(70, 11)).toEqual(["invoice-agent"]); // talks_to |invoice-agent
    expect(await labels(70, 29)).toEqual(["submitInvoiceQuery"]); // via |submitInvoiceQuery
    expect(await labels(82, 39)).toEqual([
      "readPurchaseOrders",
      "createDraftPO",
      "querySupplierDB",
      "sendInternalEmail",
      "externalEmail",
      "paymentExecution",
      "systemConfig",
    ]); // call |
    const items = (await s.conn.sendRequest("textDocument/completion", {
      textDocument: { uri },
      position: pos(34, 14),
    })) as CompletionItem[]; // reads user, |rag
    expect(items.map((i) => i.label)).toEqual(["rag", "api"]);
    expect(items[1]).toMatchObject({
      kind: 6,
      detail: "source (trust medium, threshold 0.70)",
      textEdit: { range: { start: pos(34, 14), end: pos(34, 14) }, newText: "api" },
    });
  });

  test("definition, references and rename (refusing a clash)", async () => {
    const { uri } = await s.open("examples/procurement.charter");
    const at = (line: number, character: number) => ({ textDocument: { uri }, position: pos(line, character) });
    expect(await s.conn.sendRequest("textDocument/definition", at(70, 12))).toEqual([
      { uri, range: { start: pos(73, 6), end: pos(73, 19) } },
    ]);
    const refs = (await s.conn.sendRequest("textDocument/references", {
      ...at(13, 8),
      context: { includeDeclaration: true },
    })) as Location[];
    expect(refs.map((l) => [l.range.start.line, l.range.start.character])).toEqual([
      [13, 7],
      [34, 14],
      [75, 8],
    ]);
    expect(await s.conn.sendRequest("textDocument/prepareRename", at(13, 8))).toEqual({
      range: { start: pos(13, 7), end: pos(13, 10) },
      placeholder: "rag",
    });
    const edit = (await s.conn.sendRequest("textDocument/rename", { ...at(13, 8), newName: "retrieval" })) as WorkspaceEdit;
    expect(edit.changes![uri]!.map((e) => [e.range.start.line, e.range.start.character, e.newText])).toEqual([
      [13, 7, "retrieval"],
      [34, 14, "retrieval"],
      [75, 8, "retrieval"],
    ]);
    await expect(s.conn.sendRequest("textDocument/rename", { ...at(13, 8), newName: "user" })).rejects.toThrow(
      "cannot rename to 'user': a source of that name already exists in this file",
    );
  });

  test("formatting (whole and range) gives the canonical formatter's text", async () => {
    const { uri, text } = await s.open("examples/procurement.charter");
    const edits = (await s.conn.sendRequest("textDocument/formatting", {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    })) as TextEdit[];
    const expected = formatText(text);
    expect(expected.ok).toBe(true);
    expect(edits.length).toBeGreaterThan(0);
    expect(apply(text, edits)).toBe((expected as { text: string }).text);
    const ranged = (await s.conn.sendRequest("textDocument/rangeFormatting", {
      textDocument: { uri },
      range: { start: pos(12, 0), end: pos(15, 0) },
      options: { tabSize: 2, insertSpaces: true },
    })) as TextEdit[];
    expect(ranged.length).toBeGreaterThan(0);
    expect(ranged.every((e) => e.range.start.line >= 12 && e.range.start.line <= 15)).toBe(true);
    expect(apply(text, ranged).split("\n").slice(12, 16)).toEqual((expected as { text: string }).text.split("\n").slice(12, 16));
  });

  test("semantic tokens, document symbols, folding and code lens", async () => {
    const { uri } = await s.open("examples/procurement.charter");
    const data = ((await s.conn.sendRequest("textDocument/semanticTokens/full", { textDocument: { uri } })) as { data: number[] }).data;
    const TYPES = [
      "keyword",
      "enumMember",
      "class",
      "function",
      "variable",
      "interface",
      "namespace",
      "parameter",
      "property",
      "string",
      "number",
      "operator",
      "comment",
    ];
    const decoded: string[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      char = data[i]! === 0 ? char + data[i + 1]! : data[i + 1]!;
      decoded.push(`${line}:${char}:${data[i + 2]}:${TYPES[data[i + 3]!]}${data[i + 4] ? "*" : ""}`);
    }
    expect(decoded.slice(0, 5)).toEqual(["0:0:22:comment", "1:0:6:keyword", "1:7:11:namespace*", "2:2:7:keyword", "2:10:1:number"]);
    expect(decoded).toContain("32:6:24:class*"); // agent procurement-assistant-v2
    expect(decoded).toContain("70:11:13:class"); // talks_to invoice-agent
    expect(decoded).toContain("70:29:18:interface"); // via submitInvoiceQuery
    expect(decoded).toContain("13:7:3:variable*"); // source rag

    const symbols = (await s.conn.sendRequest("textDocument/documentSymbol", { textDocument: { uri } })) as {
      name: string;
      children?: { name: string; children?: { name: string }[] }[];
    }[];
    expect(symbols.map((p) => [p.name, p.children!.map((c) => c.name)])).toEqual([
      [
        "procurement",
        [
          "user",
          "rag",
          "api",
          "internal",
          "defaults",
          "procurement-assistant-v2",
          "invoice-agent",
          "procurement cannot pay or mail outside",
        ],
      ],
    ]);
    expect(symbols[0]!.children![5]!.children!.map((t) => t.name)).toEqual([
      "readPurchaseOrders",
      "createDraftPO",
      "querySupplierDB",
      "sendInternalEmail",
    ]);

    const folds = (await s.conn.sendRequest("textDocument/foldingRange", { textDocument: { uri } })) as {
      startLine: number;
      endLine: number;
    }[];
    expect(folds.slice(0, 4).map((f) => [f.startLine, f.endLine])).toEqual([
      [1, 9],
      [4, 8],
      [17, 29],
      [18, 24],
    ]);

    const lenses = (await s.conn.sendRequest("textDocument/codeLens", { textDocument: { uri } })) as {
      range: { start: { line: number } };
      command: { title: string };
    }[];
    expect(lenses.map((l) => [l.range.start.line, l.command.title])).toEqual([
      [1, "reviewed by security/alice 12 days ago"],
      [32, "4 tools · 1 high · 2 need approval"],
      [73, "1 tool · 0 high · 0 need approval"],
    ]);
  });

  test("a broken document never crashes the server", async () => {
    const garbage = 'policy { ]] agent "x { tool * { tier ?? } \u202e } except /* never closed\n\u0000 =>';
    const { uri, diagnostics } = await s.open("examples/broken.charter", garbage);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics.every((d) => typeof d.code === "string" && /^CH\d{4}$/.test(d.code))).toBe(true);
    for (let line = 0; line < 2; line++) {
      for (let character = 0; character < 40; character += 3) {
        const at = { textDocument: { uri }, position: pos(line, character) };
        await s.conn.sendRequest("textDocument/hover", at);
        await s.conn.sendRequest("textDocument/completion", at);
        await s.conn.sendRequest("textDocument/definition", at);
      }
    }
    expect(
      await s.conn.sendRequest("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }),
    ).toEqual([]);
    await s.conn.sendRequest("textDocument/semanticTokens/full", { textDocument: { uri } });
    await s.conn.sendRequest("textDocument/foldingRange", { textDocument: { uri } });
    await s.conn.sendRequest("textDocument/codeLens", { textDocument: { uri } });
    expect(s.stderr()).toBe("");
    expect(s.proc.exitCode).toBeNull();
  });

  test("requests on an unknown document answer null; a cancelled request is answered as cancelled", async () => {
    expect(
      await s.conn.sendRequest("textDocument/hover", { textDocument: { uri: "file:///nowhere.charter" }, position: pos(0, 0) }),
    ).toBeNull();
    const { uri } = await s.open("examples/customer-support.charter");
    const { CancellationTokenSource } = await import("vscode-languageserver-protocol");
    const source = new CancellationTokenSource();
    // queue a cancelled request behind a slow-ish one, so the cancellation arrives before it runs
    const first = s.conn.sendRequest("textDocument/semanticTokens/full", { textDocument: { uri } });
    const second = s.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: pos(40, 8) }, source.token);
    source.cancel();
    await first;
    await expect(second).rejects.toMatchObject({ code: -32800 });
  });

  test("a request sent right after an edit is answered on the edited version", async () => {
    const { uri } = await s.open("examples/data-analysis.charter");
    const text = readFileSync(join(ROOT, "examples/data-analysis.charter"), "utf8");
    const line = text.split("\n").findIndex((l) => /^agent /.test(l));
    // two lines inserted above, and the hover sent without waiting for anything
    void s.conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: pos(0, 0), end: pos(0, 0) }, text: "// one\n// two\n" }],
    });
    const hover = (await s.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: pos(line + 2, 8) })) as Hover;
    expect(hover.range!.start.line).toBe(line + 2);
    expect((hover.contents as { value: string }).value).toMatch(/^\*\*agent\*\* `/);
  });

  test("shutdown then exit ends the process with code 0", async () => {
    expect(await s.close()).toBe(0);
  });

  test("the server exits when its client goes away (stdin closed)", async () => {
    const other = await startSession();
    other.proc.stdin.end();
    expect(await other.exited).toBe(1);
  });

  test("--node-ipc speaks LSP over Node's IPC channel and leaves when the channel closes", async () => {
    const child = fork(join(ROOT, "cli/bin/charter.js"), ["lsp", "--node-ipc"], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    const conn = createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    conn.listen();
    const init = (await conn.sendRequest("initialize", { processId: null, rootUri: null, capabilities: {} })) as {
      capabilities: { textDocumentSync: unknown };
    };
    expect(init.capabilities.textDocumentSync).toEqual({ openClose: true, change: 2 });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.disconnect();
    expect(await exited).toBe(0);
    conn.dispose();
  });

  test("the server exits when the client process named in initialize dies", async () => {
    const parent = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    const orphan = spawn(process.execPath, [join(ROOT, "cli/bin/charter.js"), "lsp", "--stdio"], { cwd: ROOT });
    const conn = createProtocolConnection(new StreamMessageReader(orphan.stdout), new StreamMessageWriter(orphan.stdin));
    conn.listen();
    await conn.sendRequest("initialize", { processId: parent.pid, rootUri: null, capabilities: {} });
    const exited = new Promise<number | null>((resolve) => orphan.on("exit", resolve));
    parent.kill();
    // the server polls its client's process every 3 s; it was not shut down, hence code 1
    expect(await exited).toBe(1);
    conn.dispose();
  }, 20_000);
});
