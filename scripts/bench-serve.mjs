// `charter serve` benchmark (issue 11): `tools/call` of one echo tool (bench/serve-upstream.mjs, stdio)
//   direct       — the tool server's stdio, no gateway (N calls in flight on one connection)
//   mcp-proxy    — through mcp-proxy (stdio → Streamable HTTP bridge; enforces nothing), N client sessions
//   serve        — through `charter serve` (bearer token, policy decision, audit log to a file written
//                  before the call is forwarded, result ingested and filtered), N client sessions
//   floor:sdk    — no gateway, no upstream: an MCP server whose echo tool answers in-process, on the SDK's
//                  Node Streamable HTTP transport (bench/serve-floor.mjs): what the HTTP server and the SDK
//                  cost per call before anything else
//   floor:serve  — the same, on the SDK transport fed the way serve feeds it (runtime/src/serve/http-transport.ts)
//   floor:fast   — the same, the call answered by serve's fast path (runtime/src/serve/fast-call.ts) instead
//                  of the SDK: what node:http and the fast path cost per call, the floor under serve's calls
//   floor:http   — no MCP at all: node:http answering a canned SSE event. What the HTTP server and the load
//                  generator alone cost on this machine: no gateway can answer more calls/s than this
// at 1 and 32 concurrent clients. Prints p50/p99 latency, the latency added over direct, calls/s, and the CPU
// time per call (from /proc: unlike latency, it hardly depends on the machine's load) of the gateway, of the
// tool server behind it and of the load generator: the three share the machine's cores, so when calls/s
// stops growing the CPU columns say who took the cores.
// Goals: < 1 ms added at p50, ≥ 5,000 calls/s on 2 cores, less added latency than mcp-proxy.
//
// The load generator is bench/serve-client.mjs, the SAME for mcp-proxy, serve and the floors: raw HTTP/1.1
// keep-alive POSTs of JSON-RPC after a real initialize (session id, protocol version), reading both
// application/json and text/event-stream answers; and raw JSON lines on stdio for direct. The SDK's client
// (zod on every message, fetch, web streams) cost as much CPU per call as the gateway it measured, on the
// same two cores, so the figures showed the client as much as the gateways.
//
//   node scripts/bench-serve.mjs [--calls N] [--clients 1,32] [--paths direct,serve,…] [--cpu-prof DIR]
//                                [--serve-base CLI.mjs] [--rounds N]
//   (npm run bench builds the CLI and runtime/dist first)
//   --rounds N: run every path N times, interleaved, and print each figure's median: the other processes
//               on a shared machine come and go, and a path measured only once may have met a busy minute
//   --serve-base: also run `serve@base` — another build of the CLI (an earlier commit), same config, same run
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HttpMcpClient, StdioMcpClient } from "../bench/serve-client.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "charter-bench-serve-"));
const opt = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const CALLS = Number(opt("--calls", "3000"));
const LEVELS = opt("--clients", "1,32").split(",").map(Number);
const PATHS = opt("--paths", "direct,mcp-proxy,serve,floor:sdk,floor:serve,floor:fast,floor:http").split(",");
const ROUNDS = Math.max(1, Number(opt("--rounds", "1")));
/** a directory: `charter serve` runs under `node --cpu-prof` and leaves its profile there */
const CPU_PROF = opt("--cpu-prof", undefined);
/** another build of the CLI bundle (cli/dist/charter.mjs of an earlier commit), run as `serve@base` */
const BASE = opt("--serve-base", undefined);
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

async function httpClients(port, n, headers = {}) {
  const clients = [];
  for (let i = 0; i < n; i++) {
    const c = new HttpMcpClient("127.0.0.1", port, "/mcp", headers);
    await c.connect();
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
        const r = await c.callTool("echo", { text: `call ${i}` });
        lat[i] = performance.now() - s;
        if (r.isError || !r.content?.[0]?.text?.includes(`call ${i}`))
          throw new Error(`call ${i} refused or garbled: ${JSON.stringify(r)}`);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const sorted = Array.from(lat).sort((a, b) => a - b);
  const q = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { p50: q(0.5), p99: q(0.99), rate: calls / seconds };
}

/** CPU time (user + system) a process has used so far, in ms (Linux: /proc/PID/stat), or NaN. */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return Number.NaN;
  }
}

/** The child processes of `pid` (Linux: /proc/PID/task/PID/children), or none. */
function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** This process's CPU time so far, in ms. */
const selfMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Warm-up, then the measured calls. CPU time per call, which unlike latency hardly depends on what else the
 * machine runs: `pid`'s (the gateway), `tool`'s (the tool server: by default the gateway's children) and
 * the load generator's (this process).
 */
async function measure(callers, pid, tool = pid !== undefined ? childrenOf(pid) : []) {
  await run(callers, WARMUP);
  const cpuOf = (pids) => pids.reduce((sum, p) => sum + cpuMs(p), 0);
  const before = { gw: pid !== undefined ? cpuMs(pid) : Number.NaN, tool: cpuOf(tool), self: selfMs() };
  const r = await run(callers, CALLS);
  const per = (ms) => (ms * 1000) / CALLS;
  r.cpu = pid !== undefined ? per(cpuMs(pid) - before.gw) : Number.NaN;
  r.toolCpu = tool.length > 0 ? per(cpuOf(tool) - before.tool) : Number.NaN;
  r.clientCpu = per(selfMs() - before.self);
  return r;
}

// ---------------------------------------------------------------- setup
const bundle = join(tmp, "serve.bundle.json");
const built = spawnSync(process.execPath, [charterBin, "build", join(root, "bench/serve.charter"), "-o", bundle], { encoding: "utf8" });
if (built.status !== 0) throw new Error(`charter build failed: ${built.stderr}`);
const token = "ch_" + randomBytes(32).toString("base64url");
const log = join(tmp, "audit.jsonl");
const servePort = await freePort();
const serveConfig = (auditFile) => `listen: 127.0.0.1:${servePort}
bundle: ${JSON.stringify(bundle)}
audit: { file: ${JSON.stringify(auditFile)} }
agents:
  bench: { token_sha256: "${createHash("sha256").update(token).digest("hex")}", upstreams: [echo], source: api }
upstreams:
  echo: { command: ${JSON.stringify(upstream)} }
`;
writeFileSync(join(tmp, "serve.yaml"), serveConfig(log));
writeFileSync(join(tmp, "serve-base.yaml"), serveConfig(join(tmp, "audit-base.jsonl")));
const proxyPort = await freePort();

const loadStart = loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
/** level → path → one measurement per round */
const rounds = {};
for (let round = 0; round < ROUNDS; round++)
  for (const concurrency of LEVELS) {
    const row = {};
    if (PATHS.includes("direct")) {
      const c = new StdioMcpClient(upstream[0], upstream.slice(1));
      await c.connect();
      row.direct = await measure(
        Array.from({ length: concurrency }, () => c),
        undefined,
        [c.child.pid],
      );
      await c.close();
    }
    if (PATHS.includes("mcp-proxy")) {
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
      const clients = await httpClients(proxyPort, concurrency);
      row["mcp-proxy"] = await measure(clients, child.pid);
      await Promise.all(clients.map((c) => c.close()));
      await stop(child);
    }
    for (const [name, bin, config] of [
      ["serve@base", BASE, "serve-base.yaml"],
      ["serve", charterBin, "serve.yaml"],
    ]) {
      if (!PATHS.includes("serve") || bin === undefined) continue;
      const { child } = await start(
        process.execPath,
        [...(CPU_PROF && name === "serve" ? ["--cpu-prof", "--cpu-prof-dir", CPU_PROF] : []), bin, "serve", "--config", join(tmp, config)],
        /listening on (http:\/\/\S+)\/mcp/,
      );
      const clients = await httpClients(servePort, concurrency, { Authorization: `Bearer ${token}` });
      row[name] = await measure(clients, child.pid);
      await Promise.all(clients.map((c) => c.close()));
      await stop(child);
    }
    // the floor: the HTTP server and the SDK alone, the tool answered in-process (bench/serve-floor.mjs)
    for (const [mode, floor] of [
      ["sdk", "sdk"],
      ["serve", "adapter"],
      ["fast", "fast"],
      ["http", "http"],
    ]) {
      if (!PATHS.includes(`floor:${mode}`)) continue;
      const port = await freePort();
      const { child } = await start(process.execPath, [join(root, "bench/serve-floor.mjs"), floor, String(port)], /floor listening/);
      const clients = await httpClients(port, concurrency);
      row[`floor:${mode}`] = await measure(clients, child.pid);
      await Promise.all(clients.map((c) => c.close()));
      await stop(child);
    }
    rounds[concurrency] ??= {};
    for (const [name, r] of Object.entries(row)) (rounds[concurrency][name] ??= []).push(r);
  }

/** each figure's median over the rounds */
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const results = {};
for (const [n, paths] of Object.entries(rounds)) {
  results[n] = {};
  for (const [name, rs] of Object.entries(paths)) {
    const m = {};
    for (const k of Object.keys(rs[0])) m[k] = median(rs.map((r) => r[k]));
    results[n][name] = m;
  }
}

// every call through serve left its decision record
const ranServe = PATHS.includes("serve");
const decisions = ranServe
  ? readFileSync(log, "utf8")
      .split("\n")
      .filter((l) => l.includes('"event":"decision"')).length
  : 0;
const expected = ranServe ? ROUNDS * LEVELS.length * (WARMUP + CALLS) : 0;
const verify = ranServe ? spawnSync(process.execPath, [charterBin, "audit", "verify", log], { encoding: "utf8" }) : { status: 0 };

const f = (ms) => `${ms.toFixed(3)} ms`;
const us = (v) => (Number.isNaN(v) ? "—" : `${Math.round(v)} µs`);
console.log(
  `\ncharter serve vs mcp-proxy vs direct (tools/call of an echo tool over stdio; ${CALLS} calls after ${WARMUP} warm-up${ROUNDS > 1 ? `, medians of ${ROUNDS} rounds` : ""}; ${cpus().length} cores, Node ${process.version}; load average ${loadStart} at the start, ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")} at the end)`,
);
console.log("CPU/call: of the gateway, of the tool server behind it, of the load generator (this process)");
console.log("clients  path        p50         p99         added p50   added p99   calls/s  gateway     tool        client");
for (const [n, row] of Object.entries(results)) {
  for (const [name, r] of Object.entries(row)) {
    const added =
      name === "direct" || name.startsWith("floor") || !row.direct ? ["—", "—"] : [f(r.p50 - row.direct.p50), f(r.p99 - row.direct.p99)];
    console.log(
      `${String(n).padEnd(8)} ${name.padEnd(11)} ${f(r.p50).padEnd(11)} ${f(r.p99).padEnd(11)} ${added[0].padEnd(11)} ${added[1].padEnd(11)} ${String(Math.round(r.rate)).padEnd(8)} ${us(r.cpu).padEnd(11)} ${us(r.toolCpu).padEnd(11)} ${us(r.clientCpu)}`,
    );
  }
}
if (ranServe)
  console.log(
    `audit: ${decisions} decision records for ${expected} calls through serve; charter audit verify: ${verify.status === 0 ? "ok" : "FAILED " + verify.stdout + verify.stderr}`,
  );
for (const [n, row] of Object.entries(results)) {
  if (!row.serve || !row.direct || !row["mcp-proxy"]) continue;
  const serveAdded = row.serve.p50 - row.direct.p50;
  const proxyAdded = row["mcp-proxy"].p50 - row.direct.p50;
  console.log(
    `goals at ${n} client(s): added p50 < 1 ms: ${serveAdded < 1 ? "met" : "not met"} (${f(serveAdded)}); less added than mcp-proxy: ${serveAdded < proxyAdded ? "met" : "not met"} (${f(proxyAdded)})`,
  );
}
const top = results[Math.max(...LEVELS)]?.serve;
if (top)
  console.log(
    `goal ≥ 5,000 calls/s: ${top.rate >= 5000 ? "met" : "not met"} (${Math.round(top.rate)} calls/s at ${Math.max(...LEVELS)} clients)`,
  );
// what the floors explain: the share of serve's CPU per call that the HTTP server (and the SDK) take anyway
for (const [n, row] of Object.entries(results)) {
  const sdkFloor = row["floor:serve"];
  if (sdkFloor && !Number.isNaN(sdkFloor.cpu))
    console.log(
      `floor at ${n} client(s): the SDK transport alone (echo in-process, no token, policy, audit or upstream) takes ${Math.round(sdkFloor.cpu)} µs CPU per call and tops out at ${Math.round(sdkFloor.rate)} calls/s`,
    );
  const httpFloor = row["floor:http"];
  if (httpFloor && !Number.isNaN(httpFloor.cpu))
    console.log(
      `floor at ${n} client(s): node:http alone (a canned answer, no MCP) takes ${Math.round(httpFloor.cpu)} µs CPU per call and tops out at ${Math.round(httpFloor.rate)} calls/s with this load generator on these cores`,
    );
  const fastFloor = row["floor:fast"];
  if (fastFloor && !Number.isNaN(fastFloor.cpu))
    console.log(
      `floor at ${n} client(s): node:http and serve's fast path alone take ${Math.round(fastFloor.cpu)} µs CPU per call and top out at ${Math.round(fastFloor.rate)} calls/s${row.serve ? `; serve's own work on top (token, policy, audit, upstream connection, inspection, metrics): ${Math.round(row.serve.cpu - fastFloor.cpu)} µs per call` : ""}`,
    );
}
rmSync(tmp, { recursive: true, force: true });
if (decisions !== expected || verify.status !== 0) process.exit(1);
