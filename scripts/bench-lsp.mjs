// LSP latency on a generated 5,000-line policy, measured over the real transport
// (`node cli/bin/charter.js lsp --stdio`): a one-character didChange → publishDiagnostics, and
// completion; median and p95 over 50 edits. The server runs with debounce 0, so the figures are
// the server's work alone; the editor-facing debounce (default 150 ms) is reported separately.
// Run: node scripts/build.mjs && node scripts/bench-lsp.mjs   (or `npm run bench -w @charter/server`)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const EDITS = 50;
const LINES = 5000;

/** The customer-support example's header, then agents until the file has LINES lines. */
function generatePolicy() {
  const head = readFileSync(join(root, "examples/customer-support.charter"), "utf8").split("\nagent ")[0];
  const parts = [head];
  let lines = head.split("\n").length;
  for (let i = 0; lines < LINES; i++) {
    const agent = `agent bot-${i} {\n  kind conversational\n  reads email, kb\n  tool lookup${i} {\n    scope read\n    tier low\n    rate 100 per 1h\n    args { orderId: string max 32 }\n  }\n  tool refund${i} {\n    scope write\n    tier high\n    rate 10 per 1h\n    approval { approvers ["leads"] timeout 30m }\n    reversal "playbooks/r.md"\n  }\n  deny closeAccount\n}\n`;
    parts.push(agent);
    lines += agent.split("\n").length - 1;
  }
  return parts.join("\n").split("\n").slice(0, LINES).join("\n") + "\n";
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { median: q(0.5), p95: q(0.95), min: s[0], max: s[s.length - 1] };
};
const ms = (x) => `${x.toFixed(1)} ms`;

const text = generatePolicy();
const lines = text.split("\n");
const proc = spawn(process.execPath, [join(root, "cli/bin/charter.js"), "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
const waiting = new Map();
conn.onNotification("textDocument/publishDiagnostics", (p) => waiting.get(p.version)?.(p));
conn.listen();
const init = await conn.sendRequest("initialize", {
  processId: process.pid,
  rootUri: null,
  capabilities: {},
  initializationOptions: { debounceMs: 0 },
});
await conn.sendNotification("initialized", {});
const uri = pathToFileURL(join(root, "bench.charter")).href;
const published = (version) => new Promise((resolve) => waiting.set(version, resolve));

let ready = published(1);
await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "charter", version: 1, text } });
await ready;

// the edited character: a digit of a `rate 100 per 1h` line, toggled between 100 and 101
const rateLines = lines.flatMap((l, i) => (l === "    rate 100 per 1h" ? [i] : []));
const tierLines = lines.flatMap((l, i) => (l === "    tier low" ? [i] : []));
const diagnostics = [];
const completionWarm = [];
const completionAfterEdit = [];
let version = 1;
for (let n = 0; n < EDITS + 5; n++) {
  const line = rateLines[(n * 37) % rateLines.length];
  const edit = (ch) => ({
    textDocument: { uri, version: ++version },
    contentChanges: [{ range: { start: { line, character: 11 }, end: { line, character: 12 } }, text: ch }],
  });
  // didChange → publishDiagnostics
  ready = published(version + 1);
  let t = performance.now();
  await conn.sendNotification("textDocument/didChange", edit(n % 2 ? "0" : "1"));
  await ready;
  const d = performance.now() - t;
  // completion on an unchanged document (the analysis is shared with the diagnostics just published)
  const at = { textDocument: { uri }, position: { line: tierLines[(n * 53) % tierLines.length], character: 9 } };
  t = performance.now();
  const items = await conn.sendRequest("textDocument/completion", at);
  const c = performance.now() - t;
  if (items.length !== 3) throw new Error(`completion after 'tier ' gave ${items.length} items`);
  // completion right after an edit, before any diagnostics: it pays for checking the new version
  ready = published(version + 1);
  await conn.sendNotification("textDocument/didChange", edit(n % 2 ? "1" : "0"));
  t = performance.now();
  await conn.sendRequest("textDocument/completion", at);
  const c2 = performance.now() - t;
  await ready;
  if (n >= 5) {
    // the first five rounds warm the JIT
    diagnostics.push(d);
    completionWarm.push(c);
    completionAfterEdit.push(c2);
  }
}
await conn.sendRequest("shutdown");
await conn.sendNotification("exit");

const row = (name, xs, goal) => {
  const s = stats(xs);
  return `${name.padEnd(44)} median ${ms(s.median).padStart(9)}   p95 ${ms(s.p95).padStart(9)}   (min ${ms(s.min)}, max ${ms(s.max)})${goal ? `   goal < ${goal} ms median: ${s.median < goal ? "met" : "NOT met"}` : ""}`;
};
console.log(
  `charter lsp on a ${lines.length - 1}-line policy, ${EDITS} one-character edits, server ${init.serverInfo?.name} (debounce 0 ms for measuring; the editor default is 150 ms)`,
);
console.log(row("didChange → publishDiagnostics", diagnostics, 30));
console.log(row("completion (document already checked)", completionWarm, 10));
console.log(row("completion right after an edit", completionAfterEdit));
