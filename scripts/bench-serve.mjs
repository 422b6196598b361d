// `charter serve` benchmark (issue 11): `tools/call` of one echo tool (bench/serve-upstream.mjs, stdio)
//   direct     — an MCP SDK client on the tool server's stdio (no gateway; N calls in flight on one connection)
//   mcp-proxy  — through mcp-proxy (stdio → Streamable HTTP bridge; enforces nothing), N client sessions
//   serve      — through `charter serve` (bearer token, policy decision, audit log to a file, result
//                ingested and filtered), N client sessions
// at 1 and 32 concurrent clients. Prints p50/p99 latency, the latency added over direct, and calls/s.
// Goals: < 1 ms added at p50, ≥ 5,000 calls/s on 2 cores, less added latency than mcp-proxy.
//
//   node scripts/bench-serve.mjs [--calls N]      (npm run bench builds the CLI first)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { Readable } from "node:stream";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "charter-bench-serve-"));
const argCalls = process.argv.indexOf("--calls");
const CALLS = argCalls > 0 ? Number(process.argv[argCalls + 1]) : 3000;
const WARMUP = 300;
const upstream = [process.execPath, join(root, "bench/serve-upstream.mjs")];
const charterBin = join(root, "cli/bin/charter.js");

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Starts a child and resolves once `ready` matches its output (stdout or stderr). */
function start(cmd, args, ready) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], cwd: root });
  let out = "";
  return new Promise((resolve, reject) => {
    const on = (d) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    };
    child.stdout.on("data", on);
    child.stderr.on("data", on);
    child.once("exit", (code) => reject(new Error(`${cmd} ${args.join(" ")} exited ${code}: ${out}`)));
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill("SIGKILL");
}

/**
 * `fetch` over node:http with a keep-alive agent, for the SDK client transport. On this Node, the built-in
 * fetch (undici) adds about 10 ms per request on a loaded machine where http.request takes 1 ms; both
 * gateways are measured with this client, so the figures show the gateways, not the client's fetch.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
function nodeFetch(input, init = {}) {
  const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
  const headers = {};
  new Headers(init.headers).forEach((v, k) => (headers[k] = v));
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? "GET", headers, agent }, (res) => {
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(", ") : v);
      const noBody = res.statusCode === 204 || res.statusCode === 304 || (init.method ?? "GET") === "HEAD";
      resolve(new Response(noBody ? null : Readable.toWeb(res), { status: res.statusCode, headers: h }));
    });
    req.on("error", reject);
    const onAbort = () => req.destroy(new Error("aborted"));
    init.signal?.addEventListener("abort", onAbort, { once: true });
    req.on("close", () => init.signal?.removeEventListener("abort", onAbort));
    req.end(init.body ?? undefined);
  });
}

async function httpClients(url, n, headers = {}) {
  const clients = [];
  for (let i = 0; i < n; i++) {
    const c = new Client({ name: `bench-${i}`, version: "1" });
    await c.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers }, fetch: nodeFetch }));
    clients.push(c);
  }
  return clients;
}

/** Runs `calls` tools/call spread over the callers (each caller one call at a time); latencies in ms. */
async function run(callers, calls) {
  const lat = new Float64Array(calls);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    callers.map(async (c) => {
      for (;;) {
        const i = next++;
        if (i >= calls) return;
        const s = performance.now();
        const r = await c.callTool({ name: "echo", arguments: { text: `call ${i}` } });
        lat[i] = performance.now() - s;
        if (r.isError) throw new Error(`call refused: ${JSON.stringify(r.content)}`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const sorted = Array.from(lat).sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: q(0.5), p99: q(0.99), rate: calls / seconds };
}

async function measure(callers) {
  await run(callers, WARMUP);
  return run(callers, CALLS);
}

// ---------------------------------------------------------------- setup
const bundle = join(tmp, "serve.bundle.json");
const built = spawnSync(process.execPath, [charterBin, "build", join(root, "bench/serve.charter"), "-o", bundle], { encoding: "utf8" });
if (built.status !== 0) throw new Error(`charter build failed: ${built.stderr}`);
const token = "ch_" + randomBytes(32).toString("base64url");
const log = join(tmp, "audit.jsonl");
const servePort = await freePort();
writeFileSync(
  join(tmp, "serve.yaml"),
  `listen: 127.0.0.1:${servePort}
bundle: ${JSON.stringify(bundle)}
audit: { file: ${JSON.stringify(log)} }
agents:
  bench: { token_sha256: "${createHash("sha256").update(token).digest("hex")}", upstreams: [echo], source: api }
upstreams:
  echo: { command: ${JSON.stringify(upstream)} }
`,
);
const proxyPort = await freePort();

const results = {};
for (const concurrency of [1, 32]) {
  const row = {};
  {
    const c = new Client({ name: "bench-direct", version: "1" });
    await c.connect(new StdioClientTransport({ command: upstream[0], args: upstream.slice(1), stderr: "ignore" }));
    row.direct = await measure(Array.from({ length: concurrency }, () => c));
    await c.close();
  }
  {
    const { child } = await start(
      process.execPath,
      [
        join(root, "node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs"),
        "--host",
        "127.0.0.1",
        "--port",
        String(proxyPort),
        "--server",
        "stream",
        "--no-eventStore",
        "--",
        ...upstream,
      ],
      /starting server on port|listening/i,
    );
    await new Promise((r) => setTimeout(r, 300));
    const clients = await httpClients(`http://127.0.0.1:${proxyPort}/mcp`, concurrency);
    row["mcp-proxy"] = await measure(clients);
    await Promise.all(clients.map((c) => c.close()));
    await stop(child);
  }
  {
    const { child } = await start(
      process.execPath,
      [charterBin, "serve", "--config", join(tmp, "serve.yaml")],
      /listening on (http:\/\/\S+)\/mcp/,
    );
    const clients = await httpClients(`http://127.0.0.1:${servePort}/mcp`, concurrency, { Authorization: `Bearer ${token}` });
    row.serve = await measure(clients);
    await Promise.all(clients.map((c) => c.close()));
    await stop(child);
  }
  results[concurrency] = row;
}

// every call through serve left its decision record
const decisions = readFileSync(log, "utf8")
  .split("\n")
  .filter((l) => l.includes('"event":"decision"')).length;
const expected = 2 * (WARMUP + CALLS);
const verify = spawnSync(process.execPath, [charterBin, "audit", "verify", log], { encoding: "utf8" });

const f = (ms) => `${ms.toFixed(3)} ms`;
console.log(
  `\ncharter serve vs mcp-proxy vs direct (tools/call of an echo tool over stdio; ${CALLS} calls after ${WARMUP} warm-up; ${cpus().length} cores, Node ${process.version})`,
);
console.log("clients  path        p50         p99         added p50   added p99   calls/s");
for (const [n, row] of Object.entries(results)) {
  for (const [name, r] of Object.entries(row)) {
    const added = name === "direct" ? ["—", "—"] : [f(r.p50 - row.direct.p50), f(r.p99 - row.direct.p99)];
    console.log(
      `${String(n).padEnd(8)} ${name.padEnd(11)} ${f(r.p50).padEnd(11)} ${f(r.p99).padEnd(11)} ${added[0].padEnd(11)} ${added[1].padEnd(11)} ${Math.round(r.rate)}`,
    );
  }
}
console.log(
  `audit: ${decisions} decision records for ${expected} calls through serve; charter audit verify: ${verify.status === 0 ? "ok" : "FAILED " + verify.stdout + verify.stderr}`,
);
for (const [n, row] of Object.entries(results)) {
  const serveAdded = row.serve.p50 - row.direct.p50;
  const proxyAdded = row["mcp-proxy"].p50 - row.direct.p50;
  console.log(
    `goals at ${n} client(s): added p50 < 1 ms: ${serveAdded < 1 ? "met" : "not met"} (${f(serveAdded)}); less added than mcp-proxy: ${serveAdded < proxyAdded ? "met" : "not met"} (${f(proxyAdded)})`,
  );
}
console.log(
  `goal ≥ 5,000 calls/s: ${results[32].serve.rate >= 5000 ? "met" : "not met"} (${Math.round(results[32].serve.rate)} calls/s at 32 clients)`,
);
rmSync(tmp, { recursive: true, force: true });
if (decisions !== expected || verify.status !== 0) process.exit(1);
