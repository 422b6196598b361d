// Runtime benchmark (issue 3): the procurement policy decided by Charter's `decide`, by Cedar
// (@cedar-policy/cedar-wasm, statefulIsAuthorized on a preparsed policy set) and by a hand-written
// Map/Set check, on one seeded workload of 20,000 requests (80% of arguments inside their constraints).
// All three must agree on every decision before any speed is compared (Charter's "needs approval" counts
// as Cedar's allow). Then `authorize` with the hash-chained file audit log, then `ingest` throughput.
//
//   node scripts/bench-runtime.mjs            (npm run bench runs the build first)
import { build } from "esbuild";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { readCorpus } from "../runtime/scripts/corpus-split.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tmp = mkdtempSync(join(tmpdir(), "charter-bench-"));
const banner = { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" };
await build({
  entryPoints: [join(root, "bench/runtime-entry.ts")],
  outfile: join(tmp, "runtime.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  banner,
  logLevel: "warning",
});
const rt = await import(pathToFileURL(join(tmp, "runtime.mjs")).href);

const AGENT = "procurement-assistant-v2";
const N = 20_000;
const checked = rt.checkText(readFileSync(join(root, "examples/procurement.charter"), "utf8"));
if (checked.errors) throw new Error("examples/procurement.charter does not compile");
const bundle = checked.bundle;

// ---------------------------------------------------------------- workload
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(0xc4a27e5);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const TOOLS = ["readPurchaseOrders", "createDraftPO", "querySupplierDB", "sendInternalEmail", "paymentExecution", "archiveEverything"];
const FIELDS = ["name", "contact", "rating"];
const requests = [];
for (let i = 0; i < N; i++) {
  const tool = pick(TOOLS);
  const inside = rand() < 0.8;
  let args;
  let context;
  switch (tool) {
    case "readPurchaseOrders": {
      const department = inside ? "own-dept" : pick(["finance", "hr", "own-dept-2"]);
      args = { department };
      context = { department };
      break;
    }
    case "createDraftPO":
      args = { amount: inside ? Math.floor(rand() * 5000) : 1e9 };
      context = {};
      break;
    case "querySupplierDB": {
      const fields = FIELDS.filter(() => rand() < 0.6);
      if (!inside) fields.push(pick(["iban", "salary"]));
      args = { fields };
      context = { fields };
      break;
    }
    case "sendInternalEmail": {
      const to = inside ? `user${i % 97}@company.com` : pick(["eve@evil.example", "x@company.com.evil.com", "y@notcompany.com"]);
      args = { to, subject: "PO status" };
      context = { domain: to.slice(to.indexOf("@") + 1) };
      break;
    }
    default:
      args = { amount: 100 };
      context = {};
  }
  requests.push({
    call: { agent: AGENT, session: `s${i % 50}`, tool, args },
    cedar: {
      principal: { type: "Agent", id: AGENT },
      action: { type: "Action", id: tool },
      resource: { type: "Tool", id: tool },
      context,
      preparsedPolicySetId: "procurement",
      entities: [],
    },
  });
}

// ---------------------------------------------------------------- the three deciders
// Rate limits stay on; the workload's clock advances two minutes a request, so the policy's limits
// (at most 200 an hour) are exercised but not exceeded and all three can agree.
let now = Date.UTC(2026, 0, 1);
const clock = () => now;
const STEP = 120_000;

const cedarText = readFileSync(join(root, "bench/cedar/procurement.cedar"), "utf8");
const parsed = cedar.preparsePolicySet("procurement", { staticPolicies: cedarText });
if (parsed.type !== "success") throw new Error("Cedar policy does not parse: " + JSON.stringify(parsed));
function cedarDecide(req) {
  const a = cedar.statefulIsAuthorized(req.cedar);
  if (a.type !== "success") throw new Error(JSON.stringify(a.errors));
  return a.response.decision === "allow";
}

/**
 * What a careful engineer would write by hand for this one policy, rate limiting included. It enforces
 * what Charter enforces: the closed world of each tool's arguments (an undeclared argument is refused),
 * the arguments' types, and the policy's `external_domain outside ["company.com"] => block` monitor rule
 * (every string argument that could name a host must name company.com), so it is an equivalent, not a
 * subset. Each check is written the cheapest way for this policy: === on key names, one regex per string.
 */
function handWritten(store) {
  const deny = new Set(["externalEmail", "paymentExecution", "systemConfig"]);
  const fields = new Set(FIELDS);
  const rate = new Map([
    ["readPurchaseOrders", [rt.rateKey(AGENT, "readPurchaseOrders"), 100, 3_600_000]],
    ["createDraftPO", [rt.rateKey(AGENT, "createDraftPO"), 20, 3_600_000]],
    ["querySupplierDB", [rt.rateKey(AGENT, "querySupplierDB"), 200, 3_600_000]],
    ["sendInternalEmail", [rt.rateKey(AGENT, "sendInternalEmail"), 50, 3_600_000]],
  ]);
  // a string that may name a host (an address, `//host`, `www.`) must be a plain address at company.com
  const MAY_NAME_HOST = /@|[\\/]{2}|www\./i;
  const INSIDE = /^[^@/\\]*@(?:[a-z0-9-]+\.)*company\.com$/i;
  const hostOutside = (v) => typeof v === "string" && MAY_NAME_HOST.test(v) && (!INSIDE.test(v) || /www\./i.test(v));
  return (call) => {
    if (call.agent !== AGENT || deny.has(call.tool)) return false;
    const r = rate.get(call.tool);
    if (r === undefined) return false;
    const a = call.args;
    if (a === null || typeof a !== "object") return false;
    switch (call.tool) {
      case "readPurchaseOrders":
        for (const k in a) if (k !== "department") return false;
        if (a.department !== "own-dept") return false;
        break;
      case "createDraftPO": // no declared arguments: anything goes but a host outside company.com
        for (const k in a) if (hostOutside(k) || hostOutside(a[k])) return false;
        break;
      case "querySupplierDB": {
        for (const k in a) if (k !== "fields") return false;
        const f = a.fields;
        if (!Array.isArray(f)) return false;
        for (let i = 0; i < f.length; i++) if (!fields.has(f[i])) return false; // the field names hold no host
        break;
      }
      case "sendInternalEmail":
        for (const k in a) if (k !== "to" && k !== "subject") return false;
        if (typeof a.to !== "string" || !a.to.endsWith("@company.com") || hostOutside(a.to)) return false;
        if (typeof a.subject !== "string" || a.subject.length > 200 || hostOutside(a.subject)) return false;
        break;
    }
    return store === null || store.hit(r[0], now, r[2], r[1]);
  };
}

// ---------------------------------------------------------------- agreement first
{
  const guard = rt.createGuard(bundle, { audit: null, clock });
  const hand = handWritten(new rt.MemoryRateStore());
  let disagreements = 0;
  for (const req of requests) {
    now += STEP;
    const d = guard.decide(req.call);
    const c = d.outcome !== "deny";
    const ce = cedarDecide(req);
    const h = hand(req.call);
    if (c !== ce || c !== h) {
      if (disagreements++ < 5) console.error("disagreement:", JSON.stringify(req.call), { charter: d, cedar: ce, hand: h });
    }
  }
  if (disagreements) {
    console.error(`${disagreements} of ${N} decisions differ: not comparing speeds`);
    process.exit(1);
  }
  const allowed = requests.filter((r) => cedarDecide(r)).length;
  console.log(`agreement: Charter, Cedar and the hand-written check agree on all ${N} decisions (${allowed} allow, ${N - allowed} deny)\n`);
}

// ---------------------------------------------------------------- timing
function timeLoop(label, fn, minMs) {
  for (let i = 0; i < N; i++) fn(requests[i]); // warm-up
  let decisions = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0;
  do {
    for (let i = 0; i < N; i++) {
      now += STEP;
      fn(requests[i]);
    }
    decisions += N;
    elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  } while (elapsed < minMs);
  const us = (elapsed * 1000) / decisions;
  return { label, us, perSecond: 1e6 / us };
}
/**
 * The deciders in alternating rounds of the whole workload, each scored by its best round: the machine's
 * load varies by the second, and interleaving keeps the ratios of one run comparable.
 */
function timeTogether(entries, rounds = 25) {
  for (const [, fn] of entries) for (let i = 0; i < N; i++) fn(requests[i]); // warm-up
  const best = entries.map(() => Infinity);
  for (let k = 0; k < rounds; k++) {
    for (let j = 0; j < entries.length; j++) {
      const fn = entries[j][1];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) {
        now += STEP;
        fn(requests[i]);
      }
      const us = Number(process.hrtime.bigint() - t0) / 1e3 / N;
      if (us < best[j]) best[j] = us;
    }
  }
  return entries.map(([label], j) => ({ label, us: best[j], perSecond: 1e6 / best[j] }));
}
const row = (r, extra = "") =>
  console.log(
    `${r.label.padEnd(44)} ${r.us.toFixed(3).padStart(9)} µs/decision ${Math.round(r.perSecond).toLocaleString("en-US").padStart(12)} decisions/s ${extra}`,
  );

const guard = rt.createGuard(bundle, { audit: null, clock });
const hand = handWritten(new rt.MemoryRateStore());
const handNoRate = handWritten(null);
const [charterRow, handRow, handNoRateRow] = timeTogether([
  ["Charter decide (rate limits on)", (r) => guard.decide(r.call)],
  ["hand-written Map/Set check (rate limits on)", (r) => hand(r.call)],
  ["hand-written Map/Set check (no rate limits)", (r) => handNoRate(r.call)],
]);
const results = {
  charter: charterRow,
  cedar: timeLoop("Cedar statefulIsAuthorized (preparsed)", cedarDecide, 3000),
  hand: handRow,
  handNoRate: handNoRateRow,
};
console.log("decisions on the procurement policy, 20,000 seeded requests (best of 25 interleaved rounds):");
row(results.cedar);
row(results.charter, `  ${(results.cedar.us / results.charter.us).toFixed(0)}x Cedar (goal >= 100x)`);
row(results.hand, `  Charter is ${(results.charter.us / results.hand.us).toFixed(2)}x its time (goal <= 2x)`);
row(results.handNoRate, `  Charter is ${(results.charter.us / results.handNoRate.us).toFixed(2)}x its time`);

// ---------------------------------------------------------------- flow rules, conditions, session rates
// The same policy and workload with v1 history rules added (a provenance condition, a flow rule on a
// tool the session called, one on trust, and a per-session rate), every session having read text
// from `rag` (low) and `internal` (high) first. Charter's decide against a hand-written check that keeps
// the same history in Maps and Sets; both must agree on every decision before their speeds are compared.
{
  const flowText = readFileSync(join(root, "examples/procurement.charter"), "utf8")
    .replace(/(tool querySupplierDB \{\s*scope read\s*tier low\s*rate 200 per 1h)/, "$1\n    rate 100000 per session")
    .replace(
      /(args \{\s*to: email in domains \["company.com"\])/,
      "when to from low => deny\n    after createDraftPO => deny\n    after untrusted => deny\n    $1",
    );
  const flowChecked = rt.checkText(flowText);
  if (flowChecked.errors)
    throw new Error(
      "the flow variant of procurement.charter does not compile: " +
        flowChecked.diagnostics
          .filter((d) => d.severity === "error")
          .map((d) => d.message)
          .join("; "),
    );
  const flowBundle = flowChecked.bundle;
  const SESSIONS = 50;
  // rag (low) names the even addresses, internal (high) every third: user0, user6, … are seen in both
  const ragText = (s) => `Supplier notes for s${s}: contact ` + Array.from({ length: 49 }, (_, i) => `user${2 * i}@company.com`).join(", ");
  const internalText = (s) => `Directory for s${s}: ` + Array.from({ length: 33 }, (_, i) => `user${3 * i}@company.com`).join(" ");
  const fresh = () => {
    const g = rt.createGuard(flowBundle, { audit: null, clock });
    for (let s = 0; s < SESSIONS; s++) {
      g.noteIngested(AGENT, `s${s}`, "rag", ragText(s));
      g.noteIngested(AGENT, `s${s}`, "internal", internalText(s));
    }
    return g;
  };
  /**
   * The hand-written equivalent: the v0 check plus one history object per session (the values it saw
   * with their highest trust, the lowest trust it read, the tools it called that a rule names, its
   * querySupplierDB calls), so one Map lookup finds all of it. It checks every rule the variant adds.
   */
  function handFlow(store) {
    const base = handWritten(store);
    const history = new Map(); // session → { seen: Map(value → highest trust), minTrust, called: Set, supplierCalls }
    const stateOf = (s) => {
      let h = history.get(s);
      if (h === undefined) history.set(s, (h = { seen: new Map(), minTrust: 4, called: new Set(), supplierCalls: 0 }));
      return h;
    };
    const record = (s, text, trust) => {
      const h = stateOf(s);
      if (trust < h.minTrust) h.minTrust = trust;
      for (const tok of text.toLowerCase().split(/[\s,]+/)) if ((h.seen.get(tok) ?? -1) < trust) h.seen.set(tok, trust);
    };
    for (let s = 0; s < SESSIONS; s++) {
      record(`s${s}`, ragText(s), 1);
      record(`s${s}`, internalText(s), 3);
    }
    return (call) => {
      if (call.tool === "querySupplierDB") {
        const h = stateOf(call.session);
        if (h.supplierCalls >= 100000) return false;
        const ok = base(call);
        if (ok) h.supplierCalls++;
        return ok;
      }
      if (call.tool === "sendInternalEmail") {
        const h = history.get(call.session);
        if (h !== undefined) {
          // after untrusted, after createDraftPO (it needs approval, so without an approver it never runs)
          if (h.minTrust <= 0 || h.called.has("createDraftPO")) return false;
          const to = call.args?.to;
          if (typeof to === "string") {
            const t = h.seen.get(to.toLowerCase());
            if (t !== undefined && t <= 1) return false; // when to from low
          }
        }
      }
      return base(call);
    };
  }
  {
    const g = fresh();
    const h = handFlow(new rt.MemoryRateStore());
    let disagreements = 0;
    let provenanceDenials = 0;
    for (const req of requests) {
      now += STEP;
      const d = g.decide(req.call);
      if (d.rule === "provenance") provenanceDenials++;
      if ((d.outcome !== "deny") !== h(req.call) && disagreements++ < 5) console.error("flow disagreement:", JSON.stringify(req.call), d);
    }
    if (disagreements) {
      console.error(`${disagreements} of ${N} flow decisions differ: not comparing speeds`);
      process.exit(1);
    }
    console.log(
      `\nflow rules: Charter and the hand-written history check agree on all ${N} decisions (${provenanceDenials} denied by provenance)`,
    );
  }
  const g = fresh();
  const h = handFlow(new rt.MemoryRateStore());
  // the plain hand-written check runs in the same rounds again: its figure of this section is the one compared
  const plain = handWritten(new rt.MemoryRateStore());
  const [flow, handF, handPlain] = timeTogether([
    ["Charter decide (flow rules, conditions)", (r) => g.decide(r.call)],
    ["hand-written check with the same history", (r) => h(r.call)],
    ["hand-written Map/Set check (no flow rules)", (r) => plain(r.call)],
  ]);
  row(flow, `  ${(flow.us / handF.us).toFixed(2)}x the hand-written check with the same history (goal <= 2x)`);
  row(handF, `  ${(handF.us / handPlain.us).toFixed(2)}x the check without flow rules`);
  row(handPlain, `  Charter with flow rules is ${(flow.us / handPlain.us).toFixed(2)}x its time`);
}

// ---------------------------------------------------------------- authorize with the file audit log
// Twice: records sealed by the thread that decides (the library's default), and sealed off-thread (a
// worker hashes and writes them; what `charter serve` does with a file log). Same bytes on disk.
for (const [how, sealOffThread] of [
  ["sealed by the deciding thread", false],
  ["sealed off-thread, as charter serve writes it", true],
]) {
  const path = join(tmp, `audit-${sealOffThread}.jsonl`);
  const opened = rt.openFileAuditLog(path, { sealOffThread });
  if (!opened.ok) throw new Error(opened.error.message);
  const audited = rt.createGuard(bundle, { audit: opened.log, clock, approver: async () => ({ approved: true, approver: "bench" }) });
  const ROUNDS = 5;
  for (let i = 0; i < N; i++) {
    now += STEP;
    await audited.authorize(requests[i].call); // warm-up
  }
  // The approver answers at once, so this measures the runtime's own cost of an approval (timer, request,
  // second record), not a human's. Calls that waited for it are counted to show their share of the workload.
  let approvals = 0;
  const seq0 = opened.log.head.seq;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < ROUNDS; k++) {
    for (let i = 0; i < N; i++) {
      now += STEP;
      const d = await audited.authorize(requests[i].call);
      if (d.approval !== undefined) approvals++;
    }
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const records = opened.log.head.seq - seq0;
  const seq1 = opened.log.head.seq;
  const t1 = process.hrtime.bigint();
  for (let k = 0; k < ROUNDS; k++) {
    for (let i = 0; i < N; i++) {
      now += STEP;
      audited.decide(requests[i].call);
    }
  }
  const msDecide = Number(process.hrtime.bigint() - t1) / 1e6;
  const recordsDecide = opened.log.head.seq - seq1;
  await opened.log.close();
  const verified = rt.verifyAuditLog(readFileSync(path, "utf8"));
  const aut = {
    label: "authorize + file audit log (await per call)",
    us: (ms * 1000) / (ROUNDS * N),
    perSecond: (ROUNDS * N) / (ms / 1000),
  };
  const dec = { label: "decide + file audit log", us: (msDecide * 1000) / (ROUNDS * N), perSecond: (ROUNDS * N) / (msDecide / 1000) };
  const perSec = (n, msTotal) => Math.round(n / (msTotal / 1000)).toLocaleString("en-US");
  console.log(`\nwith the hash-chained file audit log, ${how} (one record per decision, plus one per approval):`);
  row(aut, aut.perSecond >= 150_000 ? "  goal >= 150,000/s met" : "  below the 150,000/s goal");
  console.log(
    `${"".padEnd(44)} ${perSec(records, ms).padStart(31)} records/s      ${((100 * approvals) / (ROUNDS * N)).toFixed(1)}% of calls waited for the approver`,
  );
  // Issue 12's goal: decisions per second with the durable file log (an allowed call's record is handed
  // to write(2) before the call may be forwarded; the batched log before it, not durable, reached 241k/s).
  row(
    dec,
    dec.perSecond >= 200_000 ? "  goal >= 200,000/s (issue 12, durable log) met" : "  below the 200,000/s goal (issue 12, durable log)",
  );
  console.log(`${"".padEnd(44)} ${perSec(recordsDecide, msDecide).padStart(31)} records/s`);
  console.log(
    `  log: ${verified.ok ? `${verified.records} records, chain intact` : `BROKEN: ${verified.reason}`}, ${(statSync(path).size / 1e6).toFixed(1)} MB`,
  );
}

// ---------------------------------------------------------------- ingest
{
  const texts = readCorpus().map((r) => r.text);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
  console.log(
    `\ningest (guard.ingest: detector score + threshold + trust-boundary wrapping), ${texts.length} corpus texts, ${(bytes / 1e3).toFixed(0)} kB:`,
  );
  const mbPerSecond = (each) => {
    for (const t of texts) each(t);
    let rounds = 0;
    const t0 = performance.now();
    let elapsed = 0;
    do {
      for (const t of texts) each(t);
      rounds++;
      elapsed = (performance.now() - t0) / 1000;
    } while (elapsed < 1.5);
    return (bytes * rounds) / 1e6 / elapsed;
  };
  for (const [label, detector] of [
    ["rule layer", rt.createRuleDetector()],
    ["rules + shipped classifier", rt.createDetector()],
  ]) {
    const g = rt.createGuard(bundle, { audit: null, detector });
    const ingest = mbPerSecond((t) => g.ingest(AGENT, "internal", t));
    // The detector alone, in the same run: what ingest adds on top (policy checks, wrapping) is the difference.
    const alone = mbPerSecond((t) => detector.score(t));
    const goal = label === "rule layer" ? (ingest >= 20 ? "  goal >= 20 MB/s met" : "  below the 20 MB/s goal") : "";
    console.log(`${label.padEnd(44)} ${ingest.toFixed(1).padStart(9)} MB/s   (detector.score alone ${alone.toFixed(1)} MB/s)${goal}`);
  }
}
rmSync(tmp, { recursive: true, force: true });
