// Audit and shared-state benchmark (issue 12): decisions per second and the latency of authorize when
// the record of every allowed call is durable before the call would be forwarded (DEPLOYMENT.md §4),
// side by side: no audit, the file log (one call at a time, and 64 in flight as a gateway serving many
// agents has them), the file log with fsync, the PostgreSQL sink, and Redis-backed rate windows against
// the in-process store. PostgreSQL and Redis are started privately, as the tests do.
//   npm run bench -- audit            (BENCH_AUDIT_STATE=0: the in-process and file-log rows only, no
//                                      PostgreSQL or Redis started)
import { checkText } from "@charter/language";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuditLog,
  MemoryAuditSink,
  RedisStateStore,
  createGuard,
  initPostgresAudit,
  openAuditSink,
  openFileAuditLog,
  verifyAuditLog,
  type Guard,
  type ToolCall,
} from "@charter/runtime";
import setupPostgres from "../test/support/setup-postgres.js";
import setupRedis from "../test/support/setup-redis.js";

const root = process.cwd(); // npm run bench runs from the repository root
const bundle = checkText(readFileSync(join(root, "runtime/test/fixtures/audit-policy.charter"), "utf8")).bundle;
const tmp = mkdtempSync(join(tmpdir(), "charter-bench-audit-"));

// 3 of 4 calls allowed (`work`, unconstrained, a generous rate), 1 of 4 denied (`nope`, not granted)
const calls: ToolCall[] = Array.from({ length: 4096 }, (_, i) => ({
  agent: "a",
  session: `s${i % 32}`,
  tool: i % 4 === 3 ? "nope" : "work",
  args: { id: i, note: "ok" },
}));

interface Result {
  label: string;
  perSecond: number;
  p50: number;
  p99: number;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Runs `authorize` for `ms` with `inFlight` calls outstanding; latency is from call to resolution. */
async function measure(label: string, guard: Guard, inFlight: number, ms: number): Promise<Result> {
  const lat: number[] = [];
  let n = 0;
  const one = async (): Promise<void> => {
    const t = performance.now();
    await guard.authorize(calls[n++ & 4095]!);
    lat.push(performance.now() - t);
  };
  // warm-up
  for (let i = 0; i < 2000; i += inFlight) await Promise.all(Array.from({ length: inFlight }, one));
  lat.length = 0;
  n = 0;
  const t0 = performance.now();
  let done = 0;
  while (performance.now() - t0 < ms) {
    if (inFlight === 1) {
      for (let i = 0; i < 256; i++) await one();
      done += 256;
    } else {
      await Promise.all(Array.from({ length: inFlight }, one));
      done += inFlight;
    }
  }
  const elapsed = performance.now() - t0;
  const sorted = Float64Array.from(lat).sort();
  return { label, perSecond: (done / elapsed) * 1000, p50: quantile(sorted, 0.5) * 1000, p99: quantile(sorted, 0.99) * 1000 };
}

const rows: Result[] = [];
const row = (r: Result, note = ""): void => {
  rows.push(r);
  console.log(
    `${r.label.padEnd(58)} ${Math.round(r.perSecond).toLocaleString("en-US").padStart(11)} decisions/s   p50 ${r.p50.toFixed(1).padStart(8)} µs   p99 ${r.p99.toFixed(1).padStart(8)} µs ${note}`,
  );
};

console.log("audit durability and shared state: authorize on 4,096 calls (3/4 allowed), latency per call\n");
const MS = Number(process.env.BENCH_MS ?? 2000);

// ------------------------------------------------------------- in-process baselines
row(await measure("no audit, in-process rate store, 1 in flight", createGuard(bundle, { audit: null }), 1, MS));
row(
  await measure(
    "memory audit sink, in-process rate store, 64 in flight",
    createGuard(bundle, { audit: new AuditLog(new MemoryAuditSink()) }),
    64,
    MS,
  ),
);

// ------------------------------------------------------------- durable file log
for (const [label, inFlight, fsync, sealOffThread] of [
  ["durable file log, 1 in flight (one write per call)", 1, false, false],
  ["durable file log, 64 in flight (writes shared)", 64, false, false],
  ["durable file log, 256 in flight (writes shared)", 256, false, false],
  ["durable file log sealed off-thread (serve), 1 in flight", 1, false, true],
  ["durable file log sealed off-thread (serve), 64 in flight", 64, false, true],
  ["durable file log sealed off-thread (serve), 256 in flight", 256, false, true],
  ["durable file log + fsync (group commit), 64 in flight", 64, true, false],
] as const) {
  const path = join(tmp, `file-${inFlight}-${fsync}-${sealOffThread}.jsonl`);
  const opened = openFileAuditLog(path, { fsync, sealOffThread });
  if (!opened.ok) throw new Error(opened.error.message);
  const r = await measure(label, createGuard(bundle, { audit: opened.log }), inFlight, MS);
  await opened.log.close();
  const v = verifyAuditLog(readFileSync(path, "utf8"));
  const goal = !fsync && inFlight > 1 ? (r.perSecond >= 200_000 ? "  goal >= 200,000/s met" : "  below the 200,000/s goal") : "";
  row(r, `${goal}  (${v.ok ? `${v.records} records, chain intact` : "CHAIN BROKEN"}, ${(statSync(path).size / 1e6).toFixed(0)} MB)`);
  rmSync(path, { force: true });
}

// ------------------------------------------------------------- PostgreSQL and Redis
if (process.env.BENCH_AUDIT_STATE === "0") {
  rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}
const provided: Record<string, string> = {};
const project = { provide: (k: string, v: string) => void (provided[k] = v) };
const stopPg = await setupPostgres(project as never);
const stopRedis = await setupRedis(project as never);
try {
  const roles = await initPostgresAudit(provided.postgresUrl!);
  for (const inFlight of [1, 64, 256]) {
    const opened = await openAuditSink({ postgres: roles.writerUrl, chain: `bench-${inFlight}` });
    if (!opened.ok) throw new Error(opened.message);
    row(
      await measure(
        `PostgreSQL sink (row committed before forwarding), ${inFlight} in flight`,
        createGuard(bundle, { audit: opened.log }),
        inFlight,
        MS,
      ),
    );
    await opened.log.close();
  }
  for (const inFlight of [1, 64]) {
    const state = await RedisStateStore.open(provided.redisUrl!, { prefix: `bench:${inFlight}:` });
    row(
      await measure(
        `Redis rate windows (Lua per hit), memory audit, ${inFlight} in flight`,
        createGuard(bundle, { audit: new AuditLog(new MemoryAuditSink()), sharedRates: state.rates }),
        inFlight,
        MS,
      ),
    );
    await state.close();
  }
  const local = rows.find((r) => r.label.startsWith("memory audit sink"))!;
  const redis = rows.find((r) => r.label.includes("Redis") && r.label.includes("64 in flight"))!;
  console.log(
    `\nadded latency of Redis rate windows at 64 in flight: p50 +${(redis.p50 - local.p50).toFixed(0)} µs vs the in-process store`,
  );
} finally {
  await stopRedis();
  stopPg();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
